"""A page of search results as the search page shows it, in a constant number of queries."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode

from forum.models import Post, Profile
from forum.names import display_name_skeleton, normalise_display_name
from realtime.models import RoomMessage
from search import selectors
from search.analyser import tokens
from search.index import text_of_html
from search.query import Query, parse
from search.snippets import snippet

PER_PAGE = 20


@dataclass(frozen=True)
class Result:
    kind: str  # selectors.POST or selectors.MESSAGE
    url: str
    title: str  # the thread's title, or the room's name
    place: str  # the category's or room's name
    author: object  # a user, or None for a former member
    created: datetime
    snippet: str  # HTML from forum.sanitiser.highlighted


@dataclass
class Results:
    query: Query | None
    results: list[Result] = field(default_factory=list)
    total: int = 0
    capped: bool = False  # more matched than were ranked (search/selectors.py)
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def author_id(name: str) -> int:
    """The member a display name (or a look-alike of it) belongs to; 0 when nobody's is."""
    try:
        skeleton = display_name_skeleton(normalise_display_name(name))
    except ValidationError:
        return 0
    return Profile.objects.filter(display_name_skeleton=skeleton).values_list("user_id", flat=True).first() or 0


def search_page(user, text: str, filters: selectors.Filters, page: int) -> Results:
    query = parse(text)
    if query is None:
        return Results(query=None)
    page = max(1, page)
    found = selectors.search(user, query, filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return Results(query=query, results=_results(found.hits, query.tokens), total=found.total,
                   capped=found.capped, page=page)


def _results(hits: list[selectors.Hit], wanted: set[str]) -> list[Result]:
    post_pks = [hit.pk for hit in hits if hit.kind == selectors.POST]
    message_pks = [hit.pk for hit in hits if hit.kind == selectors.MESSAGE]
    # One query per kind even when a kind has no hit ([0] is no id): a page costs the same
    # number of queries whatever it found.
    # Only the columns a result shows: whole rows of five tables cost more than the search.
    posts = Post.objects.select_related("thread__category", "author__profile").only(
        "public_id", "body_html", "is_opening", "created_at", "thread__title", "thread__category__name",
        "author__profile__display_name",
    ).in_bulk(post_pks or [0])
    messages = RoomMessage.objects.select_related("room", "author__profile").only(
        "public_id", "seq", "body_html", "created", "room__slug", "room__name", "author__profile__display_name",
    ).in_bulk(message_pks or [0])
    results = []
    for hit in hits:
        if hit.kind == selectors.POST and hit.pk in posts:
            results.append(_post_result(posts[hit.pk], wanted))
        elif hit.kind == selectors.MESSAGE and hit.pk in messages:
            results.append(_message_result(messages[hit.pk], wanted))
    return results


def _post_result(post: Post, wanted: set[str]) -> Result:
    body = text_of_html(post.body_html)
    return Result(
        kind=selectors.POST, url=reverse("post", args=[post.public_id]), title=post.thread.title,
        place=post.thread.category.name, author=post.author, created=post.created_at,
        snippet=snippet(f"{post.thread.title} — {body}" if post.is_opening and not _has_hit(body, wanted) else body,
                        wanted),
    )


def _message_result(message: RoomMessage, wanted: set[str]) -> Result:
    url = reverse("room", args=[message.room.slug]) + "?" + urlencode({"seq": message.seq}) + f"#m-{message.public_id}"
    return Result(
        kind=selectors.MESSAGE, url=url, title=message.room.name, place=message.room.name,
        author=message.author, created=message.created, snippet=snippet(text_of_html(message.body_html), wanted),
    )


def _has_hit(text: str, wanted: set[str]) -> bool:
    return bool(wanted.intersection(tokens(text)))
