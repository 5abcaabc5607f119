"""Make the benchmark's room and members; print one session key per member (JSON).

    DJANGO_SETTINGS_MODULE=bench.majlis_settings python -m bench.majlis_setup COUNT
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.majlis_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.test import Client  # noqa: E402

from forum.services.accounts import create_member  # noqa: E402
from forum.services.grants import do_grant_permission  # noqa: E402
from realtime.services import create_room  # noqa: E402


def main(count: int) -> None:
    room = create_room(by=None, slug="bench", name="Benchmark")
    members = Group.objects.get_or_create(name="members")[0]
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="bench", perm=perm, obj=room, to=members)
    sessions = []
    for n in range(count):
        user = create_member(
            username=f"bench{n}", password="benchmark-password", display_name=f"Bench {n}",
            location="in_country" if n % 2 else "diaspora",
        )
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        sessions.append(client.cookies["sessionid"].value)
    print(json.dumps(sessions))


if __name__ == "__main__":
    main(int(sys.argv[1]))
