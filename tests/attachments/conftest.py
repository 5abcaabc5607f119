"""Attachments' fixtures: a media root of the test's own, and the forum's and rooms' people and places."""

import base64
import hashlib
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.forum.conftest import (
    category, committed, fast_passwords, make_category, make_person, make_thread, members_group, moderator,
    other_member, premoderated, seeding_pace, thread, writer,
)
from tests.realtime.conftest import make_room

# Fixtures of the forum's and the rooms' tests, used here by name.
__all__ = [
    "category", "committed", "fast_passwords", "make_category", "make_person", "make_thread", "members_group",
    "moderator", "other_member", "premoderated", "seeding_pace", "thread", "writer", "make_room",
]


@pytest.fixture(autouse=True)
def in_english():
    """Refusals are read in English here (the site's default language is Arabic)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MAJLIS_MEDIA_ROOT = tmp_path / "media"
    settings.MAJLIS_FILES_ACCEL_REDIRECT = ""
    return settings.MAJLIS_MEDIA_ROOT


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """The locker's own root, and no key unless a test sets one (`evidence_key`)."""
    settings.MAJLIS_EVIDENCE_ROOT = tmp_path / "evidence"
    settings.MAJLIS_EVIDENCE_KEY = ""
    return settings.MAJLIS_EVIDENCE_ROOT


@pytest.fixture
def evidence_key(settings):
    """A fresh key, as the README says to make one."""
    settings.MAJLIS_EVIDENCE_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return settings.MAJLIS_EVIDENCE_KEY


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    """A file as a browser sends it: its name and Content-Type are the browser's word only."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def files_on_disk(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []
