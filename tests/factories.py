"""Decisions for tests, written as statement text and imported through the real importer."""

from __future__ import annotations

import itertools
from datetime import date

from decisions.models import Decision
from decisions.services import DecisionImporter

_numbers = itertools.count(1)


def statement_text(*, reference: str, organisation: str, category: str = "Planning",
                   subcategory: str = "Enforcement", outcome: str = "Upheld", decided: date = date(2022, 5, 1),
                   summary: str = "The Council was at fault and has agreed to apologise.",
                   complaint: str = "Mr X complains the Council delayed dealing with his neighbour's extension.",
                   agreed_action: list[str] | None = None, final: str = "There was fault causing injustice.") -> str:
    action = ""
    if agreed_action:
        items = "\n".join(f"  {n}. {text}" for n, text in enumerate(agreed_action, start=1))
        action = f"Agreed action\n\n{items}\n\nBack to top\n\n"
    return (
        f"{organisation} ({reference})\n\nCategory : {category} > {subcategory}\n\nDecision : {outcome}\n\n"
        f"Decision date : {decided.day} {decided.strftime('%b %Y')}\n\nThe Ombudsman's final decision:\n\n"
        f"Summary: {summary}\n\nThe complaint\n\n  1. {complaint}\n\nBack to top\n\n"
        f"What I found\n\n  1. I have looked at what happened.\n\nBack to top\n\n{action}"
        f"Final decision\n\n  1. {final}\n\nBack to top\n"
    )


def make_decision(**fields) -> Decision:
    number = next(_numbers)
    fields.setdefault("reference", f"90 {number // 1000:03d} {number % 1000:03d}")
    fields.setdefault("organisation", "Testshire County Council")
    result = DecisionImporter().import_bytes(statement_text(**fields).encode(), source_name=f"test-{number}.txt")
    assert result.status == "created", result
    return Decision.objects.get(reference=fields["reference"])
