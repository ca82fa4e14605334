"""Links that change one value of a many-valued parameter of the current listing (a facet option
on or off, a filter chip removed), which Django's {% querystring %} tag cannot do; page links
use the tag."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def _pairs(request, *, drop: set[str] = frozenset()) -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.GET.lists() if key not in drop for value in values
            if key != "page"]


def toggled(request, name: str, value: str) -> str:
    """The current URL with `name=value` added, or removed if present; back to page 1."""
    pairs = _pairs(request)
    if (name, value) in pairs:
        pairs = [pair for pair in pairs if pair != (name, value)]
    else:
        pairs.append((name, value))
    return "?" + urlencode(pairs) if pairs else "?"


def without(request, name: str, value: str | None = None) -> str:
    pairs = [(k, v) for k, v in _pairs(request) if not (k == name and (value is None or v == value))]
    return "?" + urlencode(pairs) if pairs else "?"


def to_result(request, text: str) -> str:
    """The query string each result's link carries, made once a listing: the words typed (the
    decision page highlights them) and this listing without its page (the way back)."""
    return f"?q={quote(text, safe='/')}&from={quote(urlencode(_pairs(request)), safe='/')}"


def replaced(request, name: str, value: str) -> str:
    """The current URL with every `name` replaced by one `name=value`; back to page 1."""
    pairs = [(k, v) for k, v in _pairs(request) if k != name] + [(name, value)]
    return "?" + urlencode(pairs)
