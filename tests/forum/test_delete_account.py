"""Delete my account (issue 13, item 4), both choices: nothing of the member remains where it
should not (every table is read), threads and rooms keep their shape, the moderation record
stays, sockets close, and the username is held for 90 days."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from channels.db import database_sync_to_async
from django.apps import apps
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone
from django_otp import devices_for_user

from forum.models import (
    Invitation, ModerationEvent, Post, PostReport, Profile, RetiredUsername, StandingChange, Thread,
)
from forum.models.people import Location
from forum.services.accounts import do_create_invitation, join_with_invitation
from forum.services.content import edit_post, reply, start_thread
from forum.services.factors import new_recovery_codes
from forum.services.grants import do_grant_permission
from forum.services.leaving import delete_account
from forum.services.moderation import hide_post
from forum.services.recovery import make_reset_link
from forum.services.reports import report
from realtime.models import MessageReport, OpenSocket, Room, RoomBan, RoomMessage
from realtime.services import ban_member, post_message
from tests.logins import log_in
from tests.realtime.conftest import (  # noqa: F401  (fixtures)
    connect, fast_socket_settings, isolate_socket_tests, make_room,
)

User = get_user_model()

USERNAME, NAME = "leila_q", "Leila Q"
MY_CANARY = "CANARY-LEILA-WORDS-5e1d"
MY_OLD_CANARY = "CANARY-LEILA-BEFORE-EDIT-0a9c"
SAMI_WORDS = "Sami's answer, which stays as it is"


@pytest.fixture
def leaver(coalition_admin, members_group, password, fast_passwords):
    """Leila joins by Hadi's invitation, as members do."""
    _invitation, token = do_create_invitation(created_by=coalition_admin)
    return join_with_invitation(token=token, username=USERNAME, display_name=NAME,
                                location=Location.IN_COUNTRY, password=password, language="en")


@pytest.fixture
def world(leaver, other_member, moderator, coalition_admin, category, make_room, password,  # noqa: F811
          django_capture_on_commit_callbacks):
    """Everything a member leaves behind, one row of each kind at least."""
    room = make_room("aden", name="Aden")
    do_grant_permission(actor=None, via="tests", perm="moderate_room", obj=room, to=leaver)
    with django_capture_on_commit_callbacks(execute=True):  # notifications are fanned out on commit
        thread = start_thread(author=leaver, category=category, title=f"Thread {MY_CANARY}", body=MY_OLD_CANARY)
        sami_reply = reply(author=other_member, thread=thread, body=SAMI_WORDS)
        mine = reply(author=leaver, thread=thread, body=f"@Sami {MY_OLD_CANARY}", reply_to=sami_reply)
        post_message(author=leaver, room=room, body=f"room {MY_CANARY}", client_id="l1")
        sami_message, _new = post_message(author=other_member, room=room, body="Sami in the room", client_id="s1")
        post_message(author=leaver, room=room, body=f"again {MY_CANARY}", client_id="l2")
    edit_post(post=mine, by=leaver, body=f"Edited: {MY_CANARY}")  # the old text is kept as a revision
    hide_post(by=moderator, post=Post.objects.get(pk=mine.pk), reason="off topic for this thread")
    ban_member(by=leaver, room=room, member=other_member, reason="spam in the room")
    report(by=leaver, target=sami_reply, reason="please look at this")
    sami_message.room = room
    report(by=leaver, target=sami_message, reason="and at this message")
    unused, _token = do_create_invitation(created_by=leaver)
    _used, token = do_create_invitation(created_by=leaver)
    invitee = join_with_invitation(token=token, username="newbie", display_name="Newbie",
                                   location=Location.DIASPORA, password=password)
    new_recovery_codes(leaver)
    OpenSocket.objects.create(channel_name="specific.leila!1", room=room, user=leaver)
    make_reset_link(by=coalition_admin, user=leaver)
    phone, laptop = log_in(leaver), log_in(leaver)  # two sessions, each with a TOTP device used
    log_in(other_member)
    Client().post("/accounts/login/", {"username": USERNAME, "password": "a wrong guess"})  # axes keeps the name
    assert AccessAttempt.objects.filter(username=USERNAME).exists()
    return {
        "room": room, "thread": thread, "invitee": invitee, "unused": unused, "phone": phone, "laptop": laptop,
        "pk": leaver.pk, "profile_pk": leaver.profile.pk, "public_id": leaver.profile.public_id,
    }


def _shape(world) -> dict:
    room = Room.objects.get(pk=world["room"].pk)
    return {
        "posts": Post.objects.filter(thread=world["thread"]).count(),
        "replies": Thread.objects.get(pk=world["thread"].pk).reply_count,
        "seq": room.seq,
        "messages": list(RoomMessage.objects.filter(room=room).order_by("seq").values_list("seq", flat=True)),
    }


def _text_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))]


def _everything() -> list[tuple[str, str, object]]:
    """(table, column, value) of every text value in every table."""
    values = []
    for model in apps.get_models(include_auto_created=True):
        fields = _text_fields(model)
        for row in model._default_manager.values_list(*fields) if fields else ():
            values += [(model._meta.db_table, name, value) for name, value in zip(fields, row)]
    return values


def _pointing_at(pk: int, profile_pk: int) -> list[str]:
    """Every row of every table that still points at the member: by a foreign key, or
    generically (a content type and an id), or a session that is theirs."""
    found = []
    targets = {
        ContentType.objects.get_for_model(User).pk: str(pk),
        ContentType.objects.get_for_model(Profile).pk: str(profile_pk),
    }
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (User, Profile):
                wanted = pk if field.related_model is User else profile_pk
                if model._default_manager.filter(**{field.attname: wanted}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
        content_types = [f for f in model._meta.concrete_fields
                         if f.is_relation and f.related_model is ContentType]
        for ct_field in content_types:
            prefix = ct_field.name.removesuffix("_type").removesuffix("content")
            for id_name in (f"{prefix}_id", "object_id", "target_id", "scope_id"):
                if id_name in {f.name for f in model._meta.concrete_fields} and id_name != ct_field.attname:
                    for ct, value in targets.items():
                        if model._default_manager.filter(**{ct_field.attname: ct, id_name: value}).exists():
                            found.append(f"{model._meta.label}.{id_name}")
    for session in Session.objects.all():
        if session.get_decoded().get(SESSION_KEY) == str(pk):
            found.append(f"session {session.session_key}")
    return found


def _leave(world, content: str, password: str):
    return world["phone"].post("/accounts/delete/", {"password": password, "content": content})


@pytest.mark.parametrize("content", ["keep", "erase"])
def test_nothing_of_the_member_remains_where_it_should_not(world, content, password, other_member, coalition_admin):
    shape, events = _shape(world), set(ModerationEvent.objects.values_list("pk", "reason"))
    assert list(devices_for_user(User.objects.get(pk=world["pk"]), confirmed=None))

    response = _leave(world, content, password)

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not User.objects.filter(pk=world["pk"]).exists()
    # Every table: no foreign key, generic pointer or session leads to the member.
    # (The standing log's rows carry the pk for a moment, as every account change's do:
    # they are only the order to re-check sockets, and `purge_expired` drops them within the hour.)
    assert _pointing_at(world["pk"], world["profile_pk"]) == []
    everything = [(t, c, v) for t, c, v in _everything() if t != StandingChange._meta.db_table]
    for needle in (USERNAME, NAME, world["public_id"]):
        assert [(t, c) for t, c, v in everything if needle.lower() in str(v).lower()] == []
    where_my_words_are = {(t, c) for t, c, v in everything if MY_CANARY in str(v) or MY_OLD_CANARY in str(v)}
    if content == "keep":  # under "former member": in the posts, their earlier versions and the messages
        assert where_my_words_are == {
            ("forum_thread", "title"), ("forum_post", "body_source"), ("forum_post", "body_html"),
            ("forum_postrevision", "body_source"), ("forum_postrevision", "body_html"),
            ("realtime_roommessage", "body_source"), ("realtime_roommessage", "body_html"),
            ("forum_notification", "args"),  # the kept title, in others' notifications of the thread
        }
        assert Post.objects.filter(author__isnull=True, body_source__contains=MY_CANARY).exists()
    else:
        assert where_my_words_are == set()
        assert set(RoomMessage.objects.filter(author__isnull=True).values_list("deleted", "body_html")) == {(True, "")}
        assert Post.objects.filter(author__isnull=True).count() == 2
    # Conversations keep their shape; other members' words are untouched.
    assert _shape(world) == shape
    assert Post.objects.filter(author=other_member, body_source=SAMI_WORDS).exists()
    assert RoomMessage.objects.filter(author=other_member, body_source="Sami in the room", deleted=False).exists()
    # The moderation record stays, whole, without the link to the member.
    assert events <= set(ModerationEvent.objects.values_list("pk", "reason"))
    assert ModerationEvent.objects.filter(reason="off topic for this thread", subject__isnull=True).exists()
    assert ModerationEvent.objects.filter(reason="spam in the room", actor__isnull=True).exists()
    assert RoomBan.objects.filter(user=other_member, by__isnull=True).exists()
    # Reports stay for the moderators, without a reporter.
    assert PostReport.objects.filter(reason="please look at this", reporter__isnull=True).exists()
    assert MessageReport.objects.filter(reason="and at this message", reporter__isnull=True).exists()
    # Invitations: the unused one is gone; the vouching record keeps "a former member" both ways.
    assert not Invitation.objects.filter(pk=world["unused"].pk).exists()
    assert Invitation.objects.filter(used_by=world["invitee"], created_by__isnull=True).exists()
    assert Invitation.objects.filter(created_by=coalition_admin, used_at__isnull=False, used_by__isnull=True).exists()
    assert Profile.objects.get(user=world["invitee"]).invited_by is None
    # Others' notifications no longer name the member.
    assert any("former member" in note.text_in("en") for note in other_member.notifications.all())


def test_a_former_members_words_show_as_former_member_everywhere(world, password, category, client_for, other_member,
                                                                  moderator):
    _leave(world, "keep", password)

    sami = client_for(other_member)
    page = sami.get(world["thread"].get_absolute_url()).content.decode()
    assert "former member" in page and MY_CANARY in page
    assert "former member" in sami.get(category.get_absolute_url()).content.decode()
    room_page = client_for(moderator).get("/rooms/aden/").content.decode()  # Sami is banned there
    assert "former member" in room_page
    # (In Arabic, "عضو سابق": locale/ar/LC_MESSAGES/pending/leaving.po, until it is merged.)


def test_the_username_is_refused_for_90_days_then_free(world, password, coalition_admin):
    _leave(world, "erase", password)
    _invitation, token = do_create_invitation(created_by=coalition_admin)

    with pytest.raises(ValidationError) as refused:
        join_with_invitation(token=token, username=USERNAME.upper(), display_name="Someone Else",
                             location=Location.DIASPORA, password=password)
    assert refused.value.code == "username_retired"
    assert not User.objects.filter(username__iexact=USERNAME).exists()

    RetiredUsername.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("purge_expired", stdout=open("/dev/null", "w"))
    assert not RetiredUsername.objects.exists()
    join_with_invitation(token=token, username=USERNAME, display_name="Someone Else",
                         location=Location.DIASPORA, password=password)


def test_the_hold_is_90_days(world, password):
    before = timezone.now()
    _leave(world, "keep", password)
    hold = RetiredUsername.objects.get()
    assert timedelta(days=89, hours=23) < hold.expires_at - before <= timedelta(days=90, minutes=1)
    assert USERNAME not in hold.name_hash


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


@pytest.mark.parametrize("content", ["keep", "erase"])
def test_a_wrong_password_changes_nothing(world, content):
    before = _counts()
    response = _leave(world, content, "not my password")
    assert response.status_code == 400
    assert "password" in response.content.decode().lower()
    assert _counts() == before
    assert User.objects.filter(pk=world["pk"]).exists()


def test_an_unknown_choice_changes_nothing(world, password):
    before = _counts()
    assert _leave(world, "shred", password).status_code == 400
    assert _counts() == before


def test_the_page_says_plainly_what_happens(leaver, client_for):
    page = client_for(leaver).get("/accounts/delete/").content.decode()
    for words in ("90 days", "former member", "removed", "second factors", "cannot be undone"):
        assert words in page


def test_the_service_refuses_a_wrong_password_too(leaver):
    with pytest.raises(ValidationError):
        delete_account(user=leaver, password="wrong", content="keep")
    assert User.objects.filter(pk=leaver.pk).exists()


# Sockets ------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("content", ["keep", "erase"])
async def test_every_socket_of_the_member_closes_and_the_room_hears_a_former_member(
    content, make_room, make_member, connect, password,  # noqa: F811
):
    room = await database_sync_to_async(make_room)("aden", name="Aden")
    leaver = await database_sync_to_async(make_member)(USERNAME, display_name=NAME)
    other = await database_sync_to_async(make_member)("sami", display_name="Sami")
    phone = await database_sync_to_async(log_in)(leaver)
    laptop = await database_sync_to_async(log_in)(leaver)
    on_phone, on_laptop = await connect(leaver, client=phone), await connect(leaver, client=laptop)
    watcher = await connect(other)
    await on_phone.send({"type": "send", "body": f"room {MY_CANARY}", "client_id": "l1"})
    for socket in (on_phone, on_laptop, watcher):
        await socket.expect("message")

    response = await database_sync_to_async(phone.post)("/accounts/delete/", {"password": password, "content": content})
    assert response.status_code == 302

    for socket in (on_phone, on_laptop):  # the tombstones may reach them just before the close
        frame = await socket.expect("<closed>", "message.deleted")
        if frame["type"] == "message.deleted":
            frame = await socket.expect("<closed>")
        assert frame["code"] == 4401
    if content == "erase":
        frame = await watcher.expect("message.deleted")
        assert frame["message"]["deleted"] is True and frame["message"]["body_html"] == ""
        assert frame["message"]["author"] == {"id": None, "name": "former member"}
    await watcher.send({"type": "history", "before": 100, "limit": 10})
    history = await watcher.expect("history")
    assert [m["author"] for m in history["messages"]] == [{"id": None, "name": "former member"}]
    assert (MY_CANARY in history["messages"][0]["body_html"]) is (content == "keep")
    again = await connect(None, client=laptop, expect_open=False)
    await again.expect_closed(4401)
