"""The columns a listing filters, counts and orders by, held in memory: one numpy array per column.

A search asks the database one question, which decisions its words match (decisions/search.py,
answered by the full-text index). Everything else a listing shows is worked out here, the same
on both databases: which matches pass the filters, how many each facet option would give, and
which 25 come on the page in the chosen order. At 100,000 decisions the arrays take about 5 MB,
and counting or ordering 70,000 matches takes a few milliseconds, where SQL's GROUP BY and sort
over them took 50-130 ms.

The arrays hold the archive as of one data version (models.ArchiveState): the first listing
after a write reads them again (about 0.4 s at 100,000 decisions). They hold no answers: every
search is worked out afresh from them.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db import connections, transaction
from django.db.models import CharField
from django.db.models.functions import Cast

from decisions.caching import data_stamp
from decisions.models import Decision
from decisions.outcomes import OTHER, OUTCOME_GROUPS
from decisions.vocabulary import FINDING_KINDS, PAYMENT_PURPOSES, REMEDY_KINDS, bits

OUTCOMES = tuple(group for group, _ in OUTCOME_GROUPS)
FIRST_DAY = datetime.date(1900, 1, 1)  # day numbers count from here, so every real date's is positive
NO_DATE = -1  # a decision without a date: after every dated one, in either order
LATEST_DAY = 1 << 30
BIT_SETS = {"remedy": REMEDY_KINDS, "finding": FINDING_KINDS, "purpose": PAYMENT_PURPOSES}


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
    remedy: np.ndarray  # bit sets, bit n for the nth word of the vocabulary (decisions/vocabulary.py)
    finding: np.ndarray
    purpose: np.ndarray
    payment: np.ndarray  # total payment in pence

    def __len__(self) -> int:
        return len(self.ids)

    def everything(self) -> np.ndarray:
        return np.ones(len(self.ids), dtype=bool)

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
        if name == "outcome":
            return np.isin(self.outcome, [OUTCOMES.index(group) for group in value if group in OUTCOMES])
        if name == "date_from":
            return self.day >= day_number(value)
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
        column = self.outcome if name == "outcome" else getattr(self, name)
        tally = np.bincount(column[mask])
        found = np.flatnonzero(tally)
        if name == "outcome":
            return Counter({OUTCOMES[key]: int(tally[key]) for key in found})
        return Counter({str(key): int(tally[key]) for key in found if key})

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


_FIELDS = ("pk", "is_published", "day_text", "council_id", "category_id", "subcategory_id", "outcome_group",
           "remedy_kinds", "finding_kinds", "payment_purposes", "total_payment")
_held: dict[str, Columns] = {}
_reading = threading.Lock()


def columns(using: str = "default") -> Columns:
    """The columns as of the archive's current data version, read again after a write."""
    stamp = data_stamp(using)
    held = _held.get(using)
    if held is None or held.stamp != stamp:
        with _reading:
            held = _held.get(using)
            if held is None or held.stamp != stamp:
                held = _held[using] = _read(using, stamp)
    return held


def forget() -> None:
    """Drop the columns held (tests whose data changes without the data version)."""
    _held.clear()


def day_number(value: datetime.date) -> int:
    return (value - FIRST_DAY).days


READ_CHUNK = 50_000  # rows converted at a time: Python holds one chunk's tuples, not the archive's


def _read(using: str, stamp: tuple) -> Columns:
    # Unordered, so that the database reads them from the index that holds every one of these
    # columns (decision_facets), not from the wide table (SQLite at 100,000: 4.3 s against 0.3 s);
    # and raw rows, converted a column at a time by numpy rather than a value at a time by Django,
    # a chunk at a time (all 500,000 rows as tuples at once took 530 MB in each worker).
    # The date as text: SQLite's driver would otherwise parse each one into a date object.
    rows = Decision.objects.using(using).order_by().annotate(day_text=Cast("decision_date", CharField()))
    sql, params = rows.values_list(*_FIELDS).query.sql_with_params()
    chunks = []
    # chunked_cursor: on PostgreSQL a server-side cursor (as QuerySet.iterator() uses), so that the
    # driver does not hold the whole result either; in a transaction, so that it is not WITH HOLD
    # (materialised whole on the server first).
    with transaction.atomic(using=using), connections[using].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(READ_CHUNK):
            chunks.append(_converted(chunk))
    if not chunks:
        empty = np.zeros(0, dtype=np.int64)
        return Columns(stamp, empty, empty.astype(bool), *[empty] * 9)
    read = {name: np.concatenate([chunk[name] for chunk in chunks]) for name in chunks[0]}
    order = np.argsort(read["ids"], kind="stable")
    return Columns(stamp=stamp, **{name: values[order] for name, values in read.items()})


_OUTCOME_INDEX = {group: index for index, group in enumerate(OUTCOMES)}


def _converted(rows: list[tuple]) -> dict[str, np.ndarray]:
    """One chunk of raw rows (in _FIELDS' order) as the Columns' arrays, in the rows' order."""
    ids, published, dates, councils, categories, subcategories, outcomes, remedies, findings, purposes, payments = (
        zip(*rows, strict=True))

    def column(values, dtype=np.int64):
        return np.asarray([0 if value is None else value for value in values] if None in values else values,
                          dtype=dtype)

    dated = np.asarray(["NaT" if d is None else d for d in dates], dtype="datetime64[D]")
    other = _OUTCOME_INDEX[OTHER]
    return {
        "ids": column(ids),
        "published": column(published, bool),
        "day": np.where(np.isnat(dated), NO_DATE, (dated - np.datetime64(FIRST_DAY, "D")).astype(np.int64)),
        "council": column(councils),
        "category": column(categories),
        "subcategory": column(subcategories),
        "outcome": np.fromiter((_OUTCOME_INDEX.get(group, other) for group in outcomes), dtype=np.int64,
                               count=len(outcomes)),
        "remedy": column(remedies),
        "finding": column(findings),
        "purpose": column(purposes),
        "payment": np.rint(column(payments, np.float64) * 100).astype(np.int64),
    }
