"""The public pages with a real database: filters, facets, sorting, paging, bad input, visibility."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Exists, OuterRef

from decisions.models import Council, Decision, Finding, Remedy
from tests.factories import make_decision

pytestmark = pytest.mark.django_db

DORSET, WILTSHIRE, DERBYSHIRE, STAFFORDSHIRE, HEREFORDSHIRE = (
    "20 003 763", "20 007 812", "18 011 812", "20 007 616", "22 017 902")


def listed(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response, [d.reference for d in response.context["decisions"]]


@pytest.fixture
def archive(seeds):
    """The seeds and a few more decisions of other kinds, categories and outcomes."""
    make_decision(reference="21 000 001", organisation="Kent County Council", category="Planning",
                  subcategory="Enforcement", outcome="Not upheld", decided=date(2021, 1, 5),
                  summary="We found no fault in how the Council dealt with enforcement.", final="There was no fault.")
    make_decision(reference="21 000 002", organisation="Kent County Council", category="Adult care services",
                  subcategory="Charging", outcome="Upheld", decided=date(2023, 7, 9),
                  summary="The Council was at fault when it charged for care. It agreed to refund the charges.",
                  agreed_action=["The Council will pay Mrs Y £2,400 to refund the care charges she paid.",
                                 "The Council will review its charging policy."])
    make_decision(reference="21 000 003", organisation="Something Care (Cheltenham) Limited",
                  category="Adult care services", subcategory="Residential care", outcome="Upheld",
                  decided=date(2024, 2, 1),
                  summary="The care provider was at fault and caused distress.",
                  agreed_action=["The provider will apologise to Mr Z and pay him £300 for his distress."])


def test_every_filter(client, archive):
    url = "/decisions/"
    cases = [
        ({"council": "kent-county-council"}, ["21 000 002", "21 000 001"]),
        ({"council": ["kent-county-council", "dorset-council"]}, ["21 000 002", DORSET, "21 000 001"]),
        ({"category": "adult-care-services"}, ["21 000 003", "21 000 002"]),
        ({"subcategory": "adult-care-services/charging"}, ["21 000 002"]),
        ({"subcategory": "children-s-care-services/child-protection"}, [DORSET, STAFFORDSHIRE]),
        ({"outcome": "not_upheld"}, ["21 000 001"]),
        ({"outcome": ["not_upheld", "not_investigated"]}, [HEREFORDSHIRE, "21 000 001"]),
        # Links made with published labels still work: each label is read as its group.
        ({"outcome": "Not upheld"}, ["21 000 001"]),
        ({"outcome": ["Not upheld: no maladministration", "Closed after initial enquiries"]}, [HEREFORDSHIRE, "21 000 001"]),
        ({"date_from": "2023-01-01"}, ["21 000 003", "21 000 002", HEREFORDSHIRE]),
        ({"date_to": "2019-12-31"}, [DERBYSHIRE]),
        ({"date_from": "2021-05-01", "date_to": "2021-05-31"}, [STAFFORDSHIRE, WILTSHIRE]),
        ({"remedy": "procedure_change"}, ["21 000 002"]),
        ({"remedy": ["apology"]}, ["21 000 003", DORSET, WILTSHIRE]),
        ({"purpose": "financial_loss"}, ["21 000 002"]),
        ({"purpose": "risk_of_harm"}, [DORSET]),
        ({"min_payment": "800"}, ["21 000 002", DORSET, WILTSHIRE]),
        ({"finding": "not_investigated"}, [HEREFORDSHIRE]),
        ({"finding": "no_fault"}, ["21 000 001", DERBYSHIRE]),
    ]
    for params, expected in cases:
        _, references = listed(client, url, **params)
        assert references == expected, params


def test_filters_combine_with_each_other_and_with_keywords(client, archive):
    _, refs = listed(client, "/decisions/", category="children-s-care-services", outcome="Upheld",
                     remedy="payment", min_payment="600")
    assert refs == [DORSET, WILTSHIRE]
    _, refs = listed(client, "/decisions/", q="distress", category="children-s-care-services", sort="newest")
    assert refs == [DORSET, STAFFORDSHIRE, WILTSHIRE]
    _, refs = listed(client, "/decisions/", q="charges", council="kent-county-council")
    assert refs == ["21 000 002"]


def test_facet_counts_match_direct_queries(client, archive):
    response, _ = listed(client, "/decisions/", category="children-s-care-services", remedy="payment")
    facets = {f.name: {o.value: o.count for o in f.options} for f in response.context["facets"]}
    published = Decision.objects.published()
    with_payment = published.filter(Exists(Remedy.objects.filter(decision=OuterRef("pk"), kind="payment")))
    in_children = published.filter(category__slug="children-s-care-services")
    # A facet counts with every other filter applied, but not its own.
    assert facets["category"] == {
        "children-s-care-services": with_payment.filter(category__slug="children-s-care-services").count(),
        "adult-care-services": with_payment.filter(category__slug="adult-care-services").count(),
    }
    assert facets["remedy"]["payment"] == in_children.filter(
        Exists(Remedy.objects.filter(decision=OuterRef("pk"), kind="payment"))).count()
    assert facets["remedy"]["apology"] == in_children.filter(
        Exists(Remedy.objects.filter(decision=OuterRef("pk"), kind="apology"))).count()
    both = in_children.filter(Exists(Remedy.objects.filter(decision=OuterRef("pk"), kind="payment")))
    assert facets["outcome"] == {"upheld": both.filter(outcome_group="upheld").count()}
    assert facets["finding"]["fault_with_injustice"] == both.filter(
        Exists(Finding.objects.filter(decision=OuterRef("pk"), kind="fault_with_injustice"))).count()
    assert facets["purpose"]["time_and_trouble"] == both.filter(
        Exists(Remedy.objects.filter(decision=OuterRef("pk"), purposes__contains="time_and_trouble"))).count()
    assert sum(facets["council"].values()) == both.count()
    selected = [o for f in response.context["facets"] for o in f.options if o.selected]
    assert {(o.value) for o in selected} == {"children-s-care-services", "payment"}


def test_facet_links_toggle_and_chips_remove(client, archive):
    response, _ = listed(client, "/decisions/", outcome="upheld", page="1")
    outcome = next(f for f in response.context["facets"] if f.name == "outcome")
    upheld = next(o for o in outcome.options if o.value == "upheld")
    assert upheld.selected and upheld.url == "?"
    not_upheld = next(o for o in outcome.options if o.value == "not_upheld")
    assert not_upheld.label == "Not upheld" and not_upheld.url == "?outcome=upheld&outcome=not_upheld"
    chips = response.context["active_filters"]
    assert chips == [("Outcome", "Upheld", "?")]


def test_sort_orders(client, archive):
    _, newest = listed(client, "/decisions/", sort="newest")
    dates = [d.decision_date for d in Decision.objects.filter(reference__in=newest)]
    assert newest[0] == "21 000 003" and newest[-1] == DERBYSHIRE and len(newest) == len(dates)
    _, oldest = listed(client, "/decisions/", sort="oldest")
    assert oldest == list(reversed(newest))
    _, by_payment = listed(client, "/decisions/", sort="payment")
    assert by_payment[:4] == ["21 000 002", DORSET, WILTSHIRE, STAFFORDSHIRE]
    _, relevance = listed(client, "/decisions/", q="Staffordshire")
    assert relevance[0] == STAFFORDSHIRE
    response, _ = listed(client, "/decisions/", sort="relevance")  # no words: relevance means newest
    assert response.context["sort"] == "newest"


def test_pagination_edges(client, seeds):
    for n in range(27):
        make_decision(reference=f"23 100 {n:03d}", decided=date(2020, 1, 1))
    response, first = listed(client, "/decisions/", sort="oldest")
    assert response.context["page"].paginator.count == 32 and len(first) == 25
    assert "32 decisions" in response.content.decode()
    _, second = listed(client, "/decisions/", sort="oldest", page="2")
    assert len(second) == 7 and not set(first) & set(second)
    # A page past the end goes to the last page, nonsense or a page before the first to the first.
    for asked, goes_to in (("3", "/decisions/?sort=oldest&page=2"), ("99999", "/decisions/?sort=oldest&page=2"),
                           ("0", "/decisions/?sort=oldest"), ("banana", "/decisions/?sort=oldest")):
        response = client.get("/decisions/", {"sort": "oldest", "page": asked})
        assert (response.status_code, response["Location"]) == (302, goes_to)
    # Empty form fields do not litter the address.
    response = client.get("/decisions/?q=&council=&date_from=&sort=oldest&min_payment=")
    assert (response.status_code, response["Location"]) == (302, "/decisions/?sort=oldest")


@pytest.mark.parametrize("params, message", [
    ({"council": "no-such-council"}, "Organisation"),
    ({"date_from": "banana"}, "Decided on or after"),
    ({"outcome": "Nonsense"}, "Outcome"),
    ({"remedy": "bribe"}, "Remedy"),
    ({"min_payment": "-5"}, "Total payment"),
    ({"min_payment": "1e400"}, "Total payment"),
    ({"sort": "sideways"}, "Sort by"),
    ({"q": "x" * 2001}, "Search decisions"),  # a description of up to 2,000 characters is searched
    ({"subcategory": "../../etc"}, "Subcategory"),
])
def test_bad_parameters_give_a_message_not_an_error(client, seeds, params, message):
    response = client.get("/decisions/", params)
    assert response.status_code == 200
    content = response.content.decode()
    assert "could not be understood" in content and message in content


@pytest.mark.parametrize("params", [
    {"q": '"unbalanced'}, {"q": "((("}, {"q": "' OR 1=1 --"}, {"q": "{{ 7*7 }}"}, {"q": "NOT"},
    {"q": "-"}, {"q": '""'}, {"q": "a" * 300}, {"unknown": "x"},
])  # a NUL byte is a 400 before any view: tests/test_hostile.py
def test_odd_queries_never_fail(client, seeds, params):
    assert client.get("/decisions/", params).status_code == 200


def test_reference_search_goes_straight_to_the_decision(client, seeds):
    for text in ("20 003 763", "20-003-763", " 20003763 "):
        response = client.get("/decisions/", {"q": text})
        assert response.status_code == 302 and response["Location"] == "/decisions/20-003-763/"
    response, refs = listed(client, "/decisions/", q="99 999 999")
    assert refs == []


def test_unpublished_decisions_never_appear(client, archive):
    Decision.objects.filter(reference=DORSET).update(is_published=False)
    assert client.get("/decisions/20-003-763/").status_code == 404
    _, refs = listed(client, "/decisions/")
    assert DORSET not in refs
    _, refs = listed(client, "/decisions/", q="Dorset")
    assert refs == []
    response = client.get("/decisions/", {"q": "20 003 763"})
    assert response.status_code == 200
    response = client.get("/")
    assert "Dorset" not in response.content.decode()
    assert response.context["totals"]["decisions"] == 7
    response = client.get("/councils/")
    assert "Dorset Council" not in response.content.decode()
    response, refs = listed(client, "/councils/dorset-council/")
    assert refs == [] and response.context["figures"]["decisions"] == 0
    response, _ = listed(client, "/decisions/", remedy="payment")
    council_facet = next(f for f in response.context["facets"] if f.name == "council")
    assert "dorset-council" not in {o.value for o in council_facet.options}


def test_decision_page(client, seeds):
    response = client.get("/decisions/20-003-763/")
    content = response.content.decode()
    assert '<h1>Dorset Council<span class="subject">: Child protection</span></h1>' in content
    assert ('href="https://www.lgo.org.uk/decisions/children-s-care-services/child-protection/20-003-763"'
            in content)
    body = response.context["body"]
    assert [s["heading"] for s in body] == [
        "The complaint", "The Ombudsman’s role and powers", "How I considered this complaint", "What I found",
        "Agreed action", "Final decision"]
    ids = [p["id"] for s in body for p in s["paragraphs"]] + [
        p["id"] for s in body for sub in s["subsections"] for p in sub["paragraphs"]]
    assert len(ids) == len(set(ids))
    for section in body:
        assert f'href="#{section["id"]}"' in content and f'id="{section["id"]}"' in content
    assert 'id="para-1"' in content and 'href="#para-1"' in content
    # Citable numbers: numbered once through the statement, and the anchor says the number shown.
    shown = re.findall(r'id="para-(\d+)"><span class="num">(\d+)\.</span>', content)
    assert len(shown) > 12 and all(anchor == number for anchor, number in shown)
    assert [int(a) for a, _ in shown] == list(range(1, len(shown) + 1))
    assert re.search(r'id="para-\d+-1"', content)  # a sub-item, anchored under its paragraph
    assert "£1,750" in content and "£1,750.00" not in content and "<dt>Payments</dt>" in content
    assert "Risk of harm" in content  # a payment purpose, in plain words
    assert "Fault with injustice" in content


def test_decision_page_from_a_search_highlights_and_links_back(client, seeds):
    response = client.get("/decisions/20-003-763/", {"q": "flashbacks", "from": "q=flashbacks&outcome=Upheld"})
    content = response.content.decode()
    assert "<mark>flashbacks</mark>" in content
    assert 'href="/decisions/?q=flashbacks&amp;outcome=Upheld"' in content
    plain = client.get("/decisions/20-003-763/").content.decode()
    assert "<mark>" not in plain and "Back to your search" not in plain


def test_results_link_to_decisions_with_the_search(client, seeds):
    response = client.get("/decisions/", {"q": "flashbacks"})
    assert 'href="/decisions/20-003-763/?q=flashbacks&amp;from=q%3Dflashbacks"' in response.content.decode()


def test_related_decisions(client, archive):
    response = client.get("/decisions/20-003-763/")
    related = [d.reference for d in response.context["related"]]
    assert related[0] == STAFFORDSHIRE  # the other child protection decision
    assert DORSET not in related and len(related) <= 5


def test_home_page(client, archive):
    response = client.get("/")
    assert response.context["totals"] == {"decisions": 8, "councils": 7, "paid": Decimal("5750.00"), "paid_count": 5,
                                          "payment_count": 5}
    content = response.content.decode()
    assert 'role="search"' in content
    assert "Children&#x27;s care services" in content and "/categories/children-s-care-services/" in content


def test_council_page_figures_and_chart(client, archive):
    response, refs = listed(client, "/councils/kent-county-council/")
    assert refs == ["21 000 002", "21 000 001"]
    figures = response.context["figures"]
    assert figures["decisions"] == 2 and figures["upheld"] == 1 and figures["upheld_share"] == 50
    assert figures["total_paid"] == Decimal("2400.00") and figures["median_payment"] == Decimal("2400.00")
    assert figures["per_year"] == [(2021, 1), (2022, 0), (2023, 1)]  # a year without decisions is a zero
    content = response.content.decode()
    assert 'id="year-chart-title"' in content and "Decisions per year: Kent County Council" in content
    assert "2021: 1 decision;" in content and "2022: 0 decisions" in content  # the chart's text alternative
    _, refs = listed(client, "/councils/kent-county-council/", outcome="Upheld")
    assert refs == ["21 000 002"]
    assert client.get("/councils/nowhere/").status_code == 404


def test_median_payment(archive):
    figures = Decision.objects.published().figures()
    # Payments: 300, 500, 800, 1750, 2400 -> median 800.
    assert figures["median_payment"] == Decimal("800.00")
    assert figures["paid_count"] == 5


def test_category_and_subcategory_pages(client, archive):
    response, refs = listed(client, "/categories/adult-care-services/")
    assert refs == ["21 000 003", "21 000 002"]
    assert [s.name for s in response.context["subcategories"]] == ["Charging", "Residential care"]
    _, refs = listed(client, "/categories/adult-care-services/charging/")
    assert refs == ["21 000 002"]
    assert client.get("/categories/adult-care-services/nope/").status_code == 404
    assert client.get("/categories/charging/").status_code == 404


def test_council_index(client, archive):
    response = client.get("/councils/")
    letters = response.context["letters"]
    assert list(letters) == ["D", "H", "K", "S", "W"]
    assert [c.name for c in letters["S"]] == ["Something Care (Cheltenham) Limited", "Staffordshire County Council"]
    assert letters["K"][0].decisions == 2


def test_custom_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("url", ["/decisions/", "/decisions/?q=distress&category=children-s-care-services",
                                 "/councils/dorset-council/", "/categories/children-s-care-services/"])
def test_query_count_does_not_grow_with_results(client, django_assert_max_num_queries, seeds, url):
    # A constant bound: each facet statement on PostgreSQL also sets and resets one planner setting.
    with django_assert_max_num_queries(20):
        client.get(url)
    for n in range(30):
        make_decision(reference=f"24 200 {n:03d}", organisation=f"Council Number {n}",
                      category="Children's care services", subcategory=f"Sub {n % 7}",
                      summary="The Council caused distress and agreed to pay £100.",
                      agreed_action=[f"The Council will pay Mr X £{100 + n} for his distress and apologise."])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200


def test_decision_page_query_count(client, django_assert_max_num_queries, seeds):
    with django_assert_max_num_queries(9):  # the first visit computes the similar decisions
        client.get("/decisions/20-003-763/")
    with django_assert_max_num_queries(5):  # later visits find them cached
        client.get("/decisions/20-003-763/")
    with django_assert_max_num_queries(6):
        client.get("/")
    with django_assert_max_num_queries(3):
        client.get("/councils/")


def test_council_kinds_displayed(client, archive):
    council = Council.objects.get(name="Something Care (Cheltenham) Limited")
    assert council.kind == "care_provider"
    assert "Care provider" in client.get(council.get_absolute_url()).content.decode()


def test_custom_500_page(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong" in content and "Traceback" not in content


def test_cached_facets_follow_every_write(client, admin_client, archive):
    def upheld_count():
        response = client.get("/decisions/")
        outcome = next(f for f in response.context["facets"] if f.name == "outcome")
        return response.context["page"].paginator.count, {o.value: o.count for o in outcome.options}["upheld"]

    assert upheld_count() == (8, 6)
    decision = Decision.objects.get(reference=DORSET)
    admin_client.post("/admin/decisions/decision/", {"action": "unpublish", "_selected_action": [decision.pk]})
    assert upheld_count() == (7, 5)
    make_decision(reference="25 000 001", outcome="Upheld")
    assert upheld_count() == (8, 6)


def test_facets_and_count_come_from_one_statement(client, django_assert_max_num_queries, archive):
    # version + facets + labels (2) + page + choices (2) ... and no separate COUNT(*)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/decisions/", {"outcome": "Upheld"})
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in queries.captured_queries)


@pytest.mark.django_db
def test_page_links_keep_the_search_and_elide_the_middle(client):
    import re as _re
    from datetime import date, timedelta

    from tests.factories import make_decision

    for n in range(12 * 25 + 3):  # 13 pages of 25
        make_decision(summary="The Council delayed repairs.", decided=date(2020, 1, 1) + timedelta(days=n))
    html = client.get("/decisions/?q=repairs&outcome=upheld&page=7").content.decode()
    nav = html[html.index('class="pagination"'):]
    nav = nav[:nav.index("</nav>")]
    links = _re.findall(r'href="([^"]*)"', nav)
    assert "?q=repairs&amp;outcome=upheld" in links  # page 1 (and previous) without a page parameter
    assert "?q=repairs&amp;outcome=upheld&amp;page=13" in links
    assert '?q=repairs&amp;outcome=upheld&amp;page=7" aria-current="page"' in nav
    assert "…" in nav and "page=3\"" not in nav  # pages far from 7 elided
    assert 'rel="prev"' in nav and 'rel="next"' in nav
