"""The one permission module: who may view, post in and moderate a category or a room.

Grants are guardian object permissions named `view_X`, `post_in_X` and `moderate_X` for
a model X. `moderate` implies `view` and `post`; `post` needs `view` as well, since you
cannot write where you cannot read. Coalition admins (superusers) may do everything. A
model-wide grant never counts (`accept_global_perms=False`): it would reveal every room.

`check_*` raises, `can_*` answers; `can(check, user, obj)` turns any check (forum.checks)
into the answer a template needs. What you cannot view does not exist: `get_visible`
raises Http404 both for a missing object and for a forbidden one.

Grants are read afresh for every check, except inside `grants_cached()`: a page request
opens it (forum.middleware.GrantCacheMiddleware), so each place's grants are read once
per request however many controls it checks. The cache lives in a context variable, never
on the user object: a socket keeps its user for hours and must see a revocation at once.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from forum import second_factor, sql
from forum.errors import Forbidden, SecondFactorRequired

VIEW, POST, MODERATE = "view", "post", "moderate"
VERBS = (VIEW, POST, MODERATE)
# Not a verb: reading the originals kept as evidence (attachments/evidence/) is granted on
# its own, by the same codename on a category and a room. Neither `moderate` nor being a
# coalition admin implies it: an admin grants it to themselves, in the moderation record.
EVIDENCE = "handle_evidence"

# (user id, model label, object id) → verbs, while a request (or one check) runs.
_granted: ContextVar[dict | None] = ContextVar("majlis_granted_verbs", default=None)


@contextmanager
def grants_cached() -> Iterator[None]:
    """Within: each place's grants are read once. Nested uses share the outer cache."""
    if _granted.get() is not None:
        yield
        return
    token = _granted.set({})
    try:
        yield
    finally:
        _granted.reset(token)


def forget_grants() -> None:
    """After a grant changed inside a cached block: the next check reads afresh."""
    cached = _granted.get()
    if cached is not None:
        cached.clear()


def can(check: Callable, user, obj, *args) -> bool:
    """True unless the check refuses (PermissionDenied) or hides the object (Http404)."""
    try:
        check(user, obj, *args)
    except (PermissionDenied, Http404):
        return False
    return True


def refusal(check: Callable, user, obj, *args) -> str | None:
    """None if the check lets the user act, else the reason it gives (already translated)."""
    try:
        check(user, obj, *args)
    except (PermissionDenied, Http404) as error:
        return str(getattr(error, "detail", None) or error)
    return None

# Models whose objects carry grants, by the kind named on the command line (`room:aden`).
# The forum registers categories; the realtime app registers rooms when it loads, with
# its own `visible` query when more than grants decide (a room ban overrides a grant).
GRANTABLE: dict[str, type[Model]] = {}
_VISIBLE: dict[str, Callable[[object], QuerySet]] = {}


def register_grantable(kind: str, model: type[Model], visible: Callable | None = None) -> None:
    GRANTABLE[kind] = model
    _VISIBLE[kind] = visible or (lambda user: objects_for(user, model.objects.all()))


def visible_places(user) -> list[tuple[type[Model], QuerySet]]:
    """Every kind of place (category, room) with the ones the user may view, as SQL."""
    return [(GRANTABLE[kind], visible(user)) for kind, visible in _VISIBLE.items()]


def codename(verb: str, model: type[Model]) -> str:
    name = model._meta.model_name
    return f"post_in_{name}" if verb == POST else f"{verb}_{name}"


def is_place_grant(perm: str, model: type[Model]) -> bool:
    """Is `perm` a grant on this kind of place (a verb's codename, or `handle_evidence`)?"""
    return verb_of(perm, model) is not None or (perm == EVIDENCE and model in GRANTABLE.values())


def verb_of(perm: str, model: type[Model]) -> str | None:
    """The verb a codename grants on a model (`post_in_room` → `post`), or None."""
    return next((verb for verb in VERBS if codename(verb, model) == perm), None)


def perms_for(user, obj: Model, checker: ObjectPermissionChecker | None = None) -> frozenset[str]:
    """Every verb the user may do on the object, from a fresh read of their grants (read
    once per request inside `grants_cached()`).

    A `checker` that has prefetched many objects' grants answers from its cache. Without a
    second factor used in the session, `moderate` is withheld (forum/second_factor.py):
    such a moderator sees and writes as a member does.
    """
    verbs = granted_verbs(user, obj, checker)
    if MODERATE in verbs and not second_factor.used(user):
        return verbs - {MODERATE}
    return verbs


def granted_verbs(user, obj: Model, checker: ObjectPermissionChecker | None = None) -> frozenset[str]:
    """What the user's grants allow, whether or not this session used a second factor."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(VERBS)
    cached = _granted.get() if checker is None else None
    key = (user.pk, obj._meta.label, obj.pk)
    if cached is not None and key in cached:
        return cached[key]
    verbs = _read_verbs(user, obj, checker)
    if cached is not None:
        cached[key] = verbs
    return verbs


def _read_verbs(user, obj: Model, checker: ObjectPermissionChecker | None) -> frozenset[str]:
    model = type(obj)
    grants_sql = _grants_sql(model)
    if checker is not None or grants_sql is None:
        granted = set((checker or ObjectPermissionChecker(user)).get_perms(obj))
    else:
        # Every socket frame asks this, in the one database thread: one query on the
        # direct grant tables, written once as SQL, because compiling guardian's two ORM
        # queries took ~3.5 ms where running this takes ~0.1 ms.
        content_type = ContentType.objects.get_for_model(model).pk
        rows = sql.fetch_all(grants_sql, [user.pk, obj.pk, content_type, user.pk, obj.pk, content_type])
        granted = {codename for (codename,) in rows}
    if codename(MODERATE, model) in granted:
        return frozenset(VERBS)
    verbs = set()
    if codename(VIEW, model) in granted:
        verbs.add(VIEW)
        if codename(POST, model) in granted:
            verbs.add(POST)
    return frozenset(verbs)


@cache
def _grants_sql(model: type[Model]) -> str | None:
    """The codenames granted on one object to a user, directly or through their groups.

    Only the model's direct foreign-key grant tables count (a model-wide grant never
    does); None for a model whose grants live in guardian's generic tables. Names come
    from the models' `_meta`; the SQL is plain enough for SQLite and PostgreSQL alike.
    """
    by_user, by_group = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
    if by_user.objects.is_generic() or by_group.objects.is_generic():
        return None
    membership = by_user._meta.get_field("user").related_model.groups.through
    table, column = sql.table, sql.column
    codename_, id_, type_ = (column(Permission, f) for f in ("codename", "id", "content_type"))
    return f"""
        SELECT p.{codename_} FROM {table(Permission)} p
        JOIN {table(by_user)} g ON g.{column(by_user, "permission")} = p.{id_}
        WHERE g.{column(by_user, "user")} = %s AND g.{column(by_user, "content_object")} = %s
          AND p.{type_} = %s
        UNION
        SELECT p.{codename_} FROM {table(Permission)} p
        JOIN {table(by_group)} g ON g.{column(by_group, "permission")} = p.{id_}
        JOIN {table(membership)} m ON m.{column(membership, "group")} = g.{column(by_group, "group")}
        WHERE m.{column(membership, "user")} = %s AND g.{column(by_group, "content_object")} = %s
          AND p.{type_} = %s
    """


def holds_evidence_grant(user, obj: Model) -> bool:
    """Was the member granted `handle_evidence` on this place, themselves or through a
    group? Read afresh every time, and a grant even for a coalition admin."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    content_type = ContentType.objects.get_for_model(type(obj)).pk
    rows = sql.fetch_all(_grants_sql(type(obj)), [user.pk, obj.pk, content_type, user.pk, obj.pk, content_type])
    return any(codename == EVIDENCE for (codename,) in rows)


def evidence_ids_sql(user, model: type[Model]) -> tuple[str, list]:
    """The ids of the places of a kind where the member holds `handle_evidence`, (SQL, params)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return f"SELECT {sql.column(model, model._meta.pk.name)} FROM {sql.table(model)} WHERE 1 = 0", []
    content_type = ContentType.objects.get_for_model(model).pk
    return _ids_sql(model).format(marks="%s"), [user.pk, content_type, EVIDENCE, user.pk, content_type, EVIDENCE]


def can_view(user, obj: Model) -> bool:
    return VIEW in perms_for(user, obj)


def can_post(user, obj: Model) -> bool:
    return POST in perms_for(user, obj)


def can_moderate(user, obj: Model) -> bool:
    return MODERATE in perms_for(user, obj)


def check_can_view(user, obj: Model) -> None:
    if not can_view(user, obj):
        raise Http404


def check_can_post(user, obj: Model) -> None:
    check_can_view(user, obj)
    if not can_post(user, obj):
        raise PermissionDenied


def check_can_moderate(user, obj: Model) -> None:
    check_can_view(user, obj)
    if not can_moderate(user, obj):
        raise PermissionDenied


def check_second_factor(user, obj: Model | None = None) -> None:
    """Raise SecondFactorRequired if the user would hold moderation powers (on `obj`, or
    anywhere when it is None; a coalition admin everywhere) but their session used no
    second factor. Checks call it where they are about to refuse a moderator's action, so
    the refusal says what to do instead of "only moderators can"."""
    if second_factor.used(user) or user is None or not user.is_authenticated or not user.is_active:
        return
    holds = MODERATE in granted_verbs(user, obj) if obj is not None else moderates_anything(user)
    if holds:
        raise SecondFactorRequired()


def moderates_anything(user) -> bool:
    """Does the member hold `moderate` on any place (a second factor used or not: the header's
    Moderation link leads a moderator without one to set it up)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    places = [_objects_for(user, model.objects.all(), MODERATE).values_list("pk") for model in GRANTABLE.values()]
    return bool(places) and places[0].union(*places[1:]).exists()  # one query for every kind of place


def check_coalition_admin(user, refusal: str) -> None:
    """Coalition admins' powers (superusers, with a second factor used in this session)."""
    if user is None or not (user.is_authenticated and user.is_active and user.is_superuser):
        raise Forbidden(refusal)
    check_second_factor(user)


def objects_for(user, queryset: QuerySet, verb: str = VIEW) -> QuerySet:
    """The objects of a queryset the user may view (or moderate), filtered in SQL."""
    if verb == MODERATE and not second_factor.used(user):
        return queryset.none()
    return _objects_for(user, queryset, verb)


def _objects_for(user, queryset: QuerySet, verb: str) -> QuerySet:
    model = queryset.model
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    wanted = [codename(MODERATE, model)]
    if verb == VIEW:
        wanted.append(codename(VIEW, model))
    return get_objects_for_user(
        user, wanted, klass=queryset, any_perm=True, with_superuser=True,
        accept_global_perms=False,
    )


def ids_sql(user, model: type[Model], verb: str = VIEW) -> tuple[str, list]:
    """`objects_for(user, model.objects.all(), verb)` as a subquery of ids, (SQL, params),
    for a statement written in SQL (the search's). The same rule, without building
    guardian's querysets, which costs ~10 ms of Python per kind of place and per call.

    Only a model whose grants live in its own direct tables; a coalition admin gets every
    row, a member their own grants and their groups'; nobody gets `moderate` without a
    second factor used in the session.
    """
    table, pk = sql.table(model), sql.column(model, model._meta.pk.name)
    if user is None or not user.is_authenticated or not user.is_active or (
        verb == MODERATE and not second_factor.used(user)
    ):
        return f"SELECT {pk} FROM {table} WHERE 1 = 0", []
    if user.is_superuser:
        return f"SELECT {pk} FROM {table}", []
    wanted = [codename(MODERATE, model)] + ([codename(VIEW, model)] if verb == VIEW else [])
    content_type = ContentType.objects.get_for_model(model).pk  # cached by Django after the first
    marks = ", ".join(["%s"] * len(wanted))
    return _ids_sql(model).format(marks=marks), [user.pk, content_type, *wanted, user.pk, content_type, *wanted]


@cache
def _ids_sql(model: type[Model]) -> str:
    """The ids of a model's objects on which a user holds one of some codenames ({marks})."""
    by_user, by_group = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
    membership = by_user._meta.get_field("user").related_model.groups.through
    table, column = sql.table, sql.column
    codename_, id_, type_ = (column(Permission, f) for f in ("codename", "id", "content_type"))
    return f"""
        SELECT g.{column(by_user, "content_object")} FROM {table(by_user)} g
        JOIN {table(Permission)} p ON p.{id_} = g.{column(by_user, "permission")}
        WHERE g.{column(by_user, "user")} = %s AND p.{type_} = %s AND p.{codename_} IN ({{marks}})
        UNION
        SELECT g.{column(by_group, "content_object")} FROM {table(by_group)} g
        JOIN {table(Permission)} p ON p.{id_} = g.{column(by_group, "permission")}
        JOIN {table(membership)} m ON m.{column(membership, "group")} = g.{column(by_group, "group")}
        WHERE m.{column(membership, "user")} = %s AND p.{type_} = %s AND p.{codename_} IN ({{marks}})
    """


def get_visible(user, queryset: QuerySet, **lookup) -> Model:
    """One object the user may view, or Http404 — missing and forbidden look the same."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not can_view(user, obj):
        raise Http404
    return obj


def users_who_can_view(obj: Model) -> QuerySet:
    """Every active member who may view the object (grants, groups, superusers), as SQL."""
    from guardian.shortcuts import get_users_with_perms

    model = type(obj)
    return get_users_with_perms(
        obj, with_superusers=True, with_group_users=True,
        only_with_perms_in=[codename(VIEW, model), codename(MODERATE, model)],
    ).filter(is_active=True)


def users_who_can_moderate(obj: Model) -> QuerySet:
    from guardian.shortcuts import get_users_with_perms

    return get_users_with_perms(
        obj, with_superusers=True, with_group_users=True,
        only_with_perms_in=[codename(MODERATE, type(obj))],
    ).filter(is_active=True)
