"""Mentions: `@display name` links to the member's page and tells them, if they may view the text.

forum/mentions.py finds them and resolves them against existing members,
forum/sanitiser.py links them, forum/services/notifications.py tells the mentioned.
"""

import re

import pytest
from django.contrib.auth import get_user_model

from forum.mentions import render_with_mentions
from forum.models import Notification, Profile
from forum.models.people import Location
from forum.services import moderation
from forum.services.accounts import set_account_active
from forum.services.content import reply, start_thread

User = get_user_model()
LINK = re.compile(r"<a\b[^>]*>.*?</a>", re.S)


def plain(text: str) -> str:
    """A notification's text without the isolates that keep names from reordering it."""
    return text.replace("\u2068", "").replace("\u2069", "")


def links(html: str) -> list[str]:
    return LINK.findall(html)


def member_links(html: str) -> list[tuple[str, str]]:
    """(public id, link text) of each link to a member's page."""
    return re.findall(r'<a href="/m/([\w-]+)/" rel="nofollow noopener noreferrer ugc">(.*?)</a>', html)


def told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def mention(committed, thread, author, body):
    with committed():
        return reply(author=author, thread=thread, body=body)


# Finding and linking ---------------------------------------------------------------------

def test_a_mention_links_to_the_members_page_and_tells_them(committed, thread, other_member, rami):
    post = mention(committed, thread, rami, "@Sami can you check the dates?")
    assert member_links(post.body_html) == [(other_member.profile.public_id, "@Sami")]
    [note] = Notification.objects.filter(user=other_member)
    assert note.kind == "mention"
    assert plain(note.text) == "Rami mentioned you in “Joint statement on detentions”"
    assert note.url == post.get_absolute_url()


@pytest.mark.parametrize("written", ["@sami", "@SAMI", "@sAmI", "@Ｓａｍｉ"])
def test_latin_names_match_whatever_their_case_or_width(committed, thread, other_member, rami, written):
    post = mention(committed, thread, rami, f"Thanks {written}.")
    assert member_links(post.body_html) == [(other_member.profile.public_id, written)]
    assert told(other_member) == ["mention"]


@pytest.mark.parametrize("after", ["", ",", ".", "!", "?", "،", "؟", ")"])
def test_punctuation_after_a_name_is_not_part_of_it(committed, thread, other_member, rami, after):
    post = mention(committed, thread, rami, f"(see @Sami{after} please")
    assert member_links(post.body_html) == [(other_member.profile.public_id, "@Sami")]


def test_an_arabic_name_with_a_space_is_mentioned(committed, thread, make_person, rami):
    noor_alhuda = make_person("noor-alhuda", display_name="نور الهدى")
    post = mention(committed, thread, rami, "شكراً @نور الهدى، على التوثيق.")
    assert member_links(post.body_html) == [(noor_alhuda.profile.public_id, "@نور الهدى")]
    assert told(noor_alhuda) == ["mention"]


def test_the_longest_existing_name_wins(committed, thread, make_person, rami, writer):
    from_aden = make_person("layla-aden", display_name="Layla from Aden")
    post = mention(committed, thread, rami, "@layla from aden and @Layla, both please.")
    assert member_links(post.body_html) == [
        (from_aden.profile.public_id, "@layla from aden"), (writer.profile.public_id, "@Layla"),
    ]
    assert told(from_aden) == ["mention"]
    assert told(writer) == ["mention"]  # mentioned herself too, and the thread is hers


def test_a_shorter_name_is_mentioned_when_the_longer_one_does_not_exist(committed, thread, writer, rami):
    post = mention(committed, thread, rami, "@Layla from Taiz wrote this")
    assert member_links(post.body_html) == [(writer.profile.public_id, "@Layla")]
    assert "from Taiz wrote this" in post.body_html


@pytest.mark.parametrize("body", ["@Nobody here", "mail sami@Sami.example", "@@Sami", "@ Sami"])
def test_what_is_not_a_known_mention_stays_plain_text(committed, thread, other_member, rami, body):
    post = mention(committed, thread, rami, body)
    assert member_links(post.body_html) == []
    assert told(other_member) == []


@pytest.mark.parametrize("body", [
    "`@Sami`", "Use `say @Sami` to mention.", "```\n@Sami\n```", "    @Sami indented code",
    "[@Sami](https://example.org/)",
])
def test_a_mention_inside_code_or_a_link_is_not_linked(thread, rami, other_member, body):
    html, _mentioned = render_with_mentions(body)
    assert "/m/" not in html
    assert "@Sami" in html


def test_a_mention_inside_code_tells_nobody(committed, thread, rami, other_member):
    post = mention(committed, thread, rami, "Use `say @Sami now` to mention someone.")
    assert member_links(post.body_html) == []
    assert told(other_member) == []


def test_a_disabled_members_name_still_links_but_tells_nobody(
    committed, thread, other_member, rami, coalition_admin,
):
    set_account_active(user=other_member, active=False, by=coalition_admin)
    post = mention(committed, thread, rami, "@Sami?")
    assert member_links(post.body_html) == [(other_member.profile.public_id, "@Sami")]
    assert told(other_member) == []


# A mention leaks no grant ----------------------------------------------------------------

def test_a_mention_of_someone_who_cannot_view_tells_nobody_and_looks_like_any_other(
    committed, secret_category, other_member,
):
    keeper, insider = secret_category.keeper, secret_category.insider
    with committed():
        post = reply(author=insider, thread=secret_category.thread, body="@Sami and @Warda, look.")
    assert told(other_member) == []
    assert told(keeper) == ["mention"]
    assert not Notification.objects.exclude(user=keeper).exists()

    link = '<a href="/m/{}/" rel="nofollow noopener noreferrer ugc">@{}</a>'
    assert links(post.body_html) == [
        link.format(other_member.profile.public_id, "Sami"), link.format(keeper.profile.public_id, "Warda"),
    ]
    # Same id format and length: nothing distinguishes the link of someone without the grant.
    assert len(other_member.profile.public_id) == len(keeper.profile.public_id)


def test_a_mention_renders_the_same_wherever_it_is_written(committed, thread, secret_category, other_member):
    with committed():
        public = reply(author=secret_category.insider, thread=thread, body="@Sami, see this.")
        secret = reply(author=secret_category.insider, thread=secret_category.thread, body="@Sami, see this.")
    assert public.body_html == secret.body_html
    assert told(other_member) == ["mention"]  # only the one Sami may view


def test_a_mention_in_a_pending_post_tells_nobody_until_it_is_approved(
    committed, premoderated, writer, other_member, moderator,
):
    with committed():
        thread = start_thread(author=writer, category=premoderated, title="Testimony", body="@Sami was there.")
    assert told(other_member) == []
    with committed():
        moderation.approve_post(post=thread.posts.get(), by=moderator)
    assert told(other_member) == ["mention"]


def test_a_mention_in_a_hidden_thread_tells_nobody(committed, thread, other_member, moderator):
    moderation.hide_post(post=thread.posts.get(is_opening=True), by=moderator, reason="Checking")
    mention(committed, thread, moderator, "@Sami please wait.")
    assert told(other_member) == []


# A mention storm ---------------------------------------------------------------------------

def make_names(count: int, members_group) -> list[User]:
    users = User.objects.bulk_create([User(username=f"storm{n}", password="!") for n in range(1, count + 1)])
    if users[0].pk is None:
        users = list(User.objects.filter(username__startswith="storm").order_by("pk"))
    Profile.objects.bulk_create([
        Profile(user=user, display_name=f"Storm {n}", display_name_key=f"storm {n}", location=Location.DIASPORA)
        for n, user in enumerate(users, start=1)
    ])
    Membership = User.groups.through
    Membership.objects.bulk_create([Membership(user_id=user.pk, group_id=members_group.pk) for user in users])
    return users


def test_a_storm_of_300_names_links_and_tells_at_most_20(committed, thread, rami, members_group):
    storm = make_names(300, members_group)
    body = " ".join(f"@Storm {n}" for n in range(1, 301))
    post = mention(committed, thread, rami, body)

    linked = member_links(post.body_html)
    assert len(linked) == 20
    assert [text for _id, text in linked] == [f"@Storm {n}" for n in range(1, 21)]
    assert len(links(post.body_html)) == 20
    # The rest are plain text.
    assert "@Storm 21 @Storm 22" in post.body_html and post.body_html.rstrip().endswith("@Storm 300</p>")

    mentioned = Notification.objects.filter(kind="mention")
    assert mentioned.count() == 20
    assert set(mentioned.values_list("user_id", flat=True)) == {user.pk for user in storm[:20]}


def test_a_storm_over_several_paragraphs_still_tells_at_most_20(committed, thread, rami, members_group):
    make_names(60, members_group)
    body = "\n\n".join(" ".join(f"@Storm {n}" for n in range(start, start + 10)) for start in range(1, 61, 10))
    post = mention(committed, thread, rami, body)
    assert len(member_links(post.body_html)) == 20
    assert Notification.objects.filter(kind="mention").count() == 20


# A member's page ---------------------------------------------------------------------------

def test_a_members_page_shows_their_display_name_and_nothing_else(client_for, make_person, make_organisation, rami):
    from forum.services.accounts import set_digest

    organisation = make_organisation("taiz-women")
    person = make_person("hidden_handle", display_name="Mariam", organisation=organisation,
                         location=Location.DIASPORA)
    set_digest(person.profile, "weekly", email="mariam@example.org")
    response = client_for(rami).get(f"/m/{person.profile.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mariam" in html
    for secret in ("hidden_handle", organisation.name_en, organisation.name_ar, "taiz-women", "Taiz",
                   "mariam@example.org", "In the diaspora", "diaspora", "weekly"):
        assert secret not in html, secret


def test_a_disabled_members_page_is_404(client_for, other_member, rami, coalition_admin):
    set_account_active(user=other_member, active=False, by=coalition_admin)
    assert client_for(rami).get(f"/m/{other_member.profile.public_id}/").status_code == 404
    assert client_for(rami).get("/m/nosuchmember/").status_code == 404


def test_a_members_page_needs_a_login(client, other_member):
    response = client.get(f"/m/{other_member.profile.public_id}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
