"""The PostgreSQL planner setting the search path relies on, in one place.

It exists for one plan, which tests/test_planner.py checks with EXPLAIN: if a PostgreSQL upgrade
makes it unnecessary or wrong, that test says so. SQLite needs none: its full-text statements
read the FTS5 table alone.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction


def _postgresql(using: str) -> bool:
    return connections[using].vendor == "postgresql"


@contextmanager
def search_plan(using: str = "default"):
    """A search's full-text statements, in one transaction in which sequential scans are a last resort.

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
