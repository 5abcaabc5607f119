"""The moderation queue, and moderators' actions on posts, threads and reports: each POST is one service call."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from forum import checks, permissions, reports
from forum.forms import MoveForm, ReasonForm
from forum.selectors import content as selectors
from forum.services import moderation as services
from forum.views.navigation import redirect_to_next

POST_ACTIONS = {
    "hide": services.hide_post,
    "unhide": services.unhide_post,
    "approve": services.approve_post,
    "reject": services.reject_post,
}
THREAD_ACTIONS = {
    "lock": services.lock_thread,
    "unlock": services.unlock_thread,
    "pin": services.pin_thread,
    "unpin": services.unpin_thread,
}
# The rule each action's service asks, asked first here: a refusal says why before any form error.
CHECKS = {
    "hide": checks.check_hide, "unhide": checks.check_unhide,
    "approve": checks.check_approve, "reject": checks.check_reject,
    "lock": checks.check_lock, "unlock": checks.check_unlock,
    "pin": checks.check_pin, "unpin": checks.check_unpin,
}


def _reason_error(request, form, error, target):
    """A refused action stores nothing and says why (a too-long reason is never cut short)."""
    if error is not None:
        form.add_error(None, error)
    return render(request, "forum/action_failed.html", {"form": form, "target": target}, status=400)


@login_required
@require_POST
def post_action(request, public_id: str, action: str):
    permissions.check_second_factor(request.user)  # before the post is read, so a hidden one too
    post = selectors.get_visible_post(request.user, public_id)
    CHECKS[action](request.user, post)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _reason_error(request, form, None, post.get_absolute_url())
    kwargs = {} if action == "approve" else {"reason": form.cleaned_data["reason"]}
    try:
        POST_ACTIONS[action](post=post, by=request.user, **kwargs)
    except ValidationError as error:
        return _reason_error(request, form, error, post.get_absolute_url())
    return redirect_to_next(request, post.get_absolute_url())


@login_required
@require_POST
def thread_action(request, public_id: str, action: str):
    permissions.check_second_factor(request.user)  # before the thread is read: the member is sent to use one
    thread = selectors.get_visible_thread(request.user, public_id)
    CHECKS[action](request.user, thread)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _reason_error(request, form, None, thread.get_absolute_url())
    try:
        THREAD_ACTIONS[action](thread=thread, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _reason_error(request, form, error, thread.get_absolute_url())
    return redirect_to_next(request, thread.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def move_thread(request, public_id: str):
    permissions.check_second_factor(request.user)  # before the thread is read: the member is sent to use one
    thread = selectors.get_visible_thread(request.user, public_id)
    checks.check_move(request.user, thread)
    targets = selectors.moderated_categories(request.user).exclude(pk=thread.category_id)
    form = MoveForm(request.POST or None, categories=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_thread(
                thread=thread, by=request.user, to=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(thread.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forum/move_thread.html", {"thread": thread, "form": form}, status=status)


@login_required
def queue(request):
    """Open reports of every kind and posts waiting for approval, in exactly the places the
    member moderates (the reporters never named)."""
    permissions.check_second_factor(request.user)  # a moderator without one is sent to use it
    return render(request, "moderation/queue.html", {
        "reports": reports.open_reports(request.user),
        "pending_posts": selectors.pending_posts(request.user),
    })


@login_required
@require_POST
def report_action(request, public_id: str, action: str):
    """Resolve or dismiss an open report of any kind (a post's or a room message's)."""
    found = reports.find_open_report(public_id)
    if found is None:
        raise Http404
    kind, report = found
    permissions.check_second_factor(request.user, kind.place_of(report.target))
    if not permissions.can(kind.check_handle, request.user, kind.place_of(report.target)):
        raise Http404  # what a member may not handle does not exist for them
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _reason_error(request, form, None, reverse("moderation"))
    try:
        services.handle_report(
            report=report, by=request.user, resolve=action == "resolve", reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return _reason_error(request, form, error, reverse("moderation"))
    return redirect_to_next(request, reverse("moderation"))
