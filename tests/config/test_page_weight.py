"""Page weight (issue 16, "Lighter still"): pages are compressed, static files pre-compressed
under content-hashed names (ES module imports included), and each everyday page stays
within its budget on a slow, expensive link, measured in compressed bytes.

Budgets: home, category (a full page of threads), thread (20 posts) and room (its 50
newest messages) each at most 15 KB of compressed HTML and 40 KB transferred in all on a
cold visit (the page, its style sheet, icon and every module it loads, Brotli as
whitenoise serves them); a warm visit to a thread (static files cached for ever under
their hashed names) at most 6 KB.
"""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings

from forum.services.content import do_create_category, reply, start_thread
from forum.services.grants import do_grant_permission
from realtime.services import do_create_room, post_message

KB = 1024
HTML_BUDGET, COLD_BUDGET, WARM_THREAD_BUDGET = 15 * KB, 40 * KB, 6 * KB
# A paragraph as members write them: Arabic and English, a few sentences.
TEXT = ("وثّقنا اليوم شهادات ثلاث عائلات من القرية عن الاعتقالات الأخيرة، ونحتاج إلى مراجعة "
        "قانونية قبل النشر. The lawyer will review the statements on Thursday; please add "
        "what you heard from the checkpoint at the northern road.")


@pytest.fixture
def world(make_member, settings):
    unpaced = (10**6, 1)  # seeding, not a member typing
    settings.MAJLIS_PACE = {**settings.MAJLIS_PACE, "reply": unpaced, "thread": unpaced, "room_message": unpaced}
    members = Group.objects.get_or_create(name="members")[0]
    reader = make_member("reader", display_name="قارئ", language="ar")
    writer = make_member("writer", display_name="كاتبة", language="ar")
    category = do_create_category(slug="documentation", name="توثيق الانتهاكات", description=TEXT[:120])
    for perm in ("view_category", "post_in_category"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=category, to=members)
    threads = [start_thread(author=writer, category=category, title=f"{TEXT[:60]} {n}", body=TEXT)
               for n in range(25)]
    for n in range(19):
        reply(author=writer, thread=threads[-1], body=f"{TEXT} ({n})")
    room = do_create_room(slug="aden", name="عدن", topic=TEXT[:100])
    for perm in ("view_room", "post_in_room"):
        do_grant_permission(actor=None, via="tests", perm=perm, obj=room, to=members)
    for n in range(50):
        post_message(author=writer, room=room, body=f"{TEXT[:140]} {n}", client_id=f"m{n}")
    return reader, {"home": "/", "category": category.get_absolute_url(),
                    "thread": threads[-1].get_absolute_url(), "room": room.get_absolute_url()}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The static files as production serves them (config/storage.py)."""
    root = tmp_path_factory.mktemp("static")
    production = {**settings.STORAGES, "staticfiles": {"BACKEND": "config.storage.StaticStorage"}}
    with override_settings(STATIC_ROOT=root, STORAGES=production):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, production


def test_pages_are_compressed(world, client_for):
    reader, paths = world
    response = client_for(reader).get(paths["home"], HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert "<html" in gzip.decompress(response.content).decode()


def test_module_imports_point_at_hashed_names(collected):
    root, _ = collected
    main = next((root / "js" / "room").glob("main.*.js"))
    imports = re.findall(r'from "([^"]+)"', main.read_text())
    assert imports and all(re.search(r"\.[0-9a-f]{12}\.js$", name) for name in imports), imports
    assert Path(f"{main}.br").exists() and Path(f"{main}.gz").exists()


@pytest.mark.parametrize("page", ["home", "category", "thread", "room"])
def test_each_everyday_page_stays_within_its_budget(world, client_for, collected, page):
    reader, paths = world
    root, production = collected
    client = client_for(reader)
    with override_settings(STATIC_ROOT=root, STORAGES=production):
        client.get(paths[page])  # the thread opens on its page of new posts once; then as it stays
        response = client.get(paths[page], HTTP_ACCEPT_ENCODING="gzip")
    html = len(response.content)
    assets = _assets(root, gzip.decompress(response.content).decode())
    cold = html + sum(assets.values())
    print(f"{page}: HTML {html} B compressed, cold visit {cold} B ({len(assets)} files)")
    assert html <= HTML_BUDGET, html
    assert cold <= COLD_BUDGET, (cold, assets)
    if page == "thread":
        assert html <= WARM_THREAD_BUDGET, html


def _assets(root: Path, html: str) -> dict[str, int]:
    """Every static file the page loads (style sheets, icons, modules and what they import),
    with the size of its Brotli file."""
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    wanted = [m for m in re.findall(r'(?:href|src)="([^"]+)"', html) if m.startswith(prefix)]
    found: dict[str, int] = {}
    while wanted:
        path = root / wanted.pop().removeprefix(prefix)
        if str(path) in found:
            continue
        found[str(path)] = Path(f"{path}.br").stat().st_size
        if path.suffix == ".js":
            here = path.parent
            wanted += [prefix + str((here / name).resolve().relative_to(root))
                       for name in re.findall(r'from "([^"]+)"', path.read_text())]
    return found
