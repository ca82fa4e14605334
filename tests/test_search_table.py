"""PostgreSQL: the narrow table of full-text vectors (migration 0018) and the triggers that keep it
in step with the decision table, as the generated columns it replaced were."""

import pytest
from django.db import connection

from decisions.models import Decision, SearchVectorRow
from tests.factories import make_decision

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the vectors' table is PostgreSQL's")]

# The vectors as migrations 0010 (search_vector) and 0016 (pair_vector) generated them, from the
# decision's own columns: the triggers must give exactly these.
A = ("coalesce(d.reference, '') || ' ' || coalesce(d.organisation, '') || ' ' || coalesce(d.topic, '') || ' ' "
     "|| coalesce(d.headings, '')")
AS_GENERATED = f"""
    SELECT d.id,
        s.search_vector = (setweight(to_tsvector('english', {A}), 'A')
                           || setweight(to_tsvector('english', coalesce(d.summary, '')), 'B')
                           || setweight(to_tsvector('english', coalesce(d.full_text, '')), 'C')),
        s.pair_vector = lgo_word_pairs(to_tsvector('english', {A})
                                       || to_tsvector('english', coalesce(d.summary, ''))
                                       || to_tsvector('english', coalesce(d.full_text, '')))
    FROM decisions_decision d LEFT JOIN decisions_decision_search s ON s.decision_id = d.id
"""


def vectors_as_generated() -> dict[int, tuple[bool, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(AS_GENERATED)
        return {pk: (search, pairs) for pk, search, pairs in cursor.fetchall()}


def test_each_decision_has_its_vectors_as_the_generated_columns_made_them(seeds):
    edited = make_decision(summary="A complaint about xylophone lessons.")
    edited.headings = "The complaint\nWhat I found"
    edited.summary = "A complaint about trombone lessons, changed."
    edited.save()
    Decision.objects.filter(pk=edited.pk).update(full_text="The bassoon teacher was late.")
    checked = vectors_as_generated()
    assert len(checked) == Decision.objects.count() == SearchVectorRow.objects.count() >= 6
    assert all(search and pairs for search, pairs in checked.values()), checked


def test_deleting_or_emptying_the_decisions_empties_their_vectors(seeds):
    decision = make_decision()
    decision.delete()
    assert not SearchVectorRow.objects.filter(pk=decision.pk).exists()
    assert SearchVectorRow.objects.count() == Decision.objects.count() > 0
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as at a commit: no deferred checks pending
        cursor.execute("TRUNCATE decisions_decision CASCADE")
    assert SearchVectorRow.objects.count() == 0


def test_saving_a_decision_without_changing_its_text_does_not_write_its_vectors(seeds):
    """A row written again moves (a new ctid); saving writes every column of the decision."""
    decision = Decision.objects.first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM decisions_decision_search WHERE decision_id = %s", [decision.pk])
        [before] = cursor.fetchone()
        decision.is_published = not decision.is_published
        decision.save()
        cursor.execute("SELECT ctid::text FROM decisions_decision_search WHERE decision_id = %s", [decision.pk])
        [after] = cursor.fetchone()
    assert after == before
    decision.summary += " Changed."
    decision.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM decisions_decision_search WHERE decision_id = %s", [decision.pk])
        assert cursor.fetchone()[0] != before
