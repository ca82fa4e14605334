"""One search of the archive, from its parameters to everything a listing shows: the only search path.

The site's listings, the JSON API, the exports and the feed each build a SearchResults from a
SearchParams (search/params.py: the request's parameters, validated) and ask it for what they
show; it never sees a request. A search is worked out in three steps, the same on both databases:

1. the full-text index gives the ids of the decisions the words match (search.matching_ids),
   and, when the order is relevance, the text scores of those that match in the weighted
   fields (search.weighted_scores);
2. the listing columns in memory (decisions/search/columns.py) give, as masks, what the filters keep;
   the count, the facets (decisions/search/facets.py) and the order of the page are worked out there;
3. the page's 25 decisions are read by id, with their snippets (the search backend).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet

from decisions import search
from decisions.models import Decision
from decisions.search.columns import Columns, columns
from decisions.search.facets import Facet, count, facets
from decisions.search.names import category_table, council_names
from decisions.search.params import BY_NAME, FACETS, SearchParams
from decisions.statements.text import split_sentences

EXPORT_CHUNK = 2000  # rows read per statement when every result is wanted


def summary_lead(summary: str, query: search.Query) -> str:
    """A result's summary: its first two sentences (at most 60 words), the searched words marked."""
    lead = " ".join(split_sentences(summary or "")[:2])
    words = lead.split()
    if len(words) > 60:
        lead = " ".join(words[:60]) + "…"
    return search.highlight(lead, query) if query.groups else lead


def repeats(extract: str, summary: str) -> bool:
    """Whether an extract repeats much of the summary (statements often open or close with it)."""
    words = html.unescape(re.sub(r"<[^>]+>|…", " ", str(extract))).split()
    runs = {" ".join(words[i:i + 5]) for i in range(max(0, len(words) - 4))}
    summary_text = " ".join((summary or "").split())
    return bool(runs) and sum(run in summary_text for run in runs) >= 0.25 * len(runs)


@dataclass
class ResultsPage:
    """What one page of a listing shows."""

    page: Page
    decisions: list[Decision]
    facets: list[Facet]
    selection: Selection

    @property
    def count(self) -> int:
        return self.page.paginator.count


@dataclass
class Selection:
    """A search worked out over the listing columns: what a listing's pages are cut from."""

    columns: Columns
    base: np.ndarray  # the published decisions of the listing's page (a council's, a category's)
    masks: dict[str, np.ndarray]  # each filter in use, the search words ("q") among them
    selected: np.ndarray  # base and every mask
    score: np.ndarray | None  # relevance, one per position, when that is the order
    # ALL_WORDS: every word matched; MOST_WORDS: no decision had them all, so these match most.
    kind: str = "all words"
    unmatched: tuple[str, ...] = ()  # words no decision has (best matches)
    shortened: bool = False  # some of the words were not used in finding best matches
    all_words: int = 0  # with best matches: how many decisions have every word (they come first)

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.selected))


# Text scores are asked for the selected decisions alone when the filters leave fewer than this
# share of the matches: scoring, not finding, is what a broad search's weighted fields cost.
NARROWED_SHARE = 0.25


# Relevance, the same on both databases:
# 1. a decision filed under a topic the search names ('antisocial behaviour', 'charging') first:
#    TOPIC_FIRST outweighs any text score;
# 2. then by its text score in the weighted fields (reference, organisation, topic, headings,
#    summary), where what a decision is about is said: the statement's body, where a word may
#    be said in passing, adds nothing;
# 3. then newest first (decisions matched in the body alone come after those matched in the
#    weighted fields, newest first).
TOPIC_FIRST = 1000.0


def topic_ids(query: search.Query) -> list[int]:
    """The categories and subcategories whose names hold a wanted term (a hundred or so names)."""
    if not query.groups:
        return []
    named = {name.lower() for name in query.topics}
    return [topic.pk for topic in category_table().topics
            if topic.name.lower() in named or search.topic_matches(topic.name, query)]


def declared_topic_ids(query: search.Query) -> list[int]:
    """The categories and subcategories the search's synonym groups belong to."""
    named = {name.lower() for name in query.topics}
    return [topic.pk for topic in category_table().topics if topic.name.lower() in named] if named else []


def relevance(columns: Columns, query: search.Query, matched: np.ndarray, selected: np.ndarray
              ) -> np.ndarray:
    """A score for every position: TOPIC_FIRST for a decision filed under a topic the search
    names, plus its text score in the weighted fields. Ties, and the decisions matched in the
    body alone (score 0), are ordered newest first by Columns.order. Only the ``selected``
    positions' scores are meant to be read."""
    topics = np.asarray(topic_ids(query), dtype=np.int64)
    score = np.where(np.isin(columns.category, topics) | np.isin(columns.subcategory, topics), TOPIC_FIRST, 0.0)
    # The topic a synonym group of the search belongs to comes before others that merely share
    # its words ('council tax': Council tax before Council tax support).
    declared = np.asarray(declared_topic_ids(query), dtype=np.int64)
    if len(declared):
        score += np.where(np.isin(columns.category, declared) | np.isin(columns.subcategory, declared), TOPIC_FIRST, 0.0)
    matches = int(np.count_nonzero(matched))
    if not search.ubiquitous(query, matches, len(columns)):
        narrowed = np.count_nonzero(selected) < NARROWED_SHARE * matches
        ids, scores = search.weighted_scores(query, among=columns.ids[selected] if narrowed else None)
        at, held = columns.positions(ids)
        score[at] += scores[held]
    return score


ALL_WORDS, MOST_WORDS = "all words", "most words"
# A search whose every word together finds fewer decisions than this also lists those that match
# most of its words.
BEST_MATCHES_BELOW = 10
MAX_LOOSE_WORDS = 12  # words looked up one by one for best matches: the cost is one index read each
ALL_WORDS_FIRST = 1e6  # with best matches, a decision with every word outranks every other


def loose_groups(query: search.Query) -> list[list[search.Term]]:
    """The words a search may do without in best matches: each typed bare and alone, once. What
    was typed in quotes or with OR stays required, as typed."""
    seen, loose = set(), []
    for group in query.groups:
        if is_loose(group) and tuple(group[0].words) not in seen:
            seen.add(tuple(group[0].words))
            loose.append(group)
    return loose


def is_loose(group: list[search.Term]) -> bool:
    return len([term for term in group if not term.variant]) == 1 and not group[0].quoted


def most_telling_first(groups: list[list[search.Term]], limit: int) -> list[list[search.Term]]:
    """At most ``limit`` of the loose words, in the order typed: the longest, as a long word is
    usually a rarer one (which is known only after each has been looked up)."""
    if len(groups) <= limit:
        return groups
    kept = {id(group) for group in sorted(groups, key=lambda g: -len(" ".join(g[0].words)))[:limit]}
    return [group for group in groups if id(group) in kept]


def idf(matches: int, archive: int) -> float:
    """How telling a word is: BM25's inverse document frequency (a rare word counts more)."""
    return float(np.log1p((archive - matches + 0.5) / (matches + 0.5)))


def best_matches(held: Columns, query: search.Query) -> tuple[np.ndarray, np.ndarray, list[str], bool]:
    """(mask, score, words no decision has, shortened) of the decisions matching some of the
    search's loose words and all of the rest, or filed under a topic the words name.

    A decision scores the inverse document frequency of each word it has (how many, and how
    telling), plus that of the words that name its topic."""
    loose = loose_groups(query)
    used = most_telling_first(loose, MAX_LOOSE_WORDS)
    firm = [group for group in query.groups if not is_loose(group)]
    score = np.zeros(len(held))
    unmatched, weights = [], []
    for group in used:
        ids = search.matching_ids(search.Query(text=query.text, groups=[group]))
        weights.append(idf(len(ids), len(held)))
        if not len(ids):
            unmatched.append(" ".join(group[0].words))
            continue
        score[held.positions(ids)[0]] += weights[-1]
    mask = score > 0
    topic_weight = _topic_weights(query, used, weights)
    if topic_weight:
        # numpy's own max: Python's max() walked the 100,000 ids one by one (9 ms a search).
        top = max(int(held.category.max(initial=0)), int(held.subcategory.max(initial=0)), max(topic_weight)) + 1
        table = np.zeros(top)
        for pk, weight in topic_weight.items():
            table[pk] = weight
        bonus = np.maximum(table[held.category], table[held.subcategory])
        score += bonus
        mask |= bonus > 0
    if firm or query.excluded:
        required = search.matching_ids(search.Query(text=query.text, groups=firm, excluded=query.excluded))
        if required is not None:
            mask &= held.having(required)
    return mask, score, unmatched, len(loose) > len(used) or query.shortened


def _topic_weights(query: search.Query, groups, weights) -> dict[int, float]:
    """Each category or subcategory the search names -> how much that counts: the inverse
    document frequency of the words that name it, in its own name or through a synonym group
    that belongs to it ('bus pass': School transport)."""
    declared = {name.lower(): words for name, words in query.topics.items()}
    found = {}
    for topic in category_table().topics:
        named_by = declared.get(topic.name.lower(), set())
        # A word counts once for being in the topic's name and once more for naming it through the
        # synonyms file, where a curator said which topic it belongs to.
        weight = sum(weight * ((group[0].words[0] in named_by)
                               + search.topic_matches(topic.name, search.Query(text="", groups=[group])))
                     for group, weight in zip(groups, weights, strict=True))
        if weight:
            found[topic.pk] = weight
    return found


class _Ordered:
    """A selection in a listing's order, sliced by a Paginator a page at a time; only the page's
    decisions are read from the database, by id."""

    def __init__(self, selection: Selection, sort: str, rows: QuerySet):
        self.selection, self.sort, self.rows = selection, sort, rows

    def __len__(self) -> int:
        return self.selection.count

    def ids(self, start: int = 0, stop: int | None = None) -> list[int]:
        selection = self.selection
        positions = selection.columns.order(selection.selected, self.sort, selection.score, stop)[start:]
        return selection.columns.ids[positions].tolist()

    def __getitem__(self, index: slice) -> list[Decision]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("a listing is sliced a page at a time")
        ids = self.ids(index.start or 0, index.stop)
        found = self.rows.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class SearchResults:
    """A search (words, filters, sort) among the published decisions, or those of one council,
    category or subcategory (``within``: {"council": council}, …)."""

    def __init__(self, params: SearchParams, within: dict | None = None, *, after: int = 0):
        self.params, self.within = params, dict(within or {})
        self.after = after  # only decisions with ids above it (an email alert's new decisions)

    @property
    def query(self) -> search.Query:
        return self.params.query

    @property
    def sort_order(self) -> str:
        return self.params.sort_order

    def masks(self, held: Columns) -> dict[str, np.ndarray]:
        """Each filter in use but the search words (the index answers those), as the mask of the
        decisions it keeps; values that name nothing keep nothing."""
        masks = {}
        for name, values in self.params.filters_in_use():
            if name in ("category", "subcategory"):
                masks[name] = held.where(name, category_table().ids(name, values))
            elif name == "council":
                found = council_names(slugs=values)
                masks[name] = held.where(name, [found[slug][0] for slug in values if slug in found])
            elif name in ("payment_from", "payment_to"):  # one range, of the purposes chosen
                if "payment_from" in masks:
                    continue
                masks["payment_from"] = held.paying(self.params.payment_from, self.params.payment_to,
                                                    self.params.purpose)
            else:
                masks[name] = held.where(name, list(values) if BY_NAME[name].many else values[0])
        return masks

    @cached_property
    def selection(self) -> Selection:
        held = columns()  # outside the search plan: read from its covering index as PostgreSQL plans it
        base = held.published.copy()
        for name, value in self.within.items():
            base &= held.where(name, [value])
        if self.after:
            base &= held.ids > self.after
        masks = self.masks(held)
        with search.search_plan():
            if (matched := search.matching_ids(self.query, self.after)) is not None:
                masks["q"] = held.having(matched)
            selected = base.copy()
            for mask in masks.values():
                selected &= mask
            found = np.count_nonzero(selected)
            # One word that finds nothing but names a topic ('damp'): that topic's decisions.
            if (self.params.match != "all" and found < BEST_MATCHES_BELOW
                    and (len(loose_groups(self.query)) >= 2 or (self.query.topics and not found))):
                return self._best_matches(held, base, masks, selected)
            score = (relevance(held, self.query, masks["q"], selected)
                     if self.sort_order == "relevance" and "q" in masks else None)
        return Selection(held, base, masks, selected, score)

    def _best_matches(self, held: Columns, base: np.ndarray, masks: dict[str, np.ndarray],
                      strict: np.ndarray) -> Selection:
        """The few decisions with every word first, in their own order, then those with most of them."""
        strict_score = relevance(held, self.query, masks["q"], strict) if strict.any() else None
        masks["q"], score, unmatched, shortened = best_matches(held, self.query)
        masks["q"] |= strict
        if strict_score is not None:
            score[strict] = ALL_WORDS_FIRST + strict_score[strict]
        selected = base.copy()
        for mask in masks.values():
            selected &= mask
        return Selection(held, base, masks, selected, score if self.sort_order == "relevance" else None,
                         kind=MOST_WORDS, unmatched=tuple(unmatched), shortened=shortened,
                         all_words=int(np.count_nonzero(strict)))

    def ids(self) -> list[int]:
        """Every selected decision's id, in the listing's order."""
        return self._ordered().ids()

    def _ordered(self, sort: str | None = None, rows: QuerySet | None = None) -> _Ordered:
        return _Ordered(self.selection, sort or self.sort_order,
                        rows if rows is not None else Decision.objects.all())

    def page(self, *, facets_but: tuple[str, ...] | None = None, snippets: bool = True,
             shape: Callable[[QuerySet], QuerySet] | None = None) -> ResultsPage:
        """The page ``params.page`` asks for (Paginator's EmptyPage when there is none), with the
        facets but those named in ``facets_but`` (none when it is None) and each decision's
        ``snippet`` and ``topic_matched``. ``shape`` chooses the columns read (default: a result list's)."""
        selection = self.selection
        facet_list = []
        if facets_but is not None:
            names = [name for name in FACETS if name not in facets_but]
            counted = count(selection.columns, selection.base, selection.masks, names)
            facet_list = facets(self.params, counted)
        shape = shape or (lambda queryset: queryset.with_listing_related())
        paginator = Paginator(self._ordered(rows=shape(Decision.objects.all())),
                              self.params.page_size)
        try:
            page = paginator.page(self.params.page)
        except EmptyPage as error:
            error.pages = paginator.num_pages  # so a caller can say how many there are
            raise
        decisions = list(page.object_list)
        found = (search.snippets(decisions, self.query, any_words=selection.kind == MOST_WORDS)
                 if snippets else {})
        for decision in decisions:
            decision.snippet = found.get(decision.pk)
            decision.topic_matched = search.topic_matches(decision.topic, self.query)
            decision.summary_html = summary_lead(decision.summary, self.query)
        self._without_repeats([d for d in decisions if d.snippet and repeats(d.snippet, d.summary)])
        return ResultsPage(page=page, decisions=decisions, facets=facet_list, selection=selection)

    def _without_repeats(self, decisions: list[Decision]) -> None:
        """Extracts from the statement's own copy of the summary, which the result shows already:
        cut again from the rest of the statement (or none, when the words are only there)."""
        if not decisions:
            return
        texts = dict(Decision.objects.filter(pk__in=[d.pk for d in decisions]).values_list("pk", "full_text"))
        for decision in decisions:
            rest = " ".join(texts.get(decision.pk, "").split()).replace(" ".join(decision.summary.split()), " ")
            extract = search.text_snippet(rest, self.query)
            decision.snippet = extract if extract and not repeats(extract, decision.summary) else None

    def shared_topic(self, first: list[Decision], share: float = 0.6):
        """(topic, how many of the search's results it has) when at least ``share`` of its ``first``
        results (the top of its first page, already read) are filed under one subcategory, else None."""
        selection = self.selection
        subcategories = [d.subcategory_id for d in first if d.subcategory_id]
        if selection.count < 4 or len(first) < 4 or not subcategories:
            return None
        chosen, count = max(((pk, subcategories.count(pk)) for pk in set(subcategories)), key=lambda pair: pair[1])
        if count < share * len(first):
            return None
        topic = category_table().by_pk.get(chosen)
        if topic is None or topic.name.lower() == "other":  # 'filed under Other' tells a reader nothing
            return None
        return topic, int(np.count_nonzero(selection.selected & (selection.columns.subcategory == chosen)))

    def newest(self, limit: int) -> list[Decision]:
        """The newest decisions of the search, whatever its sort (for feeds)."""
        return self._ordered("newest", Decision.objects
                             .select_related("council", "category", "subcategory"))[0:limit]

    def every(self, shape: Callable[[QuerySet], QuerySet]) -> Iterator[Decision]:
        """Every decision of the search in its order, read EXPORT_CHUNK at a time (for exports):
        memory holds one chunk of rows, and no transaction stays open while a slow client downloads."""
        ids = self._ordered().ids()
        shaped = shape(Decision.objects.all())
        for start in range(0, len(ids), EXPORT_CHUNK):
            chunk = ids[start:start + EXPORT_CHUNK]
            found = shaped.in_bulk(chunk)
            yield from (found[pk] for pk in chunk if pk in found)

    def ranked(self) -> list[Decision]:
        """Every decision of the search in its order (for tests and small listings)."""
        return list(self.every(lambda queryset: queryset))
