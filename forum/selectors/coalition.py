"""What the coalition's own pages show (/manage/, issue 14): every place with who may view,
post and moderate it, and, for one member or one place, who can see what and through
which grant. Read in a fixed number of queries, whatever the number of places: the
grants of every place of a kind are read in one statement per table."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Model
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from forum import permissions
from forum.errors import NotFound

User = get_user_model()


def _holders(model: type[Model]) -> dict[int, dict[str, list[str]]]:
    """{place pk: {verb: ["group:members", "user:layla", …]}} for every place of one kind."""
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    verbs = {permissions.codename(verb, model): verb for verb in permissions.VERBS}
    for table, holder in ((get_group_obj_perms_model(model), "group"), (get_user_obj_perms_model(model), "user")):
        rows = table.objects.filter(permission__codename__in=verbs).values_list(
            "content_object_id", "permission__codename",
            "group__name" if holder == "group" else "user__username")
        for place_pk, codename, name in rows:
            found[place_pk][verbs[codename]].append(f"{holder}:{name}")
    return found


def places_overview() -> list[dict]:
    """Every category and room, with its settings and its holders per verb."""
    places = []
    for kind, model in sorted(permissions.GRANTABLE.items()):
        holders = _holders(model)
        for place in model.objects.order_by("slug"):
            held = holders.get(place.pk, {})
            places.append({
                "kind": kind, "place": place, "spec": f"{kind}:{place.slug}",
                "view": sorted(held.get(permissions.VIEW, [])), "post": sorted(held.get(permissions.POST, [])),
                "moderate": sorted(held.get(permissions.MODERATE, [])),
                "nobody_sees": not (held.get(permissions.VIEW) or held.get(permissions.MODERATE)),
            })
    return places


def place_by_spec(spec: str) -> Model:
    """`category:SLUG` or `room:SLUG` (404 alike for a wrong kind and a missing place)."""
    kind, _sep, slug = (spec or "").partition(":")
    model = permissions.GRANTABLE.get(kind)
    place = model.objects.filter(slug=slug).first() if model is not None else None
    if place is None:
        raise NotFound()
    return place


def members_who_can_view(place: Model) -> tuple[list[tuple[str, int]], list]:
    """How many members can view the place through each group, and every one of them."""
    viewers = permissions.users_who_can_view(place).select_related("profile")
    per_group = (
        get_group_obj_perms_model(type(place)).objects
        .filter(content_object=place, permission__codename__in=[
            permissions.codename(permissions.VIEW, type(place)), permissions.codename(permissions.MODERATE, type(place))])
        .values_list("group__name").annotate(members=Count("group__user", distinct=True)).order_by("group__name")
    )
    return list(per_group), sorted(viewers, key=lambda user: user.username)


def member_by_username(username: str):
    member = User.objects.select_related("profile").filter(username=username).first()
    if member is None:
        raise NotFound()
    return member


def what_a_member_can(member) -> list[dict]:
    """Every place the member may view, post in or moderate, and through which grants
    (`user:…` for a grant of their own, `group:…` for one of their groups)."""
    groups = set(member.groups.values_list("name", flat=True))
    rows = []
    for place in places_overview():
        through = {}
        for verb in permissions.VERBS:
            held = place[verb] + (place[permissions.MODERATE] if verb == permissions.VIEW else [])
            holders = sorted({h for h in held if h == f"user:{member.username}"
                              or (h.startswith("group:") and h[6:] in groups)})
            if member.is_superuser:
                holders.append("coalition admin")
            through[verb] = holders
        if any(through.values()):
            rows.append({"spec": place["spec"], "place": place["place"], **through})
    return rows
