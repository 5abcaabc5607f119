"""The evidence locker's pages: /evidence/ (the places where the member handles evidence),
/evidence/<kind>/<slug>/ (a place's originals, custody log and who was granted to read
them), and the two POSTs that read originals, each with a `reason`: one original
(`action` = `view` or `download`) and the whole locker as a ZIP (`export`).

Anyone without `handle_evidence` on the place gets the 404 of a missing page, POSTs
included (checks.py). An original is sent as it was kept, never run by the browser
(nosniff, a sandbox CSP), never stored by it (no-store), and downloaded unless it is a
picture being viewed.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from attachments.evidence import access, custody, selectors
from attachments.views import SANDBOX
from forum.errors import BadRequest
from forum.models import Profile

ENTRIES_PER_PAGE = 50


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@never_cache
@require_safe
def index(request):
    return render(request, "attachments/evidence/index.html", {"places": selectors.places_handled_by(request.user)})


def _page(request, place, kind: str, *, refused: dict | None = None, status: int = 200):
    """The place's locker; `refused`: {original id or "export": the reason it was refused}."""
    grants = list(selectors.evidence_grants_of(place)[:50])
    names = dict(Profile.objects.filter(public_id__in=[g.target_id for g in grants if g.target_kind == "user"])
                 .values_list("public_id", "display_name"))
    for grant in grants:
        grant.holder = names.get(grant.target_id) if grant.target_kind == "user" else f"group:{grant.target_id}"
    log = Paginator(custody.log_of(place), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "attachments/evidence/place.html", {
        "place": place, "kind": kind, "originals": selectors.originals_of(place), "page": log,
        "grants": grants, "refused": refused or {},
    }, status=status)


@login_required
@never_cache
@require_safe
def place(request, kind: str, slug: str):
    return _page(request, selectors.get_evidence_place(request.user, kind, slug), kind)


def _reason_refused(error: ValidationError) -> str:
    return " ".join(error.message_dict.get("reason", error.messages) if hasattr(error, "error_dict") else error.messages)


@login_required
@never_cache
@require_POST
def original(request, kind: str, slug: str, public_id: str):
    place = selectors.get_evidence_place(request.user, kind, slug)
    found = selectors.get_original(place, public_id)
    action = request.POST.get("action")
    if action not in ("view", "download"):
        raise BadRequest
    try:
        data = access.read_original(by=request.user, original=found, reason=request.POST.get("reason", ""),
                                    download=action == "download")
    except ValidationError as error:
        return _page(request, place, kind, refused={found.public_id: _reason_refused(error)}, status=400)
    except access.Damaged:
        return _page(request, place, kind, status=409, refused={found.public_id: _damaged()})
    inline = action == "view" and found.content_type.startswith("image/")
    response = HttpResponse(data, content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, found.name)
    return _private(response)


def _damaged() -> str:
    return _("This original is not the file that was kept: its bytes no longer match its fingerprint. "
             "It was not sent, and the attempt is in the custody log. Tell a coalition admin.")


@login_required
@never_cache
@require_POST
def export(request, kind: str, slug: str):
    place = selectors.get_evidence_place(request.user, kind, slug)
    try:
        bundle = access.export_bundle(by=request.user, place=place, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        return _page(request, place, kind, refused={"export": _reason_refused(error)}, status=400)
    except BadRequest as error:
        return _page(request, place, kind, refused={"export": error.detail}, status=400)
    name = f"majlis-evidence-{kind}-{place.slug}-{timezone.now():%Y%m%d-%H%M%S}.zip"
    return _private(FileResponse(bundle, as_attachment=True, filename=name, content_type="application/zip"))
