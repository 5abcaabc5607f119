"""Forum pages: categories, threads, posting, replying, editing and reporting."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from forum import permissions
from forum.forms import EditForm, ReasonForm, ReplyForm, ThreadForm
from forum.selectors.notifications import follow_level
from forum.selectors import content as selectors
from forum.services import content as services
from forum.services import moderation

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20


@login_required
def category(request, slug: str):
    category, verbs = selectors.get_visible_category_with_verbs(request.user, slug)
    threads = selectors.threads_in(request.user, category, is_moderator=permissions.MODERATE in verbs)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "forum/category.html", {
        "category": category, "page": page,
        "can_post": permissions.POST in verbs, "can_moderate": permissions.MODERATE in verbs,
        "follow_level": follow_level(request.user, category),
        "follow_url": reverse("follow_category", args=[category.slug]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def new_thread(request, slug: str):
    category = selectors.get_visible_category(request.user, slug)
    permissions.check_can_post(request.user, category)
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                author=request.user, category=category, title=form.cleaned_data["title"],
                body=form.cleaned_data["body"], submit_token=form.cleaned_data["submit_token"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(thread.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forum/new_thread.html", {"category": category, "form": form}, status=status)


def _quote(post) -> str:
    # The author's name is written without "@": quoting tells them as a reply, not a mention.
    lines = post.body_source.splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{post.author.profile.display_name}:**\n{quoted}\n\n"


@login_required
def thread(request, public_id: str):
    thread, verbs = selectors.get_visible_thread(request.user, public_id)
    is_moderator = permissions.MODERATE in verbs
    posts = selectors.posts_in(request.user, thread, is_moderator=is_moderator)
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    can_reply = permissions.POST in verbs and (is_moderator or not thread.is_locked)
    return render(request, "forum/thread.html", {
        "thread": thread, "page": page, "is_moderator": is_moderator, "can_reply": can_reply,
        "reply_form": ReplyForm(), "follow_level": follow_level(request.user, thread),
        "follow_url": reverse("follow_thread", args=[thread.public_id]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def reply(request, public_id: str):
    thread, verbs = selectors.get_visible_thread(request.user, public_id)
    services.check_can_reply(request.user, thread)
    initial = {}
    if quote_id := request.GET.get("quote"):
        quoted = selectors.get_quotable_post(request.user, thread, quote_id)
        initial.update(body=_quote(quoted), reply_to=quoted.public_id)
    form = ReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reply_to = form.cleaned_data["reply_to"]
        try:
            post = services.reply(
                author=request.user, thread=thread, body=form.cleaned_data["body"],
                submit_token=form.cleaned_data["submit_token"],
                reply_to=selectors.get_quotable_post(request.user, thread, reply_to) if reply_to else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(post.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forum/reply.html", {"thread": thread, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request, public_id: str):
    post = selectors.get_visible_post(request.user, public_id)
    if post.author_id != request.user.pk:
        raise PermissionDenied
    form = EditForm(request.POST or None, initial={"body": post.body_source})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post=post, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(post.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "forum/edit_post.html", {"post": post, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_post(request, public_id: str):
    post = selectors.get_visible_post(request.user, public_id)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_post(post=post, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "forum/reported.html", {"post": post})
    status = 400 if request.method == "POST" else 200
    return render(request, "forum/report.html", {"post": post, "form": form}, status=status)
