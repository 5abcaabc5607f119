"""Room pages: the list of rooms you can open, a room, and sending and editing without
JavaScript; a message's earlier versions for the room's moderators.

The room page works on its own (server-rendered history, a plain form); the JS client
takes the page over through the `data-*` attributes of its `#room` element. Every
control it offers comes from a check of realtime/checks.py, and a refused send shows the
refusal's own text (forum/http_errors.py gives its status): the text a socket sends.
"""

import secrets

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from attachments import services as files
from attachments.evidence.checks import offers_keeping
from attachments.forms import ACCEPT
from forum.errors import DomainError, NotFound, SecondFactorRequired
from forum.http_errors import retry_headers, status_of
from forum.permissions import can, refusal
from forum.selectors.notifications import follow_level
from forum.views.following import follow_response
from realtime import checks, protocol, selectors, services, unread
from realtime.services import reading
from realtime.models import BODY_MAX


# Messages shown before and after the one a link (`?seq=`) points at, when it is older
# than the live page's.
HISTORY_AROUND = 20


@login_required
def room_list(request):
    rooms = selectors.visible_rooms(request.user)
    return render(request, "realtime/room_list.html", {"rooms": rooms})


@login_required
def room_page(request, slug: str):
    room = _room_read_for(request.user, slug)
    if not can(checks.check_view_room, request.user, room):  # they see it, but a ban shuts them out
        ban = selectors.active_ban(room, request.user)
        return render(request, "realtime/room_banned.html", {"room": room, "ban": ban}, status=403)
    seq = _seq(request.GET.get("seq"))
    if seq is not None and seq <= room.seq - protocol.HISTORY_ON_CONNECT:
        return _render_history(request, room, seq)
    return _render_room(request, room)


def _seq(value: str | None) -> int | None:
    """`?seq=<n>` (a link to one message, from search): a positive number, else ignored."""
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _render_history(request, room, seq: int):
    """A message older than the live page shows: the messages around it, read-only and
    without the live client (which shows the newest), with a way back to the newest."""
    messages, _has_more = selectors.messages_before(room, before=seq + HISTORY_AROUND + 1,
                                                    limit=2 * HISTORY_AROUND + 1)
    for message in messages:
        message.room = room
        message.allowed = _allowed_without_js(request.user, message)
    return render(request, "realtime/room_history.html", {"room": room, "room_messages": messages, "seq": seq})


@login_required
@require_POST
def send_message(request, slug: str):
    room = _room_read_for(request.user, slug)
    body = request.POST.get("body", "")
    try:
        # Without JavaScript the files come with the form (`attachments`): uploaded as the
        # live client uploads them, then sent with the message.
        uploaded = files.upload_all_to_room(by=request.user, room=room,
                                            uploads=request.FILES.getlist("attachments"))
        message, _created = services.post_message(
            author=request.user, room=room, body=body, client_id=request.POST.get("client_id", ""),
            attachments=[attachment.public_id for attachment in uploaded],
        )
    except NotFound:
        raise
    except DomainError as error:  # shown with the form, what was typed kept
        response = _render_room(request, room, body=body, error=error.detail, status=status_of(error))
        for header, value in retry_headers(error).items():
            response[header] = value
        return response
    return HttpResponseRedirect(f"{room.get_absolute_url()}#m-{message.public_id}")


@login_required
@require_POST
def room_read(request, slug: str):
    """The live page, put away or left, tells how far the member read (static/js/room/read.js)."""
    room = _room_read_for(request.user, slug)
    if not can(checks.check_view_room, request.user, room):
        raise NotFound  # a ban shuts them out: nothing to read
    reading.note_room_read(request.user, room, _seq(request.POST.get("seq")) or 0)
    return HttpResponse(status=204)


@login_required
@require_POST
def follow_room(request, slug: str):
    room = _room_read_for(request.user, slug)
    if not can(checks.check_follow_room, request.user, room):
        raise NotFound  # a ban overrides the grant: nothing to follow
    return follow_response(request, target=room, default_url=room.get_absolute_url())


def _room_read_for(user, slug: str):
    """The room (404 alike for a missing room and one without `view_room`), as read for the
    member with their ban and mute (one query), so the checks below read nothing more."""
    room = selectors.get_visible_room(user, slug)
    return selectors.room_for_member(user, pk=room.pk) or room


def _mark_first_new(user, room, messages) -> None:
    """Marks where the messages new to the member begin (the page shows a divider there),
    then counts what the page shows as read."""
    first_new = unread.first_new(user, messages, unread.read_position(user, room))
    for message in messages:
        message.is_first_new = message is first_new
    if messages:
        reading.note_room_read(user, room, max(m.seq for m in messages))


def _render_room(request, room, *, body: str = "", error: str = "", status: int = 200):
    user = request.user
    messages, has_more = selectors.messages_before(room, before=None, limit=protocol.HISTORY_ON_CONNECT)
    _mark_first_new(user, room, messages)
    for message in messages:
        message.room = room  # as read for the member: no query per message below
        message.allowed = {
            **_allowed_without_js(user, message),
            "delete": can(checks.check_delete_message, user, message),
            "report": can(checks.check_report_message, user, message),
        }
    context = {
        "room": room,
        "room_messages": messages,
        "has_more": has_more,
        # The composer: by grants (a mute or read-only mode come and go while the page is open).
        "can_post": can(checks.check_write_grant, user, room),
        "cannot_post": refusal(checks.check_write_grant, user, room),
        "can_moderate": can(checks.check_moderate_room, user, room),
        "ws_path": f"/ws/rooms/{room.slug}/",
        "follow_level": follow_level(user, room),
        "follow_url": reverse("follow_room", args=[room.slug]),
        # A fresh id per rendered form: the same form sent twice stores one message.
        "client_id": secrets.token_urlsafe(12),
        "body": body,
        "error": error,
        "body_max": BODY_MAX,
        "files_max": settings.MAJLIS_ATTACHMENTS_PER_MESSAGE,
        "files_accept": ACCEPT,
        # "Keep the original as evidence", where this room keeps it (the post forms' rule).
        "offers_evidence": offers_keeping(room),
    }
    return render(request, "realtime/room.html", context, status=status)


def _allowed_without_js(user, message) -> dict[str, bool]:
    """What a message's menu offers that works without JavaScript (a page each)."""
    return {
        "edit": can(checks.check_edit_message, user, message),
        "versions": bool(message.edited) and can(checks.check_read_message_versions, user, message),
    }


def _message_for(user, slug: str, message_id: str):
    """A message of a room the member may open (404 alike for a missing room, one without
    `view_room`, a missing message and a tombstone), its room read for the member."""
    room = _room_read_for(user, slug)
    message = selectors.get_message(room, message_id)
    message.room = room
    return message


def _message_url(message) -> str:
    """The room page that shows the message (its history page when it is older), at it."""
    return f"{message.room.get_absolute_url()}?seq={message.seq}#m-{message.public_id}"


@login_required
@require_http_methods(["GET", "POST"])
def edit_message(request, slug: str, message_id: str):
    """The author rewrites a message without JavaScript (the live page sends `edit`), through
    the same service; the page shows the refusal a socket would send."""
    message = _message_for(request.user, slug, message_id)
    checks.check_edit_message(request.user, message)  # 404 unseen, 403 with the reason otherwise
    body, error, status, headers = message.body_source, "", 200, {}
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            services.edit_message(by=request.user, room=message.room, message_id=message.public_id, body=body)
        except NotFound:
            raise
        except DomainError as refused:  # shown with the form, what was typed kept
            error, status = refused.detail, status_of(refused)
            headers = retry_headers(refused)
        else:
            return HttpResponseRedirect(_message_url(message))
    context = {"room": message.room, "message": message, "body": body, "error": error, "body_max": BODY_MAX,
               "back_url": _message_url(message)}
    response = render(request, "realtime/edit_message.html", context, status=status)
    for header, value in headers.items():
        response[header] = value
    return response


@login_required
def message_versions(request, slug: str, message_id: str):
    """An edited message's earlier versions, newest first, for the room's moderators (as a
    post's are shown to its category's); anyone else is told the page does not exist."""
    message = _message_for(request.user, slug, message_id)
    try:
        checks.check_read_message_versions(request.user, message)
    except SecondFactorRequired:
        raise  # a moderator of the room whose session used no second factor: first the factor
    except PermissionDenied:
        raise NotFound from None
    revisions = list(message.revisions.all())
    # Each text was written when the one before it was replaced (the oldest, with the message).
    for revision, older in zip(revisions, revisions[1:] + [None]):
        revision.written_at = older.created_at if older else message.created
    context = {"room": message.room, "message": message, "revisions": revisions, "back_url": _message_url(message)}
    return render(request, "realtime/message_versions.html", context)
