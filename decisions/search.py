"""Full-text search over decisions, on PostgreSQL or SQLite, behind one interface.

PostgreSQL: a stored, weighted ``search_vector`` column (reference, organisation and
headings A; summary B; body C) with a GIN index, queried with ``websearch_to_tsquery``,
ranked with ``ts_rank`` and summarised with ``ts_headline``. SQLite: an FTS5
external-content table (``porter unicode61``) kept in step by triggers, ranked with
``bm25()`` using matching weights and summarised with ``snippet()``. Both columns are
made in migration 0002. The user's query is parsed here once, in web-search syntax
(words, "phrases", OR, -excluded), and written out for each engine, so that raw input
never reaches ``MATCH`` and both engines answer the same question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import BooleanField, Case, DateField, ExpressionWrapper, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import Expression
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from decisions.caching import cached, cached_for
from decisions.models import Category, Decision
from decisions.parser import normalise_reference
from decisions.text import fold

MAX_QUERY_LENGTH = 300
MAX_TERMS = 32
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters: cannot occur in real text
FTS_TABLE = "decisions_decision_fts"
# Column weights, in the order of the FTS5 table's columns (migration 0010): reference, organisation,
# topic (category and subcategory names), headings, summary, full_text. The topic weighs most: a
# search for a topic ranks the decisions filed under it first.
SQLITE_BM25_WEIGHTS = (10.0, 10.0, 20.0, 10.0, 4.0, 1.0)
TEXT_COLUMN = 5  # the statement's text in the FTS5 table (migration 0010)
PG_CONFIG = "english"

_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD_RE = re.compile(r"[\w'’.-]+", re.UNICODE)
_REFERENCE_ONLY_RE = re.compile(r"^\s*\d{2}[\s\-–]*\d{3}[\s\-–]*\d{3}[a-zA-Z]?\s*$")


@dataclass
class Term:
    words: list[str]
    phrase: bool = False
    variant: bool = False  # another spelling of the term before it, added by expand()


@dataclass
class Query:
    """The user's text, understood: OR-groups that must all match, and excluded terms."""

    text: str
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    reference: str | None = None
    # What was typed (with its other spellings) and its synonyms as alternatives (expand()):
    # matched against the topic alone, while what was typed is matched everywhere. Empty when
    # the search has no synonyms.
    expanded: list[list[Term]] = field(default_factory=list)
    # What the search also looked for, for the reader: (what was typed, [the other words searched]).
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.groups or self.excluded or self.reference)

    @property
    def wanted(self) -> list[list[Term]]:
        """The groups with their alternatives: what ranking, the topic and highlighting look for."""
        return self.expanded or self.groups

    def highlight_words(self) -> list[list[str]]:
        """The word sequences a reader should see marked: every term that is not excluded."""
        return [term.words for group in self.wanted for term in group]

    def highlight_terms(self) -> tuple[tuple[str, ...], ...]:
        """The same, hashable: the key of the compiled pattern that marks them."""
        return tuple(tuple(words) for words in self.highlight_words())

    def to_websearch(self, groups: list[list[Term]] | None = None) -> str:
        """PostgreSQL websearch_to_tsquery text; OR binds tighter than AND there, as in our groups."""
        parts = [" OR ".join(_websearch_term(t) for t in group) for group in (self.groups if groups is None
                                                                               else groups)]
        parts += ["-" + _websearch_term(t) for t in self.excluded]
        return " ".join(parts)

    def expanded_websearch(self) -> str:
        return self.to_websearch(self.wanted)

    def to_fts5(self) -> str | None:
        """An FTS5 MATCH expression for the positive part, or None when nothing is required: what
        was typed in any column, or (when expanded) its alternatives in the weighted columns."""
        if not self.groups:
            return None
        expression = _fts5_groups(self.groups)
        if self.expanded:
            expression = f"({expression}) OR (topic : ({_fts5_groups(self.expanded)}))"
        if self.excluded:
            expression = f"({expression}) NOT ({self.excluded_fts5()})"
        return expression

    def excluded_fts5(self) -> str:
        return " OR ".join(_fts5_term(t) for t in self.excluded)

    def excluded_websearch(self) -> str:
        return " OR ".join(_websearch_term(t) for t in self.excluded)

    def any_term_websearch(self) -> str:
        """Any one of the wanted terms, in websearch syntax (no brackets there: OR of them all)."""
        return " OR ".join(_websearch_term(t) for group in self.wanted for t in group)

    def topic_fts5(self) -> str | None:
        """FTS5: any wanted term in the topic column (a decision filed under what was searched)."""
        terms = [_fts5_term(t) for group in self.wanted for t in group]
        return f"topic : ({' OR '.join(terms)})" if terms else None


def _websearch_term(term: Term) -> str:
    text = " ".join(term.words)
    return f'"{text}"' if term.phrase else text


def _fts5_groups(groups: list[list[Term]]) -> str:
    return " AND ".join("(" + " OR ".join(_fts5_term(t) for t in group) + ")" if len(group) > 1
                        else _fts5_term(group[0]) for group in groups)


def _fts5_term(term: Term) -> str:
    # Quoted, so FTS5 reads it as text (its tokenizer still stems it), never as syntax.
    text = " ".join(w.replace('"', "") for w in term.words)
    return f'"{text}"'


def parse_query(text: str) -> Query:
    text = fold(text or "")[:MAX_QUERY_LENGTH].strip()
    query = Query(text=text)
    if _REFERENCE_ONLY_RE.match(text):
        query.reference = normalise_reference(text)
        return query
    pending_or = False
    count = 0
    for match in _TOKEN_RE.finditer(text):
        negated, phrase_text, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            pending_or = bool(query.groups)
            continue
        if phrase_text is not None:
            words = _words(phrase_text)
            term = Term(words=words, phrase=len(words) > 1)
        else:
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = _words(bare.lstrip("-") if negated else bare)
            term = Term(words=words, phrase=len(words) > 1)
        if not term.words or count >= MAX_TERMS:
            pending_or = False
            continue
        count += 1
        if negated:
            query.excluded.append(term)
            pending_or = False
        elif pending_or:
            query.groups[-1].append(term)
            pending_or = False
        else:
            query.groups.append([term])
    return expand(query)


# --- The words of the field: synonyms, abbreviations, spellings and hyphens -----------------

SYNONYMS_FILE = Path(__file__).with_name("search_synonyms.txt")
MAX_SYNONYM_WORDS = 8
# A hyphenated word is also found written solid ('re-assessment' finds 'reassessment'); a solid
# word with one of the distinctive SPLIT_PREFIXES is also found hyphenated ('antisocial' finds
# 'anti-social'). Other solid words ('reassessment') get their hyphenated form from the file.
HYPHEN_PREFIXES = ("anti", "non", "re", "co", "pre", "post", "self", "over", "under", "semi", "multi", "inter", "sub")
SPLIT_PREFIXES = ("anti", "non", "self", "semi", "multi")


@lru_cache(maxsize=1)
def _synonyms_file() -> tuple[dict[tuple[str, ...], tuple[tuple[str, ...], ...]], dict[tuple[str, ...], str],
                              frozenset[tuple[str, ...]]]:
    """(each term -> its group, itself first; each term as written; the terms of [spellings])."""
    groups: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    written: dict[tuple[str, ...], str] = {}
    spellings: set[tuple[str, ...]] = set()
    section = "synonyms"
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        terms = []
        for part in line.split("|"):
            words = tuple(_words(part))
            if words:
                terms.append(words)
                written.setdefault(words, " ".join(part.split()))
        for term in terms:
            groups[term] = (term, *[other for other in terms if other != term])
            if section == "spellings":
                spellings.add(term)
    return groups, written, frozenset(spellings)


def synonym_groups() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each term of the synonyms file (as its words) -> every term of its group, itself first."""
    return _synonyms_file()[0]


def written_form(words: tuple[str, ...]) -> str:
    """A term as a reader writes it: as in the synonyms file, or hyphenated after a prefix."""
    if words in _synonyms_file()[1]:
        return _synonyms_file()[1][words]
    if len(words) == 2 and words[0] in HYPHEN_PREFIXES:
        return "-".join(words)
    return " ".join(words)


def hyphen_variants(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """'antisocial' <-> 'anti social' (how both engines read 'anti-social')."""
    if len(words) == 1:
        word = words[0]
        for prefix in SPLIT_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 5:
                return [(prefix, word[len(prefix):])]
        return []
    if len(words) == 2 and words[0] in HYPHEN_PREFIXES and len(words[1]) >= 4:
        return [(words[0] + words[1],)]
    return []


def spellings(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Other ways of writing the same words: the [spellings] of the file, and hyphen variants."""
    found: list[tuple[str, ...]] = []
    spelt = _synonyms_file()[2]
    for variant in [words, *hyphen_variants(words)]:
        group = synonym_groups().get(variant, (variant,)) if variant in spelt else (variant,)
        for term in group:
            for candidate in (term, *hyphen_variants(term)):
                if candidate != words and candidate not in found:
                    found.append(candidate)
    return found


def _alternatives(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every other way of saying these words: their spellings and their synonyms, with theirs."""
    found: list[tuple[str, ...]] = []
    for variant in [words, *spellings(words)]:
        for term in synonym_groups().get(variant, (variant,)):
            for candidate in (term, *spellings(term)):
                if candidate != words and candidate not in found:
                    found.append(candidate)
    return found


def expand(query: Query) -> Query:
    """Other spellings join what was typed (``groups``: searched everywhere); synonyms go to
    ``expanded`` with them, which is matched against each decision's topic alone.

    Words typed one after another that make a term of the file ('ehc plan', 'antisocial
    behaviour') are read in ``expanded`` as that term, a phrase, with its synonyms. Synonym
    phrases are matched against the topic only: checked against every matching text, a phrase
    such as 'children in care' reads each candidate's whole vector (PostgreSQL: seconds at
    100,000 decisions); the topic is a few words.
    """
    for group in query.groups:
        for term in list(group):
            variants = spellings(tuple(term.words))
            group.extend(Term(words=list(words), phrase=len(words) > 1, variant=True) for words in variants)
    expanded: list[list[Term]] = []
    index = 0
    changed = False
    while index < len(query.groups):
        merged = _longest_synonym_run(query.groups, index)
        if merged:
            words, used = merged
            expanded.append([Term(words=list(words), phrase=len(words) > 1)])
            index += used
            changed = True
        else:
            expanded.append(list(query.groups[index]))
            index += 1
    for group in expanded:
        for term in list(group):
            alternatives = _alternatives(tuple(term.words))
            new = [words for words in alternatives if words not in {tuple(t.words) for t in group}]
            if new:
                group.extend(Term(words=list(words), phrase=len(words) > 1) for words in new)
                changed = True
            if alternatives:
                query.expansions.append((written_form(tuple(term.words)), [written_form(w) for w in alternatives]))
    query.expanded = expanded if changed else []
    excluded = []
    for term in query.excluded:
        excluded.append(term)
        excluded.extend(Term(words=list(words), phrase=len(words) > 1) for words in spellings(tuple(term.words)))
    query.excluded = excluded
    return query


def _longest_synonym_run(groups: list[list[Term]], start: int) -> tuple[tuple[str, ...], int] | None:
    """The longest run of single-term groups from ``start`` whose words are a term of the file."""
    words: list[str] = []
    best = None
    for used, group in enumerate(groups[start:start + MAX_SYNONYM_WORDS], start=1):
        if any(not term.variant for term in group[1:]):  # 'a OR b' typed: no run through it
            break
        words.extend(group[0].words)
        if len(words) > MAX_SYNONYM_WORDS:
            break
        if used > 1 and (tuple(words) in synonym_groups() or hyphen_variants(tuple(words))):
            best = (tuple(words), used)
    return best


def _words(text: str) -> list[str]:
    words = []
    for raw in _WORD_RE.findall(text):
        # Keep what both engines index as one or more words; drop bare punctuation.
        for part in re.split(r"[^\w]+", raw):
            if part:
                words.append(part.lower())
    return words


def _vendor(queryset: QuerySet) -> str:
    return connections[queryset.db].vendor


def own_column(compiler, connection, column: str) -> str:
    """A decision-table column under the query's own alias for the table, so that an expression
    also works when its queryset becomes a subquery (as facet counts make it)."""
    alias = compiler.query.get_initial_alias()
    return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(column)}"


class VectorColumn(Expression):
    """A tsvector column of the decision table that only PostgreSQL has (migrations 0003, 0005)."""

    output_field = SearchVectorField()

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection):
        return own_column(compiler, connection, self.column), []


class FtsMatch(Expression):
    """SQLite: the decision is among the FTS5 table's matches for an expression.

    Written ``+id IN (…)``: the unary plus stops SQLite from driving the query from the list
    of matches, which would read every matching decision's wide row (its large text columns
    sit in overflow pages). Instead it walks the date or facet index and keeps the matches:
    measured at 10,000 decisions for a word in all of them, 2.8 ms against 80 ms for a page,
    18 ms against 94 ms for the facets.
    """

    output_field = BooleanField()

    def __init__(self, expression: str):
        super().__init__()
        self.expression = expression

    def as_sql(self, compiler, connection):
        column = own_column(compiler, connection, "id")
        return f"+{column} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)", [self.expression]


def _pg_vector():
    return VectorColumn("search_vector")


def _pg_query(query: Query) -> SearchQuery:
    """What was typed (searched in the whole search_vector)."""
    return SearchQuery(query.to_websearch(), search_type="websearch", config=PG_CONFIG)


def _pg_expanded(query: Query) -> SearchQuery:
    """What was typed with its synonyms (matched against the topic: topic_vector)."""
    return SearchQuery(query.expanded_websearch(), search_type="websearch", config=PG_CONFIG)


def _pg_excluded(query: Query) -> SearchQuery:
    return SearchQuery(query.excluded_websearch(), search_type="websearch", config=PG_CONFIG)


def _pg_condition(query: Query) -> Q:
    """PostgreSQL: a decision matches what was typed anywhere, or its synonyms in the topic; an
    excluded word excludes it wherever it is. Needs search_vector and topic_vector aliased."""
    condition = Q(search_vector=_pg_query(query))
    if query.expanded:
        condition |= Q(topic_vector=_pg_expanded(query))
        if query.excluded:
            condition &= ~Q(search_vector=_pg_excluded(query))
    return condition


def matching(queryset: QuerySet, text: str | Query) -> QuerySet:
    """The decisions that match the user's text (no ranking): for counting and facets."""
    query = text if isinstance(text, Query) else parse_query(text)
    if query.reference:
        return queryset.filter(reference=query.reference)
    if query.is_empty:
        return queryset
    if _vendor(queryset) == "postgresql":
        return queryset.alias(search_vector=_pg_vector(), topic_vector=VectorColumn("topic_vector")).filter(
            _pg_condition(query))
    positive = query.to_fts5()
    if positive is None:
        return queryset.exclude(FtsMatch(query.excluded_fts5()))
    return queryset.filter(FtsMatch(positive))


# Added to the rank of a decision filed under a topic the search names ('antisocial behaviour',
# 'charging'): it outweighs any text score, so those decisions come first, each set ranked as usual.
TOPIC_FIRST = 1000.0


def _pg_topic_rank(query: Query, using: str):
    """PostgreSQL: TOPIC_FIRST when the decision's topic (its own small vector, migration 0010)
    holds any wanted term; nothing to test, row by row, when no topic could."""
    if not could_name_a_topic(query, using):
        return Value(0.0, output_field=FloatField())
    any_term = SearchQuery(query.any_term_websearch(), search_type="websearch", config=PG_CONFIG)
    return Case(When(topic_vector=any_term, then=Value(TOPIC_FIRST)), default=Value(0.0),
                output_field=FloatField())


def could_name_a_topic(query: Query, using: str = "default") -> bool:
    """Whether any wanted term is in a category or subcategory name (names cached until the data changes)."""

    names = cached(("topic names",), lambda: "\n".join(Category.objects.using(using).values_list("name", flat=True)),
                   using)
    return topic_matches(names, query)


# A word in at least this share of all decisions tells nothing about relevance: its inverse
# document frequency, the part of BM25 and ts_rank that makes a match count, is about zero.
UBIQUITOUS_SHARE = 0.5


def ubiquitous(queryset: QuerySet, query: Query) -> bool:
    """Whether every required word of the query is in most decisions (cached per data version).

    Ranking then orders by almost nothing, at the price of scoring every decision (seconds at
    100,000 for a word in all of them): such searches are listed newest first instead.
    """

    # A group's first term is what was typed: if it is in most decisions, so is the group (its
    # alternatives, synonyms or other spellings, only add decisions).
    if any(group[0].phrase for group in query.groups):
        return False
    everything = Decision.objects.using(queryset.db)
    total = archive_size(queryset.db)
    for group in query.groups:
        term = Query(text=group[0].words[0], groups=[[group[0]]])
        count = cached(("document frequency", term.to_websearch()), lambda t=term: matching(everything, t).count(),
                       queryset.db)
        if count < UBIQUITOUS_SHARE * total:
            return False
    return bool(query.groups) and total > 0


def archive_size(using: str = "default") -> int:
    """How many decisions the archive holds, published or not (cached until the data changes)."""

    return cached(("decisions",), Decision.objects.using(using).count, using)


def ranked(queryset: QuerySet, text: str | Query) -> QuerySet:
    """The decisions of ``queryset`` that match the user's text, with a ``rank`` (higher is more
    relevant), best first."""
    query = text if isinstance(text, Query) else parse_query(text)
    if query.reference or query.is_empty or not query.groups or ubiquitous(queryset, query):
        return matching(queryset, query).annotate(rank=Value(0.0, output_field=FloatField())).order_by(
            "-decision_date", "-pk")
    if _vendor(queryset) == "postgresql":
        # Decisions that match in the weighted fields (reference, organisation, headings: A;
        # summary: B) are ranked by that small vector, read inline; decisions that match only
        # in the body have rank 0 and follow, newest first. Ranking by the whole body's vector
        # would de-TOAST it for every match: seconds for a common word at 100,000 decisions.
        typed, wanted = _pg_query(query), _pg_expanded(query)
        in_weighted_fields = Q(rank_vector=typed) | (Q(topic_vector=wanted) if query.expanded else Q(pk__in=[]))
        return (
            matching(queryset, query).alias(rank_vector=VectorColumn("rank_vector"))
            .annotate(rank=Case(When(in_weighted_fields, then=SearchRank(F("rank_vector"), wanted, normalization=1)
                                     + _pg_topic_rank(query, queryset.db)),
                                default=Value(0.0), output_field=FloatField()))
            .order_by("-rank", "-decision_date", "-pk")
        )
    # SQLite: the FTS5 index joined as SearchIndexRow; its rank column is bm25 with our weights
    # (lower is better), and a decision filed under what was searched comes first (TOPIC_FIRST
    # outweighs any bm25 score).
    weights = ", ".join(str(w) for w in SQLITE_BM25_WEIGHTS)
    rank = Value(0.0, output_field=FloatField()) - F("search_index_row__rank")
    if could_name_a_topic(query, queryset.db):
        rank = Case(When(FtsMatch(query.topic_fts5()), then=Value(TOPIC_FIRST)), default=Value(0.0),
                    output_field=FloatField()) + rank
    return (queryset.filter(search_index_row__document__match=query.to_fts5(),
                            search_index_row__rank__match=f"bm25({weights})")
            .annotate(rank=rank).order_by("-rank", "-decision_date", "-pk"))


def _cached_count(queryset: QuerySet) -> int:
    """A search's number of matches, until the data changes: counting a phrase re-reads every
    candidate's vector (150 ms for one in a fifth of 100,000 decisions on PostgreSQL)."""

    return cached_for(queryset, "count", queryset.count)


class _Pages:
    """Sliced by a Paginator a page at a time; a page's rows are fetched by id, in order, from
    ``self.listing`` (the listing shaped as its page shows it)."""

    listing: QuerySet

    def __len__(self) -> int:
        return self.count()

    def _bounds(self, index: slice) -> tuple[int, int]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError(f"{type(self).__name__} is sliced a page at a time")
        return index.start or 0, index.stop if index.stop is not None else self.count()

    def _rows(self, ids: list[int]) -> list:
        found = self.listing.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class CachedPages(_Pages):
    """A ranked listing, sliced a page at a time with each page's ids cached until the data
    changes (decisions/caching.py): ranking reads every match (on SQLite, bm25 over 22,000
    matches of a phrase at 100,000 decisions: 110 ms), and the same searches come back often."""

    def __init__(self, ranked_queryset: QuerySet, listing: QuerySet):
        self.ranked, self.listing = ranked_queryset, listing

    def count(self) -> int:
        return _cached_count(self.ranked)

    def __getitem__(self, index: slice) -> list:

        start, stop = self._bounds(index)
        return self._rows(cached_for(self.ranked, "ranked page",
                                     lambda: [row[0] for row in self.ranked.values_list("pk")[start:stop]],
                                     start, stop))


class RankedPages(_Pages):
    """A page of ``ranked(queryset, query)`` on PostgreSQL, without ranking every match.

    Sliced by the paginator like the ranked queryset, and giving the same rows in the same
    order, in two parts: the head (matches in the weighted fields, found by their own GIN
    index and ranked: few) and the tail (matches only in the body, rank 0, newest first). A
    page early in the tail is read by walking down the date index and testing each decision
    until the page is full, which costs rows in proportion to the page, not to the matches: a
    phrase in a fifth of 100,000 decisions tests about 200 rows for its first page instead of
    de-TOASTing 22,000 body vectors to rank them all. The walk stops after WALK_BUDGET rows,
    so a word found only in old decisions costs no more than that before the matches are
    found by the GIN index and sorted instead, as they are deep in the tail.
    """

    WALK_BUDGET = 2_000

    def __init__(self, queryset: QuerySet, query: Query, total: int | None = None):
        typed, wanted = _pg_query(query), _pg_expanded(query)
        vectors = {"search_vector": _pg_vector(), "rank_vector": VectorColumn("rank_vector"),
                   "topic_vector": VectorColumn("topic_vector")}
        # The head: decisions that match in the weighted fields (or by a synonym, in the topic).
        in_head = Q(rank_vector=typed) | (Q(topic_vector=wanted) if query.expanded else Q(pk__in=[]))
        head = queryset.alias(**vectors).filter(in_head)
        if query.excluded:  # an excluded word may be in the body only
            head = head.exclude(search_vector=_pg_excluded(query))
        # The topic is part of the weighted fields, so every decision filed under the topic is in the head.
        self.head = head.annotate(rank=SearchRank(F("rank_vector"), wanted, normalization=1)
                                  + _pg_topic_rank(query, queryset.db)).order_by("-rank", "-decision_date", "-pk")
        self.tail = (queryset.alias(**vectors).filter(search_vector=typed).exclude(in_head)
                     .annotate(rank=Value(0.0, output_field=FloatField())))
        self.listing, self.query, self.total = queryset, query, total

    @classmethod
    def applies(cls, queryset: QuerySet, query: Query) -> bool:
        return (_vendor(queryset) == "postgresql" and bool(query.groups) and not query.reference
                and not ubiquitous(queryset, query))

    def count(self) -> int:
        if self.total is None:
            self.total = _cached_count(matching(self.listing, self.query))
        return self.total

    def head_count(self) -> int:

        return cached_for(self.head, "ranked head", self.head.count)

    def __getitem__(self, index: slice) -> list:
        start, stop = self._bounds(index)
        head_count = self.head_count()
        rows = self._head_rows(start, stop) if start < head_count else []
        if stop > head_count:
            rows += self._tail_rows(max(0, start - head_count), stop - head_count)
        return rows

    def _head_rows(self, start: int, stop: int) -> list:
        """The head's rows for a page. Ranking the head reads every summary match (12,500 for a
        phrase at 100,000 decisions: 50 ms), so the page's ids are cached until the data changes."""

        return self._rows(cached_for(self.head, "ranked head page",
                                     lambda: list(self.head.values_list("pk", flat=True)[start:stop]), start, stop))

    def _tail_rows(self, start: int, stop: int) -> list:
        tail_count = max(0, self.count() - self.head_count())
        expected = min(stop, tail_count) - start
        if expected <= 0:
            return []
        if stop * archive_size(self.tail.db) / tail_count <= self.WALK_BUDGET:  # matches spread evenly would fill the page
            ids = self._walked_tail_ids(start, stop)
            if len(ids) == expected:  # the newest WALK_BUDGET decisions held the page: exact
                return self._rows(ids)
        # An ordering no index gives: the planner finds the matches by the GIN index and sorts them.
        unindexed_date = ExpressionWrapper(F("decision_date") + Value(0), output_field=DateField())
        return list(self.tail.order_by(unindexed_date.desc(), "-pk")[start:stop])

    def _walked_tail_ids(self, start: int, stop: int) -> list[int]:
        """Tail rows [start:stop] among the newest WALK_BUDGET decisions of the listing. The
        window is a LIMIT subquery, so PostgreSQL reads it lazily down the date index and stops
        as soon as the page is full."""
        window = (self.listing.order_by("-decision_date", "-pk")
                  .annotate(walk_vector=_pg_vector(), walk_rank_vector=VectorColumn("rank_vector"),
                            walk_topic_vector=VectorColumn("topic_vector"))
                  .values_list("pk", "decision_date", "walk_vector", "walk_rank_vector", "walk_topic_vector")
                  [: self.WALK_BUDGET])
        sql, params = window.query.sql_with_params()
        text, wanted = self.query.to_websearch(), self.query.expanded_websearch()
        by_synonym = ("OR w.topic_vector @@ websearch_to_tsquery(%s::regconfig, %s)" if self.query.expanded
                      else "AND %s::text IS NULL AND %s::text IS NULL")
        statement = (
            f"SELECT w.id FROM ({sql}) AS w(id, decision_date, search_vector, rank_vector, topic_vector) "
            "WHERE w.search_vector @@ websearch_to_tsquery(%s::regconfig, %s) "
            f"AND NOT (w.rank_vector @@ websearch_to_tsquery(%s::regconfig, %s) {by_synonym}) "
            "ORDER BY w.decision_date DESC, w.id DESC LIMIT %s OFFSET %s"
        )
        with connections[self.tail.db].cursor() as cursor:
            synonym_params = [PG_CONFIG, wanted] if self.query.expanded else [None, None]
            cursor.execute(statement, [*params, PG_CONFIG, text, PG_CONFIG, text, *synonym_params, stop - start, start])
            return [row[0] for row in cursor.fetchall()]

def snippets(decisions, text: str | Query, *, words: int = 32) -> dict[int, SafeString]:
    """Highlighted extracts from the statements (not the summary, which a result shows anyway)
    of the decisions on one page, by id: one query, never per row.

    SQLite: FTS5's snippet(), which reads its own index. PostgreSQL: the page's texts are read
    and the extract is cut here, around the densest run of the query's words.
    ``ts_headline`` parses and stems the whole of every text to do the same, about 1 ms a
    decision: under load at 100,000 decisions it took more of the database than any other
    statement.
    """
    query = text if isinstance(text, Query) else parse_query(text)
    ids = [d.pk for d in decisions]
    if not ids or not query.groups:
        return {}

    queryset = Decision.objects.filter(pk__in=ids)
    if _vendor(queryset) == "postgresql":
        found = {}
        for pk, full_text in queryset.values_list("pk", "full_text"):
            extract = text_snippet(full_text, query, words=words)
            if extract:
                found[pk] = extract
        return found
    placeholders = ", ".join("%s" for _ in ids)
    # From the statement's text only: never from the summary, topic, organisation or headings,
    # which the result shows already (columns: migration 0010).
    sql = (
        f"SELECT rowid, snippet({FTS_TABLE}, {TEXT_COLUMN}, %s, %s, '…', %s) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
    )
    size = min(words, 64)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [MARK_START, MARK_END, size, query.to_fts5(), *ids])
        rows = cursor.fetchall()
    found = {}
    for pk, *extracts in rows:
        extract = next((e for e in extracts if e and MARK_START in e), None)
        if extract:
            found[pk] = marked_html(extract)
    return found


SNIPPET_CANDIDATES = 60  # matches considered as the start of an extract


def text_snippet(text: str, query: Query, *, words: int = 32) -> SafeString | None:
    """About ``words`` words of the text around the run that holds the most of the query's
    different words, with those words marked; None when none of them is in the text."""
    pattern = _highlight_pattern(query.highlight_terms())
    if pattern is None:
        return None
    matches = []
    for match in pattern.finditer(text):
        matches.append((match.start(), match.group(0).lower()))
        if len(matches) >= SNIPPET_CANDIDATES:
            break
    if not matches:
        return None
    span = words * 7  # characters: about `words` words of English prose
    best_start, best_score = matches[0][0], 0
    for index, (position, _) in enumerate(matches):
        distinct = {found for at, found in matches[index:] if at < position + span}
        if len(distinct) > best_score:
            best_start, best_score = position, len(distinct)
    start = _word_boundary_before(text, best_start, span // 5)
    stop = _word_boundary_after(text, start + span)
    extract = " ".join(text[start:stop].split())
    html = highlight(extract, query)
    prefix = "… " if start > 0 else ""
    suffix = " …" if stop < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}")  # noqa: S308 - highlight() escaped the text


def _word_boundary_before(text: str, position: int, distance: int) -> int:
    start = max(0, position - distance)
    if start == 0:
        return 0
    space = text.find(" ", start, position)
    return space + 1 if space != -1 else position


def _word_boundary_after(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.find(" ", position)
    return space if space != -1 else len(text)


def marked_html(text: str) -> SafeString:
    """Escape text from a file, then turn our private markers into <mark> elements."""
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped on the line above; only our markers become tags


def reference_in(text: str) -> str | None:
    """The decision reference a query consists of, if it is one (e.g. '20-003-763')."""
    query = parse_query(text)
    return query.reference


def topic_matches(topic: str, query: Query) -> bool:
    """Whether a decision's topic holds a searched term: it is listed because it is filed under it."""
    pattern = _highlight_pattern(query.highlight_terms()) if query.groups else None
    return bool(pattern and topic and pattern.search(topic))


def highlight(text: str, query: Query) -> SafeString:
    """Mark the query's words in a paragraph for a reader arriving from a search.

    Matches whole words and their common inflections (a rough stem: 'complaint' marks
    'complaints', 'delayed' marks 'delay'), and phrases as sequences.
    """
    combined = _highlight_pattern(query.highlight_terms())
    if combined is None or not text:
        return escape(text)
    marked = combined.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", text)
    return marked_html(marked)


def marks(text: str, query: Query) -> bool:
    """Whether highlight() would mark anything in the text."""
    pattern = _highlight_pattern(query.highlight_terms())
    return bool(pattern and text and pattern.search(text))


@lru_cache(maxsize=256)
def _highlight_pattern(terms: tuple[tuple[str, ...], ...]) -> re.Pattern | None:
    patterns = []
    for words in terms:
        stems = [re.escape(_rough_stem(w)) + r"\w*" for w in words]
        patterns.append(r"\b" + r"\W+".join(stems))
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True)), re.I)


def _rough_stem(word: str) -> str:
    for suffix in ("ational", "ations", "ation", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
