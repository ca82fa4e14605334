"""Organisations side by side (/councils/compare/): each figure equals a direct count and the listing it links to."""

import re
from datetime import date
from statistics import median

import pytest

from decisions.models import ArchiveState, Decision, Remedy
from tests.factories import make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(db):
    shire, town = "Compareshire County Council", "Comparetown District Council"
    for n, amount in enumerate((200, 300, 1000)):
        make_decision(reference=f"64 000 00{n}", organisation=shire, decided=date(2023, 1, 1 + n),
                      category="Education", subcategory="Special educational needs",
                      agreed_action=[f"The Council will apologise and pay Mrs X £{amount} for her distress."])
    make_decision(reference="64 000 010", organisation=shire, outcome="Not upheld: no maladministration",
                  category="Adult care services", subcategory="Charging", summary="We found no fault.",
                  final="There was no fault.")
    make_decision(reference="64 000 011", organisation=shire, category="Adult care services", subcategory="Charging",
                  agreed_action=["The Council will refund Mr Y the fees he paid."])
    make_decision(reference="64 000 020", organisation=town, decided=date(2021, 5, 5), category="Planning",
                  subcategory="Enforcement", agreed_action=["The Council will pay Ms Z £150 for her time and trouble."])
    make_decision(reference="64 000 021", organisation=town, outcome="Closed after initial enquiries",
                  category="Planning", subcategory="Enforcement", summary="We will not investigate this complaint.",
                  final="We will not investigate.")


def table(html: str) -> dict[str, list[tuple[str, str | None]]]:
    """The comparison table as {row label: [(cell text, link or None)]}."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    found = {}
    for label, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', body, re.S):
        found[label.replace("&#x27;", "'")] = [
            (re.sub(r"<[^>]+>", "", cell).replace("&amp;", "&").replace("&#x27;", "'"),
             (m.group(1).replace("&amp;", "&") if (m := re.search(r'href="([^"]+)"', cell)) else None))
            for cell in re.findall(r"<td>(.*?)</td>", cells, re.S)]
    return found


def test_two_organisations_side_by_side_equal_direct_counts_and_their_listings(client, organisations):
    html = client.get("/councils/compare/", {"o": ["compareshire-county-council", "Comparetown District Council"]}
                      ).content.decode()
    rows = table(html)
    for index, name in enumerate(("Compareshire County Council", "Comparetown District Council")):
        own = Decision.objects.published().filter(council__name=name)
        assert rows["Decisions"][index][0] == str(own.count())
        upheld, investigated = own.filter(outcome_group="upheld").count(), own.filter(
            outcome_group__in=["upheld", "not_upheld"]).count()
        expected = f"{round(100 * upheld / investigated)}% ({upheld} of {investigated})" if investigated else "–"
        assert rows["Share upheld of those investigated"][index][0] == expected
        totals = sorted(own.filter(total_payment__gt=0).values_list("total_payment", flat=True))
        assert rows["Stated payments, total"][index][0].startswith(f"£{sum(totals):,.0f}")
        assert rows["Median stated payment (a decision's total)"][index][0] == f"£{median(totals):,.0f}"
        unstated = Remedy.objects.filter(decision__in=own, kind="payment", amount__isnull=True).count()
        assert rows["Payments without a stated amount"][index][0] == str(unstated)
        apologies = own.filter(remedies__kind="apology").distinct().count()
        assert rows["Remedy: apology"][index][0] == str(apologies)
    # Every link lists as many decisions as the figure says.
    for label in ("Decisions", "Remedy: apology", "Remedy: payment", "Most common topic"):
        for text, url in rows[label]:
            if url:
                count = client.get(url).context["page"].paginator.count
                assert re.search(rf"\b{count}\b", text), (label, text, url, count)
    assert rows["Most common topic"][0][0] == "Education › Special educational needs (3)"
    shire_paid = rows["Stated payments, total"][0]
    assert shire_paid[0] == "£1,500 in 3 decisions"
    assert client.get(shire_paid[1]).context["page"].paginator.count == 3
    assert rows["Payments without a stated amount"][0][0] == "1"  # the refund: never £0
    assert rows["Decisions whose reading staff have checked"][0][0] == "0 of 5"
    Decision.objects.filter(reference="64 000 000").update(is_curated=True)
    ArchiveState.bump()  # as every write through the models does
    rows = table(client.get("/councils/compare/", {"o": ["compareshire-county-council", "comparetown-district-council"]}
                            ).content.decode())
    assert rows["Decisions whose reading staff have checked"][0][0] == "1 of 5"


def test_one_kind_against_all_and_the_filters(client, organisations):
    rows = table(client.get("/councils/compare/", {"kind": "district_council"}).content.decode())
    assert [text for text, _ in rows["Decisions"]] == ["2", "7"]
    rows = table(client.get("/councils/compare/", {"kind": "county_council", "year_from": "2023",
                                                   "category": "education"}).content.decode())
    assert [text for text, _ in rows["Decisions"]] == ["3", "3"]
    assert "category=education" in rows["Decisions"][0][1] and "date_from=2023-01-01" in rows["Decisions"][0][1]
    assert "organisation_kind=county_council" in rows["Decisions"][0][1]


def test_what_cannot_be_compared_is_said(client, organisations):
    html = client.get("/councils/compare/", {"o": ["compareshire-county-council", "Nowhere Council"]}).content.decode()
    assert "No organisation is called “Nowhere Council”" in html and "Choose at least two organisations" in html
    many = client.get("/councils/compare/", {"o": ["compareshire-county-council"] * 3 + ["x", "y", "z"]})
    assert "At most 5 organisations at once" in many.content.decode()
    assert client.get("/councils/compare/", {"kind": "parish"}).status_code == 200
    assert client.get("/councils/compare/").status_code == 200


def test_organisation_pages_and_the_league_table_lead_to_a_comparison(client, organisations):
    page = client.get("/councils/compareshire-county-council/").content.decode()
    assert 'href="/councils/compare/?o=compareshire-county-council"' in page
    assert 'href="/councils/compare/?kind=county_council"' in page and "Every county council against all" in page
    league = client.get("/councils/").content.decode()
    assert 'action="/councils/compare/"' in league and 'name="o" value="comparetown-district-council"' in league
