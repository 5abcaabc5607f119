"""The words for places and holders that the command line and the coalition's pages share
(DESIGN.md): `category:SLUG`, `room:SLUG` or `org:SLUG`; `group:NAME` or `user:USERNAME`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from forum import permissions
from forum.models import Organisation


def parse_place(spec: str):
    kind, _sep, slug = (spec or "").strip().partition(":")
    model = Organisation if kind == "org" else permissions.GRANTABLE.get(kind)
    if model is None or not slug:
        kinds = ", ".join(sorted([*permissions.GRANTABLE, "org"]))
        raise ValidationError({"place": ValidationError(
            _("Write KIND:SLUG, with KIND one of %(kinds)s.") % {"kinds": kinds}, code="place")})
    place = model.objects.filter(slug=slug).first()
    if place is None:
        raise ValidationError({"place": ValidationError(
            _("No %(kind)s with the slug %(slug)s.") % {"kind": kind, "slug": slug}, code="no_place")})
    return place


def parse_holder(spec: str):
    kind, _sep, name = (spec or "").strip().partition(":")
    if kind == "group":
        holder = Group.objects.filter(name=name).first()
    elif kind == "user":
        holder = get_user_model().objects.filter(username=name).first()
    else:
        raise ValidationError({"holder": ValidationError(_("Write group:NAME or user:USERNAME."), code="holder")})
    if holder is None:
        message = _("No group named %(name)s.") if kind == "group" else _("No user named %(name)s.")
        raise ValidationError({"holder": ValidationError(message % {"name": name}, code="no_holder")})
    return holder
