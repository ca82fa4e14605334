"""'Did you mean …?': the closest spelling, from the archive's own words, for a search that finds little.

The vocabulary is the words of the topics (category and subcategory names), of the synonyms
file, and of the summaries of the newest VOCABULARY_SAMPLE published decisions: the same on
either database, cached until the data changes. A word of the search that is not in it is
replaced by the most similar word that is (difflib's ratio, at least CUTOFF), among words of
about its length with the same first letter: a misspelling rarely changes the first letter,
and that keeps the comparison to a few hundred words.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from decisions.caching import cached
from decisions.search import Query, synonym_groups

FEW_RESULTS = 3          # a search with fewer results than this gets a suggestion
VOCABULARY_SAMPLE = 5000
CUTOFF = 0.8
MIN_WORD = 4             # shorter words are too easy to 'correct' wrongly
_WORD_RE = re.compile(rf"[a-z]{{{MIN_WORD},}}")


def vocabulary() -> frozenset[str]:
    def compute() -> frozenset[str]:
        from decisions.models import Category, Decision

        words: Counter = Counter()
        summaries = (Decision.objects.published().order_by("-decision_date", "-pk")
                     .values_list("summary", flat=True)[:VOCABULARY_SAMPLE])
        for summary in summaries:
            words.update(_WORD_RE.findall((summary or "").lower()))
        known = {word for word, n in words.items() if n >= 2}
        for name in Category.objects.values_list("name", flat=True):
            known.update(_WORD_RE.findall(name.lower()))
        for term in synonym_groups():
            known.update(word for word in term if len(word) >= MIN_WORD)
        return frozenset(known)

    return cached(("vocabulary", VOCABULARY_SAMPLE), compute)


def did_you_mean(query: Query, count: int) -> str | None:
    """The search text with unknown words respelt, when the search found few decisions."""
    if count >= FEW_RESULTS or not query.groups or query.reference:
        return None
    known = vocabulary()
    text = query.text
    changed = False
    for group in query.groups:
        for word in group[0].words:  # what was typed, not its synonyms
            if len(word) < MIN_WORD or word in known or not word.isalpha():
                continue
            candidates = [w for w in known if w[0] == word[0] and abs(len(w) - len(word)) <= 2]
            match = difflib.get_close_matches(word, candidates, n=1, cutoff=CUTOFF)
            if match:
                text = re.sub(rf"\b{re.escape(word)}\b", match[0], text, flags=re.I)
                changed = True
    return text if changed else None
