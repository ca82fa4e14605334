"""The links a listing shows, made in one place from its SearchParams: facet options on and off,
filter chips, 'show all', fewer words, 'did you mean', the way to a result and back."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from decisions.search.params import FILTERS, SearchParams


def to(params: SearchParams, *, page: bool = False) -> str:
    """The query string of a search ('?' alone for none, so a link always replaces the current one)."""
    pairs = params.pairs(page=page)
    return "?" + urlencode(pairs) if pairs else "?"


def to_result(params: SearchParams) -> str:
    """The query string each result's link carries, made once a listing: the words typed (the
    decision page highlights them) and this listing without its page (the way back)."""
    return f"?q={quote(params.query.text, safe='/')}&from={quote(urlencode(params.pairs()), safe='/')}"


def add_facet_links(params: SearchParams, facets) -> None:
    """Each option's link: this search with the option's value added or removed (back to page 1).
    The same as to(params.toggled(...)), written out once per facet rather than once per option:
    a listing shows about a hundred options."""
    pairs = params.pairs()
    for facet in facets:
        chosen = params.values(facet.name)
        before = urlencode([(key, value) for key, value in pairs if _rank(key) < _rank(facet.name)])
        after = urlencode([(key, value) for key, value in pairs if _rank(key) > _rank(facet.name)])
        for option in facet.options:
            values = [v for v in chosen if v != option.value] if option.value in chosen else [*chosen, option.value]
            own = urlencode([(facet.name, value) for value in values])
            query = "&".join(part for part in (before, own, after) if part)
            option.url = "?" + query if query else "?"
        if facet.more:
            facet.show_all_url = to(params.but(show=facet.name))


def _rank(key: str) -> int:
    """Where a parameter comes in SearchParams.pairs(): the words, the filters in FILTERS' order, the rest."""
    return _RANKS.get(key, len(_RANKS) + 1)


_RANKS = {"q": 0, **{f.name: n for n, f in enumerate(FILTERS, start=1)}}
