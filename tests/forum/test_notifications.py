"""forum/services/notifications.py and the notifications page: who is told what, and who never is.

Fan-out runs after commit, so every write whose notifications matter runs inside
`django_capture_on_commit_callbacks(execute=True)`.
"""

import math
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.models import Follow, Notification, Post, Profile, Status
from forum.models.people import Location
from forum.services import moderation, notifications
from forum.services.accounts import set_account_active, set_organisation, set_watch_what_i_write
from forum.services.content import reply, start_thread
from forum.services.following import set_follow_level
from forum.services.grants import do_grant_permission, do_revoke_permission

User = get_user_model()
NO_LONGER = "You can no longer see where this happened."


def plain(text: str) -> str:
    """A notification's text without the isolates that keep names from reordering it."""
    return text.replace("\u2068", "").replace("\u2069", "")


def notes_of(user):
    return list(Notification.objects.filter(user=user).order_by("created_at", "id"))


def kinds_of(user):
    return [note.kind for note in notes_of(user)]


def header_count(html: str) -> tuple[int, int, bool]:
    """(data-count, shown number, hidden?) of the header's #unread-count element."""
    match = re.search(r'<span class="unread-count" id="unread-count" data-count="(\d+)"( hidden)?>(\d+)</span>', html)
    assert match, "the header has no #unread-count element"
    return int(match.group(1)), int(match.group(3)), bool(match.group(2))


@pytest.fixture
def quiet(make_person):
    """A member who does not follow what they write, so only the rule under test tells them."""
    person = make_person("huda", display_name="Huda")
    set_watch_what_i_write(person.profile, False)
    return person


# post: watchers of a thread or a category -------------------------------------------------

def test_a_member_watching_a_thread_is_told_of_a_new_post(committed, thread, other_member, rami):
    set_follow_level(user=other_member, target=thread, level="watching")
    with committed():
        post = reply(author=rami, thread=thread, body="I can translate it tonight.")
    [note] = notes_of(other_member)
    assert note.kind == "post"
    assert plain(note.text) == "Rami posted in “Joint statement on detentions”"
    assert note.url == post.get_absolute_url()
    assert note.read_at is None


def test_a_member_watching_a_category_is_told_of_new_threads_and_replies(
    committed, category, writer, other_member, rami,
):
    set_follow_level(user=other_member, target=category, level="watching")
    with committed():
        thread = start_thread(author=writer, category=category, title="Radio campaign", body="Ideas welcome.")
    assert [plain(n.text) for n in notes_of(other_member)] == ["Layla posted in “Radio campaign”"]
    with committed():
        reply(author=rami, thread=thread, body="A jingle in Arabic and English.")
    # Unread, the thread's posts fold into one notification (test_notifications_grouped.py).
    assert kinds_of(other_member) == ["post"]
    assert [plain(n.text) for n in notes_of(other_member)] == ["2 new posts in “Radio campaign”"]


def test_a_member_at_normal_level_is_not_told_of_ordinary_posts(committed, thread, category, other_member, rami):
    set_follow_level(user=other_member, target=thread, level="normal")
    with committed():
        reply(author=rami, thread=thread, body="Nothing for Sami here.")
    assert notes_of(other_member) == []


def test_a_thread_set_to_normal_is_not_watched_through_its_category(
    committed, thread, category, other_member, rami,
):
    # The thread's own level is the more specific choice: it wins over the category's.
    set_follow_level(user=other_member, target=category, level="watching")
    set_follow_level(user=other_member, target=thread, level="normal")
    with committed():
        reply(author=rami, thread=thread, body="Sami asked for mentions and replies only.")
    assert notes_of(other_member) == []


def test_a_member_who_follows_nothing_is_told_nothing(committed, thread, other_member, rami):
    with committed():
        reply(author=rami, thread=thread, body="Just a reply.")
    assert notes_of(other_member) == []


# reply: the thread's author and the quoted post's author ---------------------------------

def test_the_thread_author_is_told_of_a_reply_as_reply(committed, thread, writer, rami):
    with committed():
        reply(author=rami, thread=thread, body="Agreed with the draft.")
    [note] = notes_of(writer)
    assert note.kind == "reply"
    assert plain(note.text) == "Rami replied to you in “Joint statement on detentions”"


def test_the_thread_author_hears_of_replies_without_following(committed, category, quiet, rami):
    thread = start_thread(author=quiet, category=category, title="Quiet author", body="Hello.")
    assert not Follow.objects.filter(user=quiet).exists()
    with committed():
        reply(author=rami, thread=thread, body="Hello Huda.")
    assert kinds_of(quiet) == ["reply"]


def test_the_author_of_a_quoted_post_is_told_as_reply(committed, thread, quiet, rami):
    quoted = reply(author=quiet, thread=thread, body="We need a French version.")
    with committed():
        reply(author=rami, thread=thread, body="> We need a French version.\n\nI'll do it.", reply_to=quoted)
    assert kinds_of(quiet) == ["reply"]


def test_a_quoting_reply_sent_from_the_page_tells_the_quoted_author(committed, client_for, thread, quiet, rami):
    quoted = reply(author=quiet, thread=thread, body="Who can check the figures?")
    with committed():
        response = client_for(rami).post(f"/t/{thread.public_id}/reply/", {
            "body": "I can.", "reply_to": quoted.public_id, "submit_token": "tok-quote-1",
        })
    assert response.status_code == 302
    assert kinds_of(quiet) == ["reply"]


# moderation: the author learns what was done, and why -------------------------------------

def test_hiding_a_post_tells_its_author_with_the_reason_and_never_who_reported_it(
    committed, client_for, thread, other_member, rami, moderator,
):
    post = reply(author=other_member, thread=thread, body="The detainee's brother lives near the port.")
    moderation.report_post(post=post, by=rami, reason="It can identify a family")
    with committed():
        moderation.hide_post(post=post, by=moderator, reason="Identifies a detainee's family")
    [note] = notes_of(other_member)
    assert note.kind == "moderation"
    assert "Identifies a detainee's family" in note.text
    assert "Joint statement on detentions" in note.text
    for name in ("Rami", "rami", "Noor", "noor", "It can identify a family"):
        assert name not in note.text
    page = client_for(other_member).get("/notifications/").content.decode()
    assert "Identifies a detainee&#x27;s family" in page
    assert "Rami" not in page and "It can identify a family" not in page


def test_rejecting_a_pending_post_tells_its_author_with_the_reason(
    committed, premoderated, writer, moderator,
):
    thread = start_thread(author=writer, category=premoderated, title="Checkpoint list", body="Names follow.")
    with committed():
        moderation.reject_post(post=thread.posts.get(), by=moderator, reason="Unverified names")
    [note] = notes_of(writer)
    assert note.kind == "moderation" and "Unverified names" in note.text
    assert "Noor" not in note.text


# One event, one notification: the most specific kind wins -------------------------------

def test_one_event_gives_one_notification_and_mention_wins_over_everything(
    committed, thread, category, writer, rami,
):
    # Layla wrote the thread (reply), watches it and its category (post), is quoted (reply)
    # and mentioned (mention): she gets one notification, a mention.
    set_follow_level(user=writer, target=category, level="watching")
    opening = thread.posts.get(is_opening=True)
    with committed():
        reply(author=rami, thread=thread, body="> Draft\n\n@Layla, see above.", reply_to=opening)
    assert kinds_of(writer) == ["mention"]


def test_reply_wins_over_post_for_a_watcher_who_is_replied_to(committed, thread, writer, category, rami):
    assert Follow.objects.filter(user=writer, level="watching").exists()
    set_follow_level(user=writer, target=category, level="watching")
    with committed():
        reply(author=rami, thread=thread, body="A reply to Layla's thread.")
    assert kinds_of(writer) == ["reply"]


def test_running_a_fan_out_twice_stores_nothing_twice(committed, thread, other_member, rami):
    set_follow_level(user=other_member, target=thread, level="watching")
    with committed():
        post = reply(author=rami, thread=thread, body="Once only.")
    notifications.notify_post(post)
    notifications.notify_post(post)
    assert kinds_of(other_member) == ["post"]


# Muted ------------------------------------------------------------------------------------

def test_a_muted_thread_is_silent_even_when_its_category_is_watched(committed, thread, category, other_member, rami):
    set_follow_level(user=other_member, target=category, level="watching")
    set_follow_level(user=other_member, target=thread, level="muted")
    with committed():
        reply(author=rami, thread=thread, body="Muted for Sami.")
    assert notes_of(other_member) == []


def test_a_muted_thread_is_silent_even_for_replies_and_mentions(committed, thread, writer, rami):
    set_follow_level(user=writer, target=thread, level="muted")
    opening = thread.posts.get(is_opening=True)
    with committed():
        reply(author=rami, thread=thread, body="@Layla quoting you.", reply_to=opening)
    assert notes_of(writer) == []


def test_a_muted_category_is_silent_for_its_new_threads_and_mentions(committed, category, writer, other_member):
    set_follow_level(user=other_member, target=category, level="muted")
    with committed():
        start_thread(author=writer, category=category, title="New one", body="Hello @Sami.")
    assert notes_of(other_member) == []


# Nothing about what the recipient cannot view --------------------------------------------

def test_a_watcher_without_the_grant_is_told_nothing(committed, secret_category, other_member):
    # Rows a member could not create through the service (e.g. stored before a grant was lost).
    for target in (secret_category, secret_category.thread):
        Follow.objects.create(user=other_member, target_type=ContentType.objects.get_for_model(target),
                              target_id=target.pk, level="watching")
    set_follow_level(user=secret_category.keeper, target=secret_category, level="watching")
    with committed():
        reply(author=secret_category.insider, thread=secret_category.thread, body="Moving to Thursday.")
    assert notes_of(other_member) == []
    assert kinds_of(secret_category.keeper) == ["post"]


def test_a_quoted_author_who_lost_the_grant_is_not_told(committed, secret_category, make_person):
    organisation = secret_category.insider.profile.organisation
    former = make_person("former", display_name="Former", organisation=organisation)
    quoted = reply(author=former, thread=secret_category.thread, body="Check the east gate.")
    set_organisation(former.profile, None)  # left the organisation: no more grant
    with committed():
        reply(author=secret_category.insider, thread=secret_category.thread, body="Done.", reply_to=quoted)
    assert notes_of(former) == []


def test_a_disabled_member_is_told_nothing(committed, thread, other_member, rami, coalition_admin):
    set_follow_level(user=other_member, target=thread, level="watching")
    set_account_active(user=other_member, active=False, by=coalition_admin)
    with committed():
        reply(author=rami, thread=thread, body="Anyone?")
    assert notes_of(other_member) == []


def test_a_post_in_a_hidden_thread_is_announced_to_nobody(committed, thread, other_member, writer, moderator):
    set_follow_level(user=other_member, target=thread, level="watching")
    moderation.hide_post(post=thread.posts.get(is_opening=True), by=moderator, reason="Unsafe")
    with committed():
        reply(author=moderator, thread=thread, body="Hidden while we check it. @Sami @Layla")
    assert notes_of(other_member) == []
    assert notes_of(writer) == []


def test_a_post_hidden_before_its_fan_out_is_announced_to_nobody(committed, thread, other_member, rami, moderator):
    set_follow_level(user=other_member, target=thread, level="watching")
    post = reply(author=rami, thread=thread, body="Quickly hidden.")  # fan-out not run yet
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    assert notifications.notify_post(post, mentioned_ids=[other_member.pk]) == 0
    assert notes_of(other_member) == []


def test_a_pending_post_is_news_for_the_categorys_moderators_only(
    committed, premoderated, writer, other_member, moderator, rami,
):
    set_follow_level(user=other_member, target=premoderated, level="watching")
    with committed():
        thread = start_thread(author=writer, category=premoderated, title="Raids in Taiz",
                              body="Three houses, @Sami and @Rami saw it.")
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {"noor"}
    [note] = notes_of(moderator)
    assert note.kind == "post" and "awaits approval" in note.text
    assert note.url == thread.posts.get().get_absolute_url()


def test_approving_a_pending_post_then_tells_its_watchers_and_mentioned_members(
    committed, premoderated, writer, other_member, moderator, rami,
):
    set_follow_level(user=other_member, target=premoderated, level="watching")
    with committed():
        thread = start_thread(author=writer, category=premoderated, title="Raids in Taiz",
                              body="Three houses, @Rami saw it.")
    with committed():
        moderation.approve_post(post=thread.posts.get(), by=moderator)
    assert kinds_of(other_member) == ["post"]
    assert kinds_of(rami) == ["mention"]
    assert notes_of(writer) == []


def test_a_pending_reply_reaches_the_thread_author_and_watchers_only_once_approved(
    committed, premoderated, writer, other_member, moderator,
):
    with committed():
        thread = start_thread(author=moderator, category=premoderated, title="Moderated thread", body="Open.")
    set_follow_level(user=other_member, target=thread, level="watching")
    with committed():
        pending = reply(author=writer, thread=thread, body="My account of the day.")
    assert pending.status == Status.PENDING
    assert notes_of(other_member) == []
    assert [plain(n.text) for n in notes_of(moderator)] == ["Layla's post in “Moderated thread” awaits approval"]
    with committed():
        moderation.approve_post(post=pending, by=moderator)
    assert kinds_of(other_member) == ["post"]
    assert kinds_of(moderator) == ["post", "reply"]


# The author never notifies themself ------------------------------------------------------

def test_the_author_is_never_told_of_their_own_post(committed, thread, writer, category):
    set_follow_level(user=writer, target=category, level="watching")
    opening = thread.posts.get(is_opening=True)
    with committed():
        reply(author=writer, thread=thread, body="@Layla quoting myself.", reply_to=opening)
    with committed():
        start_thread(author=writer, category=category, title="Mine too", body="@layla again")
    assert notes_of(writer) == []


# Revocation -------------------------------------------------------------------------------

def test_after_a_revoked_grant_no_new_notification_and_old_ones_lose_their_text(
    committed, client_for, secret_category, make_person,
):
    organisation = secret_category.insider.profile.organisation
    watcher = make_person("watcher", display_name="Amal", organisation=organisation)
    set_follow_level(user=watcher, target=secret_category, level="watching")
    with committed():
        first = reply(author=secret_category.insider, thread=secret_category.thread, body="New van plate.")
    [old] = notes_of(watcher)
    assert plain(old.text) == "Karim posted in “Safe house rotation for April”"
    page = client_for(watcher).get("/notifications/").content.decode()
    assert old.text in page and NO_LONGER not in page

    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=secret_category, to=organisation.group)
    do_revoke_permission(actor=None, via="tests", perm="post_in_category", obj=secret_category, to=organisation.group)
    with committed():
        reply(author=secret_category.keeper, thread=secret_category.thread, body="Noted, moving it.")
    assert notes_of(watcher) == [old]

    page = client_for(watcher).get("/notifications/").content.decode()
    assert NO_LONGER in page
    for secret in ("Safe house rotation for April", "Karim", "posted in", secret_category.thread.public_id,
                   first.public_id, "Marib"):
        assert secret not in page
    assert "<li class=\"notification unread\">" in page  # the row stays, without its text

    # Given back, the grant brings the stored text back.
    do_grant_permission(actor=None, via="tests", perm="view_category", obj=secret_category, to=organisation.group)
    assert old.text in client_for(watcher).get("/notifications/").content.decode()


# The notifications page ------------------------------------------------------------------

def test_the_notifications_page_lists_the_members_own_newest_first(committed, client_for, thread, other_member, rami):
    set_follow_level(user=other_member, target=thread, level="watching")
    with committed():
        reply(author=rami, thread=thread, body="First.")
    with committed():
        reply(author=rami, thread=thread, body="@Sami second.")
    page = plain(client_for(other_member).get("/notifications/").content.decode())
    mention = page.index("Rami mentioned you in")
    post = page.index("Rami posted in")
    assert mention < post
    # Layla's reply notifications are hers alone.
    assert "replied to you" not in page


def test_the_notifications_page_needs_a_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# Marking read -----------------------------------------------------------------------------

@pytest.fixture
def three_unread(committed, category, writer, other_member, rami):
    """Sami watches the category: three threads by Layla, each with Rami's reply, give him
    three unread notifications (a thread's posts fold into one) and Layla three replies."""
    set_follow_level(user=other_member, target=category, level="watching")
    for n in range(3):
        with committed():
            thread = start_thread(author=writer, category=category, title=f"Update {n}", body="News.")
        with committed():
            reply(author=rami, thread=thread, body=f"Update {n}.")
    return notes_of(other_member)


def test_marking_one_notification_read_leaves_the_others_unread(client_for, other_member, three_unread):
    first, *rest = three_unread
    response = client_for(other_member).post(f"/notifications/{first.public_id}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(pk__in=[n.pk for n in rest], read_at__isnull=True).count() == 2


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(client_for, other_member, three_unread):
    note = three_unread[0]
    response = client_for(other_member).post(f"/notifications/{note.public_id}/read/", {"open": "1"})
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_marking_all_read_touches_only_the_members_own(client_for, other_member, writer, three_unread):
    writers = Notification.objects.filter(user=writer, read_at__isnull=True).count()
    assert writers == 3  # Layla was replied to three times
    response = client_for(other_member).post("/notifications/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=other_member, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=writer, read_at__isnull=True).count() == writers


def test_marking_another_members_notification_read_is_404_and_it_stays_unread(
    client_for, other_member, writer, three_unread,
):
    layla_note = Notification.objects.filter(user=writer).first()
    response = client_for(other_member).post(f"/notifications/{layla_note.public_id}/read/", {"open": "1"})
    assert response.status_code == 404
    layla_note.refresh_from_db()
    assert layla_note.read_at is None
    missing = client_for(other_member).post("/notifications/nosuchid/read/")
    assert missing.status_code == 404


def test_marking_read_needs_a_post_request(client_for, other_member, three_unread):
    note = three_unread[0]
    assert client_for(other_member).get(f"/notifications/{note.public_id}/read/").status_code == 405
    assert client_for(other_member).get("/notifications/read/").status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


# The unread count in the header, on every page ------------------------------------------

@pytest.mark.parametrize("page", ["/", "/notifications/", "/following/", "/c/campaigns/", "thread",
                                  "/accounts/profile/", "/rooms/", "/moderation/"])
def test_the_header_shows_the_unread_count_on_every_page(client_for, other_member, thread, three_unread, page):
    url = thread.get_absolute_url() if page == "thread" else page
    client = client_for(other_member)
    response = client.get(url)
    assert response.status_code == 200
    assert header_count(response.content.decode()) == (3, 3, False)
    client.post(f"/notifications/{three_unread[0].public_id}/read/")
    assert header_count(client.get(url).content.decode()) == (2, 2, False)
    client.post("/notifications/read/")
    assert header_count(client.get(url).content.decode()) == (0, 0, True)


# Rooms: one unread notification per room, only for those who may view it ----------------

@pytest.fixture
def private_room(make_organisation, make_person):
    from realtime.models import Room

    organisation = make_organisation("aden-field")
    room = Room.objects.create(slug="aden-field", name="Aden field team")
    do_grant_permission(actor=None, via="tests", perm="view_room", obj=room, to=organisation.group)
    room.insider = make_person("fieldworker", display_name="Yusuf", organisation=organisation)
    return room


def _room_message(room, author, watchers, mentioned=(), n=1):
    return notifications.notify_room_message(
        room=room, author_id=author.pk, author_name=author.profile.display_name,
        watcher_ids=[w.pk for w in watchers], mentioned_ids=[m.pk for m in mentioned],
        url=f"/rooms/{room.slug}/", event_key=f"room-msg:{room.slug}:{n}",
    )


def test_a_private_room_tells_only_the_watchers_who_may_view_it(private_room, other_member, make_person):
    colleague = make_person("colleague", display_name="Salma",
                            organisation=private_room.insider.profile.organisation)
    _room_message(private_room, private_room.insider, [colleague, other_member], mentioned=[other_member])
    assert kinds_of(colleague) == ["room"]
    assert notes_of(other_member) == []


def test_a_watched_room_keeps_one_unread_notification_counting_its_messages(private_room, make_person):
    colleague = make_person("colleague", display_name="Salma",
                            organisation=private_room.insider.profile.organisation)
    for n in range(3):
        _room_message(private_room, private_room.insider, [colleague], n=n)
    [note] = notes_of(colleague)
    assert note.kind == "room" and note.count == 3
    notifications.mark_read(user=colleague, notification=note)
    _room_message(private_room, private_room.insider, [colleague], n=9)
    assert [(n.kind, n.count, n.read_at is None) for n in notes_of(colleague)] == [
        ("room", 3, False), ("room", 1, True),
    ]


# Bulk fan-out -----------------------------------------------------------------------------

def add_watchers(thread, count: int, prefix: str, members_group) -> list[int]:
    """`count` members in the `members` group, each watching the thread, in a few queries."""
    users = User.objects.bulk_create([User(username=f"{prefix}{n}", password="!") for n in range(count)])
    if users[0].pk is None:  # a backend that returns no keys from bulk_create
        users = list(User.objects.filter(username__startswith=prefix))
    Profile.objects.bulk_create([
        Profile(user=user, display_name=f"{prefix} {n}", display_name_key=f"{prefix} {n}".casefold(),
                location=Location.DIASPORA, language="en")
        for n, user in enumerate(users)
    ])
    Membership = User.groups.through
    Membership.objects.bulk_create([Membership(user_id=user.pk, group_id=members_group.pk) for user in users])
    thread_type = ContentType.objects.get_for_model(thread)
    Follow.objects.bulk_create([
        Follow(user=user, target_type=thread_type, target_id=thread.pk, level="watching") for user in users
    ])
    return [user.pk for user in users]


def notification_inserts(context) -> int:
    return sum(q["sql"].lstrip().upper().startswith("INSERT") and "forum_notification" in q["sql"]
               for q in context.captured_queries)


def insert_batches(rows: int) -> int:
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    per_statement = connection.ops.bulk_batch_size(fields, [None] * rows)
    return math.ceil(rows / per_statement)


def test_posting_to_500_watchers_runs_a_bounded_number_of_queries(
    committed, make_thread, category, writer, rami, members_group,
):
    warm_up, small, large = (make_thread(category, writer, title=f"Thread {n}") for n in range(3))
    with committed():
        reply(author=rami, thread=warm_up, body="Warming the caches.")
    small_watchers = add_watchers(small, 50, "small", members_group)
    large_watchers = add_watchers(large, 500, "large", members_group)

    with CaptureQueriesContext(connection) as for_50, committed():
        post_50 = reply(author=rami, thread=small, body="To fifty watchers.")
    with CaptureQueriesContext(connection) as for_500, committed():
        post_500 = reply(author=rami, thread=large, body="To five hundred watchers.")

    print(f"\nqueries for a reply and its fan-out: 50 watchers {len(for_50)}, 500 watchers {len(for_500)}")
    assert len(for_500) < 40
    # Everything but the notification INSERT is one query whatever the number of watchers.
    assert len(for_500) - notification_inserts(for_500) == len(for_50) - notification_inserts(for_50)
    # The INSERT is one bulk statement, split only where the backend caps the parameters
    # of one statement (SQLite: 999, so 90 rows a statement; PostgreSQL: no split).
    assert notification_inserts(for_50) == 1
    assert notification_inserts(for_500) == insert_batches(501)
    if connection.vendor == "postgresql":
        assert len(for_500) == len(for_50)
    told = Notification.objects.filter(event_key=f"post:{post_500.public_id}")
    assert told.filter(kind="post", user_id__in=large_watchers).count() == 500
    assert told.filter(user=writer, kind="reply").count() == 1
    assert told.count() == 501
    assert Notification.objects.filter(event_key=f"post:{post_50.public_id}", user_id__in=small_watchers).count() == 50


def test_opening_a_notification_never_redirects_to_another_site(client_for, member):
    from django.contrib.contenttypes.models import ContentType

    from forum.models import Category, Notification

    category = Category.objects.create(slug="x", name="X")
    note = Notification.objects.create(
        user=member, kind="post", scope_type=ContentType.objects.get_for_model(Category),
        scope_id=category.pk, args={"t": "text", "text": "t"}, url="//evil.example/", event_key="k",
    )
    do_grant_permission(actor=None, via="tests", perm="view_category", obj=category, to=member)
    response = client_for(member).post(f"/notifications/{note.public_id}/read/", {"open": "1"})
    assert response["Location"] == "/notifications/"
    response = client_for(member).get(f"/notifications/{note.public_id}/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
