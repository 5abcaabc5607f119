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
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from attachments import services, storage
from attachments.evidence import forms as evidence_forms
from attachments.selectors import get_visible_attachment, visible_attachments
from attachments.wire import attachment_details, attachment_json
from forum.errors import BadRequest, DomainError, NotFound
from forum.http_errors import retry_headers, status_of

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


@require_safe
def details(request):
    """GET /files/details/?id=<id>&id=… or ?post=<post id>: those files, as
    `{"files": [{id, name, size, type, url, preview_url, fingerprint, width, height,
    preview_width, preview_height}]}`, for the page's own client: a room message's frame
    carries no fingerprint, and a thread's live post frame no files (DESIGN.md). A file the
    member may not see is left out, exactly like an id that does not exist."""
    found = visible_attachments(request.user, public_ids=request.GET.getlist("id"),
                                post_id=request.GET.get("post", ""))
    response = JsonResponse({"files": [attachment_details(attachment) for attachment in found]})
    response["Cache-Control"] = "private, no-store"
    return response


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


@require_POST
def room_upload(request, slug: str):
    """POST /rooms/<slug>/files/ (field `file`): `{id, name, size, type, url, preview_url}`,
    or `{type: "error", code, detail}` with the status a page would have (DESIGN.md; the
    code and the text are those of the socket's error frame for the same refusal)."""
    from realtime import selectors as room_selectors

    try:
        if not request.user.is_authenticated:
            raise NotFound
        room = room_selectors.get_visible_room(request.user, slug)
        upload = request.FILES.get("file")
        if upload is None:
            raise BadRequest(_("Send the file in the field 'file'."))
        # `keep_original`, `keep_after_leaving`, `original_sha256`: as on the post forms.
        keep = evidence_forms.keep_request_from_post(request.POST, room)
        attachment = services.upload_to_room(by=request.user, room=room, upload=upload, keep=keep)
    except DomainError as error:
        response = JsonResponse({"type": "error", "code": error.code, "detail": error.detail},
                                status=status_of(error))
        for header, value in retry_headers(error).items():
            response[header] = value
        return response
    except Http404:  # the room lookup's: a missing room and a forbidden one alike
        return JsonResponse({"type": "error", "code": "not_found", "detail": str(NotFound.default_detail)}, status=404)
    return JsonResponse(attachment_json(attachment), status=201)
