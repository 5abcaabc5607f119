"""Following threads and categories: the follow buttons, writers' automatic watching and /following/."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from forum.models import Category, Follow, FollowLevel, Thread
from forum.selectors.content import visible_categories
from forum.selectors.notifications import follows_of
from forum.services import moderation
from forum.services.accounts import set_watch_what_i_write
from forum.services.content import reply, start_thread
from forum.services.following import set_follow_level
from forum.services.grants import do_revoke_permission

LEVELS = ["watching", "normal", "muted"]


def level_of(user, target):
    return (
        Follow.objects.filter(user=user, target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
        .values_list("level", flat=True).first()
    )


def follow_url(target):
    if isinstance(target, Thread):
        return f"/t/{target.public_id}/follow/"
    return f"/c/{target.slug}/follow/"


def pressed_level(html: str) -> list[str]:
    """The level buttons shown pressed, in page order."""
    return re.findall(r'name="level" value="(\w+)" aria-pressed="true"', html)


def following_rows(html: str) -> list[str]:
    return re.findall(r'<li class="follow-row">(.*?)</li>', html, flags=re.S)


# Setting a level -------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_a_member_follows_a_thread_at_each_level(client_for, other_member, thread, level):
    response = client_for(other_member).post(follow_url(thread), {"level": level})
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert level_of(other_member, thread) == level


@pytest.mark.parametrize("level", LEVELS)
def test_a_member_follows_a_category_at_each_level(client_for, other_member, category, level):
    response = client_for(other_member).post(follow_url(category), {"level": level})
    assert response.status_code == 302
    assert response["Location"] == category.get_absolute_url()
    assert level_of(other_member, category) == level


def test_changing_the_level_keeps_one_follow_per_target(client_for, other_member, thread):
    client = client_for(other_member)
    for level in ["watching", "muted", "normal"]:
        client.post(follow_url(thread), {"level": level})
    assert Follow.objects.filter(user=other_member).count() == 1
    assert level_of(other_member, thread) == "normal"


@pytest.mark.parametrize("target_name", ["thread", "category"])
@pytest.mark.parametrize("level", ["", "WATCHING", "loud", "watching ", "none", "x" * 500])
def test_an_unknown_level_is_refused_with_400_and_nothing_stored(
    request, client_for, other_member, target_name, level,
):
    target = request.getfixturevalue(target_name)
    response = client_for(other_member).post(follow_url(target), {"level": level})
    assert response.status_code == 400
    assert not Follow.objects.filter(user=other_member).exists()


def test_a_missing_level_is_refused_with_400(client_for, other_member, thread):
    assert client_for(other_member).post(follow_url(thread), {}).status_code == 400
    assert not Follow.objects.filter(user=other_member).exists()


def test_a_bad_level_leaves_an_existing_follow_as_it_was(client_for, other_member, thread):
    client = client_for(other_member)
    client.post(follow_url(thread), {"level": "muted"})
    assert client.post(follow_url(thread), {"level": "loud"}).status_code == 400
    assert level_of(other_member, thread) == "muted"


def test_following_needs_a_post_request(client_for, other_member, thread):
    assert client_for(other_member).get(follow_url(thread) + "?level=watching").status_code == 405
    assert not Follow.objects.filter(user=other_member).exists()


def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_is_stored(client, thread):
    before = list(Follow.objects.values_list("pk", "level"))
    response = client.post(follow_url(thread), {"level": "watching"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert list(Follow.objects.values_list("pk", "level")) == before


def test_the_follow_form_goes_back_to_a_local_page_only(client_for, other_member, thread):
    client = client_for(other_member)
    local = client.post(follow_url(thread), {"level": "watching", "next": "/following/"})
    assert local["Location"] == "/following/"
    foreign = client.post(follow_url(thread), {"level": "watching", "next": "https://evil.example/"})
    assert foreign["Location"] == thread.get_absolute_url()


# What you cannot view does not exist -----------------------------------------------------

@pytest.mark.parametrize("level", LEVELS + ["loud"])
def test_following_a_thread_you_cannot_view_is_404_and_stores_nothing(
    client_for, other_member, secret_category, level,
):
    response = client_for(other_member).post(follow_url(secret_category.thread), {"level": level})
    assert response.status_code == 404
    assert not Follow.objects.filter(user=other_member).exists()


@pytest.mark.parametrize("level", LEVELS + ["loud"])
def test_following_a_category_you_cannot_view_is_404_and_stores_nothing(
    client_for, other_member, secret_category, level,
):
    response = client_for(other_member).post(follow_url(secret_category), {"level": level})
    assert response.status_code == 404
    assert not Follow.objects.filter(user=other_member).exists()


def test_a_forbidden_thread_and_a_missing_one_answer_alike(client_for, other_member, secret_category):
    client = client_for(other_member)
    forbidden = client.post(follow_url(secret_category.thread), {"level": "watching"})
    missing = client.post("/t/doesnotexist/follow/", {"level": "watching"})
    assert forbidden.status_code == missing.status_code == 404

    def page(response, path):
        html = response.content.decode().replace(path, "PATH")
        return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "CSRF", html)

    assert page(forbidden, follow_url(secret_category.thread)) == page(missing, "/t/doesnotexist/follow/")


def test_following_a_hidden_thread_is_404_for_a_member(client_for, other_member, moderator, thread):
    moderation.hide_post(post=thread.posts.get(is_opening=True), by=moderator, reason="Names a witness")
    response = client_for(other_member).post(follow_url(thread), {"level": "watching"})
    assert response.status_code == 404
    assert not Follow.objects.filter(user=other_member).exists()


def test_following_someone_elses_pending_thread_is_404(client_for, other_member, writer, premoderated):
    pending = start_thread(author=writer, category=premoderated, title="Waiting", body="For approval.")
    response = client_for(other_member).post(follow_url(pending), {"level": "watching"})
    assert response.status_code == 404
    assert not Follow.objects.filter(user=other_member).exists()


def test_the_service_refuses_an_object_the_member_cannot_view(other_member, secret_category):
    with pytest.raises(Http404):
        set_follow_level(user=other_member, target=secret_category, level="watching")
    assert not Follow.objects.filter(user=other_member).exists()


# Writers watch what they write -----------------------------------------------------------

def test_starting_a_thread_makes_its_author_watch_it(writer, category):
    thread = start_thread(author=writer, category=category, title="Aden report", body="First notes.")
    assert level_of(writer, thread) == FollowLevel.WATCHING


def test_replying_makes_the_replier_watch_the_thread(other_member, thread):
    assert level_of(other_member, thread) is None
    reply(author=other_member, thread=thread, body="Count me in.")
    assert level_of(other_member, thread) == FollowLevel.WATCHING


def test_a_member_who_turned_watching_off_does_not_follow_what_they_write(writer, other_member, category):
    set_watch_what_i_write(writer.profile, False)
    thread = start_thread(author=writer, category=category, title="Quiet thread", body="No follow please.")
    set_watch_what_i_write(other_member.profile, False)
    reply(author=other_member, thread=thread, body="Me neither.")
    assert not Follow.objects.filter(user__in=[writer, other_member]).exists()


def test_the_setting_is_changed_on_the_profile_page(client_for, other_member, thread):
    response = client_for(other_member).post("/accounts/profile/", {
        "display_name": "Sami", "language": "en", "time_zone": "Asia/Aden", "hide_presence": "", "watch_what_i_write": "",
        "email": "", "digest": "none",
    })
    assert response.status_code == 302
    other_member.profile.refresh_from_db()
    assert other_member.profile.watch_what_i_write is False
    reply(author=other_member, thread=thread, body="No automatic follow now.")
    assert level_of(other_member, thread) is None


@pytest.mark.parametrize("level", ["muted", "normal"])
def test_replying_never_overrides_a_level_the_member_chose(other_member, thread, level):
    set_follow_level(user=other_member, target=thread, level=level)
    reply(author=other_member, thread=thread, body="Still here.")
    assert level_of(other_member, thread) == level
    assert Follow.objects.filter(user=other_member).count() == 1


# The follow control on pages -------------------------------------------------------------

def test_a_thread_page_shows_the_follow_control_with_the_members_level(client_for, other_member, thread):
    client = client_for(other_member)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert f'action="{follow_url(thread)}"' in html
    assert pressed_level(html) == ["normal"]  # no follow yet: normal
    set_follow_level(user=other_member, target=thread, level="muted")
    assert pressed_level(client.get(thread.get_absolute_url()).content.decode()) == ["muted"]


def test_a_category_page_shows_the_follow_control_with_the_members_level(client_for, other_member, category):
    set_follow_level(user=other_member, target=category, level="watching")
    html = client_for(other_member).get(category.get_absolute_url()).content.decode()
    assert f'action="{follow_url(category)}"' in html
    assert pressed_level(html) == ["watching"]


# /following/ -----------------------------------------------------------------------------

def test_the_following_page_lists_what_the_member_follows_with_its_level(
    client_for, other_member, thread, category, make_thread, writer,
):
    quiet = make_thread(category, writer, title="Muted thread about logistics")
    set_follow_level(user=other_member, target=thread, level="watching")
    set_follow_level(user=other_member, target=category, level="normal")
    set_follow_level(user=other_member, target=quiet, level="muted")
    html = client_for(other_member).get("/following/").content.decode()
    rows = following_rows(html)
    assert len(rows) == 3
    by_name = {}
    for row in rows:
        link = re.search(r'<a href="([^"]+)" dir="auto">([^<]+)</a>', row)
        by_name[link.group(2)] = (link.group(1), pressed_level(row))
    assert by_name == {
        "Joint statement on detentions": (thread.get_absolute_url(), ["watching"]),
        "Advocacy campaigns": (category.get_absolute_url(), ["normal"]),
        "Muted thread about logistics": (quiet.get_absolute_url(), ["muted"]),
    }
    assert f'action="{follow_url(thread)}"' in html and f'action="{follow_url(category)}"' in html


def test_the_following_page_of_someone_who_follows_nothing_says_so(client_for, other_member):
    response = client_for(other_member).get("/following/")
    assert response.status_code == 200
    assert following_rows(response.content.decode()) == []
    assert "You follow nothing yet." in response.content.decode()


def test_the_following_page_shows_only_the_members_own_follows(client_for, other_member, writer, thread):
    # The writer watches the thread (they started it); Sami follows nothing.
    assert level_of(writer, thread) == "watching"
    html = client_for(other_member).get("/following/").content.decode()
    assert "Joint statement on detentions" not in html


def test_the_following_page_hides_what_the_member_lost_access_to(
    client_for, secret_category, make_thread,
):
    insider = secret_category.insider
    organisation_group = insider.profile.organisation.group
    set_follow_level(user=insider, target=secret_category, level="watching")
    assert level_of(insider, secret_category.thread) == "watching"  # they started it
    client = client_for(insider)
    before = client.get("/following/").content.decode()
    assert "Safe house rotation for April" in before and "Marib Voices internal circle" in before

    do_revoke_permission(actor=None, via="tests", perm="view_category", obj=secret_category, to=organisation_group)
    do_revoke_permission(actor=None, via="tests", perm="post_in_category", obj=secret_category, to=organisation_group)

    after = client.get("/following/").content.decode()
    assert following_rows(after) == []
    assert "Safe house rotation for April" not in after
    assert "Marib Voices internal circle" not in after
    assert secret_category.thread.public_id not in after and secret_category.slug not in after
    # The rows are still stored: a grant given back brings them back.
    assert Follow.objects.filter(user=insider).count() == 2


def test_the_following_page_hides_a_thread_once_it_is_hidden(client_for, other_member, moderator, thread):
    set_follow_level(user=other_member, target=thread, level="watching")
    moderation.hide_post(post=thread.posts.get(is_opening=True), by=moderator, reason="Names a witness")
    html = client_for(other_member).get("/following/").content.decode()
    assert following_rows(html) == []
    assert "Joint statement on detentions" not in html


def test_the_following_page_runs_the_same_queries_for_2_or_12_follows(
    client_for, other_member, category, make_category, members_group, make_thread, writer,
):
    client = client_for(other_member)
    threads = [make_thread(category, writer, title=f"Thread {n}") for n in range(10)]
    extra = make_category("extra", grants=[(members_group, "view", "post")])

    set_follow_level(user=other_member, target=threads[0], level="watching")
    set_follow_level(user=other_member, target=category, level="normal")
    client.get("/following/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert len(following_rows(client.get("/following/").content.decode())) == 2

    for thread in threads[1:]:
        set_follow_level(user=other_member, target=thread, level="muted")
    set_follow_level(user=other_member, target=extra, level="watching")
    with CaptureQueriesContext(connection) as many:
        assert len(following_rows(client.get("/following/").content.decode())) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_follow_of_a_deleted_category_is_never_shown(other_member, make_category, members_group):
    doomed = make_category("doomed", grants=[(members_group, "view")])
    set_follow_level(user=other_member, target=doomed, level="watching")
    Category.objects.filter(pk=doomed.pk).delete()
    # The follow row may outlive the category (generic key), but it is never shown.
    assert follows_of(other_member, {Category: visible_categories(other_member)}) == []
