"""Pages of the project itself, where the forum and the rooms meet: home, the transparency log, following."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from django.urls import reverse

from forum import permissions
from forum.models import Category, Thread
from forum.selectors import content as forum_selectors
from forum.selectors import notifications as notification_selectors
from forum.selectors import reading as reading_selectors
from realtime import selectors as room_selectors
from realtime import unread
from realtime.models import Room

LOG_PER_PAGE = 50


@login_required
def home(request):
    user = request.user
    return render(request, "home.html", {
        "categories": reading_selectors.with_unread_threads(user, forum_selectors.visible_categories(user)),
        "rooms": unread.with_unread_messages(user, room_selectors.visible_rooms(user)),
    })


@login_required
def moderation_log(request):
    """The transparency log: every member reads the actions on places they can view."""
    events = forum_selectors.visible_events(request.user)
    page = Paginator(events, LOG_PER_PAGE).get_page(request.GET.get("page"))
    places = {}
    for model in permissions.GRANTABLE.values():
        ids = {e.scope_id for e in page if e.scope_type.model_class() is model}
        places.update({(model, obj.pk): obj for obj in model.objects.filter(pk__in=ids)} if ids else {})
    for event in page:
        event.place = places.get((event.scope_type.model_class(), event.scope_id))
    return render(request, "moderation/log.html", {"page": page})


@login_required
def following(request):
    """Everything the member follows that they can still view, with its level."""
    visible = {
        Thread: notification_selectors.visible_threads(request.user),
        Category: forum_selectors.visible_categories(request.user),
        Room: room_selectors.visible_rooms(request.user),
    }
    follow_urls = {"thread": lambda t: reverse("follow_thread", args=[t.public_id]),
                   "category": lambda c: reverse("follow_category", args=[c.slug]),
                   "room": lambda r: reverse("follow_room", args=[r.slug])}
    rows = notification_selectors.follows_of(request.user, visible)
    for row in rows:
        target = row["target"]
        row["url"] = target.get_absolute_url()
        row["follow_url"] = follow_urls[row["kind"]](target)
        row["kind_label"] = target._meta.verbose_name
    return render(request, "forum/following.html", {"follows": rows})


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # the check's whole purpose is to report any database failure
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})
