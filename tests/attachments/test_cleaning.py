"""A file is typed by its bytes, decoded whole, and kept without a trace of who made it.

The corpus (tests/attachments/corpus.py) carries GPS, camera make, model and serial,
maker notes, thumbnails, XMP, IPTC, comments, PNG text, document information, scripts,
embedded files and audio tags; exiftool, reading what Majlis would store, finds none.
"""

import io
import zlib
import struct
import zipfile

import pikepdf
import pytest
from PIL import Image

from attachments import cleaning, kinds
from attachments.images import PREVIEW_BYTES
from forum.errors import BadRequest, TooLong
from tests.attachments import corpus
from tests.attachments.conftest import upload

MAKERS = {
    "jpeg": (corpus.jpeg, "photo.jpg", kinds.JPEG),
    "png": (corpus.png, "screen.png", kinds.PNG),
    "webp": (corpus.webp, "sticker.webp", kinds.WEBP),
    "heic": (corpus.heic, "IMG_0001.HEIC", kinds.JPEG),
    "pdf": (corpus.pdf, "statement.pdf", kinds.PDF_DOCUMENT),
    "mp3": (corpus.mp3, "voice.mp3", kinds.MP3),
    "opus": (corpus.opus, "voice.ogg", kinds.OPUS),
    "m4a": (corpus.m4a, "voice.m4a", kinds.M4A),
}


@pytest.fixture(scope="module")
def made():
    """Each corpus file once for the module (exiftool and the encoders take a moment)."""
    return {name: maker() for name, (maker, _filename, _kind) in MAKERS.items()}


def _identifying(tags: dict) -> list[str]:
    """The tags of an exiftool reading that name a person, a device, a place or a time."""
    found = []
    for key, value in tags.items():
        name = key.split(":", 1)[-1].lower()
        if any(wanted.lower() in name for wanted in corpus.IDENTIFYING_TAGS):
            if str(value).strip("0: ") == "":  # a time zeroed out (MP4's movie header) says nothing
                continue
            found.append(f"{key}={str(value)[:40]}")
    return found


@pytest.mark.parametrize("name", MAKERS)
def test_every_accepted_type_is_known_by_its_bytes_and_loses_every_identifying_field(name, made):
    data = made[name]
    _maker, filename, stored_kind = MAKERS[name]
    before = corpus.exiftool(data, "." + filename.rsplit(".", 1)[1].lower())
    assert _identifying(before), f"the corpus file {name} should carry metadata to remove"
    assert any(secret in str(before) for secret in corpus.SECRETS)

    cleaned = cleaning.clean(upload(data, filename, "application/octet-stream"))

    assert cleaned.kind == stored_kind
    after = corpus.exiftool(cleaned.data, "." + cleaned.kind.extension)
    assert _identifying(after) == []
    assert [secret for secret in corpus.SECRETS if secret in str(after)] == []
    assert [secret for secret in corpus.SECRETS if secret.encode() in cleaned.data] == []
    assert cleaned.fingerprint == __import__("hashlib").sha256(cleaned.data).hexdigest()
    assert cleaned.upload_size == len(data)


def test_the_jpeg_corpus_file_really_carries_gps_serial_a_maker_note_and_a_thumbnail(made):
    tags = corpus.exiftool(made["jpeg"], ".jpg")
    assert "GPS:GPSLatitude" in tags and "ExifIFD:SerialNumber" in tags and "IFD1:ThumbnailImage" in tags
    assert "IPTC:By-line" in tags and "XMP-dc:Creator" in tags and "ExifIFD:UserComment" in tags
    assert b"MakerSecret" in made["jpeg"]  # the maker note: exiftool cannot parse an unknown maker's


def _red_corner(image: Image.Image) -> str:
    """Which corner of the picture is red (the corpus paints its top-left one)."""
    image = image.convert("RGB")
    w, h = image.size
    corners = {"top-left": (2, 2), "top-right": (w - 3, 2), "bottom-left": (2, h - 3), "bottom-right": (w - 3, h - 3)}
    return next(name for name, xy in corners.items() if image.getpixel(xy)[0] > 150)


@pytest.mark.parametrize("name", ["jpeg", "heic"])
def test_a_photo_is_stored_upright_as_its_orientation_tag_says(name, made):
    cleaned = cleaning.clean(upload(made[name], "photo.jpg"))
    stored = Image.open(io.BytesIO(cleaned.data))
    # Orientation 6: the camera was turned a quarter; shown upright, it is taller than wide
    # and its first corner is at the top right.
    assert stored.size == (corpus.HEIGHT, corpus.WIDTH) == (cleaned.width, cleaned.height)
    assert _red_corner(stored) == "top-right"
    assert "exif" not in stored.info and stored.getexif().get(0x0112) is None


def test_a_preview_is_a_webp_of_at_most_20_kb_even_of_a_large_noisy_photo():
    noisy = Image.frombytes("RGB", (1600, 1200), __import__("os").urandom(1600 * 1200 * 3))
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=95)
    cleaned = cleaning.clean(upload(out.getvalue()))
    assert 0 < len(cleaned.preview) <= PREVIEW_BYTES
    preview = Image.open(io.BytesIO(cleaned.preview))
    assert preview.format == "WEBP" and (preview.width, preview.height) == (cleaned.preview_width, cleaned.preview_height)
    assert max(preview.size) <= 640


def test_documents_and_recordings_have_no_preview(made):
    assert cleaning.clean(upload(made["pdf"], "a.pdf")).preview == b""
    assert cleaning.clean(upload(made["mp3"], "a.mp3")).preview == b""


def test_the_cleaned_pdf_keeps_its_page_and_picture_but_no_script_file_or_metadata(made):
    cleaned = cleaning.clean(upload(made["pdf"], "statement.pdf"))
    document = pikepdf.open(io.BytesIO(cleaned.data))
    assert len(document.pages) == 1 and "/Im0" in document.pages[0].Resources.XObject
    assert "/Info" not in document.trailer and "/Metadata" not in document.Root
    assert "/OpenAction" not in document.Root and not document.attachments
    names = document.Root.get("/Names", {})
    assert "/JavaScript" not in names and "/EmbeddedFiles" not in names
    for obj in document.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            assert not {"/JS", "/AA", "/EF", "/Metadata"} & set(obj.keys())
    assert [a.Subtype for a in document.pages[0].Annots] == [pikepdf.Name.Widget]
    assert "/A" not in document.pages[0].Annots[0]


# --- Type from the bytes ----------------------------------------------------------------

def test_a_pdf_named_as_a_picture_is_refused_as_a_disguise(made):
    # Typed by its bytes (a PDF), and refused because its name says otherwise: members
    # decide what to open by its name (issue 17: "a PDF renamed .png").
    for name, content_type in (("holiday.png", "image/png"), ("holiday.jpg", "image/jpeg")):
        with pytest.raises(BadRequest) as refused:
            cleaning.clean(upload(made["pdf"], name, content_type))
        assert "named as a picture but it is a PDF document" in refused.value.detail
    with pytest.raises(BadRequest, match="named as a PDF document but it is a recording"):
        cleaning.clean(upload(made["mp3"], "statement.pdf", "application/pdf"))


def test_a_picture_under_another_pictures_name_is_stored_with_the_right_extension(made):
    # Phones name HEIC photos .jpg: the same family, no disguise.
    cleaned = cleaning.clean(upload(made["png"], "photo.jpg", "image/jpeg"))
    assert cleaned.kind == kinds.PNG and cleaned.name == "photo.png"
    assert cleaning.clean(upload(made["pdf"], "statement", "application/octet-stream")).kind == kinds.PDF_DOCUMENT


def _png_with(info_text: str = "", after: bytes = b"") -> bytes:
    out = io.BytesIO()
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    if info_text:
        info.add_text("comment", info_text)
    corpus.picture().save(out, "PNG", pnginfo=info)
    return out.getvalue() + after


POLYGLOTS = {
    "png with html after its end": lambda made: _png_with(after=b"<html><body><script>alert(1)</script></body></html>"),
    "png with a script in a text chunk": lambda made: _png_with("<SCRIPT>alert(document.cookie)</SCRIPT>"),
    "jpeg with html in a comment": lambda made: (
        made["jpeg"][:2] + b"\xff\xfe\x00\x2a<html><script>alert(1)</script></html>" + made["jpeg"][2:]),
    "jpeg with html after its end": lambda made: made["jpeg"] + b"<!DOCTYPE html><p>hi</p>",
}


@pytest.mark.parametrize("case", POLYGLOTS)
def test_a_picture_carrying_web_page_code_is_refused_as_a_disguise(made, case):
    with pytest.raises(BadRequest, match="carries web-page code"):
        cleaning.clean(upload(POLYGLOTS[case](made), "cat.jpg" if "jpeg" in case else "cat.png"))


def test_ordinary_pictures_with_text_and_metadata_are_not_taken_for_disguises(made):
    # Pixels are never searched, and ordinary metadata (EXIF, XMP, a caption) is no markup.
    for name in ("jpeg", "png", "webp", "heic"):
        assert cleaning.clean(upload(made[name], f"photo.{name}")).kind.family == kinds.IMAGE
    assert cleaning.clean(upload(_png_with("Taken in Taiz <3 at the market"), "p.png")).kind == kinds.PNG


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\0" * 20_000_000)
    return out.getvalue()


REFUSED = {
    "html named .jpg": (b"<!doctype html><html><script>alert(1)</script></html>", "photo.jpg", "image/jpeg"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", "image/svg+xml"),
    "random bytes": (bytes(range(256)) * 40, "data.mp3", "audio/mpeg"),
    "zip bomb": (_zip_bomb(), "photos.zip", "application/zip"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif", "image/gif"),
    "text": (b"hello", "notes.pdf", "application/pdf"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_anything_else_is_refused_with_a_message_naming_what_is_accepted(case):
    data, name, content_type = REFUSED[case]
    with pytest.raises(BadRequest) as refused:
        cleaning.clean(upload(data, name, content_type))
    assert "not accepted" in refused.value.detail and "JPEG, PNG, WebP, HEIC" in refused.value.detail
    assert "OGG/Opus, M4A/AAC, MP3" in refused.value.detail


@pytest.mark.parametrize("data, name", [
    (b"\xff\xd8\xff\xe0" + bytes(200), "broken.jpg"),
    (b"%PDF-1.7\n" + bytes(300), "broken.pdf"),
    (b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(300), "silence.mp3"),
    (b"\x00\x00\x00\x14ftypM4A \x00\x00\x00\x00M4A " + bytes(50), "broken.m4a"),
])
def test_a_file_that_starts_right_but_does_not_decode_is_refused(data, name):
    with pytest.raises(BadRequest) as refused:
        cleaning.clean(upload(data, name))
    assert "cannot be read" in refused.value.detail


def test_a_video_in_an_mp4_box_is_refused_as_audio_only():
    with pytest.raises(BadRequest) as refused:
        cleaning.clean(upload(corpus.m4a(handler=b"vide"), "clip.m4a"))
    assert "Only audio" in refused.value.detail


def test_a_password_protected_pdf_is_refused_with_what_to_do():
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(BadRequest) as refused:
        cleaning.clean(upload(out.getvalue(), "locked.pdf"))
    assert "password" in refused.value.detail


def _huge_png(width: int, height: int) -> bytes:
    """A real 1-bit PNG of that size, all black: a few kilobytes that decode to width×height pixels."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_decompression_bomb_of_20000_by_20000_pixels_is_refused_not_decoded():
    bomb = _huge_png(20_000, 20_000)
    assert len(bomb) < 100_000
    with pytest.raises(TooLong) as refused:
        cleaning.clean(upload(bomb, "small.png"))
    assert "too many pixels" in refused.value.detail


def test_the_pixel_limit_is_a_setting(settings):
    settings.MAJLIS_ATTACHMENT_MAX_PIXELS = 5_000
    with pytest.raises(TooLong):
        cleaning.clean(upload(_huge_png(100, 100), "small.png"))
    assert cleaning.clean(upload(_huge_png(50, 50), "small.png")).kind == kinds.PNG


# --- Names ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, kind, shown", [
    ("IMG_0001.HEIC", kinds.JPEG, "IMG_0001.jpg"),
    ("C:\\Users\\layla\\Desktop\\statement.pdf", kinds.PDF_DOCUMENT, "statement.pdf"),
    ("../../etc/passwd", kinds.PNG, "passwd.png"),
    ("photo\u202egpj.exe", kinds.JPEG, "photogpj.jpg"),
    ("بيان المنظمة.pdf", kinds.PDF_DOCUMENT, "بيان المنظمة.pdf"),
    ("", kinds.MP3, "file.mp3"),
    ("a" * 500 + ".jpg", kinds.JPEG, "a" * 116 + ".jpg"),
    ("line\nbreak\t.ogg", kinds.OPUS, "line break.ogg"),
])
def test_the_shown_name_is_the_last_part_printable_short_and_with_the_stored_extension(raw, kind, shown):
    assert cleaning.display_name(raw, kind) == shown
