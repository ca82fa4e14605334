"""Exports, feeds, the API and findability, checked against the filtered querysets."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from decisions.models import Decision
from tests.factories import make_decision

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def streamed(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def expected_references(**filters):
    return list(Decision.objects.published().filter(**filters).order_by("-decision_date", "-pk")
                .values_list("reference", flat=True))


def test_csv_export_is_every_matching_decision(client, seeds):
    response = client.get("/decisions/export.csv", {"category": "children-s-care-services", "outcome": "Upheld"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(streamed(response).lstrip("\ufeff"))))
    assert [r["reference"] for r in rows] == expected_references(outcome="Upheld")
    dorset = next(r for r in rows if r["reference"] == "20 003 763")
    assert dorset["organisation"] == "Dorset Council"
    assert dorset["total_payment"] == "1750.00"
    assert dorset["remedy_kinds"] == "apology; payment"
    assert dorset["finding_kinds"] == "fault_with_injustice"
    assert dorset["url"] == "http://testserver/decisions/20-003-763/"
    assert dorset["decision_date"] == "2022-03-29"


def test_csv_is_safe_in_spreadsheets(client, seeds):
    make_decision(reference="30 000 001", organisation="=HYPERLINK(\"http://evil\") Council",
                  summary="+cmd|' /C calc'!A0 is a complaint about formulas.")
    rows = list(csv.DictReader(io.StringIO(streamed(client.get("/decisions/export.csv")).lstrip("\ufeff"))))
    evil = next(r for r in rows if r["reference"] == "30 000 001")
    assert evil["organisation"].startswith("'=")
    assert evil["summary"].startswith("'+")


@pytest.mark.parametrize("summary", [";=1+1 split on semicolons", "＝HYPERLINK(\"http://evil\")", " ;@SUM(A1)",
                                     "\t=1", "＋1", "－1", "＠x"])
def test_csv_cells_are_quoted_and_formulas_neutralised_in_every_locale(client, db, summary):
    make_decision(reference="30 000 002", organisation="Semicolon Council", summary=summary)
    text = streamed(client.get("/decisions/export.csv")).lstrip("\ufeff")
    header, line = text.splitlines()[:2]
    assert header.startswith('"reference","url"')  # every cell quoted, so no separator starts a cell
    assert line.startswith('"30 000 002","http://testserver/decisions/30-000-002/"')
    row = next(csv.DictReader(io.StringIO(text)))
    stored = Decision.objects.get(reference="30 000 002").summary
    assert stored.strip() and row["summary"] == "'" + stored


def test_json_export_matches_the_search(client, seeds):
    response = client.get("/decisions/export.json", {"q": "distress", "sort": "newest"})
    data = json.loads(streamed(response))
    references = [d["reference"] for d in data["decisions"]]
    # Independently of the search: the word, or a longer word it stems from, in the statement.
    expected = Decision.objects.published().filter(full_text__icontains="distress").order_by(
        "-decision_date", "-pk").values_list("reference", flat=True)
    assert references == list(expected) and references
    assert set(data["decisions"][0]) == set(data["fields"])


def test_exports_stream_rather_than_build_the_whole_file(client, seeds):
    for n in range(30):
        make_decision(reference=f"31 000 {n:03d}")
    response = client.get("/decisions/export.csv")
    chunks = iter(response.streaming_content)
    first = [next(chunks) for _ in range(3)]  # the BOM, the header, the first decision
    assert b"reference" in first[1] and len(b"".join(first)) < 2000
    assert sum(1 for _ in chunks) == 34  # one chunk a decision: 35 decisions in all


def test_exports_reject_bad_parameters(client, seeds):
    response = client.get("/decisions/export.csv", {"date_from": "banana"})
    assert response.status_code == 400
    assert "date_from" in response.content.decode()


def test_atom_feed_is_valid_and_newest_first(client, seeds):
    response = client.get("/decisions/feed.atom", {"category": "children-s-care-services", "remedy": "payment"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated", "link"):
        assert root.find(f"{ATOM}{element}") is not None
    assert "Remedy: Payment" in root.find(f"{ATOM}title").text  # values by their labels
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == ["Dorset Council (20 003 763): Upheld", "Staffordshire County Council (20 007 616): Upheld",
                      "Wiltshire Council (20 007 812): Upheld"]
    for entry in entries:
        for element in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{element}") is not None, element


def test_feed_is_linked_from_results(client, seeds):
    content = client.get("/decisions/", {"outcome": "Upheld"}).content.decode()
    assert 'type="application/atom+xml"' in content
    assert "/decisions/feed.atom?outcome=upheld" in content
    assert "/decisions/export.csv?outcome=upheld" in content


def test_feed_with_bad_parameters_is_404(client, seeds):
    assert client.get("/decisions/feed.atom", {"date_to": "soon"}).status_code == 400


def test_api_list_filters_sorts_and_pages(client, seeds):
    response = client.get("/api/decisions/", {"category": "children-s-care-services", "page_size": "2",
                                              "sort": "oldest"})
    data = response.json()
    assert data["count"] == 5 and data["pages"] == 3 and data["page"] == 1
    assert [d["reference"] for d in data["results"]] == ["18 011 812", "20 007 812"]
    assert data["previous"] is None
    second = client.get(data["next"]).json()
    assert [d["reference"] for d in second["results"]] == ["20 007 616", "20 003 763"]
    assert second["previous"].endswith("page=1")
    assert data["results"][0]["api_url"] == "http://testserver/api/decisions/18-011-812/"


def test_api_search_is_the_sites_search(client, seeds):
    data = client.get("/api/decisions/", {"q": '"risk of harm"'}).json()
    assert sorted(d["reference"] for d in data["results"]) == ["18 011 812", "20 003 763"]
    assert data["sort"] == "relevance"


def test_api_detail(client, seeds):
    data = client.get("/api/decisions/20-003-763/").json()
    assert data["reference"] == "20 003 763"
    assert [s["heading"] for s in data["sections"]][0] == "The complaint"
    assert data["sections"][0]["paragraphs"][0]["number"] == "1"
    assert [(r["kind"], r["amount"]) for r in data["remedies"]] == [
        ("apology", None), ("payment", "1000.00"), ("payment", "500.00"), ("payment", "250.00")]
    assert data["remedies"][1]["purposes"] == ["distress"]
    assert data["findings"][0]["kind"] == "fault_with_injustice"
    assert data["remedies"][1]["basis"] == "action" and data["remedies"][1]["text"].startswith("£1000 to recognise")
    assert (data["outcome_group"], data["read_by"], data["confidence"], data["review_reasons"]) == (
        "upheld", "software", "high", [])
    assert data["lgo_url"].endswith("/children-s-care-services/child-protection/20-003-763")


@pytest.mark.parametrize("params, parameter", [
    ({"date_from": "banana"}, "date_from"), ({"council": "nowhere"}, "council"), ({"sort": "up"}, "sort"),
    ({"page_size": "1000"}, "page_size"), ({"page": "x"}, "page"), ({"remedy": "bribe"}, "remedy"),
])
def test_api_errors_name_the_parameter(client, seeds, params, parameter):
    response = client.get("/api/decisions/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == parameter and body["error"] and body["detail"]


def test_api_missing_things_are_json_404s(client, seeds):
    response = client.get("/api/decisions/", {"page": "50"})
    assert response.status_code == 404 and response.json()["parameter"] == "page"
    response = client.get("/api/decisions/99-999-999/")
    assert response.status_code == 404 and "error" in response.json()
    Decision.objects.filter(reference="20 003 763").update(is_published=False)
    assert client.get("/api/decisions/20-003-763/").status_code == 404
    assert "20 003 763" not in client.get("/api/decisions/").content.decode()


def test_api_councils_and_categories(client, seeds):
    make_decision(reference="32 000 001", organisation="Dorset Council", category="Planning",
                  subcategory="Enforcement", decided=date(2024, 1, 1))
    councils = client.get("/api/councils/").json()
    dorset = next(c for c in councils["results"] if c["slug"] == "dorset-council")
    assert dorset["decisions"] == 2 and dorset["kind"] == "unitary_council"
    categories = client.get("/api/categories/").json()["results"]
    children = next(c for c in categories if c["slug"] == "children-s-care-services")
    assert children["decisions"] == 5
    assert {s["filter_value"]: s["decisions"] for s in children["subcategories"]} == {
        "children-s-care-services/child-protection": 2, "children-s-care-services/other": 3}
    assert client.get("/api/").json()["decisions"].endswith("/api/decisions/")


def test_sitemap_covers_every_published_page(client, seeds):
    Decision.objects.filter(reference="22 017 902").update(is_published=False)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [loc.text for loc in index.iter(f"{ns}loc")]
    urls = []
    for location in locations:
        page = ET.fromstring(client.get(location.replace("http://testserver", "")).content)
        urls += [loc.text for loc in page.iter(f"{ns}loc")]
    decisions = [u for u in urls if "/decisions/" in u and u.count("-") >= 2]
    assert sorted(decisions) == sorted(
        f"http://testserver/decisions/{r.replace(' ', '-')}/" for r in expected_references())
    assert "http://testserver/councils/dorset-council/" in urls
    assert "http://testserver/councils/herefordshire-council/" not in urls
    assert "http://testserver/categories/children-s-care-services/child-protection/" in urls


def test_robots_and_canonical_and_description(client, seeds):
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots
    content = client.get("/decisions/20-003-763/", {"q": "harm"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/decisions/20-003-763/">' in content
    assert '<meta name="description" content="Dorset Council had already accepted it was at fault' in content


def test_council_and_category_pages_export_their_own_decisions(client, seeds):
    make_decision(reference="33 000 001", organisation="Dorset Council", category="Planning",
                  subcategory="Enforcement")
    content = client.get("/councils/dorset-council/", {"outcome": "Upheld"}).content.decode()
    assert "/decisions/export.csv?council=dorset-council&amp;outcome=upheld" in content
    rows = list(csv.DictReader(io.StringIO(streamed(
        client.get("/decisions/export.csv", {"council": "dorset-council", "outcome": "Upheld"})).lstrip("\ufeff"))))
    assert sorted(r["reference"] for r in rows) == ["20 003 763", "33 000 001"]
    content = client.get("/categories/children-s-care-services/child-protection/").content.decode()
    assert ("/decisions/feed.atom?category=children-s-care-services&amp;"
            "subcategory=children-s-care-services%2Fchild-protection") in content
