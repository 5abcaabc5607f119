"""One uploaded file in, the file as Majlis keeps it out: typed by its bytes, within its
limit, decoded whole by its library and cleaned of what identifies its maker.

Order of work: the cheap checks first (empty, the type's magic number, the size limit),
then one decode (images: one decode serves the cleaned file and its preview). The name
the member's device gave the file is kept as display text only: without folders,
control or direction-changing characters, at most NAME_MAX characters, and with the
extension of what is stored.
"""

import hashlib
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from attachments import disguise, kinds, limits
from attachments.models import NAME_MAX
from forum.errors import BadRequest

# Bidirectional controls could make "photo‮gpj.exe" read as "photoexe.jpg".
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


@dataclass(frozen=True)
class Cleaned:
    """A file ready to store: what is kept, and what the row says of it."""

    name: str
    kind: kinds.Kind
    data: bytes
    upload_size: int
    fingerprint: str
    width: int | None = None
    height: int | None = None
    preview: bytes = b""
    preview_width: int | None = None
    preview_height: int | None = None


def read_upload(upload) -> bytes:
    """The bytes of a Django UploadedFile, read once."""
    upload.seek(0)
    return upload.read()


def check_upload(upload) -> kinds.Kind:
    """The cheap checks, before any decoding: not empty, an accepted type, within its limit."""
    limits.check_empty(upload.size)
    upload.seek(0)
    kind = kinds.sniff(upload.read(kinds.HEAD_BYTES))
    if kind is None:
        raise BadRequest(_("This kind of file is not accepted.") + " " + kinds.accepted_text())
    limits.check_file_size(kind, upload.size)
    disguise.check_name(getattr(upload, "name", ""), kind)
    return kind


def clean(upload) -> Cleaned:
    """The upload, checked and cleaned; BadRequest, TooLong on refusal (nothing is stored here)."""
    kind = check_upload(upload)
    data = read_upload(upload)
    disguise.check_no_markup(data, kind)
    name = display_name(getattr(upload, "name", "") or "", kind)
    if kind.family == kinds.IMAGE:
        from attachments.images import clean_image

        picture = clean_image(data, kind)
        return Cleaned(
            name=display_name(name, picture.kind), kind=picture.kind, data=picture.data,
            upload_size=len(data), fingerprint=fingerprint(picture.data),
            width=picture.width, height=picture.height, preview=picture.preview,
            preview_width=picture.preview_width, preview_height=picture.preview_height,
        )
    if kind.family == kinds.PDF:
        from attachments.pdfs import clean_pdf

        cleaned = clean_pdf(data)
    else:
        from attachments.audio import clean_audio

        cleaned = clean_audio(data, kind)
    return Cleaned(name=name, kind=kind, data=cleaned, upload_size=len(data), fingerprint=fingerprint(cleaned))


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def display_name(raw: str, kind: kinds.Kind) -> str:
    """The name shown for a file: its last path part, printable, short, with the right extension."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(
        " " if char.isspace() else char for char in name
        if char.isspace() or unicodedata.category(char) not in _INVISIBLE
    )
    name = " ".join(name.split()).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .") or _("file")
    suffix = f".{kind.extension}"
    return stem[: NAME_MAX - len(suffix)].rstrip(" .") + suffix
