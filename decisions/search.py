"""Full-text search over decisions, on PostgreSQL or SQLite, behind one interface.

PostgreSQL: a stored, weighted ``search_vector`` (reference, organisation and headings A;
summary B; body C; in a narrow table of its own since migration 0018) with a GIN index,
queried with ``websearch_to_tsquery`` and ranked with ``ts_rank``. SQLite: an FTS5
external-content table (``porter unicode61``) kept in step by triggers, ranked with
``bm25()`` using matching weights and summarised with ``snippet()``. Both columns are
made in migration 0002. The user's query is parsed here once, in web-search syntax
(words, "phrases", OR, -excluded), and written out for each engine, so that raw input
never reaches ``MATCH`` and both engines answer the same question.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import Expression
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from decisions.models import Category, Decision, SearchIndexRow, SearchVectorRow
from decisions.packed import Packed, unpacked
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
    # The (categories, subcategories) whose names the synonyms match, by database: found once a
    # search (filed_under_topics), though matching and ranking both ask.
    filed: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict, repr=False, compare=False)

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
    """A tsvector column of the decision table that only PostgreSQL has (rank_vector, migration 0010)."""

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


class AmongIds(Expression):
    """The row's id is one of these, passed as one parameter (an array on PostgreSQL, a JSON
    list on SQLite), however many there are."""

    output_field = BooleanField()

    def __init__(self, ids, column: str = "id"):
        super().__init__()
        self.ids, self.column = [int(pk) for pk in ids], column

    def as_sql(self, compiler, connection):
        column = own_column(compiler, connection, self.column)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [self.ids]
        # The unary plus keeps SQLite from handing the list to FTS5 as rowid lookups, each of which
        # would evaluate the whole query again (minutes for a phrase): the list only filters.
        return f"+{column} IN (SELECT value FROM json_each(%s))", [json.dumps(self.ids)]


def _pg_query(query: Query) -> SearchQuery:
    """What was typed (searched in the whole search_vector)."""
    return SearchQuery(query.to_websearch(), search_type="websearch", config=PG_CONFIG)


def _pg_expanded(query: Query) -> SearchQuery:
    """What was typed with its synonyms (ranked against rank_vector, whose topic part they name)."""
    return SearchQuery(query.expanded_websearch(), search_type="websearch", config=PG_CONFIG)


def _pg_excluded(query: Query) -> SearchQuery:
    return SearchQuery(query.excluded_websearch(), search_type="websearch", config=PG_CONFIG)


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


def _pg_lexemes(texts: list[str], using: str) -> dict[str, list[tuple[str, int]] | None]:
    """How PostgreSQL reads each phrase (its stemming and stop words), in one statement."""
    if not texts:
        return {}
    columns = ", ".join("websearch_to_tsquery(%s::regconfig, %s)::text" for _ in texts)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {columns}", [value for text in texts for value in (PG_CONFIG, f'"{text}"')])
        read = cursor.fetchone()
    return {text: phrase_lexemes(tsquery) for text, tsquery in zip(texts, read, strict=True)}


def _pg_term(term: Term, lexemes: dict) -> Q:
    """A term: a word in search_vector; a phrase as all of its word pairs in pair_vector, which
    its GIN index answers alone (the search_vector would need every candidate's positions)."""
    text = " ".join(term.words)
    chain = lexemes.get(text) if term.phrase else None
    if chain is None or len(chain) < 2 or any("'" in lexeme or "\\" in lexeme for lexeme, _ in chain):
        return Q(search_vector=SearchQuery(_websearch_term(term), search_type="websearch", config=PG_CONFIG))
    return Q(pair_vector=LexemeQuery(" & ".join(f"'{pair}'" for pair in word_pairs(chain))))


@dataclass
class _PgParts:
    """A search's condition on PostgreSQL in parts, each answered by one index scan that needs
    no recheck: a decision matches every ``required`` part, or ``topic``, and not ``excluded``."""

    required: list[Q]
    topic: Q | None
    excluded: Q | None


def _pg_parts(query: Query, using: str) -> _PgParts:
    """The groups of words alone are one tsquery on search_vector (one GIN scan answers them);
    each group with a phrase is a part of its own, its phrases found by their word pairs; the
    synonyms by the topics they name (filed_under_topics)."""
    phrases = [" ".join(t.words) for t in [*(t for g in query.groups for t in g), *query.excluded] if t.phrase]
    lexemes = _pg_lexemes(list(dict.fromkeys(phrases)), using)
    words_only = [group for group in query.groups if not any(term.phrase for term in group)]
    required = []
    if words_only:
        required.append(Q(search_vector=SearchQuery(_groups_websearch(words_only), search_type="websearch",
                                                    config=PG_CONFIG)))
    for group in query.groups:
        if group not in words_only:
            alternatives = Q(pk__in=[])
            for term in group:
                alternatives |= _pg_term(term, lexemes)
            required.append(alternatives)
    excluded = None
    if query.excluded:
        words = [term for term in query.excluded if not term.phrase]
        excluded = (Q(search_vector=SearchQuery(" OR ".join(_websearch_term(t) for t in words),
                                                search_type="websearch", config=PG_CONFIG)) if words else Q(pk__in=[]))
        for term in query.excluded:
            if term.phrase:
                excluded |= _pg_term(term, lexemes)
    return _PgParts(required, filed_under_topics(query, using) if query.expanded else None, excluded)


def _pg_condition(query: Query, using: str) -> Q:
    """PostgreSQL: the search as one condition on decisions (for a queryset: matching()), each
    part on the vectors a subquery of their table."""
    parts = _pg_parts(query, using)
    vectors = SearchVectorRow.objects.using(using)
    condition = Q()
    for part in parts.required:
        condition &= Q(pk__in=vectors.filter(part).values("pk"))
    if parts.topic is not None:
        condition |= parts.topic
    if parts.excluded is not None:
        condition &= ~Q(pk__in=vectors.filter(parts.excluded).values("pk"))
    return condition


def _pg_matching_ids(query: Query, using: str) -> np.ndarray:
    """PostgreSQL: the ids of the decisions matching the search, each of its parts read by its
    own statement and combined here. Given the parts together, the planner may scan one part's
    index and test another part's vector on each row it finds, de-TOASTing that vector: a topic
    word with a phrase among its spellings ("antisocial behaviour") took 19.5 s at 500,000
    decisions, and each part alone at most the cost of its commonest word."""
    decisions, vectors = Decision.objects.using(using).order_by(), SearchVectorRow.objects.using(using).order_by()
    parts = _pg_parts(query, using)
    matched = None if parts.required else _ids(decisions)
    for part in parts.required:
        ids = _ids(vectors.filter(part))
        matched = ids if matched is None else np.intersect1d(matched, ids, assume_unique=True)
        if not len(matched):
            break
    if parts.topic is not None:
        matched = np.union1d(matched, _ids(decisions.filter(parts.topic)))
    if parts.excluded is not None and len(matched):
        matched = np.setdiff1d(matched, _ids(vectors.filter(parts.excluded)), assume_unique=True)
    return matched


def filed_under_topics(query: Query, using: str) -> Q:
    """PostgreSQL: the decisions whose topic (Decision.topic_text: their category's and
    subcategory's names) holds what was typed or a synonym, as conditions on their category and
    subcategory, which btree indexes answer exactly.

    The hundred or so topics are tested here, in one statement, rather than each decision's
    (its topic_vector until migration 0017): a bitmap scan rechecked a phrase on every
    candidate's row, and with the topic one side of an OR the other side too, de-TOASTing each
    candidate's body vector (a topic search at 500,000 decisions: 7 s warm, 110 s cold)."""
    if using not in query.filed:
        filed = [(category.parent_id or category.pk, category.pk if category.parent_id else None,
                  Decision.topic_text(category.parent, category) if category.parent_id
                  else Decision.topic_text(category, None))
                 for category in Category.objects.using(using).select_related("parent")]
        matched = []
        if filed:
            with connections[using].cursor() as cursor:
                cursor.execute(
                    "SELECT position FROM unnest(%s::text[]) WITH ORDINALITY AS topics(topic, position) "
                    "WHERE to_tsvector(%s::regconfig, topic) @@ websearch_to_tsquery(%s::regconfig, %s)",
                    [[text for _, _, text in filed], PG_CONFIG, PG_CONFIG, query.expanded_websearch()])
                matched = [filed[position - 1] for (position,) in cursor.fetchall()]
        query.filed[using] = ([category for category, subcategory, _ in matched if subcategory is None],
                              [subcategory for _, subcategory, _ in matched if subcategory is not None])
    categories, subcategories = query.filed[using]
    return Q(category__in=categories, subcategory=None) | Q(subcategory__in=subcategories)


def _groups_websearch(groups: list[list[Term]]) -> str:
    return " ".join(" OR ".join(_websearch_term(t) for t in group) for group in groups)


def matching(queryset: QuerySet, text: str | Query) -> QuerySet:
    """The decisions that match the user's text (no ranking), as a queryset: the same decisions
    as matching_ids(), which listings use (the search tests hold the two equal)."""
    query = text if isinstance(text, Query) else parse_query(text)
    if query.reference:
        return queryset.filter(reference=query.reference)
    if query.is_empty:
        return queryset
    if _vendor(queryset) == "postgresql":
        return queryset.filter(_pg_condition(query, queryset.db))
    positive = query.to_fts5()
    if positive is None:
        return queryset.exclude(FtsMatch(query.excluded_fts5()))
    return queryset.filter(FtsMatch(positive))


def matching_ids(query: Query, using: str = "default") -> np.ndarray | None:
    """The ids of every decision (published or not) the words match, read from the full-text
    index alone, in bulk; None when the query asks for no words (every decision matches)."""
    decisions = Decision.objects.using(using).order_by()  # in no order: the columns order them
    if query.reference:
        return _ids(decisions.filter(reference=query.reference))
    if query.is_empty:
        return None
    if connections[using].vendor == "postgresql":
        return _pg_matching_ids(query, using)
    index = SearchIndexRow.objects.using(using)
    positive = query.to_fts5()
    if positive is None:  # only excluded words: every decision without them
        excluded = index.filter(document__match=query.excluded_fts5()).values("pk")
        return _ids(decisions.exclude(pk__in=excluded))
    return _ids(index.filter(document__match=positive))


def _ids(queryset: QuerySet) -> np.ndarray:
    return _ids_and_scores(queryset, None)[0]


def _ids_and_scores(queryset: QuerySet, score: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The ids of a queryset's rows and, when named, a score of each (in the same order)."""
    packed = queryset.aggregate(packed_ids=Packed("pk"),
                                **({"packed_scores": Packed(score, kind="float8")} if score else {}))
    return unpacked(packed["packed_ids"]), unpacked(packed.get("packed_scores"), "float8")


# Relevance, the same on both databases (decisions/results.py puts it together):
# 1. a decision filed under a topic the search names ('antisocial behaviour', 'charging') first:
#    TOPIC_FIRST outweighs any text score;
# 2. then by its text score in the weighted fields (reference, organisation, topic, headings,
#    summary), where what a decision is about is said: the statement's body, where a word may
#    be said in passing, adds nothing;
# 3. then newest first (decisions matched in the body alone come after those matched in the
#    weighted fields, newest first).
TOPIC_FIRST = 1000.0
WEIGHTED_FTS5_COLUMNS = "{reference organisation topic headings summary}"


def topic_ids(query: Query, using: str = "default") -> list[int]:
    """The categories and subcategories whose names hold a wanted term (a hundred or so names, read each time)."""
    if not query.groups:
        return []
    return [pk for pk, name in Category.objects.using(using).values_list("pk", "name") if topic_matches(name, query)]


def weighted_scores(query: Query, using: str = "default", among: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(ids, text scores, higher is better) of the decisions whose weighted fields hold every
    group of what was typed, or whose topic a synonym; only those ``among`` these ids, when
    given (the filters leave few: scoring is the cost). Excluded words are the caller's: these
    ids are meant to be intersected with matching_ids().

    SQLite: bm25 with SQLITE_BM25_WEIGHTS over those columns. PostgreSQL: ts_rank of their
    own small vector (rank_vector, migration 0008, with its GIN index): the body's vector is
    never read, which would de-TOAST it for every match.
    """
    if not query.groups:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if connections[using].vendor == "postgresql":
        typed, wanted = _pg_query(query), _pg_expanded(query)
        in_weighted = Q(rank_vector=typed) | (filed_under_topics(query, using) if query.expanded else Q(pk__in=[]))
        rows = (Decision.objects.using(using).order_by().alias(rank_vector=VectorColumn("rank_vector"))
                .filter(in_weighted).annotate(score=SearchRank(F("rank_vector"), wanted, normalization=1)))
        if among is not None:
            rows = rows.filter(AmongIds(among))
        return _ids_and_scores(rows, "score")
    expression = f"{WEIGHTED_FTS5_COLUMNS} : ({_fts5_groups(query.groups)})"
    if query.expanded:
        expression = f"({expression}) OR (topic : ({_fts5_groups(query.expanded)}))"
    weights = ", ".join(str(w) for w in SQLITE_BM25_WEIGHTS)
    rows = SearchIndexRow.objects.using(using).filter(document__match=expression, rank__match=f"bm25({weights})")
    if among is not None:
        rows = rows.filter(AmongIds(among, column="rowid"))
    ids, ranks = _ids_and_scores(rows, "rank")
    return ids, -ranks  # bm25: lower is better


# A word in at least this share of all decisions tells nothing about relevance: its inverse
# document frequency, the part of BM25 and ts_rank that makes a match count, is about zero.
UBIQUITOUS_SHARE = 0.5


def ubiquitous(query: Query, matches: int, archive: int) -> bool:
    """Whether a search's words or phrases are in most decisions: text scores then order by
    almost nothing (FTS5 even gives a phrase in most decisions the same score everywhere), at
    the price of scoring most of the archive, so they are not computed."""
    return bool(query.groups) and archive > 0 and matches >= UBIQUITOUS_SHARE * archive


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
