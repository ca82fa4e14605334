"""One search as typed parameters: what a listing, the API, an export or a feed asks for.

A request's query string is validated once (decisions.filters.DecisionFilter) and turned into a
frozen SearchParams; everything after that (search.results.SearchResults, the links a listing
shows, a feed's title) reads SearchParams, never the request. FILTERS declares each filter once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from functools import cached_property

from decisions.search.query import Query, parse_query

SORTS = {
    "relevance": "Relevance",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "payment": "Largest total payment",
}


@dataclass(frozen=True)
class Filter:
    """A filter of the listings: its URL parameter, its label, and whether it is a facet (its
    options counted and offered beside the results)."""

    name: str
    label: str
    facet: bool = True
    many: bool = True  # several values, any of which a decision may have


# Every filter, in the order facets are shown. A value is written in a URL as: a slug (council,
# category), 'parent-slug/slug' (subcategory), a word of the vocabulary (outcome group, remedy,
# finding, purpose), an ISO date, or an amount in pounds.
FILTERS = (
    Filter("category", "Category"),
    Filter("subcategory", "Subcategory"),
    Filter("outcome", "Outcome"),
    Filter("finding", "Finding"),
    Filter("remedy", "Remedy"),
    Filter("purpose", "Payment for"),
    Filter("council", "Organisation"),
    Filter("organisation_kind", "Kind of organisation"),
    Filter("date_from", "Decided on or after", facet=False, many=False),
    Filter("date_to", "Decided on or before", facet=False, many=False),
    Filter("min_payment", "Total payment at least (£)", facet=False, many=False),
    # One stated payment within the range (of a purpose chosen under "Payment for", if any): the
    # remedy explorer's figures link to the decisions behind them this way.
    Filter("payment_from", "A payment of at least (£)", facet=False, many=False),
    Filter("payment_to", "A payment of at most (£)", facet=False, many=False),
)
BY_NAME = {f.name: f for f in FILTERS}
FACETS = tuple(f.name for f in FILTERS if f.facet)
SEARCH_LABEL = "Search decisions"  # the search box
WORDS_LABEL = "Words"  # what was typed, among the filters in use ("Words: homeless")


def subcategory_value(parent_slug: str, slug: str) -> str:
    """How a subcategory is written in a URL."""
    return f"{parent_slug}/{slug}"


@dataclass(frozen=True)
class SearchParams:
    """What one search asks for, validated. Filters hold their URL values (see FILTERS)."""

    q: str = ""
    category: tuple[str, ...] = ()
    subcategory: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    finding: tuple[str, ...] = ()
    remedy: tuple[str, ...] = ()
    purpose: tuple[str, ...] = ()
    council: tuple[str, ...] = ()
    organisation_kind: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    min_payment: Decimal | None = None
    payment_from: Decimal | None = None
    payment_to: Decimal | None = None
    sort: str = ""  # as asked; sort_order is the one used
    page: int = 1
    page_size: int = 25
    show: str = ""  # a facet shown with all its options
    match: str = ""  # 'all': every word must match, never best matches

    @cached_property
    def query(self) -> Query:
        return parse_query(self.q)

    @property
    def sort_order(self) -> str:
        """The sort asked for when it applies (relevance needs words), else the default."""
        words = bool(self.query.groups)
        if self.sort in SORTS and (self.sort != "relevance" or words):
            return self.sort
        return "relevance" if words else "newest"

    def values(self, name: str) -> tuple:
        """A filter's values, as a tuple whether it takes one or many."""
        value = getattr(self, name)
        if BY_NAME[name].many:
            return value
        return () if value is None else (value,)

    def filters_in_use(self) -> list[tuple[str, tuple]]:
        """(name, values) of each filter in use, in FILTERS order."""
        return [(f.name, self.values(f.name)) for f in FILTERS if self.values(f.name)]

    def pairs(self, *, page: bool = False) -> list[tuple[str, str]]:
        """The search as URL parameters, in one order (so one search has one address); the page
        only when asked (a link to another listing starts at page 1)."""
        found: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name, values in self.filters_in_use():
            found += [(name, _written(value)) for value in values]
        if self.sort:
            found.append(("sort", self.sort))
        if self.show:
            found.append(("show", self.show))
        if self.match:
            found.append(("match", self.match))
        if page and self.page != 1:
            found.append(("page", str(self.page)))
        return found

    def but(self, **changes) -> SearchParams:
        """These parameters with some changed (back to page 1 unless a page is given)."""
        changes.setdefault("page", 1)
        return replace(self, **changes)

    def toggled(self, name: str, value: str) -> SearchParams:
        """With a value of a many-valued filter added, or removed when it is there."""
        values = self.values(name)
        return self.but(**{name: tuple(v for v in values if v != value) if value in values else (*values, value)})

    def without(self, name: str, value=None) -> SearchParams:
        """Without one value of a filter, or without the filter (or the words, 'q')."""
        if name == "q":
            return self.but(q="")
        if not BY_NAME[name].many:
            return self.but(**{name: None})
        return self.but(**{name: tuple(v for v in self.values(name) if value is not None and v != value)})


def _written(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


PARAMETERS = tuple(f.name for f in fields(SearchParams))
