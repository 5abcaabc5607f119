"""Real files, made here, carrying every trace a phone or an editor leaves in them.

Each maker writes the metadata through the same library a device or a program would
(Pillow's Image.Exif with GPS and a maker note, PngInfo's text chunks, pikepdf's document
information, XMP and scripts, mutagen's tags), plus what only exiftool writes (an EXIF
thumbnail). The secrets below are what tests/attachments/test_cleaning.py looks for in
what Majlis stores, with exiftool.
"""

import io
import struct
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pillow_heif
from mutagen.apev2 import APEv2
from mutagen.id3 import APIC, COMM, ID3, TDRC, TIT2, TPE1, TXXX
from mutagen.mp4 import MP4, MP4Cover
from mutagen.ogg import OggPage
from mutagen.oggopus import OggOpus
from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.PngImagePlugin import PngInfo

SECRETS = ("Canon", "EOS 5D", "SERIAL-4242", "Layla Haddad", "Safe house", "12 deg 47", "secret comment",
           "hidden-xmp", "iptc-byline", "MakerSecret", "Aden office", "evil.js", "attached-secret")
# Metadata fields exiftool must not find in anything Majlis serves.
IDENTIFYING_TAGS = (
    "GPS", "Make", "Model", "SerialNumber", "BodySerialNumber", "CameraSerialNumber", "Author", "Creator",
    "Producer", "Artist", "By-line", "Comment", "UserComment", "XMP", "IPTC", "MakerNote", "ThumbnailImage",
    "ThumbnailOffset", "DateTimeOriginal", "CreateDate", "Title", "Album", "Picture", "JavaScript",
    "OpenAction", "EmbeddedFile", "Description", "Software",
)

# A picture whose top-left corner is red and the rest blue: after turning upright by an
# orientation of 6 (rotate 90° clockwise), the red corner is at the top right.
WIDTH, HEIGHT = 120, 80


def picture(width: int = WIDTH, height: int = HEIGHT, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), (20, 40, 200) if mode == "RGB" else (20, 40, 200, 255))
    image.paste((220, 20, 20) if mode == "RGB" else (220, 20, 20, 255), (0, 0, width // 4, height // 4))
    return image


def exif(orientation: int = 6) -> Image.Exif:
    tags = Image.Exif()
    tags[Base.Make] = "Canon"
    tags[Base.Model] = "EOS 5D"
    tags[Base.Orientation] = orientation
    tags[Base.Software] = "Aden office firmware"
    tags[Base.Artist] = "Layla Haddad"
    tags[Base.ImageDescription] = "Safe house"
    exif_ifd = tags.get_ifd(IFD.Exif)
    exif_ifd[Base.BodySerialNumber] = "SERIAL-4242"
    exif_ifd[Base.DateTimeOriginal] = "2026:04:01 10:11:12"
    exif_ifd[Base.MakerNote] = b"MakerSecret\x00" * 4
    exif_ifd[Base.UserComment] = b"ASCII\x00\x00\x00secret comment"
    gps = tags.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef], gps[GPS.GPSLatitude] = "N", (12.0, 47.0, 30.0)
    gps[GPS.GPSLongitudeRef], gps[GPS.GPSLongitude] = "E", (45.0, 2.0, 1.0)
    return tags


XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
       b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>hidden-xmp Layla Haddad'
       b'</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def _iptc_segment() -> bytes:
    """An APP13 Photoshop segment with an IPTC By-line (2:80)."""
    dataset = b"\x1c\x02\x50" + struct.pack(">H", len(b"iptc-byline")) + b"iptc-byline"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(dataset)) + dataset
    if len(dataset) % 2:
        resource += b"\x00"
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def with_exiftool_thumbnail(data: bytes, suffix: str) -> bytes:
    """The file with an EXIF thumbnail (only exiftool writes one)."""
    with tempfile.TemporaryDirectory() as folder:
        path, thumb = Path(folder) / f"photo{suffix}", Path(folder) / "thumb.jpg"
        path.write_bytes(data)
        small = io.BytesIO()
        picture(16, 16).save(small, "JPEG")
        thumb.write_bytes(small.getvalue())
        subprocess.run(["exiftool", "-q", "-overwrite_original", f"-ThumbnailImage<={thumb}", str(path)], check=True)
        return path.read_bytes()


def jpeg(orientation: int = 6, size=(WIDTH, HEIGHT)) -> bytes:
    """A phone's JPEG: EXIF (GPS, make, model, serial, maker note, time), XMP, IPTC, a
    comment and an EXIF thumbnail."""
    out = io.BytesIO()
    picture(*size).save(out, "JPEG", exif=exif(orientation), comment=b"secret comment", xmp=XMP, quality=95)
    data = out.getvalue()
    data = data[:2] + _iptc_segment() + data[2:]
    return with_exiftool_thumbnail(data, ".jpg")


def png() -> bytes:
    info = PngInfo()
    info.add_text("Author", "Layla Haddad")
    info.add_text("Comment", "secret comment", zip=True)
    info.add_itxt("Description", "Safe house", lang="ar")
    info.add_text("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    picture(mode="RGBA").save(out, "PNG", pnginfo=info, exif=exif(1))
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    picture().save(out, "WEBP", exif=exif(1), xmp=XMP)
    return out.getvalue()


def heic() -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(picture()).save(out, exif=exif(6).tobytes(), xmp=XMP, quality=80)
    return out.getvalue()


def pdf(with_photo: bool = True) -> bytes:
    """A PDF with document information, XMP, JavaScript (open action, names tree, a form
    field's action), an embedded file, a file-attachment annotation and a phone photo."""
    document = pikepdf.new()
    document.add_blank_page(page_size=(200, 200))
    page = document.pages[0]
    with document.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = ["hidden-xmp Layla Haddad"]
        meta["dc:description"] = "Safe house"
    document.docinfo["/Author"] = "Layla Haddad"
    document.docinfo["/Creator"] = "Aden office scanner"
    document.docinfo["/Producer"] = "SERIAL-4242"
    document.docinfo["/Title"] = "Safe house"
    script = document.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('evil.js')")))
    document.Root.OpenAction = script
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("evil"), script])))
    document.attachments["attached-secret.txt"] = pikepdf.AttachedFileSpec(document, b"attached-secret GPS 12.79")
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 0, 10, 10],
        FS=pikepdf.AttachedFileSpec(document, b"attached-secret two", filename="two.txt").obj,
    )
    field = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
        Rect=[20, 20, 120, 40], AA=pikepdf.Dictionary(K=script),
        A=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("evil.js")),
    )
    field = document.make_indirect(field)
    page.Annots = document.make_indirect(pikepdf.Array([document.make_indirect(annotation), field]))
    document.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    page.obj.AA = pikepdf.Dictionary(O=script)
    if with_photo:
        photo = jpeg(orientation=1)
        image = pikepdf.Stream(document, photo)
        image.Type, image.Subtype, image.Filter = pikepdf.Name.XObject, pikepdf.Name.Image, pikepdf.Name.DCTDecode
        image.Width, image.Height, image.ColorSpace, image.BitsPerComponent = WIDTH, HEIGHT, pikepdf.Name.DeviceRGB, 8
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = document.make_stream(b"q 120 0 0 80 10 10 cm /Im0 Do Q")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- Audio ---------------------------------------------------------------------------

MP3_FRAME = b"\xff\xfb\x90\x00" + bytes(413)  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417 bytes


def mp3(frames: int = 40) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "voice.mp3"
        path.write_bytes(MP3_FRAME * frames)
        tags = ID3()
        tags.add(TIT2(encoding=3, text="Safe house"))
        tags.add(TPE1(encoding=3, text="Layla Haddad"))
        tags.add(COMM(encoding=3, lang="eng", desc="", text="secret comment"))
        tags.add(TDRC(encoding=3, text="2026-04-01"))
        tags.add(TXXX(encoding=3, desc="location", text="12 deg 47 Aden office"))
        tags.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="cover", data=jpeg(orientation=1)))
        tags.save(path, v1=2)  # ID3v2 at the start and ID3v1 at the end
        ape = APEv2()
        ape["Artist"] = "Layla Haddad"
        ape.save(path)
        return path.read_bytes()


def _opus_head() -> bytes:
    return b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)


def _opus_tags() -> bytes:
    vendor = b"recorder"
    return b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)


def opus(packets: int = 50) -> bytes:
    """An Ogg Opus recording (silent 20 ms frames) with Vorbis comments."""
    pages = []
    for sequence, (packet, position) in enumerate([(_opus_head(), 0), (_opus_tags(), 0)]):
        page = OggPage()
        page.serial, page.sequence, page.position, page.packets = 77, sequence, position, [packet]
        page.first = sequence == 0
        pages.append(page)
    audio = OggPage()
    audio.serial, audio.sequence, audio.position = 77, 2, 960 * packets
    audio.packets, audio.last = [b"\xf8\xff\xfe"] * packets, True
    pages.append(audio)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "voice.opus"
        path.write_bytes(b"".join(page.write() for page in pages))
        recording = OggOpus(path)
        recording["title"] = "Safe house"
        recording["artist"] = "Layla Haddad"
        recording["comment"] = "secret comment"
        recording["location"] = "12 deg 47 Aden office"
        recording.save()
        return path.read_bytes()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, payload: bytes, version: int = 0, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags) + payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _esds() -> bytes:
    specific = b"\x05\x02\x12\x10"  # AAC-LC, 44.1 kHz, stereo
    decoder = b"\x04" + bytes([13 + len(specific)]) + b"\x40\x15" + bytes(3) + struct.pack(">II", 128000, 128000) + specific
    es = b"\x03" + bytes([3 + len(decoder) + 3]) + b"\x00\x01\x00" + decoder + b"\x06\x01\x02"
    return _full(b"esds", es)


def m4a(samples: int = 43, handler: bytes = b"soun") -> bytes:
    """An AAC recording in an MP4 container, with iTunes tags and a QuickTime location."""
    sample = b"\x21\x00\x49\x90\x02\x19\x00\x23\x80"
    ftyp = _box(b"ftyp", b"M4A " + struct.pack(">I", 0) + b"M4A mp42isom")
    mvhd = _full(b"mvhd", struct.pack(">IIII", 3_000_000_000, 3_000_000_000, 1000, 1000) + struct.pack(">IH", 0x10000, 0x100)
                 + bytes(10) + _MATRIX + bytes(24) + struct.pack(">I", 2))
    tkhd = _full(b"tkhd", struct.pack(">IIIII", 3_000_000_000, 3_000_000_000, 1, 0, 1000) + bytes(8)
                 + struct.pack(">hhHH", 0, 0, 0x100, 0) + _MATRIX + struct.pack(">II", 0, 0), flags=7)
    mdhd = _full(b"mdhd", struct.pack(">IIIIHH", 3_000_000_000, 3_000_000_000, 44100, 1024 * samples, 0x55C4, 0))
    hdlr = _full(b"hdlr", bytes(4) + handler + bytes(12) + b"Aden office handler\x00")
    mp4a = _box(b"mp4a", bytes(6) + struct.pack(">H", 1) + bytes(8) + struct.pack(">HHHHI", 2, 16, 0, 0, 44100 << 16) + _esds())
    stsd = _full(b"stsd", struct.pack(">I", 1) + mp4a)
    stts = _full(b"stts", struct.pack(">III", 1, samples, 1024))
    stsc = _full(b"stsc", struct.pack(">IIII", 1, 1, samples, 1))

    def stbl(offset: int) -> bytes:
        stsz = _full(b"stsz", struct.pack(">II", 0, samples) + struct.pack(">I", len(sample)) * samples)
        stco = _full(b"stco", struct.pack(">II", 1, offset))
        return _box(b"stbl", stsd + stts + stsc + stsz + stco)

    def moov(offset: int) -> bytes:
        dinf = _box(b"dinf", _full(b"dref", struct.pack(">I", 1) + _full(b"url ", b"", flags=1)))
        minf = _box(b"minf", _full(b"smhd", bytes(4)) + dinf + stbl(offset))
        trak = _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + minf))
        location = b"+12.7833+045.0333/"
        udta = _box(b"udta", _box(b"\xa9xyz", struct.pack(">HH", len(location), 0x15C7) + location))
        return _box(b"moov", mvhd + trak + udta)

    head = len(ftyp) + len(moov(0))
    data = ftyp + moov(head + 8) + _box(b"mdat", sample * samples)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "voice.m4a"
        path.write_bytes(data)
        recording = MP4(path)
        recording["\xa9nam"] = "Safe house"
        recording["\xa9ART"] = "Layla Haddad"
        recording["\xa9cmt"] = "secret comment"
        recording["\xa9day"] = "2026-04-01"
        recording["covr"] = [MP4Cover(jpeg(orientation=1), imageformat=MP4Cover.FORMAT_JPEG)]
        recording.save()
        return path.read_bytes()


def exiftool(data: bytes, suffix: str) -> dict:
    """Every tag exiftool reads in the file (embedded documents too), as {group:name: value}."""
    import json

    with tempfile.NamedTemporaryFile(suffix=suffix) as file:
        file.write(data)
        file.flush()
        output = subprocess.run(["exiftool", "-j", "-a", "-G1", "-ee", "-b", "-u", file.name],
                                check=True, capture_output=True).stdout
    tags = json.loads(output)[0]
    return {key: value for key, value in tags.items() if not key.startswith(("ExifTool:", "System:", "File:"))}
