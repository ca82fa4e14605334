"""The Ombudsman's website: every URL pattern and selector the harvester relies on, in one place.

Built from a description of www.lgo.org.uk written by people who have harvested it, not from
the live site (nothing here has reached it): when the site changes, correct it here. Pure
Python (no Django), like the parser, so saved pages convert the same way everywhere.

A decision page becomes text in the layout of the saved statements the parser reads: the
title line, ``Category :`` / ``Decision :`` / ``Decision date :`` lines, ``Summary:``, headings
with "Back to top" between top-level sections, and ``  14.`` numbered paragraphs carrying the
numbers the page publishes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urljoin, urlparse

from bs4 import BeautifulSoup, NavigableString, Tag

DEFAULT_BASE_URL = "https://www.lgo.org.uk"

# Listing of decisions by date window: /Decisions/SearchResults?fd=YYYY-MM-DD&td=YYYY-MM-DD&page=N
LISTING_PATH = "/Decisions/SearchResults"
LISTING_PAGE_SIZE = 10
LISTING_TOTAL_RE = re.compile(r"Your\s+search\s+has\s+(?P<total>[\d,]+)\s+results?", re.I)
# A decision: /decisions/<category-slug>/<subcategory-slug>/<reference-with-dashes>, e.g. 20-003-763 or 17-010-997b
DECISION_PATH_RE = re.compile(r"^/decisions/(?:[^/?#]+/){1,2}(?P<reference>\d{2}-\d{3}-\d{3}[a-z]?)/?$", re.I)

# A decision page: the statement inside <article id="article">, opening with the organisation and
# reference, then label/value pairs (Category, Decision, Decision date), then the statement itself.
ARTICLE_SELECTOR = "article#article"
TITLE_SELECTOR = "h1, h2"
LABEL_SELECTOR = ".label"
VALUE_CLASS = "value"
HEADER_LABELS = {"category": "Category", "decision": "Decision", "decision date": "Decision date"}

_SKIPPED_TAGS = {"script", "style", "nav", "form", "button", "noscript", "template", "svg", "iframe", "footer",
                 "aside"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BACK_TO_TOP_RE = re.compile(r"^back to top$", re.I)
_SUMMARY_HEADING_RE = re.compile(r"^summary\s*:?$", re.I)


class SiteChanged(ValueError):
    """A page that does not have the structure this module expects: the site has changed."""


@dataclass
class Listing:
    total: int
    decision_urls: list[str]


def listing_url(base_url: str, date_from: date, date_to: date, page: int = 1) -> str:
    query = urlencode({"fd": date_from.isoformat(), "td": date_to.isoformat(), "page": page})
    return f"{base_url.rstrip('/')}{LISTING_PATH}?{query}"


def reference_from_url(url: str) -> str | None:
    """'…/decisions/x/y/20-003-763' -> '20 003 763' (None when the URL is not a decision's)."""
    match = DECISION_PATH_RE.match(urlparse(url).path)
    return match.group("reference").lower().replace("-", " ") if match else None


def read_listing(html: str, page_url: str) -> Listing:
    """The total a listing announces and the decision pages it links to, in order, absolute."""
    soup = BeautifulSoup(html, "html.parser")
    text = " ".join(soup.get_text(" ").split())
    total = LISTING_TOTAL_RE.search(text)
    if total is None:
        raise SiteChanged("the listing does not say 'Your search has N results'")
    urls = (urljoin(page_url, link["href"]).split("#")[0] for link in soup.find_all("a", href=True))
    decisions = [url for url in urls if DECISION_PATH_RE.match(urlparse(url).path)]
    return Listing(int(total.group("total").replace(",", "")), list(dict.fromkeys(decisions)))


def _text(node: Tag | NavigableString) -> str:
    """The words of an element on one line: line breaks as spaces, runs of space collapsed."""
    if isinstance(node, NavigableString):
        return " ".join(str(node).split()) if type(node) is NavigableString else ""
    parts = []
    for piece in node.descendants:
        if isinstance(piece, Tag):
            if piece.name == "br":
                parts.append(" ")
        elif type(piece) is NavigableString and not _inside_skipped(piece, node):
            parts.append(str(piece))
    return " ".join("".join(parts).split())


def _inside_skipped(piece: NavigableString, container: Tag) -> bool:
    for parent in piece.parents:
        if parent is container:
            return False
        if parent.name in _SKIPPED_TAGS:
            return True
    return False


def statement_text(html: str, url: str = "") -> str:
    """A decision page as statement text the parser reads; SiteChanged when it is not one."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one(ARTICLE_SELECTOR)
    if article is None:
        raise SiteChanged('the page has no <article id="article">')
    title_tag = article.select_one(TITLE_SELECTOR)
    if title_tag is None:
        raise SiteChanged("the decision has no heading naming the organisation and reference")
    title = _text(title_tag)
    title_tag.decompose()
    reference = reference_from_url(url) if url else None
    if reference and not re.search(r"\(\s*\d{2}\s*\d{3}\s*\d{3}", title):
        title = f"{title} ({reference})"

    header_lines = []
    for label in article.select(LABEL_SELECTOR):
        name = _text(label).rstrip(":").strip()
        value = label.find_next(class_=VALUE_CLASS)
        if name.lower() in HEADER_LABELS and value is not None:
            header_lines.append(f"{HEADER_LABELS[name.lower()]} : {_text(value)}")
            value.decompose()
        label.decompose()
    if not header_lines:
        raise SiteChanged("the decision has no header (Category, Decision, Decision date label/value pairs)")

    body = _StatementWriter()
    body.walk(article)
    return "\n\n".join([title, *header_lines]) + "\n\n" + body.text()


class _StatementWriter:
    """Walks the statement's elements in order, writing the lines of the saved-text layout."""

    def __init__(self):
        self.lines: list[str] = []
        self.headings_seen = 0
        self.summary_next = False

    def text(self) -> str:
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip("\n") + "\n"

    def block(self, line: str) -> None:
        if not line:
            return
        if self.summary_next:
            line = f"Summary: {line}"
            self.summary_next = False
        self.lines.extend(["", line, ""])

    def walk(self, element: Tag, depth: int = 0) -> None:
        for child in element.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, doctype or CDATA
                    self.block(_text(child))
                continue
            name = child.name
            if name in _SKIPPED_TAGS:
                continue
            if name in _HEADING_TAGS:
                self.heading(_text(child), top=name in {"h1", "h2"})
            elif name in ("ol", "ul"):
                self.list(child, depth)
            elif name == "p":
                self.paragraph(child)
            elif name == "table":
                for row in child.find_all("tr"):
                    self.block(" | ".join(_text(cell) for cell in row.find_all(["td", "th"])))
            elif name == "a" and _BACK_TO_TOP_RE.match(_text(child)):
                continue
            elif name in ("div", "section", "blockquote", "main", "article", "details", "figure", "header"):
                self.walk(child, depth)
            else:
                self.block(_text(child))

    def heading(self, text: str, *, top: bool) -> None:
        if not text or _BACK_TO_TOP_RE.match(text):
            return
        if _SUMMARY_HEADING_RE.match(text):
            self.summary_next = True
            return
        if top and self.headings_seen:
            self.lines.extend(["", "Back to top"])
        self.headings_seen += 1
        self.lines.extend(["", text, ""])

    def paragraph(self, element: Tag) -> None:
        text = _text(element)
        if _BACK_TO_TOP_RE.match(text):
            return
        self.block(text)

    def list(self, element: Tag, depth: int) -> None:
        """Numbered lists keep the page's numbers (start and value attributes); nesting is indentation."""
        numbered = element.name == "ol"
        indent = " " * (2 + 4 * depth if numbered else 4 * max(depth, 1))
        style = (element.get("type") or "1") if numbered else ""
        try:
            number = int(element.get("start", 1))
        except ValueError:
            number = 1
        for item in element.find_all("li", recursive=False):
            if numbered and item.get("value", "").strip().isdigit():
                number = int(item["value"])
            marker = f"{_marker(number, style)}." if numbered else "•"
            first, rest = _item_parts(item)
            self.lines.append(f"{indent}{marker} {first or '…'}")
            for extra in rest:
                self.lines.append(f"{indent}  {extra}")
            for nested in item.find_all(["ol", "ul"], recursive=False):
                self.list(nested, depth + 1)
            for container in item.find_all(["div"], recursive=False):
                for nested in container.find_all(["ol", "ul"], recursive=False):
                    self.list(nested, depth + 1)
            number += 1
        self.lines.append("")


def _item_parts(item: Tag) -> tuple[str, list[str]]:
    """A list item's own text (nested lists aside): its first paragraph and any later ones."""
    paragraphs: list[str] = []
    inline: list[str] = []

    def flush():
        if joined := " ".join(" ".join(inline).split()):
            paragraphs.append(joined)
        inline.clear()

    for child in item.children:
        if isinstance(child, Tag) and child.name in ("ol", "ul"):
            continue
        if isinstance(child, Tag) and child.name in ("p", "div"):
            flush()
            if child.name == "div":
                child = _without_lists(child)
            if text := _text(child):
                paragraphs.append(text)
        elif isinstance(child, Tag) and child.name not in _SKIPPED_TAGS:
            inline.append(_text(child))
        elif type(child) is NavigableString:
            inline.append(str(child))
    flush()
    return (paragraphs[0] if paragraphs else ""), paragraphs[1:]


def _without_lists(element: Tag) -> Tag:
    copy = BeautifulSoup(str(element), "html.parser")
    for nested in copy.find_all(["ol", "ul"]):
        nested.decompose()
    return copy


def _marker(number: int, style: str) -> str:
    if style in ("a", "A") and 1 <= number <= 26:
        letter = chr(ord("a") + number - 1)
        return letter.upper() if style == "A" else letter
    if style in ("i", "I") and 1 <= number <= 39:
        roman = _roman(number)
        return roman.upper() if style == "I" else roman
    return str(number)


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out += letters
            number -= value
    return out
