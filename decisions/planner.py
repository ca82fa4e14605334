"""The PostgreSQL planner settings the search path relies on, in one place.

Each exists for one plan, which tests/test_planner.py checks with EXPLAIN: if a PostgreSQL upgrade
makes one unnecessary or wrong, that test says so. SQLite has none: its plans are steered in
the SQL itself (search.FtsMatch).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction


def _postgresql(using: str) -> bool:
    return connections[using].vendor == "postgresql"


@contextmanager
def search_plan(using: str = "default"):
    """A listing's statements, in one transaction in which sequential scans are a last resort.

    The planner does not know that testing ``search_vector @@ query`` on a table row must
    de-TOAST the body's vector, so for a word in most decisions it prefers a sequential scan
    that costs ten times the GIN bitmap scan (measured at 100,000 decisions: 650 ms against
    60 ms). Plan: no sequential scan of the decisions; rows come through an index bitmap.
    """
    if not _postgresql(using):
        yield
        return
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


@contextmanager
def counting_plan(using: str = "default"):
    """Counting (facets): no plain index scans, inside the listing's transaction.

    Counting needs no order, so a plain index scan buys nothing; with sequential scans off the
    planner still chooses one and tests each row's de-TOASTed vector behind it. Plan: a Bitmap
    Heap Scan instead (for a word in all 100,000 decisions, 930 -> 80 ms when measured).
    Index-only scans of the facet index stay allowed.
    """
    if not _postgresql(using):
        yield
        return
    with transaction.atomic(using=using, savepoint=False), connections[using].cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL enable_indexscan = on")
