"""Photos: decoded once by Pillow, turned upright, re-encoded without any metadata, and a
small WebP preview made from the same decoded picture.

Nothing of the original file is copied: EXIF (GPS, time, make, model, serial number),
XMP, IPTC, maker notes, embedded thumbnails, comments and PNG text chunks stay behind
because only the pixels are written out. A colour profile is applied (to sRGB) and not
carried over either: a camera's profile can name the device. HEIC photos, which
browsers do not show, are stored as JPEG.
"""

import io
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

from attachments import kinds
from forum.errors import BadRequest, TooLong

pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# The library's names for the formats the first bytes claim: no other decoder is tried.
_FORMATS = {kinds.JPEG: "JPEG", kinds.PNG: "PNG", kinds.WEBP: "WEBP", kinds.HEIC: "HEIF"}
PREVIEW_BYTES = 20 * 1024
_PREVIEW_SIDES = (640, 480, 360, 240, 160, 96)
_PREVIEW_QUALITIES = (70, 55, 40, 30)
_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Picture:
    data: bytes
    kind: kinds.Kind  # what is stored: a HEIC photo becomes a JPEG
    width: int
    height: int
    preview: bytes
    preview_width: int
    preview_height: int


def clean_image(data: bytes, kind: kinds.Kind) -> Picture:
    """The photo as stored and its preview; BadRequest if it does not decode as `kind`,
    TooLong past MAJLIS_ATTACHMENT_MAX_PIXELS (decompression bombs)."""
    image = _decoded(data, kind)
    image = _upright(image)
    image = _in_srgb(image)
    preview, preview_size = make_preview(image)  # first: encoding empties the image's `info`
    stored_kind, encoded = _encode(image, kind)
    return Picture(encoded, stored_kind, image.width, image.height, preview, *preview_size)


def _unreadable(kind: kinds.Kind) -> BadRequest:
    return BadRequest(_("This file starts like a %(type)s picture but cannot be read as one.")
                      % {"type": kind.name.upper()})


def _decoded(data: bytes, kind: kinds.Kind) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=[_FORMATS[kind]])
        width, height = image.size
        limit = settings.MAJLIS_ATTACHMENT_MAX_PIXELS
        if width * height > limit:  # before a single pixel is decoded
            raise _too_many_pixels(limit)
        image.seek(0)  # an animation or a burst: its first picture
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(settings.MAJLIS_ATTACHMENT_MAX_PIXELS)
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, TypeError, KeyError, RuntimeError):
        raise _unreadable(kind)
    if image.width < 1 or image.height < 1:
        raise _unreadable(kind)
    return image


def _too_many_pixels(limit: int) -> TooLong:
    return TooLong(_("This picture has too many pixels: at most %(megapixels)d megapixels are accepted.")
                   % {"megapixels": limit // 1_000_000})


def _upright(image: Image.Image) -> Image.Image:
    """Turned as its orientation tag says (HEIF containers are turned by pillow-heif)."""
    try:
        return ImageOps.exif_transpose(image) or image
    except (ValueError, TypeError, KeyError, SyntaxError, OSError):
        return image  # an unreadable orientation tag: left as stored


def _in_srgb(image: Image.Image) -> Image.Image:
    """Colours as the photo's profile meant them, in sRGB, so the profile can stay behind."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if image.mode == "RGBA" else "RGB"
            if image.mode == "RGBA":
                converted = ImageCms.profileToProfile(image.convert("RGB"), source, _SRGB, outputMode="RGB")
                converted.putalpha(image.getchannel("A"))
                image = converted
            else:
                image = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    if image.mode == "CMYK":
        image = image.convert("RGB")
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _encode(image: Image.Image, kind: kinds.Kind) -> tuple[kinds.Kind, bytes]:
    """Only pixels are written: no `exif`, `icc_profile`, `xmp` or text is passed, and the
    decoded image's own `info` (where Pillow keeps them) is emptied first."""
    transparency = image.info.get("transparency")
    image.info = {}
    out = io.BytesIO()
    if kind is kinds.PNG or (kind in (kinds.JPEG, kinds.HEIC) and _has_alpha(image)):
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        options = {"transparency": transparency} if transparency is not None and image.mode in ("P", "L", "RGB") else {}
        image.save(out, "PNG", compress_level=6, **options)
        return kinds.PNG, out.getvalue()
    if kind is kinds.WEBP:
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
        image.save(out, "WEBP", quality=85, method=4)
        return kinds.WEBP, out.getvalue()
    image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    image.save(out, "JPEG", quality=85, progressive=True)
    return kinds.JPEG, out.getvalue()


def make_preview(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """A WebP of at most PREVIEW_BYTES: smaller and coarser until it fits."""
    if image.mode in ("I", "I;16", "F"):  # 16-bit greys: down to 8 bits first
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    for side in _PREVIEW_SIDES:
        scale = min(1.0, side / max(image.size))
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0) if size != image.size else image
        for quality in _PREVIEW_QUALITIES:
            out = io.BytesIO()
            image.save(out, "WEBP", quality=quality, method=4)
            if out.tell() <= PREVIEW_BYTES:
                return out.getvalue(), image.size
    raise BadRequest(_("No preview could be made of this picture."))  # a 96-pixel WebP is never that big
