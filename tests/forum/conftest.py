"""Forum fixtures: a few people, categories with real grants, threads made by the services.

Everything is made through the same services the app uses (`do_create_category`,
`do_grant_permission`, `start_thread`, `reply`), so a fixture can never hold a state the
app itself could not reach. People are hashed with a fast hasher: these tests make
hundreds of accounts and never log in with a password (`client_for` forces the login).
"""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings

from forum.models.people import MEMBERS_GROUP, Location
from forum.services.content import do_create_category, reply, start_thread
from forum.services.grants import do_grant_permission

PERMS = {"view": "view_category", "post": "post_in_category", "moderate": "moderate_category"}


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Fixtures and module worlds seed many threads and replies at once: that is not a member
# typing. The forum's flood control is tested with its real limits in test_pace.py.
SEEDING_PACE = {"reply": (10**6, 1), "thread": (10**6, 1)}


@pytest.fixture(autouse=True)
def seeding_pace(settings):
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, **SEEDING_PACE}


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@contextmanager
def kept_for_the_module(django_db_blocker):
    """Data built once for a whole module, inside a transaction rolled back at its end.

    Use it in a module-scoped fixture (`django_db_setup` first); each test still asks for
    `db`, whose own transaction then nests inside this one as a savepoint, so every test
    starts from the same data and leaves nothing behind.
    """
    pace = {**settings.MAJLIS_PACE, **SEEDING_PACE}
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS, MAJLIS_PACE=pace):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def make_person(fast_passwords, make_member):
    """`make_member`, without Argon2's deliberate slowness."""
    return make_member


@pytest.fixture
def members_group(db):
    group, _ = Group.objects.get_or_create(name=MEMBERS_GROUP)
    return group


def grant(category, holder, *verbs):
    """Give a group or a user each of the verbs (`view`, `post`, `moderate`) on a category."""
    for verb in verbs:
        do_grant_permission(actor=None, via="tests", perm=PERMS[verb], obj=category, to=holder)


@pytest.fixture
def make_category(db):
    def make(slug, *, name=None, requires_approval=False, grants=()):
        """`grants` is a list of (group or user, verbs…) pairs."""
        category = do_create_category(
            slug=slug, name=name or slug.replace("-", " ").title(), requires_approval=requires_approval
        )
        for holder, *verbs in grants:
            grant(category, holder, *verbs)
        return category

    return make


@pytest.fixture
def make_thread(db):
    def make(category, author, title="A thread", body="The opening post.", replies=()):
        thread = start_thread(author=author, category=category, title=title, body=body)
        for replier, text in replies:
            reply(author=replier, thread=thread, body=text)
        thread.refresh_from_db()
        return thread

    return make


@pytest.fixture
def coalition_admin(make_person):
    return make_person("hadi", display_name="Hadi", location=Location.DIASPORA, is_superuser=True)


@pytest.fixture
def moderator(make_person):
    return make_person("noor", display_name="Noor")


@pytest.fixture
def writer(make_person):
    return make_person("layla", display_name="Layla")


@pytest.fixture
def other_member(make_person):
    return make_person("sami", display_name="Sami", location=Location.DIASPORA)


@pytest.fixture
def rami(make_person):
    return make_person("rami", display_name="Rami", location=Location.DIASPORA)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on-commit callbacks (notifications, broadcasts) of what
    happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def category(make_category, members_group, moderator):
    """An ordinary category: every member reads and posts, Noor moderates."""
    return make_category(
        "campaigns", name="Advocacy campaigns",
        grants=[(members_group, "view", "post"), (moderator, "moderate")],
    )


@pytest.fixture
def premoderated(make_category, members_group, moderator):
    """A category where members' posts wait for Noor's approval."""
    return make_category(
        "documentation", name="Documenting violations", requires_approval=True,
        grants=[(members_group, "view", "post"), (moderator, "moderate")],
    )


@pytest.fixture
def secret_category(make_category, make_organisation, make_person):
    """A category only one organisation's group sees, with its own moderator and a thread."""
    organisation = make_organisation("marib-voices")
    insider = make_person("insider", display_name="Karim", organisation=organisation)
    keeper = make_person("keeper", display_name="Warda")
    category = make_category(
        "marib-internal", name="Marib Voices internal circle",
        grants=[(organisation.group, "view", "post"), (keeper, "moderate")],
    )
    thread = start_thread(
        author=insider, category=category, title="Safe house rotation for April",
        body="The new meeting point is behind the old souq.",
    )
    category.insider, category.keeper, category.thread = insider, keeper, thread
    return category


@pytest.fixture
def thread(make_thread, category, writer):
    return make_thread(category, writer, title="Joint statement on detentions",
                       body="Draft of the statement, please comment.")
