"""Files dressed as something else, refused before they are decoded.

A file is typed by its bytes (attachments/kinds.py), and what is stored is re-encoded,
so neither trick below could run here. They are refused all the same, because a member
who sends one means to deceive whoever receives it, and the message should say so:

- a name that claims another family than the bytes ("holiday.png" that is a PDF, a
  recording named as a photo): members decide what to open by its name;
- a picture carrying web-page code in its metadata or after its last pixel (a JPEG/HTML
  or PNG/HTML polyglot), the shape of an attack on viewers that sniff content.

Pixels are compressed data and never searched: only what precedes a JPEG's scan and
follows its end, a PNG's chunks other than pixel data and what follows its end, and for
other pictures only markers long enough not to occur by chance.
"""

import os
import struct

from django.utils.translation import gettext as _

from attachments import kinds
from forum.errors import BadRequest

_FAMILY_OF_EXTENSION = {
    **dict.fromkeys(("jpg", "jpeg", "jpe", "jfif", "png", "webp", "heic", "heif", "gif", "bmp", "tif", "tiff",
                     "svg"), kinds.IMAGE),
    "pdf": kinds.PDF,
    **dict.fromkeys(("mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "flac", "amr", "3gp"), kinds.AUDIO),
}
_MARKUP = (b"<script", b"<html", b"<!doctype", b"<iframe", b"<body", b"<svg", b"javascript:")
_LONG_MARKUP = (b"<script", b"<!doctype", b"<iframe", b"javascript:")  # 7 bytes and more


def check_name(name: str, kind: kinds.Kind) -> None:
    extension = os.path.splitext(name or "")[1].lower().lstrip(".")
    claimed = _FAMILY_OF_EXTENSION.get(extension)
    if claimed is not None and claimed != kind.family:
        raise BadRequest(_(
            "This file is named as %(claimed)s but it is %(actual)s. Nothing was stored: rename it "
            "if that is what you meant to send."
        ) % {"claimed": _family_name(claimed), "actual": _family_name(kind.family)})


def check_no_markup(data: bytes, kind: kinds.Kind) -> None:
    if kind.family != kinds.IMAGE:
        return
    if kind == kinds.JPEG:
        outside, markers = _jpeg_outside_pixels(data), _MARKUP
    elif kind == kinds.PNG:
        outside, markers = _png_outside_pixels(data), _MARKUP
    else:
        outside, markers = data, _LONG_MARKUP
    lowered = outside.lower()
    if any(marker in lowered for marker in markers):
        raise BadRequest(_("This picture carries web-page code, as disguised files do. Nothing was stored."))


def _jpeg_outside_pixels(data: bytes) -> bytes:
    scan, end = data.find(b"\xff\xda"), data.rfind(b"\xff\xd9")
    head = data if scan < 0 else data[:scan]
    return head + (data[end + 2:] if end >= 0 else b"")


def _png_outside_pixels(data: bytes) -> bytes:
    kept, at = [], 8  # the signature
    while at + 8 <= len(data):
        length, chunk = struct.unpack(">I4s", data[at:at + 8])
        if chunk != b"IDAT":
            kept.append(data[at + 8:at + 8 + length])
        at += 12 + length
        if chunk == b"IEND":
            break
    kept.append(data[at:])  # anything after the end
    return b"".join(kept)


def _family_name(family: str) -> str:
    return {kinds.IMAGE: _("a picture"), kinds.PDF: _("a PDF document"), kinds.AUDIO: _("a recording")}[family]
