"""Moderators' actions on posts, threads and reports: each POST is one service call."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from forum import permissions
from forum.forms import MoveForm, ReasonForm
from forum.models import PostReport, ReportStatus
from forum.selectors import content as selectors
from forum.services import moderation as services

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


def _back(request, default: str):
    target = request.POST.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return HttpResponseRedirect(target)


def _reason_error(request, form, error, target):
    """A refused action stores nothing and says why (a too-long reason is never cut short)."""
    if error is not None:
        form.add_error(None, error)
    return render(request, "forum/action_failed.html", {"form": form, "target": target}, status=400)


@login_required
@require_POST
def post_action(request, public_id: str, action: str):
    post = selectors.get_visible_post(request.user, public_id)
    permissions.check_can_moderate(request.user, post.thread.category)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _reason_error(request, form, None, post.get_absolute_url())
    kwargs = {} if action == "approve" else {"reason": form.cleaned_data["reason"]}
    try:
        POST_ACTIONS[action](post=post, by=request.user, **kwargs)
    except ValidationError as error:
        return _reason_error(request, form, error, post.get_absolute_url())
    return _back(request, post.get_absolute_url())


@login_required
@require_POST
def thread_action(request, public_id: str, action: str):
    thread, verbs = selectors.get_visible_thread(request.user, public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _reason_error(request, form, None, thread.get_absolute_url())
    try:
        THREAD_ACTIONS[action](thread=thread, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _reason_error(request, form, error, thread.get_absolute_url())
    return _back(request, thread.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def move_thread(request, public_id: str):
    thread, verbs = selectors.get_visible_thread(request.user, public_id)
    permissions.check_can_moderate(request.user, thread.category)
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
@require_POST
def report_action(request, public_id: str, action: str):
    report = PostReport.objects.select_related("post__thread__category").filter(
        public_id=public_id, status=ReportStatus.OPEN
    ).first()
    if report is None or not permissions.can_moderate(request.user, report.post.thread.category):
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _reason_error(request, form, None, "/moderation/")
    services.handle_report(
        report=report, by=request.user, resolve=action == "resolve", reason=form.cleaned_data["reason"],
    )
    return _back(request, "/moderation/")
