"""Room pages: the list of rooms you can open, a room, and sending without JavaScript.

The room page works on its own (server-rendered history, a plain form); the JS client
takes the page over through the `data-*` attributes of its `#room` element.
"""

import secrets

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from forum import permissions
from forum.selectors.notifications import follow_level
from forum.views.following import follow_response
from realtime import protocol, selectors, services
from forum.errors import NotFound, RateLimited, DomainError
from realtime.models import BODY_MAX

# Pages speak the reader's language; the protocol's English `detail` stays on the wire.
_ERRORS = {
    "bad_request": _("Write a message before sending it."),
    "too_long": _("A message can have at most %(max)d characters."),
    "forbidden": _("You cannot write in this room."),
    "muted": _("You are muted in this room for now."),
    "read_only": _("This room is read-only for now."),
    "rate_limited": _("You are sending too fast: please wait %(seconds)d seconds."),
}
_STATUS = {"forbidden": 403, "muted": 403, "read_only": 403, "rate_limited": 429}


@login_required
def room_list(request):
    rooms = selectors.visible_rooms(request.user)
    return render(request, "realtime/room_list.html", {"rooms": rooms})


@login_required
def room_page(request, slug: str):
    room = selectors.get_visible_room(request.user, slug)
    ban = selectors.active_ban(room, request.user)
    if ban is not None:
        return render(request, "realtime/room_banned.html", {"room": room, "ban": ban}, status=403)
    return _render_room(request, room)


@login_required
@require_POST
def send_message(request, slug: str):
    room = selectors.get_visible_room(request.user, slug)
    body = request.POST.get("body", "")
    try:
        message, _created = services.post_message(
            author=request.user, room=room, body=body, client_id=request.POST.get("client_id", ""),
        )
    except NotFound:
        raise
    except DomainError as error:
        retry_after = getattr(error, "retry_after", 0)
        text = _ERRORS[error.code] % {"max": BODY_MAX, "seconds": retry_after}
        response = _render_room(request, room, body=body, error=text, status=_STATUS.get(error.code, 400))
        if isinstance(error, RateLimited):
            response["Retry-After"] = str(retry_after)
        return response
    return HttpResponseRedirect(f"{room.get_absolute_url()}#m-{message.public_id}")


@login_required
@require_POST
def follow_room(request, slug: str):
    room = selectors.get_visible_room(request.user, slug)
    if selectors.active_ban(room, request.user) is not None:
        raise Http404  # a ban overrides the grant: nothing to follow
    return follow_response(request, target=room, default_url=room.get_absolute_url())


def _render_room(request, room, *, body: str = "", error: str = "", status: int = 200):
    verbs = permissions.perms_for(request.user, room)
    messages, has_more = selectors.messages_before(room, before=None, limit=protocol.HISTORY_ON_CONNECT)
    context = {
        "room": room,
        "room_messages": messages,
        "has_more": has_more,
        "can_post": permissions.POST in verbs,
        "can_moderate": permissions.MODERATE in verbs,
        "ws_path": f"/ws/rooms/{room.slug}/",
        "follow_level": follow_level(request.user, room),
        "follow_url": reverse("follow_room", args=[room.slug]),
        # A fresh id per rendered form: the same form sent twice stores one message.
        "client_id": secrets.token_urlsafe(12),
        "body": body,
        "error": error,
        "body_max": BODY_MAX,
    }
    return render(request, "realtime/room.html", context, status=status)
