"""Browser tests: the real ASGI app served by daphne, driven by a headless Chromium.

The server runs in a thread of this process, so it uses the same test database, settings
and (in-memory) channel layer as the tests. Data a test writes must be committed to be
seen by the server, hence `transactional_db`.
"""

import atexit
import os
import shutil
import tempfile
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from forum.demo import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
HERE = os.path.dirname(__file__)

# SQLite's default test database is a shared-cache in-memory one: while one thread
# writes, the other's reads and writes fail at once with "database table is locked"
# (shared cache ignores the busy timeout). So when browser tests are collected the session's test database is a file:
# WAL mode and the busy timeout then let the server thread and the tests take turns, as
# the real deployment does. Set here because it must happen before the test database is
# created.
if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _db_dir = tempfile.mkdtemp(prefix="majlis-browser-")
    atexit.register(shutil.rmtree, _db_dir, True)  # Django removes the file, not its -wal
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = os.path.join(_db_dir, "test.sqlite3")


def pytest_addoption(parser):
    # `make screenshots` passes --screenshots; MAJLIS_SCREENSHOTS=1 does the same.
    parser.addoption("--screenshots", action="store_true", help="write docs/screenshots/*.png")


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).startswith(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _daphne(django_db_setup):
    """One daphne for the session: Twisted's reactor can only run once per process.

    It depends on django_db_setup so that it stops before the test database is dropped.
    pytest-django's database block is process-wide, so the server thread may use the
    database exactly while a test holds `transactional_db`.
    """
    from daphne.server import Server  # installs the asyncio reactor; import before Twisted's
    from twisted.internet import reactor

    from config.asgi import application

    ready = threading.Event()
    server = Server(
        application=application,
        endpoints=["tcp:port=0:interface=127.0.0.1"],
        signal_handlers=False,  # only the main thread may install them
        ready_callable=lambda: reactor.callWhenRunning(ready.set),
    )
    thread = threading.Thread(target=server.run, name="daphne", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("daphne did not start")
    host, port = server.listening_addresses[0]
    _servers.append(server)
    yield f"http://{host}:{port}"
    reactor.callFromThread(reactor.stop)
    thread.join(10)


_servers: list = []


def _quiet(server) -> bool:
    """Every connection closed and its application (socket disconnect handlers) finished."""
    for details in list(server.connections.values()):
        instance = details.get("application_instance")
        if "disconnected" not in details or (instance is not None and not instance.done()):
            return False
    return True


@pytest.fixture
def live_server_url(_daphne, transactional_db):
    """The live server's address; every test starts on an empty database.

    After the test (its pages closed first, by `new_page`), wait for the server's socket
    handlers to finish: their last writes would otherwise race the database flush.
    """
    yield _daphne
    deadline = time.monotonic() + 10
    while _servers and not _quiet(_servers[0]) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, one per test module.

    Playwright's sync API leaves its event loop marked as running in this thread for as
    long as it is started. Django then refuses ORM calls here ("async context"), and
    pytest-asyncio cannot run its own loop. So Playwright lives only for one module
    (never into other test files) and, meanwhile, Django's check is switched off: the
    "running" loop is idle whenever the test itself runs.
    """
    if not os.access(CHROMIUM, os.X_OK):
        # In CI a missing browser is a broken build, never a silent skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class PageLog:
    """Every URL a page asked for and every console line it logged."""

    def __init__(self, page, origin):
        self.origin = origin
        self.requests, self.console = [], []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda socket: self.requests.append(socket.url))
        page.on("console", lambda message: self.console.append(message.text))

    def foreign_requests(self):
        own = urlsplit(self.origin).netloc
        return [url for url in self.requests if urlsplit(url).scheme not in ("data", "blob")
                and urlsplit(url).netloc != own]

    def csp_violations(self):
        # Chromium logs each blocked load or inline code as "Refused to ... Content
        # Security Policy ..." on the console; nothing needs injecting to see them.
        return [line for line in self.console if "Content Security Policy" in line]

    def assert_same_origin(self):
        assert self.foreign_requests() == [], "requests to another origin"

    def assert_no_csp_violation(self):
        assert self.csp_violations() == [], "CSP violations"


@pytest.fixture
def new_page(browser, live_server_url):
    """`new_page(**context_options)`: a page in a fresh context (own cookies), logged."""
    contexts, logs = [], {}

    def make(**context_options):
        context_options.setdefault("locale", "ar")
        context = browser.new_context(base_url=live_server_url, **context_options)
        contexts.append(context)
        page = context.new_page()
        logs[page] = PageLog(page, live_server_url)
        return page

    make.log = logs.__getitem__
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def page_log(new_page):
    """`page_log(page)`: what that page requested and logged (see PageLog)."""
    return new_page.log


def current_totp(username: str) -> str:
    """A code of the member's authenticator app (a confirmed TOTP device, made if they have
    none), as their phone would show it; never one the server has already taken."""
    from django.contrib.auth import get_user_model
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while totp.t() <= device.last_t:  # that code was used: wait for the next one
        time.sleep(0.5)
        totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def log_in():
    """Log in through the real form and wait for the page it leads to; with
    `second_factor=True`, then give a code of the member's authenticator app (moderators
    moderate only in a session that used a second factor)."""

    def log_in(page, username, password=DEMO_PASSWORD, *, second_factor=False):
        token = current_totp(username) if second_factor else None
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        with page.expect_navigation():
            page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
        if token is not None:
            page.locator("input[name=token]").fill(token)
            with page.expect_navigation():
                page.locator("form[action*='/accounts/login/verify/'] button[type=submit]").first.click()

    return log_in
