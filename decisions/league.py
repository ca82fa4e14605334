"""Comparing organisations: a league table of decisions, upheld share and payments per organisation."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import QuerySet

from decisions.models import PAYMENT_BIT
from decisions.statements.outcomes import INVESTIGATED_GROUPS, UPHELD
from decisions.statements.vocabulary import REMEDY_KINDS, label, words_in

FEW = 10  # fewer investigated decisions than this: the upheld share says little, and is flagged
MEASURES = {  # what the table can be ranked by (the name A–Z, the others biggest first), in column order
    "name": "Organisation",
    "decisions": "Decisions",
    "upheld_share": "Share upheld",
    "total_paid": "Stated payments",
    "median_payment": "Median stated payment",
}


@dataclass
class LeagueRow:
    council_id: int
    name: str = ""
    slug: str = ""
    decisions: int = 0
    upheld: int = 0
    investigated: int = 0
    payment_count: int = 0  # decisions that agreed a payment, its amount stated or not
    payments: list[Decimal] = field(default_factory=list)  # the stated totals
    remedies: Counter = field(default_factory=Counter)

    @property
    def upheld_share(self) -> int | None:
        """Upheld as a share of the decisions investigated (upheld or not upheld), in per cent."""
        return round(100 * self.upheld / self.investigated) if self.investigated else None

    @property
    def few(self) -> bool:
        return self.investigated < FEW

    @property
    def total_paid(self) -> Decimal | None:
        """The sum of the stated payments; None when no decision states an amount (unknown, not £0)."""
        return sum(self.payments, Decimal("0.00")) if self.payments else None

    @property
    def paid_count(self) -> int:
        return len(self.payments)

    @property
    def median_payment(self) -> Decimal | None:
        return Decimal(median(self.payments)).quantize(Decimal("0.01")) if self.payments else None

    @property
    def common_remedy(self) -> str:
        return label(self.remedies.most_common(1)[0][0]) if self.remedies else ""

    def sort_key(self, measure: str):
        if measure == "name":
            return self.name.lower()
        value = getattr(self, measure)
        return (value is not None, value if value is not None else 0, self.decisions)


def league_table(decisions: QuerySet, measure: str = "decisions") -> list[LeagueRow]:
    """One row per organisation with decisions in ``decisions``, ordered by ``measure``, in one pass."""
    rows: dict[int, LeagueRow] = defaultdict(lambda: LeagueRow(0))
    for council_id, name, slug, group, paid, kinds in decisions.order_by().values_list(
            "council_id", "council__name", "council__slug", "outcome_group", "total_payment", "remedy_kinds"):
        row = rows[council_id]
        row.council_id, row.name, row.slug = council_id, name, slug
        row.decisions += 1
        row.upheld += group == UPHELD
        row.investigated += group in INVESTIGATED_GROUPS
        row.payment_count += bool(kinds & PAYMENT_BIT)
        if paid:
            row.payments.append(paid)
        row.remedies.update(words_in(kinds, REMEDY_KINDS))
    measure = measure if measure in MEASURES else "decisions"
    return sorted(rows.values(), key=lambda row: row.sort_key(measure), reverse=measure != "name")
