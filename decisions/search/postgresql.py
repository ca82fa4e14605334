"""The search backend for PostgreSQL: a stored, weighted ``search_vector`` (reference,
organisation and headings A; summary B; body C) in a narrow table of its own (migration 0018)
with a GIN index, word pairs for phrases (``pair_vector``, migration 0016), and ``rank_vector``
(the weighted fields alone) for ranking with ``ts_rank``.

A Query is written out in ``websearch_to_tsquery`` syntax (query.py), so what was typed is
never read as tsquery syntax.
"""

from __future__ import annotations

import operator
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import reduce

import numpy as np
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.expressions import Expression
from django.utils.safestring import SafeString

from decisions.models import Category, Decision, SearchVectorRow
from decisions.search import extracts
from decisions.search.packed import AmongIds, ids, ids_and_scores, own_column
from decisions.search.query import Query, Term, websearch_term

PG_CONFIG = "english"


class VectorColumn(Expression):
    """A tsvector column of the decision table that only PostgreSQL has (rank_vector, migration 0010)."""

    output_field = SearchVectorField()

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection):
        return own_column(compiler, connection, self.column), []


def all_groups(groups: list[list[Term]]) -> SearchQuery:
    """Every group (its terms OR-ed), as one tsquery: each group's websearch_to_tsquery joined with
    &&. One websearch text cannot say it: 'court OR tribunal fees' reads as court | (tribunal & fee)."""
    queries = [SearchQuery(" OR ".join(websearch_term(t) for t in group), search_type="websearch", config=PG_CONFIG)
               for group in groups]
    return reduce(operator.and_, queries)


def typed_query(query: Query) -> SearchQuery:
    """What was typed (searched in the whole search_vector); excluded words are the caller's."""
    return all_groups(query.groups)


def expanded_query(query: Query) -> SearchQuery:
    """What was typed with its synonyms (ranked against rank_vector, whose topic part they name)."""
    return all_groups(query.wanted)


class LexemeQuery(SearchQuery):
    """A tsquery of lexemes exactly as stored (word pairs, migration 0016): cast, never parsed
    or stemmed again."""

    def as_sql(self, compiler, connection, function=None, template=None):
        return super().as_sql(compiler, connection, template="(%(expressions)s)::tsquery")


_TSQUERY_PART_RE = re.compile(r"\s*(?:'((?:[^'\\]|'')*)'|<(-|\d+)>)")


def phrase_lexemes(tsquery_text: str) -> list[tuple[str, int]] | None:
    """A phrase as PostgreSQL reads it ("'agre' <2> 'apologis'") -> each lexeme with its distance
    from the one before ([('agre', 0), ('apologis', 2)]); None for anything but such a chain."""
    found: list[tuple[str, int]] = []
    position, distance = 0, 0
    while match := _TSQUERY_PART_RE.match(tsquery_text, position):
        position = match.end()
        lexeme, operator = match.group(1), match.group(2)
        if (lexeme is not None) != (len(found) == 0 or distance > 0):
            return None  # two lexemes or two operators in a row
        if lexeme is not None:
            found.append((lexeme.replace("''", "'"), distance))
            distance = 0
        else:
            distance = 1 if operator == "-" else int(operator)
    if tsquery_text[position:].strip() or distance:
        return None
    return found


def word_pairs(lexemes: list[tuple[str, int]]) -> list[str]:
    """The pair_vector lexemes a phrase needs: 'agre~apologis~2' (as lgo_word_pairs makes them)."""
    return [f"{first}~{second}~{distance}" for (first, _), (second, distance) in zip(lexemes, lexemes[1:], strict=False)]


def _lexemes(texts: list[str]) -> dict[str, list[tuple[str, int]] | None]:
    """How PostgreSQL reads each phrase (its stemming and stop words), in one statement."""
    if not texts:
        return {}
    columns = ", ".join("websearch_to_tsquery(%s::regconfig, %s)::text" for _ in texts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", [value for text in texts for value in (PG_CONFIG, f'"{text}"')])
        read = cursor.fetchone()
    return {text: phrase_lexemes(tsquery) for text, tsquery in zip(texts, read, strict=True)}


def _term(term: Term, lexemes: dict) -> Q:
    """A term: a word in search_vector; a phrase as all of its word pairs in pair_vector, which
    its GIN index answers alone (the search_vector would need every candidate's positions)."""
    text = " ".join(term.words)
    chain = lexemes.get(text) if term.phrase else None
    if chain is None or len(chain) < 2 or any("'" in lexeme or "\\" in lexeme for lexeme, _ in chain):
        return Q(search_vector=SearchQuery(websearch_term(term), search_type="websearch", config=PG_CONFIG))
    return Q(pair_vector=LexemeQuery(" & ".join(f"'{pair}'" for pair in word_pairs(chain))))


@dataclass
class Parts:
    """A search's condition on PostgreSQL in parts, each answered by one index scan that needs
    no recheck: a decision matches every ``required`` part, or ``topic``, and not ``excluded``."""

    required: list[Q]
    topic: Q | None
    excluded: Q | None


def search_parts(query: Query) -> Parts:
    """The groups of words alone are one tsquery on search_vector (one GIN scan answers them);
    each group with a phrase is a part of its own, its phrases found by their word pairs; the
    synonyms by the topics they name (filed_under_topics)."""
    phrases = [" ".join(t.words) for t in [*(t for g in query.groups for t in g), *query.excluded] if t.phrase]
    lexemes = _lexemes(list(dict.fromkeys(phrases)))
    words_only = [group for group in query.groups if not any(term.phrase for term in group)]
    required = []
    if words_only:
        required.append(Q(search_vector=all_groups(words_only)))
    for group in query.groups:
        if group not in words_only:
            alternatives = Q(pk__in=[])
            for term in group:
                alternatives |= _term(term, lexemes)
            required.append(alternatives)
    excluded = None
    if query.excluded:
        words = [term for term in query.excluded if not term.phrase]
        excluded = (Q(search_vector=SearchQuery(" OR ".join(websearch_term(t) for t in words),
                                                search_type="websearch", config=PG_CONFIG)) if words else Q(pk__in=[]))
        for term in query.excluded:
            if term.phrase:
                excluded |= _term(term, lexemes)
    return Parts(required, filed_under_topics(query) if query.expanded else None, excluded)



def matching_ids(query: Query, after: int = 0) -> np.ndarray:
    """The ids of the decisions matching the search, each of its parts read by its
    own statement and combined here. Given the parts together, the planner may scan one part's
    index and test another part's vector on each row it finds, de-TOASTing that vector: a topic
    word with a phrase among its spellings ("antisocial behaviour") took 19.5 s at 500,000
    decisions, and each part alone at most the cost of its commonest word."""
    decisions, vectors = Decision.objects.order_by(), SearchVectorRow.objects.order_by()
    if after:  # an email alert's new decisions only
        decisions, vectors = decisions.filter(pk__gt=after), vectors.filter(pk__gt=after)
    parts = search_parts(query)
    matched = None if parts.required else ids(decisions)
    for part in parts.required:
        found = ids(vectors.filter(part))
        matched = found if matched is None else np.intersect1d(matched, found, assume_unique=True)
        if not len(matched):
            break
    if parts.topic is not None:
        matched = np.union1d(matched, ids(decisions.filter(parts.topic)))
    if parts.excluded is not None and len(matched):
        matched = np.setdiff1d(matched, ids(vectors.filter(parts.excluded)), assume_unique=True)
    return matched


def filed_under_topics(query: Query) -> Q:
    """The decisions whose topic (Decision.topic_text: their category's and
    subcategory's names) holds what was typed or a synonym, as conditions on their category and
    subcategory, which btree indexes answer exactly.

    The hundred or so topics are tested here, in one statement, rather than each decision's
    (its topic_vector until migration 0017): a bitmap scan rechecked a phrase on every
    candidate's row, and with the topic one side of an OR the other side too, de-TOASTing each
    candidate's body vector (a topic search at 500,000 decisions: 7 s warm, 110 s cold)."""
    if query.filed is None:
        filed = [(category.parent_id or category.pk, category.pk if category.parent_id else None,
                  Decision.topic_text(category.parent, category) if category.parent_id
                  else Decision.topic_text(category, None))
                 for category in Category.objects.select_related("parent")]
        matched = []
        if filed:
            groups = [" OR ".join(websearch_term(t) for t in group) for group in query.wanted]
            every = " && ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in groups)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT position FROM unnest(%s::text[]) WITH ORDINALITY AS topics(topic, position) "
                    f"WHERE to_tsvector(%s::regconfig, topic) @@ ({every})",
                    [[text for _, _, text in filed], PG_CONFIG, *[value for group in groups for value in (PG_CONFIG, group)]])
                matched = [filed[position - 1] for (position,) in cursor.fetchall()]
        query.filed = ([category for category, subcategory, _ in matched if subcategory is None],
                              [subcategory for _, subcategory, _ in matched if subcategory is not None])
    categories, subcategories = query.filed
    return Q(category__in=categories, subcategory=None) | Q(subcategory__in=subcategories)


def weighted_scores(query: Query, among: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """ts_rank of the weighted fields' own small vector (rank_vector, migration 0008, with its GIN
    index): the body's vector is never read, which would de-TOAST it for every match."""
    typed, wanted = typed_query(query), expanded_query(query)
    in_weighted = Q(rank_vector=typed) | (filed_under_topics(query) if query.expanded else Q(pk__in=[]))
    rows = (Decision.objects.order_by().alias(rank_vector=VectorColumn("rank_vector"))
            .filter(in_weighted).annotate(score=SearchRank(F("rank_vector"), wanted, normalization=1)))
    if among is not None:
        rows = rows.filter(AmongIds(among))
    return ids_and_scores(rows, "score")


def snippets(ids_: list[int], query: Query, words: int) -> dict[int, SafeString]:
    """Cut in Python (search.extracts): ``ts_headline`` parses and stems the whole of every text
    to do the same (about 1 ms a decision, more of the database under load than any other statement)."""
    return extracts(ids_, query, words)


@contextmanager
def search_plan():
    """A search's full-text statements, in one transaction in which sequential scans are a last resort.

    The planner does not know that testing ``search_vector @@ query`` on a table row must
    de-TOAST the body's vector, so for a word in most decisions it prefers a sequential scan
    that costs ten times the GIN bitmap scan. Plan: no sequential scan of the decisions; rows
    come through an index bitmap (tests/test_planner.py checks it with EXPLAIN, so a PostgreSQL
    upgrade that makes it wrong is noticed).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


# Beyond search, the little else that differs between the databases (search.backend() is how
# the rest of the site asks for it).

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by statement_timeout


NEW_DECISIONS_LOCK = 0x4C474F41  # an advisory lock's key ('LGOA')


def adding_decisions() -> None:
    """Inside a writer's transaction that may add decisions: a shared advisory lock held until it
    commits, which settled_last_id() waits for."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [NEW_DECISIONS_LOCK])


def settled_last_id() -> int:
    """The highest decision id once every transaction that may add one has ended. Ids come from a
    sequence as rows are inserted, so a writer still open could commit a lower id after a higher
    one is seen; an email alert that moved past it would never send it. Writers that start
    meanwhile wait a moment for this short transaction, and take higher ids."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NEW_DECISIONS_LOCK])
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Decision._meta.db_table}")
        return cursor.fetchone()[0]


def relax_commit_durability() -> None:
    """For bulk imports: commit without waiting for the disk. Each file is still one atomic
    transaction, so nothing is ever half-written; a crash of the database server could lose the
    last fraction of a second of commits, which re-running the (idempotent) import writes again.
    https://www.postgresql.org/docs/15/wal-async-commit.html"""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")


def refresh_statistics(models, out) -> None:
    """VACUUM ANALYZE the tables a large import wrote. Until autovacuum gets to them, the planner's
    statistics are stale and the facet index cannot be read index-only (no visibility map):
    distinct searches at 100,000 decisions took p95 889 ms before and 377 ms after."""
    out.write("Refreshing the database's statistics after a large import (VACUUM ANALYZE)…")
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def limit_statements(database, seconds: float) -> None:
    """Stop any statement of this connection that runs longer than ``seconds`` (statement_timeout,
    left on the connection)."""
    with database.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{max(1, int(seconds * 1000))}ms"])


@contextmanager
def bounded_statements(seconds: float):
    """Every statement of the default connection from here on is bounded (the bound stays)."""
    limit_statements(connection, seconds)
    yield


def bound_new_connection(database, seconds: float) -> None:
    """A web process's connection is bounded as it opens, so a request costs no statement for it;
    a pooled connection opens with the bound already (settings: statement_timeout in its options)."""
    if "pool" not in database.settings_dict["OPTIONS"]:
        limit_statements(database, seconds)


def bounded_request(seconds: float):
    """A request's statements are bounded by their connection's statement_timeout already."""
    return nullcontext()


def was_stopped_at_the_bound(error: BaseException) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED
