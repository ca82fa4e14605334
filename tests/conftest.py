import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

# The live test server listens with the backlog production has (gunicorn: 2048), not the 10 of
# Django's development server: fifty clients connecting at once overflowed it, and the kernel
# dropped (a 1 s retry) or reset their connections.
from django.core.servers import basehttp  # noqa: E402

basehttp.WSGIServer.request_queue_size = 2048

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))["decisions"]
SEED_FILES = sorted(FIXTURES.glob("*.txt"))


def seed_path(name: str) -> Path:
    return FIXTURES / name


def seed_text(name: str) -> str:
    return seed_path(name).read_text(encoding="utf-8")


@pytest.fixture
def seeds(db):
    """The five seed decisions, imported through the real command."""
    call_command("import_decisions", str(FIXTURES), verbosity=0)


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached values and the listing columns are held per process: each test starts without them."""
    from django.core.cache import cache

    from decisions.search import columns, names

    cache.clear()
    columns.forget()
    names.forget()
    yield
    cache.clear()
    columns.forget()
    names.forget()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run (started at the first browser test): launching one
    per test cost about a second each."""
    from tests.browsers import CHROMIUM, CHROMIUM_ARGS

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed: browser tests skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an event loop in this thread from here on; the ORM calls of the
    # tests are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_api.sync_playwright().start()
    browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    driver.stop()


@pytest.fixture
def browser(chromium):
    """The run's Chromium; every context a test opens is closed after it, so no page, cookie or
    permission carries over to the next test."""
    yield chromium
    for context in list(chromium.contexts):
        context.close()
