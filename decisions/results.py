"""One search of the archive, from its parameters to everything a listing shows: the only search path.

The site's listings, the JSON API, the exports and the feed each build a SearchResults from the
request's parameters (validated by decisions.filters.DecisionFilter) and ask it for what they
show. It runs every statement under the search plan (decisions/planner.py: one transaction, the
planner settings the search needs) and owns the count, a page of rows, the facets
(decisions/facets.py) and the snippets (decisions/search.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet

from decisions import search
from decisions.facets import Facet, facets
from decisions.filters import DecisionFilter
from decisions.models import Decision
from decisions.planner import search_plan
from decisions.text import split_sentences

EXPORT_CHUNK = 2000  # rows read per statement when every result is wanted


def summary_lead(summary: str, query: search.Query) -> str:
    """A result's summary: its first two sentences (at most 60 words), the searched words marked."""
    lead = " ".join(split_sentences(summary or "")[:2])
    words = lead.split()
    if len(words) > 60:
        lead = " ".join(words[:60]) + "…"
    return search.highlight(lead, query) if query.groups else lead


class InvalidParameter(ValueError):
    """A parameter that could not be understood: its name and what is wrong with it."""

    def __init__(self, name: str, message: str):
        super().__init__(f"Invalid value for parameter '{name}': {message}")
        self.name, self.message = name, message


@dataclass
class ResultsPage:
    """What one page of a listing shows."""

    page: Page
    decisions: list[Decision]
    facets: list[Facet]

    @property
    def count(self) -> int:
        return self.page.paginator.count


class SearchResults:
    """A search (words, filters, sort) over a base set of decisions (default: all published)."""

    def __init__(self, params=None, base: QuerySet | None = None, *, strict: bool = True):
        """``strict``: a parameter that cannot be understood raises InvalidParameter (the API,
        exports and feed answer 400); otherwise it is left out and reported on the form (the site)."""
        self.base = base if base is not None else Decision.objects.published()
        self.filterset = DecisionFilter(params or None, queryset=self.base)
        if strict and (problem := self.filterset.first_error()):
            raise InvalidParameter(*problem)

    @property
    def query(self) -> search.Query:
        return self.filterset.query

    @property
    def sort_order(self) -> str:
        return self.filterset.sort_order

    def page(self, number, *, per_page: int = 25, request=None, skip_facets: tuple[str, ...] = (),
             snippets: bool = True, shape: Callable[[QuerySet], QuerySet] | None = None,
             show_all: str | None = None) -> ResultsPage:
        """Page ``number`` (Paginator's EmptyPage / PageNotAnInteger when there is none), with the
        facets when ``request`` is given (their links are built from it) and each decision's
        ``snippet`` and ``topic_matched``. ``shape`` chooses the columns read (default: a result list's)."""
        with search_plan(self.base.db):
            facet_list, total = (facets(self.filterset, request, skip=skip_facets, show_all=show_all) if request
                                 else ([], None))
            paginator = Paginator(self.filterset.paged(total, shape=shape), per_page)
            if total is not None:
                paginator.count = total  # counted with the facets: spare the database a second count
            try:
                page = paginator.page(number or 1)
            except EmptyPage as error:
                error.pages = paginator.num_pages  # so a caller can say how many there are
                raise
            decisions = list(page.object_list)
            found = search.snippets(decisions, self.query) if snippets else {}
        for decision in decisions:
            decision.snippet = found.get(decision.pk)
            decision.topic_matched = search.topic_matches(decision.topic, self.query)
            decision.summary_html = summary_lead(decision.summary, self.query)
        return ResultsPage(page=page, decisions=decisions, facets=facet_list)

    def newest(self, limit: int) -> list[Decision]:
        """The newest decisions of the search, whatever its sort (for feeds)."""
        with search_plan(self.base.db):
            return list(self.filterset.qs.order_by("-decision_date", "-pk")
                        .select_related("council", "category", "subcategory")[:limit])

    def every(self, shape: Callable[[QuerySet], QuerySet]) -> Iterator[Decision]:
        """Every decision of the search in its order, read EXPORT_CHUNK at a time (for exports).

        The ids are read first, in order, under the search plan; the rows then follow a chunk at a
        time by id, so memory holds one chunk of rows and no transaction stays open while a slow
        client downloads."""
        with search_plan(self.base.db):
            ids = list(self.filterset.qs.values_list("pk", flat=True))
        shaped = shape(Decision.objects.using(self.base.db).all())
        for start in range(0, len(ids), EXPORT_CHUNK):
            chunk = ids[start:start + EXPORT_CHUNK]
            found = shaped.in_bulk(chunk)
            yield from (found[pk] for pk in chunk if pk in found)
