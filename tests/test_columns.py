"""The listing columns in memory (decisions/search/columns.py) against the database's own answers."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count

from decisions.models import Decision
from decisions.search import columns
from decisions.search.params import SearchParams
from decisions.search.results import SearchResults
from tests.factories import make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(seeds):
    """The seeds, plus decisions in two categories, with payments, one undated and one unpublished."""
    for n in range(12):
        make_decision(category="Housing" if n % 2 else "Planning", subcategory="Allocations" if n % 2 else "Enforcement",
                      outcome="Not upheld" if n % 3 == 0 else "Upheld", decided=date(2016 + n % 8, 1 + n, 3),
                      agreed_action=[f"The Council will pay Mr X £{100 * (n % 4)} for the distress caused."]
                      if n % 4 else None)
    Decision.objects.filter(pk=Decision.objects.order_by("pk").values("pk")[:1]).update(decision_date=None)
    Decision.objects.filter(pk=Decision.objects.order_by("-pk").values("pk")[:1]).update(is_published=False)


def test_counts_and_filters_match_the_database(archive):
    held = columns.columns()
    published = Decision.objects.published()
    by_category = dict(published.values_list("category_id").annotate(n=Count("pk")))
    assert held.counts("category", held.published) == {str(k): n for k, n in by_category.items() if k}
    by_outcome = dict(published.values_list("outcome_group").annotate(n=Count("pk")))
    assert held.counts("outcome", held.published) == by_outcome
    since = date(2019, 1, 1)
    kept = held.published & held.where("date_from", since) & held.where("min_payment", Decimal("150"))
    expected = published.filter(decision_date__gte=since, total_payment__gte=150).values_list("pk", flat=True)
    assert sorted(held.ids[kept].tolist()) == sorted(expected)
    assert not held.where("date_to", date(2100, 1, 1))[held.day == columns.NO_DATE].any()  # undated: no range


@pytest.mark.parametrize("sort, ordering", [
    ("newest", ("-decision_date", "-pk")),
    ("oldest", ("decision_date", "pk")),
    ("payment", ("-total_payment", "-decision_date", "-pk")),
])
def test_orders_match_the_database_with_undated_decisions_last(archive, sort, ordering):
    listed = [d.pk for d in SearchResults(SearchParams(sort=sort)).ranked()]
    dated = Decision.objects.published().exclude(decision_date=None)
    undated = list(Decision.objects.published().filter(decision_date=None).order_by(*ordering[:-1], ordering[-1])
                   .values_list("pk", flat=True))
    if sort == "payment":  # undated ones among their payment equals, after the dated
        expected = list(Decision.objects.published().order_by(ordering[0], "-decision_date", "-pk")
                        .values_list("total_payment", "decision_date", "pk"))
        expected.sort(key=lambda row: (-row[0], row[1] is None, -(row[1] or date.min).toordinal(), -row[2]))
        assert listed == [pk for _, _, pk in expected]
    else:
        assert listed == list(dated.order_by(*ordering).values_list("pk", flat=True)) + undated
    assert len(listed) == Decision.objects.published().count()  # the unpublished one is not listed


def test_a_write_is_seen_by_the_next_search(archive):
    before = SearchResults(SearchParams(q="ferret")).page().count
    assert before == 0
    make_decision(summary="The Council lost a ferret.")
    assert SearchResults(SearchParams(q="ferret")).page().count == 1  # the data version moved: the columns were read again
    Decision.objects.filter(summary__contains="ferret").delete()
    assert SearchResults(SearchParams(q="ferret")).page().count == 0


def test_every_column_holds_each_decisions_own_values(archive):
    """Read packed by the database, position by position in order of id: the same as each
    decision's fields read by the ORM (an undated and an unpublished decision among them)."""
    columns.forget()
    held = columns.columns()
    decisions = list(Decision.objects.order_by("pk"))
    assert held.ids.tolist() == [d.pk for d in decisions]
    expected = {
        "published": [d.is_published for d in decisions],
        "day": [columns.day_number(d.decision_date) if d.decision_date else columns.NO_DATE for d in decisions],
        "council": [d.council_id or 0 for d in decisions],
        "category": [d.category_id or 0 for d in decisions],
        "subcategory": [d.subcategory_id or 0 for d in decisions],
        "outcome": [columns.OUTCOMES.index(d.outcome_group) for d in decisions],
        "remedy": [d.remedy_kinds for d in decisions],
        "finding": [d.finding_kinds for d in decisions],
        "purpose": [d.payment_purposes for d in decisions],
        "payment": [int(d.total_payment * 100) for d in decisions],
    }
    for name, values in expected.items():
        assert getattr(held, name).tolist() == values, name
    assert columns.NO_DATE in expected["day"] and False in expected["published"]
    assert any(expected["payment"]) and any(expected["subcategory"]) and any(expected["remedy"])
    assert len(set(expected["outcome"])) > 1
    columns.forget()


def test_an_empty_archive_has_empty_columns(db):
    columns.forget()
    held = columns.columns()
    assert len(held) == 0 and held.published.dtype == bool and not held.counts("outcome", held.published)
    columns.forget()
