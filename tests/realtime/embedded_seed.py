"""Seed an embedded test server's database through the real services (tests/realtime/embedded.py).

Reads a JSON spec on standard input:
    {"admin": "boss", "members": ["layla", "sami"], "room": "aden", "direct_grants": false,
     "messages": {"author": "layla", "count": 500, "body": "…"}}
and prints one JSON line: every member's (and the admin's) session key and profile id.
"""

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from forum.services.accounts import create_member
    from forum.services.grants import do_grant_permission
    from realtime.services import do_create_room, post_message

    spec = json.load(sys.stdin)
    password = "majlis-test-password-2026"
    admin = create_member(username=spec.get("admin", "boss"), password=password, display_name="Hadi",
                          location="diaspora", is_superuser=True)
    people = {admin.username: admin}
    for n, username in enumerate(spec.get("members", [])):
        people[username] = create_member(
            username=username, password=password, display_name=f"Member {username} {n}",
            location="in_country" if n % 2 else "diaspora",
        )
    room = do_create_room(slug=spec.get("room", "aden"), name="Aden")
    # "direct_grants": each member holds their own grants, so one can lose them alone.
    holders = [people[name] for name in spec.get("members", [])] if spec.get("direct_grants") else [
        Group.objects.get(name="members")
    ]
    for holder in holders:
        for perm in ("view_room", "post_in_room"):
            do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=holder)
    if messages := spec.get("messages"):
        settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "room_message": (10**9, 1)}  # seeding, not a member typing
        author = people[messages["author"]]
        for n in range(messages["count"]):
            post_message(author=author, room=room, body=f"{n} {messages['body']}", client_id=f"seed-{n}")
    sessions = {}
    for username, user in people.items():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        sessions[username] = client.cookies["sessionid"].value
    print(json.dumps({
        "sessions": sessions,
        "profiles": {username: user.profile.public_id for username, user in people.items()},
    }))


if __name__ == "__main__":
    main()
