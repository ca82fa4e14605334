"""End to end in a real headless Chromium (Debian's package), driven by Playwright, checked by axe."""

import pytest
from django.db import connections

from decisions.models import Decision
from tests.browsers import CHROMIUM

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python missing")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped"),
]


@pytest.fixture
def page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def serious_violations(page):
    results = axe_module.Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def seeded(transactional_db):
    from django.core.management import call_command

    from tests.conftest import FIXTURES

    call_command("import_decisions", str(FIXTURES), verbosity=0)
    assert Decision.objects.count() == 5
    yield
    # Under Playwright's event loop this fixture's queries get a database connection of their own;
    # left open, it stops the test database from being dropped at the end of the run.
    connections.close_all()


def test_search_filter_read_and_follow_contents(page, live_server, seeded):
    page.goto(live_server.url + "/")
    assert serious_violations(page) == []

    page.get_by_label("Search decisions").fill("distress")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/decisions/?q=distress")
    assert page.get_by_role("heading", name="3 decisions for “distress”").is_visible()
    assert page.locator(".snippet mark").first.inner_text().lower().startswith("distress")
    assert serious_violations(page) == []

    # Two filters, applied by their facet links.
    page.locator(".facet-option", has_text="Child protection").click()
    page.wait_for_url("**subcategory=children-s-care-services%2Fchild-protection**")
    page.locator(".facet-option", has_text="Risk of harm").click()
    page.wait_for_url("**purpose=risk_of_harm**")
    results = page.locator(".result-title a")
    assert results.count() == 1
    assert "Dorset Council" in results.first.inner_text()
    assert page.locator(".chip").count() == 3  # the words and the two filters

    results.first.click()
    page.wait_for_url("**/decisions/20-003-763/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Dorset Council")
    assert page.locator(".statement mark").count() > 0  # search terms highlighted
    assert serious_violations(page) == []

    # The table of contents leads to the section.
    page.get_by_role("navigation", name="Contents").get_by_role("link", name="Agreed action").click()
    page.wait_for_url("**#agreed-action")
    heading = page.locator("#agreed-action")
    assert heading.inner_text() == "Agreed action"
    assert heading.is_visible()
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 200  # scrolled to the top of the window, with a margin

    # A paragraph anchor works and is highlighted as the target.
    page.goto(live_server.url + "/decisions/20-003-763/#para-14")
    assert page.locator("#para-14:target").count() == 1
    assert page.locator("#para-14 .num").inner_text() == "14."

    # And back to the results.
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Back to your search results").click()
    page.wait_for_url("**/decisions/?q=distress**")
    assert page.locator(".result-title a").count() == 1


def test_council_page_and_phone_width_are_accessible(page, live_server, seeded):
    page.goto(live_server.url + "/councils/dorset-council/")
    assert page.locator("figure.chart").count() == 2 and page.locator("figure.chart .bars li").count() >= 2
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/decisions/20-007-812/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380  # no sideways scrolling on a phone
    assert serious_violations(page) == []
    page.goto(live_server.url + "/councils/")
    assert serious_violations(page) == []


def test_keyboard_user_can_skip_to_content(page, live_server, seeded):
    page.goto(live_server.url + "/decisions/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
