"""Follow buttons, the notifications page and a member's public page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from forum import checks
from forum.errors import NotFound
from forum.models import Notification, Profile
from forum.selectors import content as content_selectors
from forum.selectors.notifications import get_openable_notification, notifications_for
from forum.services import following as services
from forum.services.notifications import mark_read
from forum.views.navigation import redirect_to_next, safe_url

NOTIFICATIONS_PER_PAGE = 30


def follow_response(request, *, target, default_url: str):
    """Set the follow level the form sent; shared by threads, categories and rooms."""
    try:
        services.set_follow_level(user=request.user, target=target, level=request.POST.get("level", ""))
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    return redirect_to_next(request, default_url)


@login_required
@require_POST
def follow_thread(request, public_id: str):
    thread = content_selectors.get_visible_thread(request.user, public_id)
    checks.check_follow_thread(request.user, thread)
    return follow_response(request, target=thread, default_url=thread.get_absolute_url())


@login_required
@require_POST
def follow_category(request, slug: str):
    category = content_selectors.get_visible_category(request.user, slug)
    checks.check_follow_category(request.user, category)
    return follow_response(request, target=category, default_url=category.get_absolute_url())


@login_required
def notifications_page(request):
    notes = notifications_for(request.user)
    page = Paginator(notes, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "forum/notifications.html", {"page": page})


@login_required
@require_GET
def open_notification(request, public_id: str):
    """/notifications/<id>/: a plain link (it opens in a new tab too) that marks the
    notification read and goes where it points. Marking read by GET is acceptable here: it
    changes only the member's own read state of their own notification, so a page that
    makes them follow the link can do no more than they would by opening it."""
    notification = get_openable_notification(request.user, public_id)
    mark_read(user=request.user, notification=notification)
    return HttpResponseRedirect(safe_url(request, notification.url, reverse("notifications")))


@login_required
@require_POST
def read_notification(request, public_id: str):
    notification = Notification.objects.filter(user=request.user, public_id=public_id).first()
    if notification is None:
        raise NotFound  # another member's notification does not exist for you
    mark_read(user=request.user, notification=notification)
    target = notification.url if request.POST.get("open") else None
    return HttpResponseRedirect(safe_url(request, target, reverse("notifications")))


@login_required
@require_POST
def read_all_notifications(request):
    mark_read(user=request.user)
    return HttpResponseRedirect(reverse("notifications"))


@login_required
def member(request, public_id: str):
    """A member's page shows their display name and nothing more: it is a pseudonym."""
    profile = get_object_or_404(Profile.objects.filter(user__is_active=True), public_id=public_id)
    return render(request, "forum/member.html", {"profile": profile})
