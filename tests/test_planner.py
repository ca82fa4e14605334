"""The PostgreSQL planner setting (decisions/planner.py) against the plans it exists for."""

import pytest
from django.db import connection

from decisions import search
from decisions.models import Decision
from decisions.planner import search_plan

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
    """The rows search.matching_ids reads (it joins their ids into one text)."""
    return search.matching(Decision.objects.order_by(), "distress").values_list("pk")


def test_the_search_plan_reads_matches_through_an_index_not_the_whole_table(archive):
    sql, params = a_search().query.sql_with_params()
    assert "Seq Scan on decisions_decision" in plan(sql, params)  # what the planner picks by itself
    with search_plan():
        searched = plan(sql, params)
    assert "Seq Scan on decisions_decision" not in searched
    assert "Bitmap Index Scan" in searched


def test_the_search_plan_scores_weighted_fields_from_their_own_index(archive):
    """search.weighted_scores reads the small rank_vector through its GIN index, never the table."""
    query = search.parse_query("summary")
    typed = search._pg_query(query)
    rows = (Decision.objects.alias(rank_vector=search.VectorColumn("rank_vector")).filter(rank_vector=typed)
            .values_list("pk"))
    sql, params = rows.query.sql_with_params()
    with search_plan():
        searched = plan(sql, params)
    assert "Seq Scan on decisions_decision" not in searched
    assert "decision_rank_vector_gin" in searched


def test_a_phrase_is_found_by_its_word_pairs_without_reading_body_vectors(archive):
    """Migration 0016: a phrase's pairs are answered by pair_vector's GIN index alone; the plan
    never rechecks search_vector (which reads each candidate's body vector from TOAST)."""
    rows = search.matching(Decision.objects.order_by(), '"repairs and the council"').values_list("pk")
    sql, params = rows.query.sql_with_params()
    with search_plan():
        searched = plan(sql, params)
    assert "decision_pair_vector_gin" in searched
    assert "search_vector @@" not in searched
    assert rows.count() == 2_000  # every body holds the phrase
