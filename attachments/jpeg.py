"""JPEG markers: the segments before the picture data, without those that carry metadata.

For JPEG pictures inside PDF documents, which are copied, not decoded (attachments/pdfs.py):
EXIF (APP1, with GPS, camera, serial number and a thumbnail), XMP (APP1), FlashPix and
multi-picture data (APP2, which can hold more pictures), IPTC (APP13), maker segments and
comments go; JFIF (APP0), colour profiles (APP2 `ICC_PROFILE`) and Adobe's colour
transform (APP14), which the picture needs to show right, stay.
"""

_SOI, _SOS, _EOI = 0xD8, 0xDA, 0xD9
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and RSTn carry no length


def _kept(marker: int, payload: bytes) -> bool:
    if 0xE0 <= marker <= 0xEF:  # APPn
        return marker in (0xE0, 0xEE) or (marker == 0xE2 and payload.startswith(b"ICC_PROFILE\0"))
    return marker != 0xFE  # COM


def without_metadata(data: bytes) -> bytes:
    """The same JPEG without its metadata segments; unchanged if it cannot be walked."""
    if data[:2] != b"\xff\xd8":
        return data
    out, position = [b"\xff\xd8"], 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _STANDALONE:
            out.append(data[position:position + 2])
            position += 2
            continue
        if marker == _EOI:
            break
        length = int.from_bytes(data[position + 2:position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return data
        if marker == _SOS:
            # The picture data follows, to the end of the picture (a stuffed 0xFF is never
            # followed by 0xD9): whatever was appended after it (a second picture, a
            # maker's data) stays behind.
            end_of_image = data.find(b"\xff\xd9", position)
            out.append(data[position:] if end_of_image < 0 else data[position:end_of_image + 2])
            return b"".join(out)
        if _kept(marker, data[position + 4:end]):
            out.append(data[position:end])
        position = end
    return data
