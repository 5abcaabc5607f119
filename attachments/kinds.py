"""What a file is, read from its first bytes: never from its name or the browser's word.

`sniff(head)` looks at the magic numbers only and names a candidate kind; the kind's
cleaner then decodes the whole file with its library (attachments/cleaning.py), and a
file that does not decode as what its first bytes claim is refused like any other.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

IMAGE, PDF, AUDIO = "image", "pdf", "audio"

# Brands of ISO base media files (`ftyp`) that say HEIF: photos from phones (HEIC).
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"})


@dataclass(frozen=True)
class Kind:
    """One accepted kind of file: its family (which limit and cleaner apply), its MIME type
    and extension as served, and the format name its library knows it by."""

    name: str
    family: str
    mime: str
    extension: str


JPEG = Kind("jpeg", IMAGE, "image/jpeg", "jpg")
PNG = Kind("png", IMAGE, "image/png", "png")
WEBP = Kind("webp", IMAGE, "image/webp", "webp")
HEIC = Kind("heic", IMAGE, "image/heic", "heic")  # stored and served as JPEG (browsers show no HEIC)
PDF_DOCUMENT = Kind("pdf", PDF, "application/pdf", "pdf")
OPUS = Kind("opus", AUDIO, "audio/ogg", "ogg")
M4A = Kind("m4a", AUDIO, "audio/mp4", "m4a")
MP3 = Kind("mp3", AUDIO, "audio/mpeg", "mp3")

KINDS = (JPEG, PNG, WEBP, HEIC, PDF_DOCUMENT, OPUS, M4A, MP3)
BY_MIME = {kind.mime: kind for kind in KINDS}

# Enough bytes for every test below (an `ftyp` box lists its brands within them).
HEAD_BYTES = 256


def accepted_text() -> str:
    """The sentence every refusal of a type ends with."""
    return _("Accepted: photos (JPEG, PNG, WebP, HEIC), PDF documents and audio (OGG/Opus, M4A/AAC, MP3).")


def sniff(head: bytes) -> Kind | None:
    """The kind the first bytes of a file claim, or None for anything not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF_DOCUMENT
    if head.startswith(b"OggS") and b"OpusHead" in head[:HEAD_BYTES]:
        return OPUS
    if head[4:8] == b"ftyp":
        return HEIC if _brands(head) & HEIF_BRANDS else M4A
    if head.startswith(b"ID3") or _mpeg_audio_sync(head):
        return MP3
    return None


def _brands(head: bytes) -> set[bytes]:
    """The major and compatible brands of a leading `ftyp` box."""
    size = int.from_bytes(head[:4], "big")
    end = min(max(size, 16), len(head))
    brands = {head[8:12]}
    brands.update(head[offset:offset + 4] for offset in range(16, end - 3, 4))
    return brands


def _mpeg_audio_sync(head: bytes) -> bool:
    """An MPEG audio layer III frame header at the very start (an MP3 without ID3 tag)."""
    return len(head) >= 4 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 0b11 == 0b01
