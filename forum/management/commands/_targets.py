"""The command line's `KIND:SLUG` and `group:NAME|user:USERNAME` arguments (forum/targets.py),
with its refusals as CommandError."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from forum import targets


def parse_object(spec: str):
    try:
        return targets.parse_place(spec)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages))


def parse_holder(spec: str):
    try:
        return targets.parse_holder(spec)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages))
