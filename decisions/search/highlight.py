"""Marking what was searched for in text a reader sees: result extracts, summaries, paragraphs.

Text from a file is escaped first; only our private marker characters become <mark> tags.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from decisions.search.query import Query
from decisions.statements.text import Lowered

MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters: cannot occur in real text

SNIPPET_CANDIDATES = 60  # matches considered as the start of an extract


def text_snippet(text: str, query: Query, *, words: int = 32) -> SafeString | None:
    """About ``words`` words of the text around the run that holds the most of the query's
    different words, with those words marked; None when none of them is in the text."""
    found = _matches(query, text)
    if found is None:
        return None
    matches = []
    for match in found:
        matches.append((match.start(), match.group(0).lower()))
        if len(matches) >= SNIPPET_CANDIDATES:
            break
    if not matches:
        return None
    span = words * 7  # characters: about `words` words of English prose
    # A window sliding over the matches: the different words within `span` of each match.
    best_start, best_score = matches[0][0], 0
    in_window: Counter[str] = Counter()
    end = 0
    for position, found in matches:
        while end < len(matches) and matches[end][0] < position + span:
            in_window[matches[end][1]] += 1
            end += 1
        if len(in_window) > best_score:
            best_start, best_score = position, len(in_window)
        in_window[found] -= 1
        if not in_window[found]:
            del in_window[found]
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


def topic_matches(topic: str, query: Query) -> bool:
    """Whether a decision's topic holds a searched term: it is listed because it is filed under it."""
    return bool(query.groups and topic and next(_matches(query, topic) or iter(()), None))


def highlight(text: str, query: Query) -> SafeString:
    """Mark the query's words in a paragraph for a reader arriving from a search.

    Matches whole words and their common inflections (a rough stem: 'complaint' marks
    'complaints', 'delayed' marks 'delay'), and phrases as sequences.
    """
    found = _matches(query, text) if text else None
    if found is None:
        return escape(text)
    parts, at = [], 0
    for match in found:
        parts += [text[at:match.start()], MARK_START, text[match.start():match.end()], MARK_END]
        at = match.end()
    return marked_html("".join(parts) + text[at:])


def marks(text: str, query: Query) -> bool:
    """Whether highlight() would mark anything in the text."""
    return bool(text and next(_matches(query, text) or iter(()), None))


def _matches(query: Query, text: str):
    """The query's words in the text (re.Match objects, at the text's own positions), or None when
    the query has no words. Matched as text.Lowered matches: with IGNORECASE, Python's re cannot
    skip ahead on an alternation of literals (2.6 times slower here)."""
    pattern = _highlight_pattern(query.highlight_terms())
    return None if pattern is None else pattern.finditer(text)


@lru_cache(maxsize=256)
def _highlight_pattern(terms: tuple[tuple[str, ...], ...]) -> Lowered | None:
    """Each term's words by their rough stems, whole words, whatever their case."""
    patterns = []
    for words in terms:
        stems = [re.escape(_rough_stem(w.lower())) + r"\w*" for w in words]
        patterns.append(r"\b" + r"\W+".join(stems))
    if not patterns:
        return None
    return Lowered(re.compile("|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True)), re.I))


def _rough_stem(word: str) -> str:
    for suffix in ("ational", "ations", "ation", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
