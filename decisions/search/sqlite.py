"""The search backend for SQLite: an FTS5 external-content table (``porter unicode61``, kept in
step by triggers, migrations 0003 and 0010), ranked with ``bm25()`` and cut with ``snippet()``.

A Query is written out here in FTS5 syntax, every term quoted, so what was typed is never read
as FTS5 syntax.
"""

from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext

import numpy as np
from django.db import connection
from django.utils.safestring import SafeString

from decisions.models import Decision, SearchIndexRow
from decisions.search.highlight import MARK_END, MARK_START, marked_html
from decisions.search.packed import AmongIds, ids, ids_and_scores
from decisions.search.query import Query, Term

FTS_TABLE = "decisions_decision_fts"
# Column weights, in the order of the FTS5 table's columns (migration 0010): reference, organisation,
# topic (category and subcategory names), headings, summary, full_text. The topic weighs most: a
# search for a topic ranks the decisions filed under it first.
BM25_WEIGHTS = (10.0, 10.0, 20.0, 10.0, 4.0, 1.0)
TEXT_COLUMN = 5  # the statement's text in the FTS5 table (migration 0010)
WEIGHTED_COLUMNS = "{reference organisation topic headings summary}"


def fts5_term(term: Term) -> str:
    # Quoted, so FTS5 reads it as text (its tokenizer still stems it), never as syntax.
    text = " ".join(w.replace('"', "") for w in term.words)
    return f'"{text}"'


def fts5_groups(groups: list[list[Term]]) -> str:
    return " AND ".join("(" + " OR ".join(fts5_term(t) for t in group) + ")" if len(group) > 1
                        else fts5_term(group[0]) for group in groups)


def fts5_expression(query: Query) -> str | None:
    """An FTS5 MATCH expression for the positive part, or None when nothing is required: what
    was typed in any column, or (when expanded) its alternatives in the topic column."""
    if not query.groups:
        return None
    expression = fts5_groups(query.groups)
    if query.expanded:
        expression = f"({expression}) OR (topic : ({fts5_groups(query.expanded)}))"
    if query.excluded:
        expression = f"({expression}) NOT ({fts5_excluded(query)})"
    return expression


def fts5_excluded(query: Query) -> str:
    return " OR ".join(fts5_term(t) for t in query.excluded)



def search_plan():
    """SQLite needs no planner setting: its full-text statements read the FTS5 table alone."""
    return nullcontext()



def matching_ids(query: Query, after: int = 0) -> np.ndarray:
    index = SearchIndexRow.objects.filter(pk__gt=after) if after else SearchIndexRow.objects
    positive = fts5_expression(query)
    if positive is None:  # only excluded words: every decision without them
        excluded = index.filter(document__match=fts5_excluded(query)).values("pk")
        return ids(Decision.objects.order_by().filter(pk__gt=after).exclude(pk__in=excluded))
    return ids(index.filter(document__match=positive))


def weighted_scores(query: Query, among: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """bm25 with BM25_WEIGHTS over the weighted columns alone (an FTS5 column filter)."""
    expression = f"{WEIGHTED_COLUMNS} : ({fts5_groups(query.groups)})"
    if query.expanded:
        expression = f"({expression}) OR (topic : ({fts5_groups(query.expanded)}))"
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    rows = SearchIndexRow.objects.filter(document__match=expression, rank__match=f"bm25({weights})")
    if among is not None:
        rows = rows.filter(AmongIds(among, column="rowid"))
    found, ranks = ids_and_scores(rows, "rank")
    return found, -ranks  # bm25: lower is better


def snippets(ids_: list[int], query: Query, words: int) -> dict[int, SafeString]:
    """FTS5's snippet(), which reads its own index, from the statement's text only: never from
    the summary, topic, organisation or headings, which a result shows already."""
    placeholders = ", ".join("%s" for _ in ids_)
    sql = (
        f"SELECT rowid, snippet({FTS_TABLE}, {TEXT_COLUMN}, %s, %s, '…', %s) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [MARK_START, MARK_END, min(words, 64), fts5_expression(query), *ids_])
        rows = cursor.fetchall()
    found = {}
    for pk, extract in rows:
        if extract and MARK_START in extract:
            found[pk] = marked_html(extract)
    return found


def adding_decisions() -> None:
    """Nothing to say: SQLite runs one writer at a time, so ids are committed in their order."""


def settled_last_id() -> int:
    """The highest decision id: with one writer at a time, no lower id can be committed later."""
    return Decision.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# Beyond search, the little else that differs between the databases (search.backend() is how
# the rest of the site asks for it).

PROGRESS_EVERY = 10_000  # SQLite asks the progress handler every this many virtual-machine instructions


def relax_commit_durability() -> None:
    """SQLite's durability is the settings' (journal mode and synchronous, set on each connection)."""


def refresh_statistics(models, out) -> None:
    """SQLite's planner needs no refresh after an import: its FTS5 index answers the searches."""


@contextmanager
def bounded_statements(seconds: float):
    """No statement run inside may hold the database longer than ``seconds``: a progress handler
    interrupts it once the time is up."""
    connection.ensure_connection()
    raw = connection.connection
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_EVERY)
    try:
        yield
    finally:
        if connection.connection is raw:
            raw.set_progress_handler(None, 0)


def bound_new_connection(database, seconds: float) -> None:
    """SQLite's bound is set for each request (bounded_request), not on its connections."""


bounded_request = bounded_statements


def was_stopped_at_the_bound(error: BaseException) -> bool:
    return "interrupted" in str(error).lower()
