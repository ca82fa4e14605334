"""The links a listing shows, made in one place from its SearchParams: facet options on and off,
filter chips, 'show all', fewer words, 'did you mean', the way to a result and back."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from decisions.search.params import SearchParams


def to(params: SearchParams, *, page: bool = False) -> str:
    """The query string of a search ('?' alone for none, so a link always replaces the current one)."""
    pairs = params.pairs(page=page)
    return "?" + urlencode(pairs) if pairs else "?"


def to_result(params: SearchParams) -> str:
    """The query string each result's link carries, made once a listing: the words typed (the
    decision page highlights them) and this listing without its page (the way back)."""
    return f"?q={quote(params.query.text, safe='/')}&from={quote(urlencode(params.pairs()), safe='/')}"


def add_facet_links(params: SearchParams, facets) -> None:
    for facet in facets:
        for option in facet.options:
            option.url = to(params.toggled(facet.name, option.value))
        if facet.more:
            facet.show_all_url = to(params.but(show=facet.name))
