"""The columns a listing filters, counts and orders by, held in memory: one numpy array per column.

A search asks the database one question, which decisions its words match (the search backend,
answered by the full-text index). Everything else a listing shows is worked out here, the same
on both databases: which matches pass the filters, how many each facet option would give, and
which 25 come on the page in the chosen order. At 100,000 decisions the arrays take about 5 MB,
and counting or ordering 70,000 matches takes a few milliseconds, where SQL's GROUP BY and sort
over them took 50-130 ms.

The arrays hold the archive as of one data version (models.ArchiveState): the first listing
after a write reads them again, in one statement (0.15–0.3 s at 100,000 decisions; 0.8 s at 500,000
on PostgreSQL). They hold no answers: every search is worked out afresh from them.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import BigIntegerField, Case, F, FloatField, Func, IntegerField, Value, When
from django.db.models.functions import Coalesce

from decisions.caching import data_stamp
from decisions.models import MONTHS_IN, RATE_PERIODS, Council, Decision, Remedy
from decisions.search.packed import Joined, Packed, unjoined, unpacked
from decisions.search.packed import ids as packed_ids
from decisions.statements.organisations import ORGANISATION_KINDS
from decisions.statements.organisations import OTHER as OTHER_KIND
from decisions.statements.outcomes import OTHER, OUTCOME_GROUPS
from decisions.statements.vocabulary import FINDING_KINDS, PAYMENT_PURPOSES, REMEDY_KINDS, bits

OUTCOMES = tuple(group for group, _ in OUTCOME_GROUPS)
KINDS = tuple(kind for kind, _ in ORGANISATION_KINDS)  # of organisation
INDEXED = {"outcome": OUTCOMES, "organisation_kind": KINDS}  # columns holding an index into a tuple of values
FIRST_DAY = datetime.date(1900, 1, 1)  # day numbers count from here, so every real date's is positive
NO_DATE = -1  # a decision without a date: after every dated one, in either order
LATEST_DAY = 1 << 30
BIT_SETS = {"remedy": REMEDY_KINDS, "finding": FINDING_KINDS, "purpose": PAYMENT_PURPOSES}


@dataclass(frozen=True, eq=False)
class Payments:
    """Every payment: its decision's position in Columns, amount and purposes."""

    position: np.ndarray
    amount: np.ndarray  # pence; -1 when the statement states none
    purpose: np.ndarray  # bit set of PAYMENT_PURPOSES
    monthly: np.ndarray  # a rate as pence a month; -1 when not stated as a rate
    checked: np.ndarray  # bool: its decision checked by staff


@dataclass(frozen=True, eq=False)
class Columns:
    """Every decision's listing columns, position by position, in order of id."""

    stamp: tuple
    ids: np.ndarray  # int64, ascending
    published: np.ndarray  # bool
    day: np.ndarray  # the decision date's day_number(), NO_DATE when unknown
    council: np.ndarray  # ids; 0 for none
    category: np.ndarray
    subcategory: np.ndarray
    outcome: np.ndarray  # index in OUTCOMES
    remedy: np.ndarray  # bit sets, bit n for the nth word of the vocabulary (decisions/statements/vocabulary.py)
    finding: np.ndarray
    purpose: np.ndarray
    payment: np.ndarray  # total payment in pence
    organisation_kind: np.ndarray  # index in KINDS, from the council's kind
    checked: np.ndarray  # bool: staff have checked the decision's reading (is_curated)
    payments: Payments  # each payment, its amount stated or not

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, ids) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the ids held, which of the given ids those are, as a mask over them)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids) or not len(self.ids):
            return np.zeros(0, dtype=np.int64), np.zeros(len(ids), dtype=bool)
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        held = self.ids[at] == ids
        return at[held], held

    def having(self, ids) -> np.ndarray:
        """The mask of the decisions with these ids (ids not held are ignored)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[self.positions(ids)[0]] = True
        return mask

    def where(self, name: str, value) -> np.ndarray:
        """The mask of the decisions a filter keeps, given the filter's cleaned value: model
        instances or ids (council, category, subcategory), outcome groups, dates, an amount in
        pounds, or vocabulary words (remedy, finding, purpose: any of them)."""
        if name in ("council", "category", "subcategory"):
            wanted = [getattr(item, "pk", item) for item in value]
            return np.isin(getattr(self, name), np.asarray(wanted, dtype=np.int64))
        if name in INDEXED:
            known = INDEXED[name]
            return np.isin(getattr(self, name), [known.index(item) for item in value if item in known])
        if name == "date_from":  # an undated decision is after no date, however early
            return (self.day >= day_number(value)) & (self.day != NO_DATE)
        if name == "date_to":
            return (self.day <= day_number(value)) & (self.day != NO_DATE)
        if name == "min_payment":
            return self.payment >= int(value * 100)
        if name in BIT_SETS:
            return (getattr(self, name) & bits(BIT_SETS[name], value)) != 0
        raise ValueError(f"no filter named {name!r}")

    def counts(self, name: str, mask: np.ndarray) -> Counter:
        """How many decisions of the mask have each value of a facet (ids as text for related rows)."""
        if name in BIT_SETS:
            chosen = getattr(self, name)[mask]
            return Counter({word: int(np.count_nonzero(chosen & (1 << bit)))
                            for bit, word in enumerate(BIT_SETS[name])})
        tally = np.bincount(getattr(self, name)[mask])
        found = np.flatnonzero(tally)
        if name in INDEXED:
            return Counter({INDEXED[name][key]: int(tally[key]) for key in found})
        return Counter({str(key): int(tally[key]) for key in found if key})

    def paying(self, low: Decimal | None, high: Decimal | None, purposes=()) -> np.ndarray:
        """The mask of the decisions with a stated payment from ``low`` to ``high`` pounds (either
        may be open), for one of ``purposes`` when any are given."""
        payments = self.payments
        kept = payments.amount >= 0  # stated amounts only
        if low is not None:
            kept &= payments.amount >= int(low * 100)
        if high is not None:
            kept &= payments.amount <= int(high * 100)
        if purposes:
            kept &= (payments.purpose & bits(PAYMENT_PURPOSES, purposes)) != 0
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[payments.position[kept]] = True
        return mask

    def order(self, mask: np.ndarray, sort: str, score: np.ndarray | None = None, stop: int | None = None
              ) -> np.ndarray:
        """The positions of the mask's decisions in a listing's order, the first ``stop`` of them.

        newest / oldest: by date (undated last), then id; payment: largest first, then newest;
        relevance: ``score`` (one per position) highest first, then newest. Ties never depend
        on the database: the id decides last.
        """
        chosen = np.flatnonzero(mask)
        stop = len(chosen) if stop is None else min(stop, len(chosen))
        if sort == "oldest":
            day = np.where(self.day[chosen] == NO_DATE, LATEST_DAY, self.day[chosen]).astype(np.int64)
            secondary = -((day << 32) | self.ids[chosen])
        else:
            secondary = (self.day[chosen].astype(np.int64) << 32) | self.ids[chosen]
        primary = {"payment": self.payment[chosen], "relevance": None if score is None else score[chosen]}.get(sort)
        return chosen[_first_descending(primary, secondary, stop)]


def _first_descending(primary: np.ndarray | None, secondary: np.ndarray, stop: int) -> np.ndarray:
    """Indices of the first ``stop`` rows ordered by ``primary`` then ``secondary``, both highest
    first, without sorting more than the rows that can be among them."""
    count = len(secondary)
    if stop <= 0:
        return np.zeros(0, dtype=np.int64)
    if primary is None:
        candidates = np.argpartition(-secondary, stop - 1)[:stop] if stop < count else np.arange(count)
        return candidates[np.argsort(-secondary[candidates], kind="stable")]
    if stop < count:
        threshold = np.partition(primary, count - stop)[count - stop]
        candidates = np.flatnonzero(primary >= threshold)
    else:
        candidates = np.arange(count)
    return candidates[np.lexsort((-secondary[candidates], -primary[candidates]))][:stop]


_held: list[Columns] = []  # the columns this process holds: none yet, or one
_reading = threading.Lock()


def columns() -> Columns:
    """The columns as of the archive's current data version, read again after a write."""
    stamp = data_stamp()
    held = _held[0] if _held else None
    if held is None or held.stamp != stamp:
        with _reading:
            held = _held[0] if _held else None
            if held is None or held.stamp != stamp:
                held = _read(stamp)
                _held[:] = [held]
    return held


def forget() -> None:
    """Drop the columns held (tests whose data changes without the data version)."""
    _held.clear()


def day_number(value: datetime.date) -> int:
    return (value - FIRST_DAY).days


class DayNumber(Func):
    """A date as its day_number(), worked out by the database (NULL stays NULL)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(julianday({sql}) - julianday(%s) AS INTEGER)", [*params, FIRST_DAY.isoformat()]

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"({sql} - %s::date)", [*params, FIRST_DAY]


def _number(field: str):
    return Coalesce(F(field), Value(0), output_field=BigIntegerField())


# Each column as one number a decision, worked out by the database, and how it travels
# (decisions/search/packed.py: ids as int8, small numbers as int4, the payment in pounds as float8).
_COLUMNS = {
    "ids": (F("pk"), "int8"),
    "published": (Case(When(is_published=True, then=Value(1)), default=Value(0), output_field=IntegerField()), "int4"),
    "day": (Coalesce(DayNumber("decision_date"), Value(NO_DATE), output_field=IntegerField()), "int4"),
    "council": (_number("council_id"), "int8"),
    "category": (_number("category_id"), "int8"),
    "subcategory": (_number("subcategory_id"), "int8"),
    "outcome": (Case(*[When(outcome_group=group, then=Value(index)) for index, group in enumerate(OUTCOMES)],
                     default=Value(OUTCOMES.index(OTHER)), output_field=IntegerField()), "int4"),
    "remedy": (F("remedy_kinds"), "int4"),  # bit sets of under 31 words (a PositiveIntegerField)
    "finding": (F("finding_kinds"), "int4"),
    "purpose": (F("payment_purposes"), "int4"),
    "payment": (F("total_payment"), "float8"),
}


def _read(stamp: tuple) -> Columns:
    # One statement, every column packed into one value (decisions/search/packed.py) that numpy reads
    # whole: no row becomes a Python object (500,000 rows as tuples took 2.1-2.4 s and 530 MB).
    # Unordered, so that the database can read them from the index that holds every one of these
    # columns (decision_facets) rather than the wide table; sorted by id here.
    packed = Decision.objects.order_by().aggregate(
        **{name: Packed(expression, kind=kind) for name, (expression, kind) in _COLUMNS.items()})
    read = {name: unpacked(packed.pop(name), kind) for name, (_, kind) in _COLUMNS.items()}
    read["published"] = read["published"].astype(bool)
    read["payment"] = np.rint(read["payment"] * 100).astype(np.int64)  # pence
    order = np.argsort(read["ids"], kind="stable")
    read = {name: values[order] for name, values in read.items()}
    # Each council's kind as an index in KINDS (a few hundred rows), then each decision's.
    councils = np.array(list(Council.objects.values_list("pk", "kind")), dtype=object).reshape(-1, 2)
    kind_of = np.full(int(max(councils[:, 0], default=0)) + 1, KINDS.index(OTHER_KIND), dtype=np.int64)
    for pk, kind in councils:
        kind_of[pk] = KINDS.index(kind) if kind in KINDS else KINDS.index(OTHER_KIND)
    organisation_kind = kind_of[np.minimum(read["council"], len(kind_of) - 1)]
    organisation_kind[read["council"] == 0] = KINDS.index(OTHER_KIND)
    checked = np.zeros(len(read["ids"]), dtype=bool)
    curated = packed_ids(Decision.objects.filter(is_curated=True))
    at = np.minimum(np.searchsorted(read["ids"], curated), max(len(read["ids"]) - 1, 0))
    checked[at[read["ids"][at] == curated] if len(read["ids"]) else []] = True
    return Columns(stamp=stamp, **read, organisation_kind=organisation_kind, checked=checked,
                   payments=_payments(read["ids"], checked))


def _payments(ids: np.ndarray, checked: np.ndarray) -> Payments:
    """The payments, packed as the decision columns are (purposes and periods as text: Joined)."""
    packed = (Remedy.objects.filter(kind=Remedy.Kind.PAYMENT).order_by()
              .aggregate(decision=Packed(F("decision_id"), kind="int8"),
                         amount=Packed(Coalesce(F("amount"), Value(-0.01), output_field=FloatField()), kind="float8"),
                         rate=Packed(Coalesce(F("rate_per"), Value(-0.01), output_field=FloatField()), kind="float8"),
                         purposes=Joined(F("purposes")), period=Joined(F("rate_period"))))
    decision = unpacked(packed["decision"], "int8")
    position = np.minimum(np.searchsorted(ids, decision), max(len(ids) - 1, 0))
    held = (ids[position] == decision) if len(ids) else np.zeros(len(decision), dtype=bool)
    texts = unjoined(packed["purposes"], len(decision))
    bits_of = {text: bits(PAYMENT_PURPOSES, text.split(",")) for text in set(texts)}  # a few dozen combinations
    purpose = np.fromiter((bits_of[text] for text in texts), dtype=np.int64, count=len(texts))
    # A rate as so much a month, in pence (models.MONTHS_IN); -1 for a payment not stated as a rate.
    months_in = {name: float(MONTHS_IN[name]) for name in RATE_PERIODS}
    periods = unjoined(packed["period"], len(decision))
    months = np.fromiter((months_in.get(name, 0.0) for name in periods), dtype=np.float64, count=len(periods))
    rate = unpacked(packed["rate"], "float8")
    stated_rate = (rate >= 0) & (months > 0)
    monthly = np.full(len(rate), -1, dtype=np.int64)
    monthly[stated_rate] = np.rint(rate[stated_rate] * 100 / months[stated_rate]).astype(np.int64)
    return Payments(position=position[held],
                    amount=np.rint(unpacked(packed["amount"], "float8") * 100).astype(np.int64)[held],
                    purpose=purpose[held], monthly=monthly[held], checked=checked[position[held]])
