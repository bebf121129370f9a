"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server.
Never ``playwright install``: it downloads a browser, which this network does not allow."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import sync_playwright

from core.demo import DEMO_PASSWORD

# Playwright's sync API runs an event loop in the test thread; the live server's database access
# from that thread is safe here (one test at a time), so Django's async guard is lifted.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# On SQLite the live server shares the test's in-memory connection across its request threads; the
# dossier fetches its panels in parallel, and two requests on one sqlite3 connection at once fail
# ("bad parameter or other API misuse"). A single-threaded server serves them one after another
# (it closes each connection, so the browser's parallel fetches queue instead of blocking).
class _SerialWSGIServer(WSGIServer):
    # The live server thread itself already uses the shared connections; there are no request
    # threads to hand them to.
    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if connection.vendor == "sqlite":
    LiveServerThread.server_class = _SerialWSGIServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: the browser journeys must run.")
        pytest.skip("Chromium is not installed")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def demo_bank(transactional_db):
    """The demo bank's people (and whatever the apps seed), loaded through seed_demo itself."""

    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)


@pytest.fixture
def sign_in(live_server, page):
    def _sign_in(username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login-submit")
        page.wait_for_load_state("networkidle")
        return page

    return _sign_in


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
