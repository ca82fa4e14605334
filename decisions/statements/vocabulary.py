"""The archive's words for what the Ombudsman found and asked for, shared by the parser, the
models, filters, facets, exports and admin (pure Python: no Django import).

Each vocabulary's order is also an on-disk format: a decision stores the kinds it has as a bit
set (``Decision.remedy_kinds``, ``finding_kinds``, ``payment_purposes``), bit *n* for the *n*th
word. Add a word at the end only; reordering or removing one changes the meaning of every
stored bit set (tests/test_vocabulary.py pins the order).
"""

from __future__ import annotations

from collections.abc import Iterable

REMEDY_KINDS = (
    "apology", "payment", "procedure_change", "training", "reconsider",
    "provide_service", "provide_information", "other",
)
PAYMENT_PURPOSES = ("distress", "time_and_trouble", "risk_of_harm", "loss_of_service", "financial_loss", "other")
FINDING_KINDS = (
    "fault_with_injustice", "fault_no_injustice", "no_fault", "remedied_by_organisation",
    "not_investigated", "outside_jurisdiction",
)
NOT_INVESTIGATED_REASONS = (
    "another_body_better_placed", "unlikely_to_find_fault", "no_significant_injustice", "late_complaint",
    "court_or_tribunal", "premature", "other",
)


def label(word: str) -> str:
    """'time_and_trouble' -> 'Time and trouble': how a word is shown to people."""
    return word.replace("_", " ").capitalize()


def choices(vocabulary: Iterable[str]) -> list[tuple[str, str]]:
    return [(word, label(word)) for word in vocabulary]


def bits(vocabulary: tuple[str, ...], values: Iterable[str]) -> int:
    """The bit set of the vocabulary's words among ``values`` (unknown words are ignored)."""
    result = 0
    for value in values:
        if value in vocabulary:
            result |= 1 << vocabulary.index(value)
    return result


def words_in(bitset: int, vocabulary: tuple[str, ...]) -> list[str]:
    """The words a bit set holds, in vocabulary order."""
    return [word for position, word in enumerate(vocabulary) if bitset & (1 << position)]


def canonical(vocabulary: tuple[str, ...], values: Iterable[str]) -> str:
    """The known words among ``values``, once each, in vocabulary order, comma-separated: how a
    remedy stores its payment purposes (unknown words are dropped)."""
    chosen = set(values)
    return ",".join(word for word in vocabulary if word in chosen)


def every_canonical(vocabulary: tuple[str, ...]) -> list[str]:
    """Every value ``canonical`` can give (the database checks a stored list is one of them)."""
    return [canonical(vocabulary, words_in(bitset, vocabulary)) for bitset in range(1 << len(vocabulary))]
