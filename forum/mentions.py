"""`@display name` mentions: found in text, resolved against the members who exist, linked.

Display names may hold spaces ("Layla from Aden"), so after each "@" the longest run of
up to four words that is a known name wins. Names compare by `names.display_name_key`,
as display names are stored.

Finding is pure Python, because the sanitiser links mentions with `find_mentions` and must
import without Django (tests/forum/test_sanitiser.py); resolving reads the members, so the
two functions that do import Django where they run.
"""

import re
from collections.abc import Iterator

from forum.names import display_name_key

MAX_WORDS = 4
MAX_MENTIONS = 20
# At most this many "@" are looked at in one text: a storm costs bounded work.
MAX_SCANNED = 200
_WORD = re.compile(r"[^\s@]+")
_TRAILING = ".,;:!?،؛؟)»\"'"


def candidates(text: str) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """For each "@" that may start a mention: its offset and (end offset, key) options,
    longest first."""
    for count, match in enumerate(re.finditer(r"(?<![\w@])@", text)):
        if count >= MAX_SCANNED:
            return
        position, options = match.end(), []
        for _ in range(MAX_WORDS):
            word = _WORD.match(text, position)
            if word is None:
                break
            end = word.end()
            stripped_end = end
            while stripped_end > word.start() and text[stripped_end - 1] in _TRAILING:
                stripped_end -= 1
            if stripped_end > match.end():
                options.append((stripped_end, display_name_key(text[match.end():stripped_end])))
            if text[end:end + 1] != " ":
                break
            position = end + 1
        if options:
            yield match.start(), list(reversed(options))


def find_mentions(text: str, known: dict[str, object]) -> list[tuple[int, int, str]]:
    """(start, end, key) of each mention of a known name, in order, no overlaps."""
    found, last_end = [], -1
    for start, options in candidates(text):
        if start < last_end:
            continue
        for end, key in options:
            if key in known:
                found.append((start, end, key))
                last_end = end
                break
    return found


def resolve_mentions(text: str) -> dict:
    """The first (at most 20) distinct members mentioned in the text: Profile by name key."""
    from forum.models import Profile

    keys = {key for _start, options in candidates(text) for _end, key in options}
    if not keys:
        return {}
    known = {p.display_name_key: p for p in Profile.objects.filter(display_name_key__in=keys)}
    mentioned = {}
    for _start, _end, key in find_mentions(text, known):
        if key not in mentioned and len(mentioned) < MAX_MENTIONS:
            mentioned[key] = known[key]
    return mentioned


def render_with_mentions(text: str) -> tuple[str, list]:
    """Sanitised HTML of the text, and the members (Profiles) it mentions, to notify if they
    may see it.

    Every existing name links the same way, whether or not its member can see the text:
    the link must not reveal anybody's grants.
    """
    from django.urls import reverse

    from forum.sanitiser import render_markdown

    mentioned = resolve_mentions(text)
    links = {key: reverse("member", args=[profile.public_id]) for key, profile in mentioned.items()}
    html = render_markdown(text, links)
    # Only names that became links count: "@name" inside code or a link tells nobody.
    linked = [p for key, p in mentioned.items() if f'href="{links[key]}"' in html]
    return html, linked
