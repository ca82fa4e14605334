"""What is usually paid (/remedies/): stated amounts only, their spread by purpose, never £0."""

import csv
import io
import re
import statistics
from datetime import date
from decimal import Decimal

import pytest

from decisions.payments import spread
from tests.factories import make_decision

pytestmark = pytest.mark.django_db


def test_the_spread_of_amounts_is_read_off_the_amounts_themselves():
    row = spread("distress", [100 * a for a in (100, 200, 300, 400, 1000)], unstated=2, decisions=5, checked=1)
    assert (row.median, row.quartiles, row.deciles) == (300, (200, 400), (140, 760))
    assert (row.lowest, row.highest, row.stated, row.unstated) == (100, 1000, 5, 2)
    alone = spread("distress", [25000], 0, 1, 0)
    assert (alone.median, alone.quartiles, alone.deciles) == (250, None, None)
    none = spread("financial_loss", [], 3, 0, 0)
    # Exactly the standard library's inclusive percentiles, pence in, whole pounds out (half to even).
    amounts = [12345, 99, 250050, 7000, 7001, 31250, 500, 500, 88888]
    row = spread("distress", amounts, 0, 9, 0)
    expected = statistics.quantiles(sorted(Decimal(a) / 100 for a in amounts), n=10, method="inclusive")
    assert row.deciles == tuple(value.quantize(Decimal("1")) for value in (expected[0], expected[-1]))
    assert row.median == statistics.median(Decimal(a) / 100 for a in amounts).quantize(Decimal("1"))
    assert none.median is None and none.lowest is None and none.unstated == 3  # unknown, not £0


@pytest.fixture
def paid(db):
    for n, amount in enumerate((100, 200, 300, 400, 1000)):
        make_decision(reference=f"61 000 00{n}", organisation="Payshire County Council", decided=date(2022, 1, 1 + n),
                      category="Education", subcategory="Special educational needs",
                      agreed_action=[f"The Council will pay Mrs X £{amount} to acknowledge her distress."])
    make_decision(reference="61 000 010", organisation="Payshire County Council", category="Education",
                  subcategory="School transport", agreed_action=["The Council will refund Mr Y the fares he paid."])
    make_decision(reference="61 000 011", organisation="Elsewhere District Council", category="Planning",
                  subcategory="Enforcement", agreed_action=["The Council will pay Ms Z £5,000 for her distress."])


def test_the_explorer_shows_each_purpose_with_its_spread_and_links_to_its_decisions(client, paid):
    html = client.get("/remedies/", {"category": "education"}).content.decode()
    distress = html[html.index(">Distress</a>"):]
    distress = distress[:distress.index("</tr>")]
    assert "5<span class=\"sub\"> in 5 decisions" in distress and "£300" in distress and "£200–£400" in distress
    assert "£140–£760" in distress and "£100–£1,000" in distress and "£5,000" not in html  # the filter holds
    loss = html[html.index(">Financial loss</a>"):]
    loss = loss[:loss.index("</tr>")]
    assert '<td class="num">0<span class="sub"> in 0 decisions</span></td>\n      <td class="num">1</td>' in loss
    assert "£0<" not in html and "£0–" not in html  # (the page says "never as £0" in words)
    assert 'href="/decisions/?remedy=payment&amp;purpose=distress&amp;category=education&amp;sort=payment"' in html
    listed = client.get("/decisions/?remedy=payment&purpose=distress&category=education&sort=payment")
    assert listed.context["page"].paginator.count == 5
    assert "guidance-on-remedies" in html and "Only amounts a statement states are counted" in html
    # The spread drawn on one scale (£0 to the largest 90th percentile, £760 here).
    assert ('<line x1="18.42" x2="100.0" y1="6" y2="6"' in distress and '<rect x="26.32" y="2" width="26.31"' in distress
            and '<line x1="39.47" x2="39.47"' in distress)
    assert "<svg" not in loss  # no amounts, nothing drawn


def test_the_csv_and_the_api_give_the_same_figures(client, paid):
    rows = list(csv.DictReader(io.StringIO(client.get("/remedies/", {"format": "csv"}).content.decode())))
    distress = next(row for row in rows if row["purpose"] == "Distress")
    assert (distress["payments_with_stated_amount"], distress["median"], distress["highest"]) == ("6", "350", "5000")
    loss = next(row for row in rows if row["purpose"] == "Financial loss")
    assert (loss["payments_without_amount"], loss["median"]) == ("1", "")
    data = client.get("/api/remedies/", {"category": "education"}).json()
    api = {row["purpose"]: row for row in data["results"]}
    assert api["distress"]["median"] == "300.00" and api["financial_loss"]["median"] is None
    assert api["distress"]["decisions_url"].endswith("/decisions/?remedy=payment&purpose=distress&category=education"
                                                     "&sort=payment")
    assert client.get("/api/remedies/", {"year_from": "²"}).status_code == 400
    assert client.get("/remedies/", {"year_from": "nonsense"}).status_code == 200  # said on the form


def test_a_decision_page_sets_a_payment_beside_others_of_its_purpose_and_topic(client, db):
    for n in range(12):
        make_decision(reference=f"62 000 {n:03d}", category="Education", subcategory="Special educational needs",
                      agreed_action=[f"The Council will pay Mrs X £{100 + 50 * n} to acknowledge her distress."])
    html = client.get("/decisions/62-000-010/").content.decode()  # £600: 10 of 12 lower
    assert ("£600: higher than 8 in 10 distress payments in Special educational needs decisions (n = 12)" in html)
    assert 'href="/remedies/?subcategory=education%2Fspecial-educational-needs"' in html
    low = client.get("/decisions/62-000-000/").content.decode()  # £100: 11 of 12 higher
    assert "£100: lower than 9 in 10 distress payments" in low
    explorer = client.get("/remedies/", {"subcategory": "education/special-educational-needs"}).content.decode()
    assert "12<span class=\"sub\"> in 12 decisions" in explorer
    assert client.get("/remedies/", {"subcategory": "nonsense"}).status_code == 200  # said on the form


def test_no_comparison_is_said_from_fewer_than_ten_payments(client, db):
    for n in range(9):
        make_decision(reference=f"63 000 {n:03d}", category="Education", subcategory="School transport",
                      agreed_action=[f"The Council will pay Mr Y £{200 + n} to acknowledge his distress."])
    assert "distress payments in School transport" not in client.get("/decisions/63-000-004/").content.decode()


def test_organisation_kinds_filter_and_count_the_listing(client, paid):
    page = client.get("/decisions/", {"organisation_kind": "county_council"})
    assert page.context["page"].paginator.count == 6  # Payshire's, not Elsewhere District Council's
    facet = next(f for f in page.context["facets"] if f.name == "organisation_kind")
    counts = {option.value: option.count for option in facet.options}
    assert counts == {"county_council": 6, "district_council": 1}  # counted without its own filter
    assert "Kind of organisation: County council" in page.content.decode()  # the chip
    assert client.get("/decisions/", {"organisation_kind": "district_council"}).context["page"].paginator.count == 1
    bad = client.get("/api/decisions/", {"organisation_kind": "parish"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "organisation_kind"


def test_a_payment_range_lists_the_decisions_with_a_payment_in_it(client, paid):
    def listed(**query):
        return {d.reference for d in client.get("/decisions/", query).context["decisions"]}

    assert listed(payment_from="200", payment_to="400") == {"61 000 001", "61 000 002", "61 000 003"}
    assert listed(payment_from="1000") == {"61 000 004", "61 000 011"}
    # With a purpose, the payment in the range must be for it.
    assert listed(payment_from="1000", purpose="financial_loss") == set()
    assert listed(payment_from="0", purpose="distress") == {f"61 000 00{n}" for n in range(5)} | {"61 000 011"}
    page = client.get("/decisions/", {"payment_from": "500", "payment_to": "100"})
    assert "The largest payment (£100) is less than the smallest (£500)." in page.content.decode()


def test_every_figure_of_the_explorer_links_to_the_decisions_behind_it(client, paid):
    rows = {row["purpose"]: row for row in client.get("/api/remedies/", {"category": "education"}).json()["results"]}
    html = client.get("/remedies/", {"category": "education"}).content.decode()
    distress = html[html.rindex("<tr>", 0, html.index(">Distress</a>")):]
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/decisions/\?[^"]+)"',
                                                               distress[:distress.index("</tr>")])]
    counts = [client.get(link).context["page"].paginator.count for link in links]
    # the purpose's decisions; with a stated amount; at most the median (£300); the middle half (£200-£400);
    # 10th-90th (£140-£760); range
    assert counts == [5, rows["distress"]["decisions"], 3, 3, 3, 5]
    assert "payment_from=200&payment_to=400" in links[3] and "category=education" in links[3]


def test_the_explorer_filters_by_kind_of_organisation_and_by_organisation(client, paid):
    def distress(**query):
        found = client.get("/api/remedies/", query).json()["results"]
        return next((row for row in found if row["purpose"] == "distress"), None)

    assert distress()["payments_with_stated_amount"] == 6
    assert distress(organisation_kind="county_council")["payments_with_stated_amount"] == 5
    assert distress(organisation_kind="district_council")["median"] == "5000.00"
    assert distress(organisation_kind="london_borough") is None
    assert distress(council="elsewhere-district-council")["median"] == "5000.00"
    assert distress(council="payshire county council")["payments_with_stated_amount"] == 5  # by name too
    assert distress(council="payshire county council", organisation_kind="county_council")["decisions_url"].endswith(
        "/decisions/?remedy=payment&purpose=distress&organisation_kind=county_council&council=payshire-county-council"
        "&sort=payment")
    assert client.get("/api/remedies/", {"council": "nowhere"}).status_code == 400
    html = client.get("/remedies/", {"council": "nowhere"}).content.decode()
    assert "No organisation is called “nowhere”." in html


def test_rates_have_a_row_of_their_own_as_so_much_a_month(client, db):
    make_decision(reference="63 000 001", category="Education", subcategory="Special educational needs",
                  agreed_action=["The Council will pay Mrs A £300 a month for four months for the education her son "
                                 "lost."])
    make_decision(reference="63 000 002", category="Education", subcategory="Special educational needs",
                  agreed_action=["The Council will pay Mr B £1,500 per term for the provision his daughter missed."])
    make_decision(reference="63 000 003", category="Education", subcategory="Special educational needs",
                  agreed_action=["The Council will pay Ms C £1,000 for the loss of provision."])
    rows = {(row["purpose"], row["per_month"]): row for row in client.get("/api/remedies/").json()["results"]}
    totals, rates = rows[("loss_of_service", False)], rows[("loss_of_service", True)]
    # Totals: £1,200 (4 x £300) and £1,000 stated; the termly rate's total is not stated.
    assert (totals["payments_with_stated_amount"], totals["payments_without_amount"]) == (2, 1)
    assert (totals["lowest"], totals["highest"]) == ("1000.00", "1200.00")
    # Rates a month: £300, and £1,500 a term as £500 a month.
    assert (rates["payments_with_stated_amount"], rates["lowest"], rates["highest"]) == (2, "300.00", "500.00")
    assert rates["label"] == "Loss of service: rates, a month"
    html = client.get("/remedies/").content.decode()
    assert "a term as three months" in html and "Loss of service: rates, a month" in html
    page = client.get("/decisions/63-000-002/").content.decode()
    assert "total not stated" in page and "£1,500 a term" in page
    assert "£300 a month for 4 months" in client.get("/decisions/63-000-001/").content.decode()
    rate = client.get("/api/decisions/63-000-001/").json()["remedies"][0]["rate"]
    assert rate == {"per": "300.00", "period": "month", "periods": 4}


def test_the_explorer_counts_the_decisions_staff_have_checked(client, paid):
    from decisions.models import Decision

    distress = next(r for r in client.get("/api/remedies/").json()["results"] if r["purpose"] == "distress")
    assert (distress["decisions"], distress["decisions_checked_by_staff"]) == (6, 0)
    decision = Decision.objects.get(reference="61 000 002")
    decision.is_curated = True
    decision.save()
    distress = next(r for r in client.get("/api/remedies/").json()["results"] if r["purpose"] == "distress")
    assert distress["decisions_checked_by_staff"] == 1
