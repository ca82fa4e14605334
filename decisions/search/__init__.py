"""Search of the archive, whatever the database: the one interface the rest of the site uses.

- query.py: what was typed, understood (pure Python); highlight.py: marking it in text.
- sqlite.py and postgresql.py: one backend per database, chosen here, the way Wagtail chooses
  its search backend. Each also holds the little else that differs between the databases
  (an import's commit durability and statistics, bounding a web request's statements), so no
  module outside this package asks which database is in use.
- columns.py (the listing columns held in memory), facets.py, results.py (one search, from its
  parameters to a page of results), packed.py, suggest.py ('did you mean').
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

import numpy as np
from django.db import connection
from django.utils.safestring import SafeString

from decisions.search.highlight import MARK_END, MARK_START, highlight, marked_html, marks, text_snippet, topic_matches
from decisions.search.query import MAX_TERMS, Query, Term, parse_query, reference_in, synonym_groups, ubiquitous

__all__ = [
    "MARK_END", "MARK_START", "MAX_TERMS", "Query", "Term", "backend", "highlight", "marked_html", "marks",
    "matching_ids", "parse_query", "reference_in", "search_plan", "snippets", "synonym_groups",
    "text_snippet", "topic_matches", "ubiquitous", "weighted_scores",
]

BACKENDS = {"sqlite": "decisions.search.sqlite", "postgresql": "decisions.search.postgresql"}


@cache
def _backend_of(vendor: str):
    return import_module(BACKENDS[vendor])


def backend():
    """The backend module of the database in use (sqlite.py or postgresql.py)."""
    return _backend_of(connection.vendor)


def search_plan():
    """A context in which a search's full-text statements run (the planner settings they need)."""
    return backend().search_plan()


def matching_ids(query: Query, after: int = 0) -> np.ndarray | None:
    """The ids of every decision (published or not) the words match, read from the full-text
    index alone, in bulk; None when the query asks for no words (every decision matches).
    ``after``: only ids above it (an email alert's new decisions: the index reads no others)."""
    from decisions.models import Decision
    from decisions.search.packed import ids

    if query.reference:
        return ids(Decision.objects.order_by().filter(reference=query.reference, pk__gt=after))
    if query.is_empty:
        return None
    return backend().matching_ids(query, after)



def weighted_scores(query: Query, among: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(ids, text scores, higher is better) of the decisions whose weighted fields (reference,
    organisation, topic, headings, summary) hold every group of what was typed, or whose topic a
    synonym; only those ``among`` these ids, when given (the filters leave few: scoring is the
    cost). Excluded words are the caller's: these ids are meant to be intersected with matching_ids()."""
    if not query.groups:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    return backend().weighted_scores(query, among)


def snippets(decisions, text: str | Query, *, words: int = 32,
             any_words: bool = False) -> dict[int, SafeString]:
    """Highlighted extracts from the statements (not the summary, which a result shows anyway)
    of the decisions on one page, by id: one query, never per row. ``any_words``: the decisions
    are best matches, which may have only some of the words (the engine's own extracts need all)."""
    query = text if isinstance(text, Query) else parse_query(text)
    ids = [d.pk for d in decisions]
    if not ids or not query.groups:
        return {}
    if any_words:
        return extracts(ids, query, words)
    return backend().snippets(ids, query, words)


def extracts(ids: list[int], query: Query, words: int) -> dict[int, SafeString]:
    """The page's statements read and each extract cut here, around the densest run of the
    query's words (highlight.text_snippet)."""
    from decisions.models import Decision

    found = {}
    for pk, full_text in Decision.objects.filter(pk__in=ids).values_list("pk", "full_text"):
        if extract := text_snippet(full_text, query, words=words):
            found[pk] = extract
    return found
