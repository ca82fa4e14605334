"""What a person typed into the search box, understood: terms, phrases, OR, -excluded, a
reference, and the other spellings and synonyms of the field's words (synonyms.txt).

Pure Python, so it can be tested without a database: each backend (sqlite.py, postgresql.py)
writes a Query out in its own engine's syntax, and raw input never reaches an engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from decisions.statements.parser import REFERENCE_RE, normalise_reference
from decisions.statements.text import fold

# A description of what happened may be long: up to MAX_QUERY_LENGTH characters are read, and of
# those the first MAX_TERMS terms that are not everyday words (the search says when it stopped).
MAX_QUERY_LENGTH = 2000
MAX_TERMS = 32
MAX_EVERYDAY_TERMS = 4 * MAX_TERMS  # and everyday words read past, which are searched only when alone

_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD_RE = re.compile(r"[\w'’.-]+", re.UNICODE)


@dataclass
class Term:
    words: list[str]
    phrase: bool = False
    variant: bool = False  # another spelling of the term before it, added by expand()
    quoted: bool = False  # typed in quotes: always searched, even an everyday word
    in_term: bool = False  # part of a term of the synonyms file typed word by word ('council tax')


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
    # Everyday words typed bare ('my', 'the', 'council', 'keep'), which are not searched.
    skipped: list[str] = field(default_factory=list)
    shortened: bool = False  # more was typed than is searched (MAX_TERMS)
    # The topics (as the Ombudsman names them) of the synonym groups the search used, each with
    # the typed words that named it.
    topics: dict[str, set[str]] = field(default_factory=dict)
    # The (categories, subcategories) whose names the synonyms match: found once a search
    # (postgresql.filed_under_topics), though matching and ranking both ask.
    filed: tuple[list[int], list[int]] | None = field(default=None, repr=False, compare=False)

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
        parts = [" OR ".join(websearch_term(t) for t in group) for group in (self.groups if groups is None
                                                                               else groups)]
        parts += ["-" + websearch_term(t) for t in self.excluded]
        return " ".join(parts)

    def expanded_websearch(self) -> str:
        return self.to_websearch(self.wanted)


def websearch_term(term: Term) -> str:
    text = " ".join(term.words)
    return f'"{text}"' if term.phrase else text



def groups_websearch(groups: list[list[Term]]) -> str:
    return " ".join(" OR ".join(websearch_term(t) for t in group) for group in groups)



def parse_query(text: str) -> Query:
    text = fold(text or "")[:MAX_QUERY_LENGTH].strip()
    query = Query(text=text)
    if REFERENCE_RE.fullmatch(text):  # the whole search is a reference: that decision
        query.reference = normalise_reference(text)
        return query
    pending_or = False
    count = everyday = 0
    for match in _TOKEN_RE.finditer(text):
        negated, phrase_text, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            pending_or = bool(query.groups)
            continue
        if phrase_text is not None:
            words = words_of(phrase_text)
            term = Term(words=words, phrase=len(words) > 1, quoted=True)
        else:
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = words_of(without_clitic(bare.lstrip("-") if negated else bare))
            term = Term(words=words, phrase=len(words) > 1)
        if not term.words:
            pending_or = False
            continue
        if count >= MAX_TERMS or everyday >= MAX_EVERYDAY_TERMS:
            query.shortened = True
            break
        if negated or pending_or or term.quoted or len(term.words) > 1 or term.words[0] not in EVERYDAY_WORDS:
            count += 1  # everyday words are dropped later: they do not use up the terms searched
        else:
            everyday += 1
        if negated:
            query.excluded.append(term)
            pending_or = False
        elif pending_or:
            query.groups[-1].append(term)
            pending_or = False
        else:
            query.groups.append([term])
    return without_everyday_words(expand(query))


# Words that carry nothing in a description of a complaint (what the Ombudsman's decisions all
# share, and the words around what happened): typed bare, they are not searched, so that 'my
# son's plan is late' asks for 'son', 'plan' and 'late'. PostgreSQL's English stop words are
# among them, so both databases drop the same words. Quoted, or alone, a word is searched.
STOP_WORDS = frozenset("""
    a about above after again against all am an and any are as at be been before being below
    between both but by can cannot could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves
""".split())
EVERYDAY_WORDS = STOP_WORDS | frozenset("""
    council councils ombudsman complaint complaints complain complained complaining
    mr mrs ms miss also still even ever never really please get gets got getting keep keeps kept
    keeping thing things something anything nothing everything someone anyone everyone somebody
    anybody nobody lot lots much many said say says saying told tell want wants wanted since ago
    yet already won wont cant dont didnt doesnt isnt wasnt arent havent hasnt wouldnt couldnt
    im ive us may might must shall isn aren wasn weren didn doesn don hasn haven hadn wouldn couldn
    shouldn mustn needn
""".split())
# What follows an apostrophe in a possessive or a contraction: 'son's' is read as 'son', 'won't'
# as 'won', never as a phrase of two words.
CLITICS = frozenset({"s", "t", "m", "re", "ve", "ll", "d"})


def without_clitic(word: str) -> str:
    head, apostrophe, tail = word.replace("’", "'").partition("'")
    if apostrophe and head and tail.lower().rstrip(".,;:!?") in CLITICS:
        return head
    return word


def is_everyday(group: list[Term]) -> bool:
    typed = [term for term in group if not term.variant]
    if len(typed) != 1 or typed[0].quoted or len(typed[0].words) != 1:
        return False
    word = typed[0].words[0]
    # 'council' in 'council tax' is searched; 'and' in 'bed and breakfast' never is (PostgreSQL drops it).
    return word in STOP_WORDS or (word in EVERYDAY_WORDS and not typed[0].in_term)


def without_everyday_words(query: Query) -> Query:
    """The query without its everyday words (kept when every word is one)."""
    kept = [group for group in query.groups if not is_everyday(group)]
    if kept and len(kept) < len(query.groups):
        query.skipped = list(dict.fromkeys(group[0].words[0] for group in query.groups if is_everyday(group)))
        query.groups = kept
        query.expanded = [group for group in query.expanded if not is_everyday(group)]
    elif not kept and len(query.groups) > MAX_TERMS:  # only everyday words ('a a a …'): each once, a few
        seen: set[tuple[str, ...]] = set()
        query.groups = [group for group in query.groups
                        if tuple(group[0].words) not in seen and not seen.add(tuple(group[0].words))][:MAX_TERMS]
        query.expanded = []
        query.shortened = True
    return query


# --- The words of the field: synonyms, abbreviations, spellings and hyphens -----------------

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
MAX_SYNONYM_WORDS = 8
# A hyphenated word is also found written solid ('re-assessment' finds 'reassessment'); a solid
# word with one of the distinctive SPLIT_PREFIXES is also found hyphenated ('antisocial' finds
# 'anti-social'). Other solid words ('reassessment') get their hyphenated form from the file.
HYPHEN_PREFIXES = ("anti", "non", "re", "co", "pre", "post", "self", "over", "under", "semi", "multi", "inter", "sub")
SPLIT_PREFIXES = ("anti", "non", "self", "semi", "multi")


@lru_cache(maxsize=1)
def _synonyms_file() -> tuple[dict[tuple[str, ...], tuple[tuple[str, ...], ...]], dict[tuple[str, ...], str],
                              frozenset[tuple[str, ...]], dict[tuple[str, ...], str]]:
    """(each term -> its group, itself first; each term as written; the terms of [spellings];
    each term of [synonyms] -> the topic its group belongs to)."""
    groups: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    written: dict[tuple[str, ...], str] = {}
    spellings: set[tuple[str, ...]] = set()
    topics: dict[tuple[str, ...], str] = {}
    section = "synonyms"
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        topic, _, line = line.rpartition(" = ") if section == "synonyms" else ("", "", line)
        terms = []
        for part in line.split("|"):
            words = tuple(words_of(part))
            if words:
                terms.append(words)
                written.setdefault(words, " ".join(part.split()))
        for term in terms:
            groups[term] = (term, *[other for other in terms if other != term])
            if section == "spellings":
                spellings.add(term)
            elif topic:
                topics[term] = " ".join(topic.split())
    return groups, written, frozenset(spellings), topics


def topic_of(words: tuple[str, ...]) -> str | None:
    """The topic (as the Ombudsman names it) that a term of the synonyms file belongs to."""
    return _synonyms_file()[3].get(words)


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
            for group in query.groups[index:index + used]:
                group[0].in_term = True
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
            for words in [tuple(term.words), *alternatives]:
                if topic := topic_of(words):
                    query.topics.setdefault(topic, set()).update(group[0].words)
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


def words_of(text: str) -> list[str]:
    words = []
    for raw in _WORD_RE.findall(text):
        # Keep what both engines index as one or more words; drop bare punctuation.
        for part in re.split(r"[^\w]+", raw):
            if part:
                words.append(part.lower())
    return words


def reference_in(text: str) -> str | None:
    """The decision reference a query consists of, if it is one (e.g. '20-003-763'), read as
    parse_query reads it (without parsing the rest: a description can be 2,000 characters)."""
    text = fold(text or "")[:MAX_QUERY_LENGTH].strip()
    return normalise_reference(text) if REFERENCE_RE.fullmatch(text) else None


# A word in at least this share of all decisions tells nothing about relevance: its inverse
# document frequency, the part of BM25 and ts_rank that makes a match count, is about zero.
UBIQUITOUS_SHARE = 0.5


def ubiquitous(query: Query, matches: int, archive: int) -> bool:
    """Whether a search's words or phrases are in most decisions: text scores then order by
    almost nothing (FTS5 even gives a phrase in most decisions the same score everywhere), at
    the price of scoring most of the archive, so they are not computed."""
    return bool(query.groups) and archive > 0 and matches >= UBIQUITOUS_SHARE * archive
