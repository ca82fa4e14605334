"""Small text helpers shared by the parser's modules (no Django import)."""

from __future__ import annotations

import re

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u00a0": " ",
})

# Split after . ? ! ; when the next sentence starts with a capital, a quote or a bracket.
# Abbreviations common in statements ('e.g.', 'i.e.', 's.17') must not end a sentence.
_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+(?=[A-Z0-9\"'(\[£])")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|s|ss|para|paras|no|nos|cf|approx|vs|St|Dr|Mr|Mrs|Ms|Prof)\.$", re.I)


_FOLD_RE = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")


def fold(text: str) -> str:
    """Straighten curly quotes and dashes so patterns need only one spelling."""
    return _FOLD_RE.sub(lambda match: _FOLD[ord(match.group(0))], text)


def normalise_heading(heading: str) -> str:
    text = fold(heading).lower().strip()
    text = re.sub(r"\s+", " ", text)
    return text.rstrip(" :.?")


def split_sentences(text: str) -> list[str]:
    pieces = _SENTENCE_END.split(text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATIONS.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s for s in sentences if s.strip()]


# Characters XML 1.0 cannot carry (C0 controls but tab, newline and return; surrogates; U+FFFE, U+FFFF).
_NOT_XML_RE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text that can go into an XML document (a feed, a sitemap): what XML cannot carry is dropped."""
    return _NOT_XML_RE.sub("", text) if text else text


class Lowered:
    """A case-insensitive pattern run as a case-sensitive one on the lower-cased text: Python's re
    cannot skip ahead on an IGNORECASE alternation (the parser's slowest patterns, 1.3-1.8 times
    faster). Matches are at the text's own positions; a text whose length changes when lower-cased
    is matched by the original pattern. Only for patterns that spell no capital letter."""

    def __init__(self, pattern: re.Pattern):
        if re.search(r"(?<!\\)[A-Z]", re.sub(r"\\[A-Za-z]|\(\?[A-Za-z]+", "", pattern.pattern)):
            raise ValueError(f"a capital letter in the pattern: {pattern.pattern[:60]}")
        self.ignoring_case = pattern
        self.pattern = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)

    def _chosen(self, text: str) -> tuple[re.Pattern, str]:
        lowered = text.lower()
        return (self.pattern, lowered) if len(lowered) == len(text) else (self.ignoring_case, text)

    def search(self, text: str, *args):
        pattern, text = self._chosen(text)
        return pattern.search(text, *args)

    def match(self, text: str, *args):
        pattern, text = self._chosen(text)
        return pattern.match(text, *args)

    def finditer(self, text: str):
        pattern, text = self._chosen(text)
        return pattern.finditer(text)

    def sub(self, replacement, text: str, count: int = 0) -> str:
        return self.ignoring_case.sub(replacement, text, count)  # keeps the text's own letters
