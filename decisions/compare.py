"""Organisations side by side (/councils/compare/): two to five organisations, or one kind of
organisation against all, over the same decisions a listing with the same parameters shows.

Each column is worked out from the listing's own selection (search.results.SearchResults over the
in-memory columns), so every figure equals the count of the listing it links to, on both databases.
Payments are the league table's: each decision's stated total (a decision whose payments state no
amount has none, never £0), and how many payments state no amount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django import forms

from decisions import links
from decisions.filters import ChosenDecisionsForm
from decisions.models import Council
from decisions.search.names import VOCABULARY_LABELS, category_table
from decisions.search.params import SearchParams
from decisions.search.results import SearchResults
from decisions.statements.outcomes import INVESTIGATED_GROUPS, UPHELD
from decisions.statements.vocabulary import REMEDY_KINDS
from decisions.templatetags.archive import pounds as written_pounds

MOST = 5  # organisations at most
TOPICS = 3  # the most common topics shown for each


@dataclass
class Column:
    """One organisation (or kind, or all) and its figures, each with the listing behind it."""

    name: str
    params: SearchParams
    url: str = ""  # the organisation's own page, when it is one
    decisions: int = 0
    investigated: int = 0
    upheld: int = 0
    remedies: dict[str, int] = field(default_factory=dict)
    with_payment: int = 0  # decisions that agreed a payment
    stated: list[int] = field(default_factory=list)  # each decision's stated total, in pence
    unstated_payments: int = 0  # payments whose amount the statement does not state
    topics: list[tuple[str, str, int]] = field(default_factory=list)  # (label, URL value, decisions)
    checked: int = 0  # decisions whose reading staff have checked

    @property
    def upheld_share(self) -> int | None:
        return round(100 * self.upheld / self.investigated) if self.investigated else None

    @property
    def total_paid(self) -> Decimal | None:
        return Decimal(sum(self.stated)) / 100 if self.stated else None

    @property
    def median_payment(self) -> Decimal | None:
        return (Decimal(str(float(np.median(self.stated)))) / 100).quantize(Decimal("0.01")) if self.stated else None

    def link(self, **changes) -> str:
        """The listing of this column's decisions, narrowed by ``changes`` (SearchParams fields)."""
        return "/decisions/" + links.to(self.params.but(**changes))


def column(name: str, params: SearchParams, url: str = "") -> Column:
    """A column's figures over the decisions the listing for ``params`` holds."""
    selection = SearchResults(params).selection
    held, mask = selection.columns, selection.selected
    result = Column(name=name, params=params, url=url, decisions=int(np.count_nonzero(mask)),
                    checked=int(np.count_nonzero(mask & held.checked)))
    outcomes = held.counts("outcome", mask)
    result.upheld = outcomes.get(UPHELD, 0)
    result.investigated = sum(outcomes.get(group, 0) for group in INVESTIGATED_GROUPS)
    remedies = held.counts("remedy", mask)
    result.remedies = {kind: remedies.get(kind, 0) for kind in REMEDY_KINDS}
    result.with_payment = result.remedies.get("payment", 0)
    totals = held.payment[mask]
    result.stated = sorted(int(pence) for pence in totals[totals > 0])
    payments = held.payments
    result.unstated_payments = int(np.count_nonzero(mask[payments.position] & (payments.amount < 0)))
    table = category_table()
    for key, count in held.counts("subcategory", mask).most_common(TOPICS):
        if topic := table.by_pk.get(int(key)):
            result.topics.append((topic.label, topic.value, count))
    return result


def columns_for(params: SearchParams, organisations: list[Council], kind: str) -> list[Column]:
    """The organisations' columns, or a kind's beside all organisations'."""
    if organisations:
        return [column(council.name, params.but(council=(council.slug,), organisation_kind=()),
                       council.get_absolute_url()) for council in organisations]
    return [column(f"Every {VOCABULARY_LABELS['organisation_kind'][kind].lower()}",
                   params.but(council=(), organisation_kind=(kind,))),
            column("All organisations", params.but(council=(), organisation_kind=()))]


class CompareForm(ChosenDecisionsForm):
    """Which organisations (by name or address slug, two to five) or which kind against all, and
    the decisions counted (category, years: the league table's choices)."""

    kind = forms.ChoiceField(choices=[("", "or choose a kind of organisation"), *Council.Kind.choices],
                             required=False, label="Kind of organisation (against all organisations)")
    field_order = ["kind", "category", "year_from", "year_to"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.asked = [value.strip() for value in (data.getlist("o") if data is not None else []) if value.strip()]
        self.organisations: list[Council] = []
        self.problems: list[str] = []

    def clean(self):
        data = super().clean()
        for value in self.asked[:MOST]:
            found = Council.one_named(value)
            if found is None:
                self.problems.append(f"No organisation is called “{value}”: check the name, or pick it from the list.")
            elif found not in self.organisations:
                self.organisations.append(found)
        if len(self.asked) > MOST:
            self.problems.append(f"At most {MOST} organisations at once: the first {MOST} are compared.")
        return data

    def shown(self) -> list[str]:
        """The organisations asked for as the form shows them again: by name once found."""
        found = {council.slug: council.name for council in self.organisations}
        found.update({council.name.lower(): council.name for council in self.organisations})
        return [found.get(value, found.get(value.lower(), value)) for value in self.asked]

    def ready(self) -> bool:
        self.understood()
        return len(self.organisations) >= 2 or bool(self.cleaned_data.get("kind") if self.is_bound else False)


def rows(columns: list[Column]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The comparison as (what, [(figure as text, its listing or None) for each column])."""
    def pounds(value: Decimal | None) -> str:
        return "–" if value is None else written_pounds(value)

    found = [
        ("Decisions", [(f"{c.decisions:,}", c.link()) for c in columns]),
        ("Share upheld of those investigated", [
            ((f"{c.upheld_share}% ({c.upheld:,} of {c.investigated:,})" if c.upheld_share is not None else "–"),
             c.link(outcome=(UPHELD,)) if c.investigated else None) for c in columns]),
    ]
    for kind in REMEDY_KINDS:
        if any(c.remedies.get(kind) for c in columns):
            found.append((f"Remedy: {VOCABULARY_LABELS['remedy'][kind].lower()}",
                          [(f"{c.remedies.get(kind, 0):,}", c.link(remedy=(kind,))) for c in columns]))
    found += [
        ("Stated payments, total", [
            (pounds(c.total_paid) + (f" in {len(c.stated):,} decision{'s' if len(c.stated) != 1 else ''}"
                                     if c.stated else ""),
             c.link(min_payment=Decimal("0.01"), sort="payment") if c.stated else None) for c in columns]),
        ("Median stated payment (a decision's total)", [(pounds(c.median_payment), None) for c in columns]),
        ("Payments without a stated amount", [(f"{c.unstated_payments:,}", None) for c in columns]),
        ("Decisions whose reading staff have checked", [(f"{c.checked:,} of {c.decisions:,}", None) for c in columns]),
    ]
    for rank in range(max((len(c.topics) for c in columns), default=0)):
        found.append((f"Most common topic{f' ({rank + 1})' if rank else ''}", [
            ((f"{c.topics[rank][0]} ({c.topics[rank][2]:,})", c.link(subcategory=(c.topics[rank][1],)))
             if len(c.topics) > rank else ("–", None)) for c in columns]))
    return found
