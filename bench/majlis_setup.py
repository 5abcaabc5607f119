"""Make the benchmark's room and members; print one session key per member (JSON).

    DJANGO_SETTINGS_MODULE=bench.majlis_settings python -m bench.majlis_setup COUNT [--messages M]

The first two members (one in the country, one in the diaspora) are made by the service
every entry point uses (`create_member`); the others are copies of them written in bulk
(the same password hash, the same groups, their own names through the same
normalisation), because the service's fifteen queries a member would make 5,000 members
(bench/sockets.py) take most of a minute. Each member gets a session holding what
`django.contrib.auth.login` stores, without a request. With `--messages`, the first
member posts that many messages first, so a socket's opening carries a room's history.
"""

import argparse
import json
import os
from datetime import timedelta
from importlib import import_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.majlis_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.base import VALID_KEY_CHARS  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from forum.models import Profile  # noqa: E402
from forum.names import display_name_key, normalise_display_name  # noqa: E402
from forum.services.accounts import create_member  # noqa: E402
from forum.services.grants import do_grant_permission  # noqa: E402
from realtime.services import do_create_room, post_message  # noqa: E402

BACKEND = "django.contrib.auth.backends.ModelBackend"
BATCH = 1000
User = get_user_model()


def location_of(n: int) -> str:
    return "in_country" if n % 2 else "diaspora"


def made_by_the_service(n: int):
    return create_member(username=f"bench{n}", password="benchmark-password", display_name=f"Bench {n}",
                         location=location_of(n))


def copies(templates: list, numbers: range) -> list:
    """Members `numbers`, each a copy of the template of its location, written in bulk."""
    users = User.objects.bulk_create(
        [User(username=f"bench{n}", password=templates[n % 2].password) for n in numbers], batch_size=BATCH
    )
    groups = [list(template.groups.all()) for template in templates]
    profiles, memberships = [], []
    for n, user in zip(numbers, users, strict=True):
        template = templates[n % 2]
        name = normalise_display_name(f"Bench {n}")
        profiles.append(Profile(user=user, display_name=name, display_name_key=display_name_key(name),
                                location=template.profile.location, language=template.profile.language))
        memberships += [User.groups.through(user_id=user.pk, group_id=group.pk) for group in groups[n % 2]]
    Profile.objects.bulk_create(profiles, batch_size=BATCH)
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
    return users


def sessions_of(users: list) -> list[str]:
    """A new session for each user, holding what `login()` stores; their keys."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = []
    for user in users:
        data = {SESSION_KEY: user._meta.pk.value_to_string(user), BACKEND_SESSION_KEY: BACKEND,
                HASH_SESSION_KEY: user.get_session_auth_hash()}
        # A key as the store makes one; a clash (1 in 36^32) would fail the insert.
        rows.append(model(session_key=get_random_string(32, VALID_KEY_CHARS), session_data=store().encode(data),
                          expire_date=expires))
    model.objects.bulk_create(rows, batch_size=BATCH)
    return [row.session_key for row in rows]


def main(count: int, messages: int) -> None:
    room = do_create_room(slug="bench", name="Benchmark")
    members = Group.objects.get_or_create(name="members")[0]
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="bench", perm=perm, obj=room, to=members)
    with transaction.atomic():  # one commit, not one per row
        templates = [made_by_the_service(n) for n in range(min(count, 2))]
        users = templates + copies(templates, range(len(templates), count))
        sessions = sessions_of(users)
    for n in range(messages if users else 0):
        post_message(author=users[0], room=room, body=f"Message {n} of the room's history, a sentence or two long "
                     "as most are: where to meet, who has the document, what the lawyer said.", client_id=f"seed-{n}")
    print(json.dumps(sessions))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--messages", type=int, default=0)
    args = parser.parse_args()
    main(args.count, args.messages)
