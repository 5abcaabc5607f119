"""Shared fixtures: real database, real people made through the real services."""

import itertools

import pytest
from django.test import Client

from forum.demo import DEMO_PASSWORD
from forum.models.people import Location, Region
from forum.services.accounts import create_member, create_organisation
from tests.logins import log_in

_counter = itertools.count(1)


@pytest.fixture
def password():
    return DEMO_PASSWORD


@pytest.fixture
def make_organisation(db):
    def make(slug=None, region=Region.ADEN):
        n = next(_counter)
        return create_organisation(
            slug=slug or f"org-{n}", name_ar=f"منظمة {n}", name_en=f"Organisation {n}", region=region
        )

    return make


@pytest.fixture
def make_member(db, password):
    def make(username=None, *, display_name=None, location=Location.IN_COUNTRY,
             organisation=None, language="en", is_superuser=False):
        n = next(_counter)
        return create_member(
            username=username or f"user{n}", password=password,
            display_name=display_name or f"Member {n}", location=location,
            organisation=organisation, language=language, is_superuser=is_superuser,
        )

    return make


@pytest.fixture
def member(make_member):
    return make_member("member1", display_name="Layla")


@pytest.fixture
def admin_user(make_member):
    return make_member("boss", display_name="Hadi", location=Location.DIASPORA, is_superuser=True)


@pytest.fixture
def client_for():
    def make(user, *, second_factor: bool = True):
        return log_in(user, second_factor=second_factor)

    return make
