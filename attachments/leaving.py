"""A member's files, for their data export and for leaving (forum/leaving.py).

Export: every file they uploaded is listed (name, type, size, fingerprint, when, where),
and the files themselves are in the ZIP up to MAJLIS_EXPORT_FILES_BYTES in all, oldest
first (beyond that, listed with `file` null); originals they had kept as evidence are
listed with their SHA-256, never included: the export goes to a device that may be taken,
and the original is the file with the location in it.

Leaving: with "erase", their files' rows go and the files leave the disk once committed;
with "keep", the files stay under "former member". Either way their originals kept as
evidence go (a custody entry `removed` each), except those they chose at upload to keep
past their account (attachments/evidence/keeping.py).
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from attachments import storage
from attachments.evidence import keeping
from attachments.evidence.models import Original
from attachments.models import Attachment
from attachments.services import delete_attachments
from forum import permissions
from forum.leaving import Holding
from forum.models import Category
from forum.times import iso_exact


def _unseen_place() -> str:
    return _("a place you can no longer see")



def _included(user) -> list[tuple[Attachment, str | None]]:
    """The member's files, oldest first, each with its path in the ZIP or None past the cap."""
    left, rows = settings.MAJLIS_EXPORT_FILES_BYTES, []
    files = Attachment.objects.filter(uploader=user).select_related("post__thread__category", "message__room", "room")
    for attachment in files.order_by("created_at", "pk"):
        path = None
        if attachment.size <= left:
            left -= attachment.size
            path = f"files/{attachment.public_id}-{attachment.name}"
        rows.append((attachment, path))
    return rows


def _place_of(attachment, visible: dict) -> str:
    if attachment.post_id:
        place = attachment.post.thread.category
    else:
        place = attachment.message.room if attachment.message_id else attachment.room
    return visible.get((type(place), place.pk), _unseen_place()) if place is not None else _unseen_place()


def _visible_places(user) -> dict:
    """{(model, pk): name} of the places the member may still view."""
    from realtime.models import Room
    from realtime.selectors import visible_rooms

    visible = {(Category, pk): name for pk, name in
               permissions.objects_for(user, Category.objects.all()).values_list("pk", "name")}
    visible.update({(Room, pk): name for pk, name in visible_rooms(user).values_list("pk", "name")})
    return visible


def export(user) -> dict[str, list[dict]]:
    visible = _visible_places(user)
    files = [
        {
            "name": attachment.name,
            "type": attachment.content_type,
            "size": attachment.size,
            "fingerprint_sha256": attachment.fingerprint,
            "uploaded": iso_exact(attachment.created_at),
            "on": "post" if attachment.post_id else "room message" if attachment.message_id else "not sent",
            "place": _place_of(attachment, visible),
            "file": path,
        }
        for attachment, path in _included(user)
    ]
    originals = [
        {
            "name": original.name,
            "sha256": original.sha256,
            "uploaded": iso_exact(original.uploaded_at),
            "place": visible.get((type(original.place), original.place.pk), _unseen_place()),
            "kept_past_account_deletion": original.survives_leaving,
        }
        for original in Original.objects.filter(uploader=user).select_related("category", "room")
    ]
    return {"attachments": files, "evidence_originals": originals}


def files(user) -> list[tuple[str, Path]]:
    """(path in the ZIP, path on disk) of the files the export includes."""
    return [(path, storage.path_of(attachment.stored_name)) for attachment, path in _included(user) if path]


def erase(user) -> None:
    delete_attachments(Attachment.objects.filter(uploader=user))


def leave(user) -> None:
    keeping.remove_for_leaving(user)


def holding() -> Holding:
    return Holding(export=export, erase=erase, files=files, leave=leave)
