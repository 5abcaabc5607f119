"""How the words of a member who deleted their account are shown (issue 13, item 4).

Their posts, threads and room messages may stay ("keep") with the author set to null:
every page, frame and notification then names a "former member", with no id and no link,
so nothing leads back to the person. Templates write the same with
`{{ x.author.profile.display_name|default:_("former member") }}`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

FORMER_MEMBER = gettext_noop("former member")


def former_member() -> str:
    """The name shown instead of one, in the language in effect."""
    return _(FORMER_MEMBER)


def name_of(user) -> str:
    """A member's display name, or "former member" for an author who left (None)."""
    profile = getattr(user, "profile", None) if user is not None else None
    return profile.display_name if profile is not None else former_member()


def person_of(user) -> dict:
    """`{id, name}` of the wire protocol; a former member's id is null."""
    profile = getattr(user, "profile", None) if user is not None else None
    if profile is None:
        return {"id": None, "name": former_member()}
    return {"id": profile.public_id, "name": profile.display_name}
