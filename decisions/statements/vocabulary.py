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


# What each word means, in a sentence a complainant understands (the glossary, /help/terms/).
MEANINGS = {
    # Remedies: what the organisation agreed, or was asked, to do.
    "apology": "The organisation says sorry to the person, usually in writing.",
    "payment": "The organisation pays the person money, to put right a loss or to acknowledge harm such as "
               "distress; the statement usually, but not always, says how much.",
    "procedure_change": "The organisation reviews or changes a policy or the way it works, so the fault does not "
                        "happen to others (the Ombudsman often calls this a service improvement).",
    "training": "The organisation trains its staff, or reminds them of the law or guidance, about what went wrong.",
    "reconsider": "The organisation looks again at a decision it made: reassesses, reviews or retakes it.",
    "provide_service": "The organisation provides or arranges a service or support it should have given.",
    "provide_information": "The organisation gives the person information or an explanation it should have given.",
    "other": "Anything else the organisation agreed to do, or a reason not listed here.",
    # Payment purposes: what a payment is for.
    "distress": "For the distress the fault caused: worry, frustration, uncertainty or upset.",
    "time_and_trouble": "For the time and trouble the person spent pursuing the complaint.",
    "risk_of_harm": "For being put at risk of harm, even if no harm happened.",
    "loss_of_service": "For a service or provision the person should have had and did not, such as lost "
                       "education or care.",
    "financial_loss": "To make good money the person lost or paid because of the fault: a refund or reimbursement.",
    # Findings: what the Ombudsman concluded.
    "fault_with_injustice": "The organisation got something wrong, and that caused the person a real harm or loss "
                            "(an injustice), so the Ombudsman asks for it to be put right.",
    "fault_no_injustice": "The organisation got something wrong, but it made no real difference to the person, so "
                          "nothing needs putting right for them.",
    "no_fault": "The Ombudsman found nothing wrong with what the organisation did.",
    "remedied_by_organisation": "The organisation had got something wrong but had already put it right, or offered "
                                "to, before the Ombudsman finished.",
    "not_investigated": "The Ombudsman decided not to investigate the complaint, and says why.",
    "outside_jurisdiction": "The law does not let the Ombudsman look at this complaint (for example, it is about "
                            "something another body deals with, or the person went to court).",
    # Reasons for not investigating.
    "another_body_better_placed": "Another body, such as a regulator or another ombudsman, is better placed to "
                                  "deal with it.",
    "unlikely_to_find_fault": "There is not enough sign that the organisation did anything wrong.",
    "no_significant_injustice": "Whatever happened did not cause the person enough harm to justify an investigation.",
    "late_complaint": "The person complained too late: usually more than twelve months after they knew of the problem.",
    "court_or_tribunal": "The person could go, or has gone, to a court or tribunal, which the Ombudsman expects "
                         "them to use.",
    "premature": "The organisation has not yet had the chance to answer the complaint through its own complaints "
                 "procedure.",
}
