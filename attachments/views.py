"""Serving attachments: `/files/<id>/` and `/files/<id>/preview/`.

Whoever may not see the file's post or message gets the 404 of a missing id (the one
rule: attachments/checks.py), anonymous clients included. In development the app sends
the file itself; in production (MAJLIS_FILES_ACCEL_REDIRECT set) it answers with
`X-Accel-Redirect` and the proxy sends it from its internal location (README).

Every answer forbids sniffing and runs nothing (a sandbox CSP: a file opened on its own
is an opaque origin with no script), is kept out of shared caches and off the disk of a
device that may be taken (`no-store`), and may not be embedded by another site. PDFs
and recordings download, never open in the browser.
"""

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from attachments import storage
from attachments.selectors import get_visible_attachment
from forum.errors import NotFound

SANDBOX = "sandbox; default-src 'none'"


@require_safe
def attachment(request, public_id: str):
    found = get_visible_attachment(request.user, public_id)
    return _file_response(found.stored_name, found.content_type, found.name,
                          inline=found.is_image)


@require_safe
def preview(request, public_id: str):
    found = get_visible_attachment(request.user, public_id)
    if not found.preview_name:
        raise NotFound
    name = found.name.rsplit(".", 1)[0] + ".webp"
    return _file_response(found.preview_name, "image/webp", name, inline=True)


def _file_response(stored_name: str, content_type: str, name: str, *, inline: bool):
    accel = settings.MAJLIS_FILES_ACCEL_REDIRECT
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + stored_name
    else:
        try:
            stream = open(storage.path_of(stored_name), "rb")
        except FileNotFoundError:
            raise NotFound
        response = FileResponse(stream, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
