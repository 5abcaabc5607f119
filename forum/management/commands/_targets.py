"""Parsing of the command line's `KIND:SLUG` and `group:NAME|user:USERNAME` arguments."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError

from forum import permissions


def parse_object(spec: str):
    kind, _, slug = spec.partition(":")
    model = permissions.GRANTABLE.get(kind)
    if model is None or not slug:
        kinds = ", ".join(sorted(permissions.GRANTABLE))
        raise CommandError(f"Expected KIND:SLUG with KIND one of {kinds}, got {spec!r}.")
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        raise CommandError(f"No {kind} with slug {slug!r}.")
    return obj


def parse_holder(spec: str):
    kind, _, name = spec.partition(":")
    if kind == "group":
        group = Group.objects.filter(name=name).first()
        if group is None:
            raise CommandError(f"No group named {name!r}.")
        return group
    if kind == "user":
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"No user named {name!r}.")
        return user
    raise CommandError(f"Expected group:NAME or user:USERNAME, got {spec!r}.")
