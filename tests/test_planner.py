"""Each PostgreSQL planner setting (decisions/planner.py) against the plan it exists for."""

import pytest
from django.db import connection

from decisions import search
from decisions.facets import facet_statement
from decisions.models import Decision
from decisions.planner import counting_plan, search_plan

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="planner settings are PostgreSQL's")]


@pytest.fixture
def archive(db):
    """Enough decisions, with real-sized bodies (TOASTed vectors), for the planner to plan as it
    does for the archive: most hold the searched word, a few do not."""
    from decisions.models import Council

    council = Council.objects.create(name="Testshire County Council", slug="testshire")
    body = " ".join(f"word{n} paragraph text about housing repairs and the council's delay" for n in range(60))
    Decision.objects.bulk_create(
        Decision(reference=f"42 {n // 1000:03d} {n % 1000:03d}", council=council, summary=f"Summary {n}.",
                 full_text=body + (" distress" if n % 10 else ""), decision_date=f"20{10 + n % 14}-01-01")
        for n in range(2_000))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE decisions_decision")


def plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def a_search():
    return search.matching(Decision.objects.published(), "distress").order_by().values("pk")


def test_the_search_plan_reads_matches_through_an_index_not_the_whole_table(archive):
    sql, params = a_search().query.sql_with_params()
    assert "Seq Scan on decisions_decision" in plan(sql, params)  # what the planner picks by itself
    with search_plan():
        searched = plan(sql, params)
    assert "Seq Scan on decisions_decision" not in searched
    assert "Bitmap Index Scan" in searched


def test_the_counting_plan_counts_matches_from_the_gin_bitmap_without_plain_index_scans(archive):
    statement, params = facet_statement(search.matching(Decision.objects.published(), "distress"),
                                        ["category", "outcome"])
    with search_plan():
        by_itself = plan(statement, params)
        with counting_plan():
            counting = plan(statement, params)
    # With sequential scans off, the planner walks an index and tests each row's vector behind it;
    # counting needs no order, so the counting plan reads a bitmap instead.
    assert "Index Scan using" in by_itself.replace("Index Only Scan", "")
    assert "Bitmap Heap Scan on decisions_decision" in counting
    assert "Index Scan using" not in counting.replace("Bitmap Index Scan", "").replace("Index Only Scan", "")


