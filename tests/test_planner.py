"""The PostgreSQL planner setting (decisions/search/postgresql.py: search_plan) against the plans it exists for."""

import pytest
from django.db import connection

from decisions import search
from decisions.models import Decision, SearchVectorRow
from decisions.search import postgresql, search_plan

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
        cursor.execute("ANALYZE decisions_decision_search")


def plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def a_search():
    """The rows search.matching_ids reads for a word (it packs their ids into one value)."""
    [words] = postgresql.search_parts(search.parse_query("distress")).required
    return SearchVectorRow.objects.order_by().filter(words).values_list("pk")


def test_the_search_plan_reads_matches_through_an_index_not_the_whole_table(archive):
    sql, params = a_search().query.sql_with_params()
    assert "Seq Scan on decisions_decision_search" in plan(sql, params)  # what the planner picks by itself
    with search_plan():
        searched = plan(sql, params)
    assert "Seq Scan" not in searched
    assert "Bitmap Index Scan on decision_search_vector_gin" in searched


def test_the_search_plan_scores_weighted_fields_from_their_own_index(archive):
    """search.weighted_scores reads the small rank_vector through its GIN index, never the table."""
    query = search.parse_query("summary")
    typed = postgresql.typed_query(query)
    rows = (Decision.objects.alias(rank_vector=postgresql.VectorColumn("rank_vector")).filter(rank_vector=typed)
            .values_list("pk"))
    sql, params = rows.query.sql_with_params()
    with search_plan():
        searched = plan(sql, params)
    assert "Seq Scan on decisions_decision" not in searched
    assert "decision_rank_vector_gin" in searched


def test_a_phrase_is_found_by_its_word_pairs_without_reading_body_vectors(archive):
    """Migration 0016: a phrase's pairs are answered by pair_vector's GIN index alone; the plan
    never rechecks search_vector (which reads each candidate's body vector from TOAST)."""
    [phrase] = postgresql.search_parts(search.parse_query('"repairs and the council"')).required
    rows = SearchVectorRow.objects.order_by().filter(phrase).values_list("pk")
    sql, params = rows.query.sql_with_params()
    with search_plan():
        searched = plan(sql, params)
    assert "decision_pair_vector_gin" in searched
    assert "search_vector @@" not in searched
    assert rows.count() == 2_000  # every body holds the phrase


def test_a_topic_search_finds_the_topic_by_category_without_rechecking_vectors(archive):
    """postgresql.filed_under_topics: a search's synonyms are matched against the topics' names
    once, and its decisions found by category and subcategory; the plan tests no decision's
    topic (testing topic_vector, migration 0017, rechecked each candidate's row and de-TOASTed
    its body vector). It finds what testing each decision's own topic text finds."""
    from decisions.models import Category

    parent = Category.objects.create(name="Children’s services", slug="childrens-services")
    child = Category.objects.create(name="Children in care", slug="children-in-care", parent=parent)
    other = Category.objects.create(name="Education", slug="education")
    ids = list(Decision.objects.order_by("pk").values_list("pk", flat=True))
    for some, category, subcategory in ((ids[:40], parent, child), (ids[40:70], parent, None),
                                        (ids[70:90], other, None)):
        Decision.objects.filter(pk__in=some).update(
            category=category, subcategory=subcategory, topic=Decision.topic_text(category, subcategory))
    query = search.parse_query("looked after children")
    assert query.expanded, "the synonyms this test is about"
    rows = Decision.objects.order_by().filter(postgresql.search_parts(query).topic).values_list("pk", flat=True)
    sql, params = rows.query.sql_with_params()
    with search_plan():
        searched = plan(sql, params)
    assert "subcategory_id" in searched and "topic" not in searched
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM decisions_decision JOIN decisions_decision_search ON decision_id = id "
                       "WHERE search_vector @@ websearch_to_tsquery('english', %s) "
                       "OR to_tsvector('english', topic) @@ websearch_to_tsquery('english', %s)",
                       [query.to_websearch(), query.expanded_websearch()])
        by_each_topic = {pk for (pk,) in cursor.fetchall()}
    assert set(search.matching_ids(query).tolist()) == by_each_topic == set(ids[:40])


def test_the_listing_columns_can_be_read_from_their_index_alone(archive):
    """decisions/search/columns.py reads every decision's listing columns and id in one statement; the
    decision_facets index holds them all, so PostgreSQL can answer it without the wide table
    (at 500,000 it does so by itself: docs/benchmarks.md). Here, 2,000 rows are too few for the
    planner to prefer it (and nothing here is vacuumed), so the plan is asked for with the scans
    that read the table discouraged: left with the index, it must not need the table's rows."""
    from django.test.utils import CaptureQueriesContext

    from decisions.search import columns

    with CaptureQueriesContext(connection) as captured:
        held = columns._read(())
    assert len(held) == 2_000
    # The decision columns' statement (the payments and the staff-checked ids are read by two more).
    [statement] = [query["sql"] for query in captured.captured_queries if '"remedy_kinds"' in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # until the test's transaction ends
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    read = plan(statement, None)
    assert "Index Only Scan using decision_facets" in read, read
    [checked] = [query["sql"] for query in captured.captured_queries if '"is_curated"' in query["sql"]]
    assert "decision_curated" in plan(checked, None)  # the staff-checked ids: from their own small index
