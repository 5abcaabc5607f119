"""Export my data (issue 13, item 4): a ZIP with a JSON file and a readable HTML file.

What is in it: the member's profile, their posts (and the threads they opened) and room
messages with where and when, their files (listed, and included up to a size;
attachments/leaving.py), their follows and their notifications' texts. Of anyone
else, only the names of places (a category, a thread's title, a room) the member may still
view, and the display names of the authors they replied to: never another member's text,
nor anything hidden from the member but their own words. Rooms are the realtime app's
part (forum/leaving.py).
"""

import io
import json
import zipfile

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from forum import checks, permissions
from forum.former import name_of
from forum.leaving import holdings
from forum.models import Category, Follow, Post, Profile, Thread
from forum.selectors.notifications import notifications_for
from forum.services.leaving import check_password
from forum.times import iso_exact

JSON_NAME, HTML_NAME = "majlis-export.json", "majlis-export.html"
ZIP_NAME = "majlis-export.zip"



def _unseen_place() -> str:
    return _("a place you can no longer see")


def _profile(user) -> dict:
    profile = Profile.objects.select_related("organisation").get(user=user)
    return {
        "username": user.get_username(),
        "display_name": profile.display_name,
        "organisation": profile.organisation.name if profile.organisation else None,
        "location": profile.location,
        "language": profile.language,
        "email": profile.email,
        "digest": profile.digest,
        "hide_presence": profile.hide_presence,
        "watch_what_i_write": profile.watch_what_i_write,
        "load_full_pictures": profile.load_full_pictures,
        "joined": iso_exact(profile.created_at),
    }


def _thread_title(user, thread: Thread) -> str:
    """A title is the member's own when they opened the thread; else shown while they may view it."""
    if thread.author_id == user.pk or permissions.can(checks.check_view_thread, user, thread):
        return thread.title
    return _unseen_place()


def _category_name(user, category: Category) -> str:
    return category.name if permissions.can(checks.check_view_category, user, category) else _unseen_place()


def _posts(user) -> list[dict]:
    posts = (Post.objects.filter(author=user).select_related("thread__category", "reply_to__author__profile")
             .order_by("created_at", "pk"))
    return [
        {
            "category": _category_name(user, post.thread.category),
            "thread": _thread_title(user, post.thread),
            "opening_post": post.is_opening,
            "in_reply_to": name_of(post.reply_to.author) if post.reply_to else None,
            "created": iso_exact(post.created_at),
            "edited": iso_exact(post.edited_at),
            "status": post.status,
            "hidden_by_a_moderator": post.is_hidden,
            "text": post.body_source,
        }
        for post in posts
    ]


def _follows(user) -> list[dict]:
    """Follows of categories and threads; rooms come from their app."""
    names = {
        ContentType.objects.get_for_model(Category): ("category", lambda pk: _named(user, Category, pk)),
        ContentType.objects.get_for_model(Thread): ("thread", lambda pk: _named(user, Thread, pk)),
    }
    rows = []
    for follow in Follow.objects.filter(user=user, target_type__in=list(names)).order_by("created_at", "pk"):
        kind, name = names[ContentType.objects.get_for_id(follow.target_type_id)]
        rows.append({"kind": kind, "place": name(follow.target_id), "level": follow.level})
    return rows


def _named(user, model, pk: int) -> str:
    obj = model.objects.select_related(*(("category",) if model is Thread else ())).filter(pk=pk).first()
    if obj is None:
        return _unseen_place()
    return _thread_title(user, obj) if model is Thread else _category_name(user, obj)


def _notifications(user) -> list[dict]:
    """The texts, withheld (as on the page) where the member lost sight of the place."""
    return [
        {"kind": note.kind, "text": note.text if note.visible else _unseen_place(),
         "created": iso_exact(note.created_at), "read": note.read_at is not None}
        for note in notifications_for(user)
    ]


def member_data(user) -> dict:
    """Everything the export holds, as plain data."""
    with permissions.grants_cached():
        data = {
            "format": "majlis-export/1",
            "exported_at": iso_exact(timezone.now()),
            "profile": _profile(user),
            "posts": _posts(user),
            "room_messages": [],
            "follows": _follows(user),
            "notifications": _notifications(user),
        }
        for holding in holdings():
            for section, rows in holding.export(user).items():
                data.setdefault(section, []).extend(rows)
    return data


def export_member_data(*, user, password: str) -> bytes:
    """The member's ZIP (checked with their password first: a ValidationError on `password`)."""
    check_password(user, password)
    data = member_data(user)
    html = render_to_string("accounts/export_data.html", {
        "data": data, "language": get_language(), "bidi": get_language_bidi(),
    })
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr(HTML_NAME, html)
        for holding in holdings():  # the member's files (attachments/leaving.py)
            for name, path in (holding.files(user) if holding.files else []):
                if path.is_file():
                    archive.write(path, name, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()
