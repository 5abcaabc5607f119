"""Reads of the evidence locker, through the one rule of checks.py."""

from django.db.models import Model
from django.db.models.expressions import RawSQL

from attachments.evidence.checks import check_handle_evidence
from attachments.evidence.custody import in_place
from attachments.evidence.models import Original
from forum import permissions
from forum.errors import NotFound
from forum.models import Action, Category, ModerationEvent


def kind_of(place: Model) -> str:
    return "category" if isinstance(place, Category) else "room"


def get_evidence_place(user, kind: str, slug: str) -> Model:
    """The category or room (`kind`) whose originals the user may read; else NotFound, the
    same answer as for a place that does not exist."""
    model = permissions.GRANTABLE.get(kind)
    place = model.objects.filter(slug=slug).first() if model is not None else None
    if place is None:
        raise NotFound
    check_handle_evidence(user, place)
    return place


def originals_of(place: Model):
    return Original.objects.filter(in_place(place)).select_related("uploader__profile").order_by("uploaded_at", "id")


def get_original(place: Model, public_id: str) -> Original:
    original = Original.objects.filter(in_place(place), public_id=public_id).first()
    if original is None:
        raise NotFound
    return original


def places_handled_by(user) -> list[tuple[str, Model]]:
    """Every place where the member holds `handle_evidence`, as (kind, place)."""
    places = []
    for kind, model in permissions.GRANTABLE.items():
        sql, params = permissions.evidence_ids_sql(user, model)
        places += [(kind, place) for place in model.objects.filter(pk__in=RawSQL(sql, params)).order_by("name")]
    return places


def evidence_grants_of(place: Model):
    """The moderation record's grants and revokes of `handle_evidence` on the place."""
    from django.contrib.contenttypes.models import ContentType

    return ModerationEvent.objects.filter(
        scope_type=ContentType.objects.get_for_model(type(place)), scope_id=place.pk,
        action__in=[Action.GRANT, Action.REVOKE], details__perm=permissions.EVIDENCE,
    ).select_related("actor__profile").order_by("-created_at", "-id")
