"""The reader's pages: results first on a phone, filters that reach every value, help pages, no dead ends."""

import re

import pytest

from tests.browsers import CHROMIUM
from tests.factories import make_decision
from tests.test_browser import axe_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded_site(transactional_db):
    """The seed decisions, committed, for a live server and a browser to read."""
    from django.core.management import call_command

    from tests.conftest import FIXTURES

    call_command("import_decisions", str(FIXTURES), verbosity=0)



def test_help_pages_are_linked_from_every_page(client, seeds):
    for path in ("/", "/decisions/?q=distress", "/decisions/20-003-763/", "/councils/", "/about/"):
        html = client.get(path).content.decode()
        for link in ('href="/about/"', 'href="/help/search/"', 'href="/api/docs/"', 'href="/accessibility/"'):
            assert link in html, (path, link)
    assert 'href="/help/search/"' in client.get("/").content.decode().split("<footer")[0]  # beside the search box


def test_about_says_what_the_archive_holds_when_it_changed_and_how_to_cite(client, seeds):
    html = client.get("/about/").content.decode()
    assert "5 decisions about 5 organisations" in html
    assert "not the Ombudsman’s own website" in html and "Last updated: <time" in html
    assert "decision on Dorset Council, 20 003 763 (29 March 2022)" in html and "99.5%" in html
    assert "0 have been checked by staff" in " ".join(html.split())  # a curator's check is counted
    from decisions.models import Decision

    Decision.objects.filter(reference="20 003 763").update(is_curated=True)
    from django.core.cache import cache

    cache.clear()
    assert "1 has been checked by staff" in " ".join(client.get("/about/").content.decode().split())


def test_api_documentation_is_a_page(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<table>" in html and "<code>page_size</code>" in html and "GET /api/decisions/" in html
    assert client.get("/api/").json()["documentation"].endswith("/api/docs/")


def test_one_decision_is_not_plural_anywhere(client, seeds):
    html = client.get("/decisions/?council=dorset-council").content.decode()
    assert "1 decision\n" in html or "1 decision<" in html or "1 decision " in html  # the count heading
    # Each facet option with one decision says so to a screen reader in the singular.
    assert re.search(r">1<span class=\"visually-hidden\"> decision[,<]", html)
    assert not re.search(r"\b1(<[^>]*>)? decisions\b", html)


def test_show_all_keeps_the_search_and_lists_every_organisation(client, db):
    for n in range(15):
        make_decision(organisation=f"Council number {n:02d}", summary="The Council delayed repairs.")
    html = client.get("/decisions/?q=repairs&outcome=upheld").content.decode()
    link = re.search(r'<a href="([^"]*show=council[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "q=repairs" in link and "outcome=upheld" in link and "Show all 15" in html
    expanded = client.get(link.split("#")[0] if link.startswith("/") else "/decisions/" + link.split("#")[0])
    assert expanded.content.decode().count("Council number") >= 15


def test_clear_all_and_a_no_results_page_that_suggests_what_to_change(client, seeds):
    # Every word asked for (match=all): without it, 'confidential' alone would give best matches.
    html = client.get("/decisions/?q=confidential+zebra&outcome=upheld&category=childrens-care-services&match=all"
                      ).content.decode()
    assert "No decisions match" in html
    assert "remove the filter Outcome: Upheld" in html and "clear all filters" in html
    assert "search without “zebra”" in html and ">confidential</a>" in html
    assert "Download these decisions" not in html and 'id="id_sort"' not in html
    filtered = client.get("/decisions/?q=confidential&outcome=upheld&category=childrens-care-services").content.decode()
    assert 'class="clear-all"' in filtered and 'href="/decisions/?q=confidential">Clear all filters' in filtered.replace(
        ' class="clear-all"', "")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped")
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_results_come_first_and_pages_pass_axe_at_both_widths(live_server, seeded_site, browser):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(live_server.url + "/decisions/?q=council&outcome=upheld")
    first = page.locator(".result").first
    assert first.is_visible() and first.bounding_box()["y"] < 844  # in the first screen
    assert page.locator(".results-count").bounding_box()["y"] < 844
    jump = page.get_by_role("link", name=re.compile(r"Filter results \(1 applied\)"))
    assert jump.is_visible()
    jump.click()
    assert page.evaluate("location.hash") == "#filters"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/about/", "/help/search/", "/help/terms/", "/api/docs/", "/accessibility/", "/remedies/",
                     "/decisions/?q=zebra+fish", "/decisions/?q=distress+zebra&match=all",
                     "/", "/decisions/?q=council&outcome=upheld", "/decisions/20-003-763/?q=distress",
                     "/councils/", "/councils/dorset-council/", "/categories/children-s-care-services/",
                     "/councils/compare/?o=dorset-council&o=wiltshire-council&o=staffordshire-county-council",
                     "/councils/compare/?kind=unitary_council", "/councils/compare/",
                     "/remedies/?organisation_kind=unitary_council",
                     "/alerts/new/?category=children-s-care-services", "/alerts/sent/"):
            page.goto(live_server.url + path)
            violations = axe_module.Axe().run(page).response["violations"]
            assert [(v["id"], v["impact"]) for v in violations] == [], (path, width)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 5, (path, width)
    page.emulate_media(media="print")  # the print view too
    page.goto(live_server.url + "/decisions/20-003-763/")
    assert [(v["id"], v["impact"]) for v in axe_module.Axe().run(page).response["violations"]] == []
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/decisions/?q=council")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#results"


def test_money_is_written_one_way(client, seeds):
    from decimal import Decimal

    from decisions.templatetags.archive import pounds

    assert (pounds(Decimal("1750.00")), pounds(Decimal("1750.5")), pounds(0), pounds(None)) == ("£1,750", "£1,750.50", "£0", "")
    html = client.get("/decisions/20-003-763/").content.decode()
    table = html[html.index('<table class="remedies"'):html.index("</table>")]
    assert "£1,750" in html and "£1,750.00" not in html
    assert '<td class="num" data-label="Amount">£1,000</td>' in table and 'data-label="Amount">£250</td>' in table


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped")
@pytest.mark.django_db(transaction=True)
def test_the_paragraph_link_is_big_enough_and_says_when_it_copied(live_server, seeded_site, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/decisions/20-003-763/")
    link = page.locator("#para-14 .para-link")
    box = link.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    link.click()
    # The clipboard write resolves asynchronously: wait for the message (it clears after 2 s).
    expect(page.locator("#copy-status")).to_have_text("Link to paragraph 14 copied", timeout=1500)
    assert page.evaluate("navigator.clipboard.readText()").endswith("/decisions/20-003-763/#para-14")
    # The citation now names the paragraph, and copies as shown.
    citation = page.locator("#citation")
    expect(citation).to_contain_text("20 003 763 (29 March 2022), ¶ 14, ")
    assert citation.inner_text().endswith("/decisions/20-003-763/#para-14")
    page.get_by_role("button", name="Copy the citation").click()
    expect(page.locator("#copy-status")).to_have_text("Citation copied", timeout=1500)
    assert page.evaluate("navigator.clipboard.readText()") == citation.inner_text()
    # Printed: the decision and its citation, no navigation or buttons.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator(".cite-actions").is_visible()
    assert page.locator("#citation").is_visible() and page.locator("h1").is_visible()
    assert not page.locator(".para-link").first.is_visible()


def test_years_without_decisions_are_shown_as_zero(seeds):
    from decisions.models import Decision

    per_year = Decision.objects.published().figures()["per_year"]
    assert per_year == [(2019, 1), (2020, 0), (2021, 2), (2022, 1), (2023, 1)]


def test_the_league_table_agrees_with_direct_queries_and_sorts_filters_and_exports(client, db):
    from datetime import date
    from decimal import Decimal

    from django.db.models import Count, Q, Sum

    from decisions.models import Council, Decision

    for n in range(12):
        make_decision(organisation="Big Borough Council", outcome="Upheld" if n % 3 else "Not upheld",
                      decided=date(2021 + n % 3, 5, 1),
                      agreed_action=[f"The Council will pay Mr X £{100 * (n + 1)} for his distress."] if n % 3 else None)
    make_decision(organisation="Small Parish Council", outcome="Upheld", category="Housing", subcategory="Allocations",
                  agreed_action=["The Council will apologise to Mr X."])
    html = client.get("/councils/").content.decode()
    big = Council.objects.get(name="Big Borough Council")
    mine = Decision.objects.published().filter(council=big)
    direct = mine.aggregate(n=Count("pk"), upheld=Count("pk", filter=Q(outcome_group="upheld")),
                            investigated=Count("pk", filter=Q(outcome_group__in=["upheld", "not_upheld"])),
                            paid=Sum("total_payment"))
    rows = {row.name: row for row in client.get("/councils/").context["rows"]}
    row = rows["Big Borough Council"]
    assert (row.decisions, row.upheld, row.investigated) == (direct["n"], direct["upheld"], direct["investigated"])
    assert row.total_paid == direct["paid"] and row.upheld_share == round(100 * direct["upheld"] / direct["investigated"])
    paid = sorted(mine.filter(total_payment__gt=0).values_list("total_payment", flat=True))
    assert row.median_payment == (paid[len(paid) // 2 - 1] + paid[len(paid) // 2]) / 2
    from decisions.models import Remedy

    kinds = (Remedy.objects.filter(decision__council=big).values("kind")
             .annotate(n=Count("decision", distinct=True)).order_by("-n"))
    assert kinds[0]["n"] > kinds[1]["n"] and row.common_remedy == kinds[0]["kind"].replace("_", " ").capitalize()
    assert rows["Small Parish Council"].few and not row.few
    assert "few</span>" in html and 'href="/decisions/?council=big-borough-council&amp;outcome=upheld"' in html
    # Sorting, filtering by category and year, and the CSV of the same table.
    by_name = [r.name for r in client.get("/councils/", {"sort": "name"}).context["rows"]]
    assert by_name == ["Big Borough Council", "Small Parish Council"]
    by_share = [r.name for r in client.get("/councils/", {"sort": "upheld_share"}).context["rows"]]
    assert by_share[0] == "Small Parish Council"
    housing = client.get("/councils/", {"category": "housing"}).context["rows"]
    assert [r.name for r in housing] == ["Small Parish Council"]
    year = client.get("/councils/", {"year_from": "2022", "year_to": "2022"}).context["rows"]
    assert year[0].decisions == mine.filter(decision_date__year=2022).count()
    csv = client.get("/councils/", {"sort": "total_paid", "format": "csv"})
    lines = csv.content.decode().splitlines()
    assert csv["Content-Type"].startswith("text/csv") and lines[0].startswith("organisation,decisions")
    assert lines[1].startswith(f"Big Borough Council,12,{direct['investigated']},{direct['upheld']},")
    assert Decimal(lines[1].split(",")[5]) == direct["paid"]
    bad = client.get("/councils/", {"year_from": "2023", "year_to": "2021", "sort": "nonsense"})
    assert bad.status_code == 200 and "The last year is before the first." in bad.content.decode()


def test_arriving_from_a_search_the_matches_are_counted_and_linked_in_turn(client, seeds):
    from decisions.reading import statement_part
    from decisions.search import parse_query

    response = client.get("/decisions/20-003-763/?q=insurance")
    statement = response.context["statement"]
    html = response.content.decode()
    assert len(statement.matches) >= 2
    assert f"{len(statement.matches)} paragraphs in this decision match “insurance”" in html
    first, second = statement.matches[:2]
    assert f'href="#{first}">go to the first' in html
    assert f"Match 1 of {len(statement.matches)} · <a href=\"#{second}\">next" in html
    assert f'<a href="#{first}">previous' in html
    from decisions.models import Decision

    plain = statement_part(Decision.objects.get(reference="20 003 763"), parse_query("zebra"))
    assert plain.matches == []


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped")
@pytest.mark.django_db(transaction=True)
def test_contents_stay_in_view_on_wide_screens_and_are_a_link_away_on_phones(live_server, seeded_site, browser):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/decisions/20-003-763/#para-14")
    toc = page.locator("nav.toc")
    assert toc.is_visible() and 0 <= toc.bounding_box()["y"] < 900  # still in view far down the statement
    assert not page.locator(".back-to-contents").first.is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/decisions/20-003-763/")
    back = page.locator(".back-to-contents a").first
    assert back.is_visible()
    back.click()
    assert page.evaluate("location.hash") == "#toc-heading"


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped")
@pytest.mark.django_db(transaction=True)
def test_charts_fit_a_phone_with_text_of_12_px_or_more(live_server, seeded_site, browser):
    for n in range(12):  # long names in the league table's chart
        make_decision(organisation=f"The Royal Borough of Somewhere Rather Long Number {n:02d} Council")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    for path in ("/councils/dorset-council/", "/councils/", "/categories/children-s-care-services/"):
        page.goto(live_server.url + path)
        sizes = page.eval_on_selector_all(
            "figure.chart .bar-label, figure.chart .bar-value",
            "els => els.map(e => [parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().right])")
        assert sizes and min(size for size, _ in sizes) >= 12, path
        assert max(right for _, right in sizes) <= 390, path  # every label and number on screen
        tracks = page.eval_on_selector_all("figure.chart .bar-track", "els => els.map(e => e.getBoundingClientRect().width)")
        assert min(tracks) >= 100, path  # the bars keep room to differ
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


def test_an_organisation_can_be_picked_by_typing_its_name(client, seeds):
    response = client.get("/decisions/", {"q": "council", "organisation": "dorset"})
    assert (response.status_code, response["Location"]) == (302, "/decisions/?q=council&council=dorset-council")
    ambiguous = client.get("/decisions/", {"organisation": "council"}).content.decode()
    assert "organisations’ names contain “council”" in ambiguous and '<datalist id="organisation-names">' in ambiguous
    assert "No organisation’s name contains “zzz”" in client.get("/decisions/", {"organisation": "zzz"}).content.decode()
    assert 'list="organisation-names"' not in client.get("/decisions/").content.decode()  # the list only when asked
    assert '<option value="Dorset Council">' in client.get("/decisions/", {"show": "council"}).content.decode()


def test_results_on_a_council_page_name_their_subject_not_the_council_again(client, seeds):
    html = client.get("/councils/dorset-council/").content.decode()
    title = html[html.index('class="result-title"'):]
    title = title[:title.index("</h3>")]
    assert "Child protection" in title and "Dorset Council" not in title


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_walks_the_site_at_desktop_and_phone_widths(live_server, seeded_site, width, browser):
    for n in range(14):
        make_decision(organisation=f"Borough number {n:02d}", summary="The Council delayed repairs to the home.")
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    # Show all keeps the search; picking an option keeps it too.
    page.goto(live_server.url + "/decisions/?q=repairs")
    page.get_by_role("link", name=re.compile(r"Show all \d+")).click()
    page.wait_for_url("**show=council**")
    assert "q=repairs" in page.url
    assert page.locator("#facet-council ~ ul li").count() >= 14
    page.locator("#facet-council ~ ul a", has_text="Borough number 13").click()
    page.wait_for_url("**council=borough-number-13**")
    assert "q=repairs" in page.url
    # Help pages from the footer, and back.
    page.get_by_role("link", name="How to search").click()
    page.wait_for_url("**/help/search/")
    page.get_by_role("link", name="About this archive").click()
    assert page.locator("h1").inner_text() == "About this archive"
    # The league table sorts by a column and offers the same table as CSV.
    page.goto(live_server.url + "/councils/")
    page.locator("table.league thead").get_by_role("link", name="Organisation").click()
    names = page.locator("table.league tbody th").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    assert page.locator("table.league thead th[aria-sort=ascending]").inner_text() == "Organisation"
    csv_href = page.get_by_role("link", name="Download this table as CSV").get_attribute("href")
    assert "format=csv" in csv_href and "sort=name" in csv_href
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 5


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped")
@pytest.mark.django_db(transaction=True)
def test_the_admin_change_page_fits_1280_px_and_opens_with_the_total(live_server, seeded_site, browser):
    from django.contrib.auth.models import User

    from decisions.models import Decision

    User.objects.create_superuser("curator", "curator@example.org", "a long test password 123")
    decision = Decision.objects.get(reference="20 003 763")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "a long test password 123")
    page.click("input[type=submit]")
    page.goto(live_server.url + f"/admin/decisions/decision/{decision.pk}/change/")
    glance = page.get_by_text("Total of the stated payments: £1,750")
    assert glance.is_visible() and glance.bounding_box()["y"] < 900
    assert page.evaluate("document.documentElement.scrollWidth") <= 1285
    lefts = page.eval_on_selector_all('td.field-purposes div[id$="-purposes"] label',
                                      "els => els.map(e => Math.round(e.getBoundingClientRect().left))")
    assert len(set(lefts)) >= 2  # the payment purposes' ticks in columns
    # A curator corrects a remedy and saves: one step, and the public page says it was checked.
    page.select_option('select[name="remedies-0-kind"]', "training")
    page.click('input[name="_save"]')
    page.wait_for_url("**/admin/decisions/decision/")
    assert decision.remedies.filter(kind="training").exists()
    public = page.context.new_page()
    public.goto(live_server.url + "/decisions/20-003-763/")
    assert public.get_by_text("Checked by staff.").is_visible()
    page.goto(live_server.url + "/admin/decisions/decision/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1285
    review = page.locator("th.column-review_state")
    assert review.is_visible() and review.bounding_box()["x"] + review.bounding_box()["width"] <= 1280
    assert page.locator("#organisation-filter").is_visible()


def test_chart_labels_are_wrapped_never_cut_and_contents_give_paragraph_numbers(client, seeds):
    from decisions.charts import bar_chart

    name = "The Royal Borough of Windsor and Maidenhead Adult Social Care Services"
    chart = bar_chart([(name, 3), ("Kent County Council", 6)], title="t")
    assert chart.bars[0].label == name and not chart.short_labels  # whole, above its bar
    assert (chart.bars[0].share, chart.bars[1].share) == (50.0, 100.0)
    assert bar_chart([(2021, 1), (2022, 0)], title="t").short_labels
    html = client.get("/decisions/20-003-763/").content.decode()
    toc = html[html.index('class="toc"'):html.index("</nav>", html.index('class="toc"'))]
    assert "¶1–2</span>" in toc  # The complaint: paragraphs 1 and 2


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed: browser tests skipped")
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_each_remedy_is_a_block_with_nothing_cut_off(live_server, seeded_site, browser):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(live_server.url + "/decisions/20-003-763/")
    cells = page.eval_on_selector_all(".remedies tbody th, .remedies tbody td, .remedies tfoot th, .remedies tfoot td",
                                      "els => els.map(e => [e.getBoundingClientRect().right, e.scrollWidth - e.clientWidth])")
    assert cells and max(right for right, _ in cells) <= 390 and max(over for _, over in cells) <= 0
    assert page.locator(".remedies td[data-label=Amount]").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + "/decisions/20-003-763/?q=distress")  # match navigation: 24 px targets
    boxes = page.eval_on_selector_all(".match-nav a", "els => els.map(e => [e.getBoundingClientRect().width, "
                                                      "e.getBoundingClientRect().height])")
    assert boxes and min(min(box) for box in boxes) >= 24
    page.set_viewport_size({"width": 1280, "height": 900})  # a table again on a wide screen
    assert page.locator(".remedies thead").is_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_compares_organisations_by_ticking_them_in_the_league_table(live_server, seeded_site, width, browser):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(live_server.url + "/councils/")
    page.check('input[name="o"][value="dorset-council"]')
    page.check('input[name="o"][value="wiltshire-council"]')
    page.get_by_role("button", name="compare them side by side").click()
    page.wait_for_url("**/councils/compare/?o=dorset-council&o=wiltshire-council")
    header = page.locator(".compare-table thead th")
    assert header.all_inner_texts() == ["Dorset Council", "Wiltshire Council"]
    decisions = page.locator(".compare-table tbody tr").first.locator("td a").first
    said = int(decisions.inner_text())
    decisions.click()
    page.wait_for_url("**/decisions/?council=dorset-council")
    assert page.locator(".result").count() == said >= 1
    page.goto(live_server.url + "/remedies/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 5
