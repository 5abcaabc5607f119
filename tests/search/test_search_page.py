"""/search/ as a member uses it, without JavaScript: results, snippets, filters, pages,
hostile queries, a constant number of queries, and the links it gives."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.services.content import reply, start_thread
from realtime.services import do_create_room
from tests.forum.conftest import grant
from tests.search.conftest import grant_room

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def place(db, members):
    from forum.services.content import do_create_category

    category = do_create_category(slug="reports", name="Reports")
    grant(category, members, "view", "post")
    return category


@pytest.fixture
def room(db, members):
    room = do_create_room(slug="lobby", name="Lobby")
    grant_room(room, members, "view", "post")
    return room


@pytest.fixture
def writer(make_member):
    return make_member("writer", display_name="Writer")


@pytest.fixture
def reader(make_member, client_for):
    user = make_member("reader", display_name="Reader")
    return client_for(user)


def _results(response) -> list[str]:
    return re.findall(r'class="search-title" href="([^"]+)"', response.content.decode())


def test_the_header_of_every_page_has_the_search_field(reader):
    page = reader.get("/", **ENGLISH).content.decode()
    assert 'action="/search/"' in page and 'name="q"' in page


def test_results_link_to_the_post_and_to_the_message(reader, writer, place, room, say):
    thread = start_thread(author=writer, category=place, title="Checkpoints", body="Roads near Marib")
    message = say(writer, room, "the checkpoint at Marib moved")
    response = reader.get("/search/", {"q": "marib"}, **ENGLISH)
    assert response.status_code == 200
    links = _results(response)
    assert f"/p/{thread.posts.get().public_id}/" in links
    assert f"/rooms/lobby/?seq={message.seq}#m-{message.public_id}" in [link.replace("&amp;", "&") for link in links]


def test_a_snippet_marks_the_words_found_and_nothing_of_the_source_s_html(reader, writer, place):
    start_thread(author=writer, category=place, title="Tags", body="<script>alert(1)</script> **المسئولين** & co")
    page = reader.get("/search/", {"q": "المسؤولين"}, **ENGLISH).content.decode()
    snippet = re.search(r'<p class="snippet" dir="auto">(.*?)</p>', page, re.S).group(1)
    assert "<mark>المسئولين</mark>" in snippet
    assert "<script" not in snippet and "<strong>" not in snippet
    assert "&lt;/script&gt;" in snippet and "&amp; co" in snippet  # shown as the text it was


def test_nothing_found_says_so(reader):
    page = reader.get("/search/", {"q": "nowhere"}, **ENGLISH).content.decode()
    assert "Nothing found." in page


@pytest.mark.parametrize("query", [
    '"' * 1024,
    "(" * 300 + "a" + ")" * 300,
    "* NEAR(a b, 3) OR AND NOT ^a body:x {a b} a:*",
    "'; DROP TABLE forum_post; --",
    "a\u200b\u200fb\u202e\u2066 ‏ق",
    "-a -b -c",
    '"unclosed phrase',
    "OR OR OR",
    "\x00\x01 \ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "a" * 5000,
    " ".join(["or", "-", '"', "*", "NEAR", "&", "|", "!", "<->", ":"] * 100),
])
def test_hostile_queries_give_results_or_nothing_never_an_error(reader, writer, place, query):
    start_thread(author=writer, category=place, title="Target", body="a b c")
    response = reader.get("/search/", {"q": query}, **ENGLISH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing found" in page or "result" in page


def test_the_query_count_is_the_same_for_one_and_for_fifty_results(reader, writer, place, room, say):
    thread = start_thread(author=writer, category=place, title="Counting", body="tally one")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get("/search/", {"q": "tally"}, **ENGLISH).status_code == 200
        return len(captured)

    one = queries()
    for n in range(30):
        reply(author=writer, thread=thread, body=f"tally {n}")
        say(writer, room, f"tally message {n}")
    assert queries() == one


def test_filters_by_place_author_kind_and_dates(reader, writer, make_member, place, room, say):
    other = make_member("other", display_name="Other")
    start_thread(author=writer, category=place, title="Water", body="water shortage")
    start_thread(author=other, category=place, title="Water again", body="water trucks")
    say(writer, room, "water in the lobby")
    search = lambda **params: _results(reader.get("/search/", {"q": "water", **params}, **ENGLISH))  # noqa: E731
    assert len(search()) == 3
    assert len(search(**{"in": "lobby"})) == 1 and len(search(**{"in": "reports"})) == 2
    assert len(search(author="Writer")) == 2 and len(search(author="Nobody")) == 0
    assert len(search(type="threads")) == 2 and len(search(type="messages")) == 1
    assert len(search(since="2000-01-01", until="2000-12-31")) == 0
    response = reader.get("/search/", {"q": "water", "since": "2030-01-02", "until": "2030-01-01"}, **ENGLISH)
    assert "before their start" in response.content.decode()


def test_results_are_paged(reader, writer, place):
    thread = start_thread(author=writer, category=place, title="Pages", body="paged")
    for n in range(25):
        reply(author=writer, thread=thread, body=f"paged {n}")
    first = reader.get("/search/", {"q": "paged"}, **ENGLISH).content.decode()
    assert "26 results" in first and "Page 1 of 2" in first and len(_results_of(first)) == 20
    second = reader.get("/search/", {"q": "paged", "page": 2}, **ENGLISH).content.decode()
    assert len(_results_of(second)) == 6


def _results_of(page: str) -> list[str]:
    return re.findall(r'class="search-title"', page)


def test_a_post_link_lands_on_the_page_that_holds_it(reader, writer, place):
    thread = start_thread(author=writer, category=place, title="Long", body="first")
    posts = [reply(author=writer, thread=thread, body=f"reply {n}") for n in range(45)]
    response = reader.get(f"/p/{posts[44].public_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/t/{thread.public_id}/?page=3#p-{posts[44].public_id}"
    # The page is named even when it is the first: without one, the thread page would open
    # where the reader's new posts begin instead (forum/views/content.py).
    assert reader.get(f"/p/{posts[0].public_id}/")["Location"] == f"/t/{thread.public_id}/?page=1#p-{posts[0].public_id}"


def test_a_post_link_answers_404_for_a_post_out_of_sight(reader, writer, db):
    from forum.services.content import do_create_category

    hidden_place = do_create_category(slug="hidden-place", name="Hidden")
    grant(hidden_place, writer, "view", "post")
    thread = start_thread(author=writer, category=hidden_place, title="Secret", body="secret")
    assert reader.get(f"/p/{thread.posts.get().public_id}/").status_code == 404
    assert reader.get("/p/no-such-post/").status_code == 404


def test_a_message_link_shows_an_old_message_among_its_neighbours(reader, writer, room, say):
    sent = [say(writer, room, f"message number {n}") for n in range(80)]
    old = sent[5]
    page = reader.get(f"/rooms/lobby/?seq={old.seq}", **ENGLISH).content.decode()
    assert f'id="m-{old.public_id}"' in page and "Go to the newest messages" in page
    recent = sent[-1]
    page = reader.get(f"/rooms/lobby/?seq={recent.seq}", **ENGLISH).content.decode()
    assert f'id="m-{recent.public_id}"' in page and "data-ws-path" in page  # the live room


def test_the_search_page_needs_a_login(client):
    response = client.get("/search/", {"q": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_in_choice_lists_only_the_places_the_member_may_see(reader, place, room, db):
    from forum.services.content import do_create_category

    do_create_category(slug="board-only", name="Board only")
    do_create_room(slug="board-room", name="Board room")
    page = reader.get("/search/", {"q": "x"}, **ENGLISH).content.decode()
    assert 'value="reports"' in page and 'value="lobby"' in page
    assert "board-only" not in page and "board-room" not in page


def test_the_embedded_database_reads_its_file_through_the_page_cache(db, tmp_path):
    """bench/search.py: with SQLite's own 2 MB page cache, a search's p95 was twice what it
    is when SQLite maps the file (config/settings.py). The tests' database lives in memory,
    which SQLite never maps: a file database is opened as the app opens one."""
    from django.conf import settings
    from django.db import connection, connections

    if connection.vendor != "sqlite":
        pytest.skip("a setting of the embedded default")
    default = connections["default"]
    opened = type(default)({**default.settings_dict, "NAME": str(tmp_path / "db.sqlite3")}, alias="mapped")
    try:
        with opened.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            assert cursor.fetchone()[0] == settings.SQLITE_MMAP_BYTES
    finally:
        opened.close()


def test_postgresql_prices_a_page_read_as_memory_does_not_as_a_disk_seek(db):
    """bench/search.py: at PostgreSQL's default random_page_cost (4) the planner walked
    whole tables in key order instead of fetching a word's rows through the full-text
    index; the app's connections say 1.1 (config/settings.py)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a setting of PostgreSQL connections")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
