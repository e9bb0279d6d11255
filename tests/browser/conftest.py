"""Browser fixtures: Debian's headless Chromium, driven by Playwright, against the live server.

Each test gets pages that record what must never happen (a request to another host, a console
error) and a seeded record. Pages are measured and saved as screenshots in `screenshots/`.
"""

import fcntl
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from playwright.sync_api import expect, sync_playwright

# Debian's package, never a browser that Playwright downloads (`.ci/run` installs it).
CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
    "(apt-get install chromium) to run the browser tests"
)
DESKTOP, PHONE = 1280, 375
VIEWPORTS = {DESKTOP: {"width": 1280, "height": 800}, PHONE: {"width": 375, "height": 812}}
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Each walk keeps its figures here, and rewrites heights.txt from all of them.
MEASUREMENTS = SCREENSHOTS / "measurements"
TIMEOUT_MS = 15_000
# Assertions wait as long as actions do: on a loaded 2-core machine the live server shares the
# CPU with the other test worker, and a submission once took longer than expect's 5 s.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def browser(live_server, monkeypatch):
    """Headless Chromium for one test. Playwright's sync API keeps an event loop running on
    this thread while it lives, so it starts after the test database is set up and stops
    before it is flushed (Django reads a running loop as async code)."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    # Django refuses ORM calls beside a running loop unless told that it is safe; it is, as
    # the loop only waits on the browser.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    test_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # Beside a running loop Django would open new connections, as for a new async task,
        # without the test database's state (the serialized rollback's copy): keep these.
        for alias, connection in test_connections.items():
            connections[alias] = connection
        sandbox = ["--no-sandbox"] if os.geteuid() == 0 else []  # Chromium refuses root else
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=sandbox)
        yield browser
        browser.close()


class Tab:
    """A page at one width that records, instead of loading, any request to another host, and
    records console errors (a Content-Security-Policy refusal is one)."""

    def __init__(self, browser, server_url, width):
        self.server = urlsplit(server_url).netloc
        self.offsite = []
        self.console_errors = []
        self.context = browser.new_context(viewport=VIEWPORTS[width], base_url=server_url)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route("**/*", self._guard)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _guard(self, route):
        if urlsplit(route.request.url).netloc == self.server:
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def log_in(self, user):
        """Sign `user` in by giving the browser a session cookie made by Django's test client."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": f"http://{self.server}"}]
        )


@pytest.fixture
def open_tab(browser, live_server):
    """open_tab(width) -> a new Tab in its own browser context (its own cookies)."""
    tabs = []

    def open_at(width=DESKTOP):
        tabs.append(Tab(browser, live_server.url, width))
        return tabs[-1]

    yield open_at
    for tab in tabs:
        tab.context.close()


def write_measurements(name, rows):
    """Keep one walk's figures (page, width, height, axe counts) and rewrite heights.txt from
    every walk's; under a lock, as xdist's workers finish walks at the same time."""
    MEASUREMENTS.mkdir(parents=True, exist_ok=True)
    with open(MEASUREMENTS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        (MEASUREMENTS / f"{name}.json").write_text(json.dumps(rows, indent=1))
        walks = sorted(MEASUREMENTS.glob("*.json"))
        every_row = [row for path in walks for row in json.loads(path.read_text())]
        (SCREENSHOTS / "heights.txt").write_text(heights_table(every_row))


def heights_table(rows):
    by_page = {}
    for row in rows:
        by_page.setdefault(row["page"], {})[row["width"]] = row
    lines = [
        "Full-page height (px), axe-core violations (serious+critical/all) and, where the page",
        "scrolls sideways, its width (px), at 375 and 1280 px wide.",
        f"{'page':<28} {'h@375':>7} {'h@1280':>7} {'axe@375':>8} {'axe@1280':>8}  sideways",
    ]
    for page, widths in sorted(by_page.items()):
        cells = [widths.get(PHONE), widths.get(DESKTOP)]
        heights = " ".join(f"{row['height'] if row else '-':>7}" for row in cells)
        axe = " ".join(f"{axe_counts(row):>8}" for row in cells)
        wide = [f"{row['scroll_width']}@{row['width']}" for row in cells if row and sideways(row)]
        lines.append(f"{page:<28} {heights} {axe}  {' '.join(wide)}".rstrip())
    return "\n".join(lines) + "\n"


def axe_counts(row):
    return f"{row['axe_severe']}/{row['axe_all']}" if row else "-"


def sideways(row):
    return row.get("scroll_width", 0) > VIEWPORTS[row["width"]]["width"]
