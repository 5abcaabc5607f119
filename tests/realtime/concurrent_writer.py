"""A helper process for test_services: several of these write to one SQLite file at once.

    python -m tests.realtime.concurrent_writer setup WRITERS
    python -m tests.realtime.concurrent_writer write INDEX MESSAGES
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402

from forum.services.accounts import create_member  # noqa: E402
from forum.services.grants import do_grant_permission  # noqa: E402
from realtime.models import Room  # noqa: E402
from realtime.services import do_create_room, post_message  # noqa: E402


def setup(writers: int) -> None:
    room = do_create_room(slug="race", name="Race")
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=Group.objects.get_or_create(name="members")[0])
    for index in range(writers):
        create_member(username=f"writer{index}", password="x" * 12, display_name=f"Writer {index}", location="diaspora")


def write(index: int, messages: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (10_000, 1)}  # what races here is the room's counter, not one member

    author = get_user_model().objects.select_related("profile").get(username=f"writer{index}")
    for n in range(messages):
        post_message(author=author, room=Room.objects.get(slug="race"), body=f"{index}:{n}", client_id=f"c{n}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"setup": setup, "write": write}[command](*map(int, args))
