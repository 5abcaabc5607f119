"""Reads of follows and notifications, filtered by what the member may still view."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from forum import permissions
from forum.errors import NotFound
from forum.models import Follow, Notification, Thread
from forum.selectors.content import get_visible_thread, visible_categories


def in_visible_places(user) -> Q:
    """Rows (with scope_type/scope_id) in a category or room the user may view now."""
    condition = Q(pk__in=[])
    for model, places in permissions.visible_places(user):
        condition |= Q(scope_type=ContentType.objects.get_for_model(model), scope_id__in=places.values("pk"))
    return condition


def notifications_for(user) -> QuerySet:
    """Newest first; `visible` is false where the member lost the grant (text withheld).

    Each row's `text` is said in the member's language (their profile, joined here)."""
    return (
        Notification.objects.filter(user=user).select_related("user__profile")
        .annotate(visible=Case(When(in_visible_places(user), then=Value(True)),
                               default=Value(False), output_field=BooleanField()))
        .order_by("-created_at", "-id")
    )


def get_openable_notification(user, public_id: str) -> Notification:
    """One of the member's own notifications whose place (and thread) they may view now;
    else NotFound, as for a missing id (another member's notification does not exist)."""
    note = Notification.objects.filter(in_visible_places(user), user=user, public_id=public_id).first()
    if note is None:
        raise NotFound
    if thread := note.args.get("thread"):
        get_visible_thread(user, thread)  # hidden, moved out of sight or gone: NotFound
    return note


def unread_count(user) -> int:
    """Unread notifications from places the member can still view."""
    return Notification.objects.filter(in_visible_places(user), user=user, read_at__isnull=True).count()


def serialise(note: Notification, *, visible: bool = True) -> dict:
    """The wire form N of DESIGN.md."""
    return {
        "id": note.public_id,
        "kind": note.kind,
        "text": note.text if visible else "",
        "url": note.url if visible else "",
        "count": note.count,
        "created": note.created_at.isoformat().replace("+00:00", "Z"),
        "read": note.read_at is not None,
    }


def follow_level(user, target) -> str | None:
    return (
        Follow.objects.filter(
            user=user, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
        ).values_list("level", flat=True).first()
    )


def visible_threads(user) -> QuerySet:
    return Thread.objects.filter(category__in=visible_categories(user), is_hidden=False)


def follows_of(user, visible: dict[type, QuerySet]) -> list[dict]:
    """What the member follows among the objects they can still view, newest first.

    `visible` maps each followable model to the queryset of its objects the member may
    view; two queries per kind, however many follows.
    """
    rows = []
    for model, queryset in visible.items():
        follows = Follow.objects.filter(
            user=user, target_type=ContentType.objects.get_for_model(model),
            target_id__in=queryset.values("pk"),
        )
        levels = {f.target_id: f for f in follows}
        for target in queryset.filter(pk__in=levels):
            rows.append({"follow": levels[target.pk], "target": target, "kind": model._meta.model_name})
    return sorted(rows, key=lambda row: row["follow"].created_at, reverse=True)
