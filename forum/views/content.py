"""Forum pages: categories, threads, posting, replying, editing and reporting.

Every control a page shows comes from `can(check_…)` (forum.checks), the same question
its service asks, so a page never offers what its service would refuse.
"""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from attachments.evidence import forms as evidence
from forum import checks
from forum.errors import DomainError, NotFound
from forum.former import name_of
from forum.forms import EditForm, ReasonForm, ReplyForm, ThreadForm
from forum.http_errors import retry_headers, status_of
from forum.models import Status
from forum.permissions import can, refusal
from forum.selectors import content as selectors
from forum.selectors import reading as reading_selectors
from forum.selectors.notifications import follow_level
from forum.services import content as services
from forum.services import moderation, reading

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20


def _form_page(request, template: str, context: dict, error: DomainError | None = None):
    """A form page, again with what the member typed and, after a refusal, its reason, its
    status (429 with Retry-After when they write too fast) and nothing stored."""
    if error is None:
        return render(request, template, context, status=400 if request.method == "POST" else 200)
    if isinstance(error, NotFound):  # it went out of sight meanwhile: no form to show
        raise error
    context["form"].add_error(None, error.detail)
    response = render(request, template, context, status=status_of(error))
    for header, value in retry_headers(error).items():
        response[header] = value
    return response


@login_required
def category(request, slug: str):
    user = request.user
    category = selectors.get_visible_category(user, slug)
    threads = selectors.threads_in(user, category, is_moderator=can(checks.check_moderate, user, category))
    threads = reading_selectors.with_unread_posts(user, threads)
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "forum/category.html", {
        "category": category, "page": page,
        "can_start_thread": can(checks.check_start_thread, user, category),
        "follow_level": follow_level(user, category),
        "follow_url": reverse("follow_category", args=[category.slug]),
    })


@login_required
@require_http_methods(["POST"])
def mark_category_read(request, slug: str):
    """"Mark all read": nothing in the category is new to the member any more."""
    category = selectors.get_visible_category(request.user, slug)
    reading.mark_category_read(request.user, category)
    return HttpResponseRedirect(category.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def new_thread(request, slug: str):
    category = selectors.get_visible_category(request.user, slug)
    checks.check_start_thread(request.user, category)
    form = evidence.offer(ThreadForm(request.POST or None, request.FILES or None), category)
    context = {"category": category, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                author=request.user, category=category, title=form.cleaned_data["title"],
                body=form.cleaned_data["body"], submit_token=form.cleaned_data["submit_token"],
                files=form.cleaned_data["attachments"], keep=evidence.keep_request_from(form, category),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            return _form_page(request, "forum/new_thread.html", context, error)
        else:
            return HttpResponseRedirect(thread.get_absolute_url())
    return _form_page(request, "forum/new_thread.html", context)


def _quote(post) -> str:
    # The author's name is written without "@": quoting tells them as a reply, not a mention.
    lines = post.body_source.splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{name_of(post.author)}:**\n{quoted}\n\n"


def _post_controls(user, post) -> SimpleNamespace | None:
    """What the reader may do to one post of a thread page; None when they may not see it
    (a hidden post keeps its place, without its text or id)."""
    if not can(checks.check_view_post, user, post):
        return None
    return SimpleNamespace(
        quote=can(checks.check_quote, user, post),
        edit=can(checks.check_edit, user, post),
        report=can(checks.check_report, user, post),
        # Of each pair, the one that would change something.
        hide=not post.is_hidden and post.status != Status.PENDING and can(checks.check_hide, user, post),
        unhide=post.is_hidden and can(checks.check_unhide, user, post),
        approve=post.status == Status.PENDING and can(checks.check_approve, user, post),
        reject=post.status == Status.PENDING and can(checks.check_reject, user, post),
    )


def _post_url(user, post, *, is_moderator: bool) -> str:
    """The page of its thread that holds the post, at the post. The page is always named:
    without one, the thread page opens where the reader's new posts begin."""
    page = selectors.page_of_post(user, post, is_moderator=is_moderator, per_page=POSTS_PER_PAGE)
    return f"{post.thread.get_absolute_url()}?page={page}#p-{post.public_id}"


@login_required
def thread(request, public_id: str):
    user = request.user
    thread = selectors.get_visible_thread(user, public_id)
    can_moderate = can(checks.check_moderate, user, thread.category)
    posts = selectors.posts_in(user, thread, is_moderator=can_moderate)
    read = reading_selectors.reading_of(user, thread, posts, POSTS_PER_PAGE)
    # Without a page asked for, the thread opens where the member left off: on the page of
    # their first new post, without a redirect's round trip (static/js/thread.js scrolls
    # to its divider).
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page", read.page_of_first_new))
    for post in page:
        post.allowed = _post_controls(user, post)
        post.is_first_new = post.pk == read.first_new
    if page.object_list:
        reading.note_thread_read(user, thread, max(post.pk for post in page))
    reply_refusal = refusal(checks.check_reply, user, thread)
    return render(request, "forum/thread.html", {
        "thread": thread, "page": page, "can_moderate": can_moderate,
        "can_reply": reply_refusal is None, "reply_refusal": reply_refusal,
        # Of each pair, the one that would change something.
        "can_lock": not thread.is_locked and can(checks.check_lock, user, thread),
        "can_unlock": thread.is_locked and can(checks.check_unlock, user, thread),
        "can_pin": not thread.is_pinned and can(checks.check_pin, user, thread),
        "can_unpin": thread.is_pinned and can(checks.check_unpin, user, thread),
        "can_move": can(checks.check_move, user, thread),
        "reply_form": evidence.offer(ReplyForm(), thread.category), "follow_level": follow_level(user, thread),
        "follow_url": reverse("follow_thread", args=[thread.public_id]),
    })


@login_required
@require_http_methods(["GET"])
def post(request, public_id: str):
    """/p/<id>/: the page of its thread that holds the post, at the post (404 alike for a
    missing post and one the reader may not see)."""
    user = request.user
    found = selectors.get_visible_post(user, public_id)
    is_moderator = can(checks.check_moderate, user, found.thread.category)
    url = _post_url(user, found, is_moderator=is_moderator)
    return HttpResponseRedirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def reply(request, public_id: str):
    user = request.user
    thread = selectors.get_visible_thread(user, public_id)
    checks.check_reply(user, thread)
    initial = {}
    if quote_id := request.GET.get("quote"):
        quoted = selectors.get_quotable_post(user, thread, quote_id)
        initial.update(body=_quote(quoted), reply_to=quoted.public_id)
    form = evidence.offer(ReplyForm(request.POST or None, request.FILES or None, initial=initial), thread.category)
    context = {"thread": thread, "form": form}
    if request.method == "POST" and form.is_valid():
        reply_to = form.cleaned_data["reply_to"]
        reply_to = selectors.get_quotable_post(user, thread, reply_to) if reply_to else None
        try:
            post = services.reply(
                author=user, thread=thread, body=form.cleaned_data["body"],
                submit_token=form.cleaned_data["submit_token"], reply_to=reply_to,
                files=form.cleaned_data["attachments"], keep=evidence.keep_request_from(form, thread.category),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            return _form_page(request, "forum/reply.html", context, error)
        else:  # straight to the page that holds the new reply, without /p/<id>/'s extra hop
            return HttpResponseRedirect(_post_url(
                user, post, is_moderator=can(checks.check_moderate, user, thread.category)))
    return _form_page(request, "forum/reply.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request, public_id: str):
    post = selectors.get_visible_post(request.user, public_id)
    checks.check_edit(request.user, post)
    category = post.thread.category
    form = evidence.offer(EditForm(request.POST or None, request.FILES or None, initial={"body": post.body_source},
                                   attached=list(post.attachments.all())), category)
    context = {"post": post, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(post=post, by=request.user, body=form.cleaned_data["body"],
                               add_files=form.cleaned_data["attachments"],
                               remove=form.cleaned_data.get("remove", []),
                               keep=evidence.keep_request_from(form, category))
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            return _form_page(request, "forum/edit_post.html", context, error)
        else:
            return HttpResponseRedirect(post.get_absolute_url())
    return _form_page(request, "forum/edit_post.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_post(request, public_id: str):
    post = selectors.get_visible_post(request.user, public_id)
    checks.check_report(request.user, post)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].required = True
    context = {"post": post, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_post(post=post, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as error:
            return _form_page(request, "forum/report.html", context, error)
        else:
            return render(request, "forum/reported.html", {"post": post})
    return _form_page(request, "forum/report.html", context)
