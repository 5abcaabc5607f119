"""PDF documents, rewritten by pikepdf (qpdf) without what identifies their maker or runs code.

Gone: the document information (author, creator, producer, dates), XMP metadata (on the
document, its pages and its pictures), JavaScript, open actions and additional actions,
launch and form-submission actions, embedded files and file attachments, XFA forms,
private application data, the camera metadata inside embedded JPEG pictures (a scanned
page is often a phone photo), and the document's /ID. The file is written whole, from
the objects the document still reaches, so earlier revisions of an edited file (text
deleted or "redacted" by an incremental update) are gone too.

Streams are copied as they are (never decompressed): a small file whose streams would
inflate to gigabytes costs nothing here.
"""

import io

import pikepdf
from django.utils.translation import gettext as _
from pikepdf import Array, Dictionary, Name, Stream

from attachments import jpeg
from forum.errors import BadRequest

# Keys whose values are metadata, scripts, actions run without a click, or private data.
_DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/AA", "/JS", "/OpenAction", "/EF", "/AF", "/RichMediaContent",
                 "/SpiderInfo", "/Collection", "/XFA", "/Next")
# Name trees of the catalogue's /Names that hold scripts and files.
_DROPPED_NAMES = ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations", "/Renditions")
# Actions that run code, open other files or programs, or send data somewhere.
_DANGEROUS_ACTIONS = frozenset({
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR", "/Rendition",
    "/Sound", "/Movie", "/RichMediaExecute", "/ResetForm",
})
# Annotations that carry files, media or 3D models.
_DROPPED_ANNOTATIONS = frozenset({"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"})


def clean_pdf(data: bytes) -> bytes:
    """The document as stored; BadRequest if pikepdf cannot read it (or it needs a password)."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise BadRequest(_("This PDF is protected by a password: it cannot be checked and cleaned. "
                           "Save a copy without the password and send that."))
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError):
        raise _unreadable()
    try:
        with pdf:
            if len(pdf.pages) == 0:
                raise _unreadable()
            _strip_catalogue(pdf)
            for obj in pdf.objects:
                _strip(obj, seen=set())
            out = io.BytesIO()
            pdf.save(
                out, encryption=False, fix_metadata_version=False, preserve_pdfa=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none, deterministic_id=True,
            )
    except BadRequest:
        raise
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError, TypeError, KeyError):
        raise _unreadable()
    return out.getvalue()


def _unreadable() -> BadRequest:
    return BadRequest(_("This file starts like a PDF document but cannot be read as one."))


def _strip_catalogue(pdf: pikepdf.Pdf) -> None:
    for key in ("/Info", "/ID"):
        if key in pdf.trailer:
            del pdf.trailer[key]
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        for key in _DROPPED_NAMES:
            if key in names:
                del names[key]
    for key in ("/URI", "/Threads", "/Perms", "/Legal", "/Requirements"):
        if key in root:
            del root[key]


def _strip(obj, *, seen: set) -> None:
    """Drop what identifies or runs from a dictionary or stream and, recursively, from the
    direct objects inside it (indirect ones get their own turn: `pdf.objects` lists them)."""
    if isinstance(obj, Array):
        for item in list(obj):
            if isinstance(item, (Dictionary, Array)) and not item.is_indirect:
                _strip(item, seen=seen)
        return
    if not isinstance(obj, (Dictionary, Stream)):
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    for key in _DROPPED_KEYS:
        if key in obj:
            del obj[key]
    action = obj.get("/A")
    if isinstance(action, Dictionary) and str(action.get("/S", "")) in _DANGEROUS_ACTIONS:
        del obj["/A"]
    annotations = obj.get("/Annots")
    if isinstance(annotations, Array):
        kept = [a for a in annotations if not (isinstance(a, Dictionary) and str(a.get("/Subtype", "")) in _DROPPED_ANNOTATIONS)]
        if len(kept) != len(annotations):
            obj["/Annots"] = Array(kept)
    if isinstance(obj, Stream) and obj.get("/Subtype") == Name.Image:
        _strip_jpeg_stream(obj)
    for key in list(obj.keys()):
        value = obj.get(key)
        if isinstance(value, (Dictionary, Array)) and not value.is_indirect:
            _strip(value, seen=seen)


def _strip_jpeg_stream(image: Stream) -> None:
    """A JPEG picture (a stream whose only filter is DCTDecode) loses its EXIF, XMP and comments."""
    filters = image.get("/Filter")
    if isinstance(filters, Array):
        filters = filters[0] if len(filters) == 1 else None
    if filters != Name.DCTDecode:
        return
    raw = image.read_raw_bytes()
    stripped = jpeg.without_metadata(raw)
    if stripped != raw:
        image.write(stripped, filter=Name.DCTDecode)
