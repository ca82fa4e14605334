"""Figures that never mislead: a payment agreed without a stated amount is unknown, never £0,
on every page, export and API field that shows a sum of payments."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest

from decisions.models import Decision
from tests.factories import make_decision

pytestmark = pytest.mark.django_db

COUNCIL = "Mixshire County Council"
NOT_STATED_ONLY = "Quietshire District Council"
SEN = {"category": "Education", "subcategory": "Special educational needs"}


@pytest.fixture
def payments(db):
    """Payments of every kind of knowledge: stated, not stated, both in one decision, and none."""
    made = {
        "stated": make_decision(reference="51 000 001", organisation=COUNCIL, decided=date(2022, 3, 1), **SEN,
                                agreed_action=["The Council will pay Mrs X £500 to acknowledge her distress."]),
        "unstated": make_decision(reference="51 000 002", organisation=COUNCIL, decided=date(2023, 3, 1), **SEN,
                                  agreed_action=["The Council will pay Mr Y the amount he lost."]),
        "both": make_decision(reference="51 000 003", organisation=COUNCIL, decided=date(2024, 3, 1), **SEN,
                              agreed_action=["The Council will pay Ms Z £300 to acknowledge her time and trouble.",
                                             "The Council will refund Ms Z the fees she paid."]),
        "apology": make_decision(reference="51 000 004", organisation=COUNCIL, decided=date(2024, 4, 1), **SEN,
                                 agreed_action=["The Council will apologise to Mr W."]),
        "quiet": make_decision(reference="51 000 005", organisation=NOT_STATED_ONLY, decided=date(2024, 5, 1), **SEN,
                               agreed_action=["The Council will refund Mr V the charges he paid."]),
    }
    return made


def no_zero_pounds(html: str, where: str) -> None:
    assert not re.search(r"£0(?![.,]?\d)", html), where


def test_the_reading_knows_which_amounts_are_stated(payments):
    stated, unstated, both = (Decision.objects.get(pk=payments[k].pk) for k in ("stated", "unstated", "both"))
    assert (stated.stated_payment, stated.unstated_payments) == (Decimal("500.00"), 0)
    assert (unstated.stated_payment, unstated.unstated_payments, unstated.has_payment) == (None, 1, True)
    assert (both.stated_payment, both.unstated_payments) == (Decimal("300.00"), 1)
    assert not payments["apology"].has_payment and payments["apology"].stated_payment is None


def test_every_page_says_an_unknown_sum_is_unknown(client, payments):
    unstated = client.get(payments["unstated"].get_absolute_url()).content.decode()
    no_zero_pounds(unstated, "decision page")
    assert "amount not stated" in unstated and "not stated</td>" in unstated
    both = client.get(payments["both"].get_absolute_url()).content.decode()
    assert "£300 stated, and 1 payment without a stated amount" in both
    listing = client.get("/decisions/", {"council": "mixshire-county-council"}).content.decode()
    no_zero_pounds(listing, "listing")
    assert "a payment, amount not stated" in listing and "<strong>£300</strong> paid and more not stated" in listing
    for path in ("/councils/mixshire-county-council/", "/categories/education/special-educational-needs/"):
        html = client.get(path).content.decode()
        no_zero_pounds(html, path)
    council = client.get("/councils/mixshire-county-council/").content.decode()
    assert re.search(r"£800<span class=\"sub\"> stated in 2 of 3 decisions with a payment", council)
    quiet = client.get("/councils/quietshire-district-council/").content.decode()
    no_zero_pounds(quiet, "a council whose only payment has no amount")
    assert 'Not stated<span class="sub"> in the 1 decision with a payment' in quiet
    home = client.get("/").content.decode()
    no_zero_pounds(home, "home")
    assert "£800<span class=\"sub\"> stated in 2 of 4 decisions with a payment" in home
    league = client.get("/councils/").content.decode()
    no_zero_pounds(league, "league table")
    assert "not stated (1)" in league and '<span class="sub"> in 2 of 3</span>' in league


def test_exports_and_the_api_write_an_unknown_sum_as_empty_or_null(client, payments):
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(
        b"".join(client.get("/decisions/export.csv").streaming_content).decode("utf-8-sig")))}
    assert (rows["51 000 002"]["total_payment"], rows["51 000 002"]["payments_without_amount"]) == ("", "1")
    assert (rows["51 000 003"]["total_payment"], rows["51 000 003"]["payments_without_amount"]) == ("300.00", "1")
    assert rows["51 000 004"]["total_payment"] == ""  # no payment: no sum to state either
    exported = json.loads(b"".join(client.get("/decisions/export.json").streaming_content))
    by_reference = {d["reference"]: d for d in exported["decisions"]}
    assert by_reference["51 000 002"]["total_payment"] is None
    api = client.get("/api/decisions/", {"council": "mixshire-county-council"}).json()["results"]
    assert {d["reference"]: d["total_payment"] for d in api}["51 000 002"] is None
    one = client.get("/api/decisions/51-000-002/").json()
    assert one["total_payment"] is None and one["payments_without_amount"] == 1
    assert [r["amount"] for r in one["remedies"] if r["kind"] == "payment"] == [None]
    league = list(csv.DictReader(io.StringIO(client.get("/councils/", {"format": "csv"}).content.decode())))
    quiet = next(row for row in league if row["organisation"] == NOT_STATED_ONLY)
    assert (quiet["stated_payments_total"], quiet["decisions_with_stated_payment"], quiet["decisions_with_payment"]) \
        == ("", "0", "1")
    mixed = next(row for row in league if row["organisation"] == COUNCIL)
    assert (mixed["stated_payments_total"], mixed["decisions_with_stated_payment"], mixed["decisions_with_payment"]) \
        == ("800.00", "2", "3")


def test_the_admin_says_an_unknown_sum_is_unknown(client, payments):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("curator", "c@example.org", "a long test password 123"))
    changelist = client.get("/admin/decisions/decision/", {"q": "51 000"}).content.decode()
    assert "amount not stated" in changelist
    change = client.get(f"/admin/decisions/decision/{payments['unstated'].pk}/change/").content.decode()
    assert "Total of the stated payments: amount not stated" in change
    no_zero_pounds(changelist, "admin changelist")


def test_a_curated_payment_without_an_amount_keeps_the_sum_unknown(payments):
    decision = Decision.objects.get(pk=payments["stated"].pk)
    remedy = decision.remedies.get(kind="payment")
    remedy.amount = None
    remedy.save()
    decision.refresh_derived()
    decision.refresh_from_db()
    assert (decision.stated_payment, decision.unstated_payments) == (None, 1)


def test_every_chart_covers_every_year_with_data_and_the_empty_years_between(client, payments):
    make_decision(reference="51 000 006", organisation=COUNCIL, decided=date(2019, 1, 1), **SEN)
    response = client.get("/councils/mixshire-county-council/")
    years = [year for year, _ in response.context["figures"]["per_year"]]
    counts = dict(response.context["figures"]["per_year"])
    direct = {}
    for decided in Decision.objects.filter(council__slug="mixshire-county-council").values_list("decision_date", flat=True):
        direct[decided.year] = direct.get(decided.year, 0) + 1
    assert years == list(range(min(direct), max(direct) + 1))
    assert all(counts[year] == direct.get(year, 0) for year in years)
    drawn = [bar.label for bar in response.context["year_chart"].bars]
    assert drawn == [str(year) for year in years]


def test_a_decision_page_says_what_it_is_about_and_how_to_cite_it(client, seeds):
    html = client.get("/decisions/20-003-763/").content.decode()
    heading = html[html.index("<h1>"):html.index("</h1>")]
    assert "Dorset Council" in heading and "Child protection" in heading and "20 003 763" not in heading
    kicker = html[html.index('class="kicker"'):html.index("</p>", html.index('class="kicker"'))]
    assert "20 003 763" in kicker and "29 March 2022" in kicker and "Upheld" in kicker
    citation = re.sub(r"<[^>]+>", "", html[html.index('id="citation"'):html.index("</p>", html.index('id="citation"'))])
    assert citation.startswith('id="citation">Local Government and Social Care Ombudsman, decision on Dorset Council, '
                               "20 003 763 (29 March 2022), https://www.lgo.org.uk/decisions/")
    assert citation.endswith("archived at http://testserver/decisions/20-003-763/")


def test_results_and_similar_decisions_name_their_subject(client, db):
    for n in range(3):
        make_decision(reference=f"52 000 00{n}", organisation=COUNCIL, category="Education", subcategory="Other",
                      summary=f"The Council delayed the annual review of the plan {n}. It has agreed to apologise.")
    council = client.get("/councils/mixshire-county-council/").content.decode()
    titles = re.findall(r'class="result-title"><a [^>]+>(.*?)</a>', council)
    assert titles and all(title.startswith("Education <span") for title in titles)  # not "Other"
    page = client.get("/decisions/52-000-000/").content.decode()
    related = page[page.index('id="related-heading"'):page.index("</aside>")]
    assert f"{COUNCIL}: Education" in related and "The Council delayed the annual review of the plan" in related


def test_the_league_table_says_what_it_is_ranked_by_and_leads_to_the_a_to_z(client, payments):
    for query in ({}, {"year_from": "2020"}):
        html = client.get("/councils/", query).content.decode()
        assert re.search(r'<option value="decisions" selected>Decisions</option>', html), query
        assert "ranked by decisions" in html
    html = client.get("/councils/", {"sort": "total_paid", "year_from": "2020"}).content.decode()
    assert re.search(r'<option value="total_paid" selected>', html) and 'name="year_from" value="2020"' in html
    assert 'id="a-to-z"' in html and 'href="#a-to-z"' in html
    assert 'href="/councils/#a-to-z">Organisations A–Z' in client.get("/").content.decode()
    chart = html[html.index('id="league-chart-title"') - 200:]
    assert chart.index("<figcaption") < chart.index('class="bars')  # the title above the chart


def test_the_glossary_explains_every_term_and_pages_link_to_it(client, seeds):
    from decisions.statements.outcomes import OUTCOME_GROUPS
    from decisions.statements.vocabulary import FINDING_KINDS, NOT_INVESTIGATED_REASONS, PAYMENT_PURPOSES, REMEDY_KINDS

    html = client.get("/help/terms/").content.decode()
    for prefix, words in (("outcome", [g for g, _ in OUTCOME_GROUPS]), ("finding", FINDING_KINDS),
                          ("reason", NOT_INVESTIGATED_REASONS), ("remedy", REMEDY_KINDS), ("purpose", PAYMENT_PURPOSES)):
        for word in words:
            entry = re.search(rf'id="{prefix}-{word}"><dt>[^<]+</dt><dd>([^<]+)</dd>', html)
            assert entry and len(entry.group(1)) > 20, (prefix, word)  # a sentence, not a blank
    assert 'href="/help/terms/"' in client.get("/").content.decode()  # from every page's footer
    page = client.get("/decisions/20-003-763/").content.decode()
    assert 'href="/help/terms/#outcome-upheld"' in page and 'href="/help/terms/#remedy-payment"' in page
    assert re.search(r'href="/help/terms/#finding-\w+"', page)
    listing = client.get("/decisions/", {"q": "distress"}).content.decode()
    assert 'href="/help/terms/#findings"' in listing and 'href="/help/terms/#payment-purposes"' in listing
    assert "<em>any</em> of them" in listing
    api_docs = client.get("/api/docs/").content.decode()
    assert 'href="/help/terms/"' in api_docs and "README" not in api_docs


def test_a_searchs_words_are_named_as_words_and_the_empty_page_offers_each_left_out(client, seeds):
    html = client.get("/decisions/", {"q": "homeless", "outcome": "upheld"}).content.decode()
    assert "remove the filter Words: homeless" in html or "Words: homeless" in html
    empty = client.get("/decisions/", {"q": "distress zebra", "match": "all"}).content.decode()
    assert "search without “zebra”" in empty
    assert client.get("/favicon.ico")["Location"].endswith(".svg")


@pytest.mark.parametrize("text", ["wombat", "wombat enclosure gate"])
def test_a_results_extract_does_not_repeat_the_summary_it_shows(client, db, text):
    summary = "The Council failed to mend the wombat enclosure for a year. It has agreed to apologise."
    make_decision(reference="53 000 001", summary=summary, final=summary,
                  complaint="Mr X complains the wombat enclosure's gate stayed broken after many reports.")
    make_decision(reference="53 000 002", summary="The wombat keeper's complaint was not upheld.",
                  final="The wombat keeper's complaint was not upheld.")
    html = client.get("/decisions/", {"q": text}).content.decode()
    first = html[html.index("53-000-001"):]
    first = first[:first.index("</li>")]
    snippet = first[first.index('class="snippet"'):] if 'class="snippet"' in first else ""
    assert "gate" in snippet and "for a year" not in snippet  # from the complaint, not the summary again
    second = html[html.index("53-000-002"):]
    assert 'class="snippet"' not in second[:second.index("</li>")]  # only the summary has the words
