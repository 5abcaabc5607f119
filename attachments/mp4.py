"""M4A/AAC recordings, rebuilt box by box from what a player needs, nothing else.

An MP4 file is a tree of boxes. The copy keeps `ftyp`, the sound (`mdat`) and, of the
`moov` tree, only the boxes on the list below: the tags (`udta`/`meta`/`ilst`, where a
phone's recorder writes its location and a title), XMP and vendor boxes (`uuid`), free
space and anything unknown stay behind, and the creation and modification times of the
movie, its tracks and their media are zeroed. The sound's chunk offsets are moved to
where `mdat` now begins. A file with anything but AAC audio tracks (a video) is refused,
as is a fragmented one.
"""

import io

from django.utils.translation import gettext as _
from mutagen.mp4 import MP4

from attachments import kinds
from forum.errors import BadRequest

# The boxes kept inside each kept container; every other one is left behind.
_KEPT = {
    b"moov": {b"mvhd", b"trak"},
    b"trak": {b"tkhd", b"edts", b"mdia"},
    b"edts": {b"elst"},
    b"mdia": {b"mdhd", b"hdlr", b"minf"},
    b"minf": {b"smhd", b"dinf", b"stbl"},
    b"dinf": {b"dref"},
    b"stbl": {b"stsd", b"stts", b"stsc", b"stsz", b"stz2", b"stco", b"co64", b"stss", b"ctts", b"sgpd", b"sbgp"},
}
_TIMED = {b"mvhd", b"tkhd", b"mdhd"}


def _unreadable() -> BadRequest:
    from attachments.audio import unreadable

    return unreadable(kinds.M4A)


def _boxes(data: bytes, start: int, end: int):
    """(type, start, header length, end) of each box between start and end."""
    position = start
    while position < end:
        if position + 8 > end:
            raise _unreadable()
        size, kind, header = int.from_bytes(data[position:position + 4], "big"), data[position + 4:position + 8], 8
        if size == 1:
            size, header = int.from_bytes(data[position + 8:position + 16], "big"), 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise _unreadable()
        yield kind, position, header, position + size
        position += size


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def clean_m4a(data: bytes) -> bytes:
    top = list(_boxes(data, 0, len(data)))
    if not top or top[0][0] != b"ftyp":
        raise _unreadable()
    moovs = [box for box in top if box[0] == b"moov"]
    mdats = [box for box in top if box[0] == b"mdat"]
    if len(moovs) != 1 or len(mdats) != 1 or any(box[0] == b"moof" for box in top):
        raise _unreadable()
    ftyp = data[top[0][1]:top[0][3]]
    _, mdat_start, mdat_header, mdat_end = mdats[0]
    bounds = (mdat_start + mdat_header, mdat_end)
    moov = moovs[0]
    size = len(_rebuilt(data, moov, delta=0, bounds=bounds))
    delta = len(ftyp) + size - mdat_start
    cleaned = ftyp + _rebuilt(data, moov, delta=delta, bounds=bounds) + data[mdat_start:mdat_end]
    info = MP4(io.BytesIO(cleaned)).info
    if not info.codec.startswith("mp4a") or info.length <= 0:
        raise _unreadable()
    return cleaned


def _rebuilt(data: bytes, box: tuple, *, delta: int, bounds: tuple[int, int]) -> bytes:
    kind, start, header, end = box
    if kind in _KEPT:
        children = list(_boxes(data, start + header, end))
        if kind == b"trak":
            _check_audio_track(data, children)
        payload = b"".join(
            _rebuilt(data, child, delta=delta, bounds=bounds) for child in children if child[0] in _KEPT[kind]
        )
        return _box(kind, payload)
    payload = bytearray(data[start + header:end])
    if kind in _TIMED and payload:
        width = 8 if payload[0] == 1 else 4
        payload[4:4 + 2 * width] = bytes(2 * width)
    elif kind == b"hdlr" and len(payload) >= 24:
        payload = payload[:24] + b"\0"  # its handler's name is free text
    elif kind in (b"stco", b"co64"):
        _move_chunks(payload, 8 if kind == b"co64" else 4, delta, bounds)
    return _box(kind, bytes(payload))


def _check_audio_track(data: bytes, children: list) -> None:
    """Every track is sound (`hdlr` soun) coded as AAC (`mp4a`): no video, no text."""
    mdia = next((box for box in children if box[0] == b"mdia"), None)
    if mdia is None:
        raise _unreadable()
    inside = {box[0]: box for box in _boxes(data, mdia[1] + mdia[2], mdia[3])}
    hdlr, minf = inside.get(b"hdlr"), inside.get(b"minf")
    if hdlr is None or minf is None or data[hdlr[1] + hdlr[2] + 8:hdlr[1] + hdlr[2] + 12] != b"soun":
        raise BadRequest(_("Only audio is accepted in an M4A file; this one holds something else (a video?)."))
    stbl = next((box for box in _boxes(data, minf[1] + minf[2], minf[3]) if box[0] == b"stbl"), None)
    stsd = stbl and next((box for box in _boxes(data, stbl[1] + stbl[2], stbl[3]) if box[0] == b"stsd"), None)
    if stsd is None or data[stsd[1] + stsd[2] + 12:stsd[1] + stsd[2] + 16] != b"mp4a":
        raise BadRequest(_("Only AAC audio is accepted in an M4A file."))


def _move_chunks(payload: bytearray, width: int, delta: int, bounds: tuple[int, int]) -> None:
    """Each chunk offset moved by delta; every chunk must lie in the sound box."""
    count = int.from_bytes(payload[4:8], "big")
    if 8 + count * width > len(payload):
        raise _unreadable()
    for n in range(count):
        at = 8 + n * width
        offset = int.from_bytes(payload[at:at + width], "big")
        if not bounds[0] <= offset < bounds[1]:
            raise _unreadable()
        moved = offset + delta
        if not 0 <= moved < 1 << (8 * width):
            raise _unreadable()
        payload[at:at + width] = moved.to_bytes(width, "big")
