"""Rendering user text with its mentions resolved against the members who exist."""

from django.urls import reverse

from forum import mentioning
from forum.models import Profile
from forum.sanitiser import render_markdown


def resolve_mentions(text: str) -> dict[str, Profile]:
    """The first (at most 20) distinct members mentioned in the text, by name key."""
    keys = {key for _start, options in mentioning.candidates(text) for _end, key in options}
    if not keys:
        return {}
    known = {p.display_name_key: p for p in Profile.objects.filter(display_name_key__in=keys)}
    mentioned: dict[str, Profile] = {}
    for _start, _end, key in mentioning.find_mentions(text, known):
        if key not in mentioned and len(mentioned) < mentioning.MAX_MENTIONS:
            mentioned[key] = known[key]
    return mentioned


def render_with_mentions(text: str) -> tuple[str, list[Profile]]:
    """Sanitised HTML of the text, and the members it mentions (to notify if they may see it).

    Every existing name links the same way, whether or not its member can see the text:
    the link must not reveal anybody's grants.
    """
    mentioned = resolve_mentions(text)
    links = {key: reverse("member", args=[profile.public_id]) for key, profile in mentioned.items()}
    html = render_markdown(text, links)
    # Only names that became links count: "@name" inside code or a link tells nobody.
    linked = [p for key, p in mentioned.items() if f'href="{links[key]}"' in html]
    return html, linked
