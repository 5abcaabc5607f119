"""Pages of the project itself, where the forum and the rooms meet: home and moderation."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from forum.models import Category
from forum.selectors import content as forum_selectors

LOG_PER_PAGE = 50


@login_required
def home(request):
    return render(request, "home.html", {
        "categories": forum_selectors.visible_categories(request.user),
    })


@login_required
def moderation_queue(request):
    """Open reports and pending posts of exactly the places the user moderates."""
    return render(request, "moderation/queue.html", {
        "post_reports": forum_selectors.open_post_reports(request.user),
        "pending_posts": forum_selectors.pending_posts(request.user),
    })


@login_required
def moderation_log(request):
    """The transparency log: every member reads the actions on places they can view."""
    events = forum_selectors.visible_events(request.user)
    page = Paginator(events, LOG_PER_PAGE).get_page(request.GET.get("page"))
    category_ids = {e.scope_id for e in page if e.scope_type.model == "category"}
    places = {("category", c.pk): c for c in Category.objects.filter(pk__in=category_ids)}
    for event in page:
        event.place = places.get((event.scope_type.model, event.scope_id))
    return render(request, "moderation/log.html", {"page": page})


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # the check's whole purpose is to report any database failure
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})
