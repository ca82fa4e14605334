"""What is usually paid: the spread of stated payment amounts for each purpose (the remedy explorer).

Only amounts a statement states are counted; payments agreed without an amount are counted
beside them, never as £0. A payment for two purposes (£500 for distress and time and trouble)
counts in both rows, since the statement does not split it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

import numpy as np
from django import forms

from decisions.caching import cached_for
from decisions.filters import ChosenDecisionsForm
from decisions.models import Council, Decision, Remedy
from decisions.search.columns import Columns
from decisions.search.names import category_table
from decisions.search.results import SearchResults
from decisions.statements.outcomes import OUTCOME_GROUPS
from decisions.statements.vocabulary import PAYMENT_PURPOSES, label

UNSPECIFIED = "unspecified"  # a payment whose purpose the statement does not say


@dataclass
class Spread:
    """The stated amounts of one purpose's payments, and how many more state none."""

    purpose: str
    label: str
    stated: int  # payments with a stated amount
    unstated: int  # payments agreed without one
    decisions: int  # decisions with a stated amount
    checked: int  # of those decisions, how many staff have checked
    median: Decimal | None = None
    quartiles: tuple[Decimal, Decimal] | None = None  # the middle half: 25th to 75th percentile
    deciles: tuple[Decimal, Decimal] | None = None  # 10th to 90th percentile
    lowest: Decimal | None = None
    highest: Decimal | None = None
    per_month: bool = False  # a row of rates ('£250 a month'), each as so much a month


def _pounds(pence: Fraction | int) -> Decimal:
    """Pence (exact) as whole pounds, half to even."""
    fraction = Fraction(pence)
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator * 100)).quantize(Decimal("1"))


def _cut_points(ordered: list[int], parts: int) -> list[Fraction]:
    """statistics.quantiles(ordered, n=parts, method="inclusive"), exact: the same figure from the
    same amounts whatever the database or the floating point."""
    last = len(ordered) - 1
    points = []
    for i in range(1, parts):
        j, delta = divmod(i * last, parts)
        points.append(Fraction(ordered[j] * (parts - delta) + (ordered[j + 1] * delta if delta else 0), parts))
    return points


def spread(purpose: str, pence: list[int], unstated: int, decisions: int, checked: int, *,
           per_month: bool = False) -> Spread:
    """The median, middle half, 10th-90th percentiles and range of amounts in pence (the inclusive
    method: percentiles within the amounts seen, as a reader would read them off the list), in pounds."""
    named = label(purpose) if purpose != UNSPECIFIED else "Purpose not stated"
    row = Spread(purpose, f"{named}: rates, a month" if per_month else named, len(pence), unstated, decisions,
                 checked, per_month=per_month)
    if pence:
        ordered = sorted(pence)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else Fraction(ordered[middle - 1] + ordered[middle], 2)
        row.median, row.lowest, row.highest = _pounds(median), _pounds(ordered[0]), _pounds(ordered[-1])
        if len(ordered) >= 2:
            deciles, quarters = _cut_points(ordered, 10), _cut_points(ordered, 4)
            row.deciles = (_pounds(deciles[0]), _pounds(deciles[-1]))
            row.quartiles = (_pounds(quarters[0]), _pounds(quarters[-1]))
    return row


def place_on_one_scale(rows: list[Spread]) -> Decimal | None:
    """Each row's 10th, 25th, 50th, 75th and 90th percentiles as shares (0-100) of one scale, from
    £0 to the largest 90th percentile (a row's ``plot``, drawn as a box plot); the scale's top."""
    top = max((row.deciles[1] for row in rows if row.deciles), default=None)
    for row in rows:
        row.plot = None
        if top and row.deciles and row.quartiles:
            points = (row.deciles[0], row.quartiles[0], row.median, row.quartiles[1], row.deciles[1])
            row.plot = dict(zip(("p10", "p25", "p50", "p75", "p90"),
                                (round(float(100 * value / top), 2) for value in points), strict=True))
    return top


def payment_spreads(held: Columns, chosen: np.ndarray) -> list[Spread]:
    """One row per payment purpose (and one for payments whose purpose is not stated) over the
    payments of the decisions ``chosen`` (a mask over the listing columns), in the vocabulary's
    order, purposes with no payment left out; then a row per purpose of the payments stated as a
    rate, each rate as so much a month (models.MONTHS_IN)."""
    payments = held.payments
    among = chosen[payments.position]
    rows, rate_rows = [], []
    for bit, purpose in enumerate((*PAYMENT_PURPOSES, UNSPECIFIED)):
        of = among & ((payments.purpose & (1 << bit)) != 0 if purpose != UNSPECIFIED else payments.purpose == 0)
        if not of.any():
            continue
        stated = of & (payments.amount >= 0)
        rows.append(spread(purpose, payments.amount[stated].tolist(), int(np.count_nonzero(of & ~stated)),
                           len(np.unique(payments.position[stated])),
                           len(np.unique(payments.position[stated & payments.checked]))))
        rated = of & (payments.monthly >= 0)
        if rated.any():
            rate_rows.append(spread(purpose, payments.monthly[rated].tolist(), 0,
                                    len(np.unique(payments.position[rated])),
                                    len(np.unique(payments.position[rated & payments.checked])), per_month=True))
    return rows + rate_rows


GUIDANCE_ON_REMEDIES = "https://www.lgo.org.uk/information-centre/reports/guidance-notes/guidance-on-remedies"


class ExplorerForm(ChosenDecisionsForm):
    """The remedy explorer's choices: which decisions' payments to count."""

    subcategory = forms.CharField(required=False, max_length=200, label="Subcategory",
                                  help_text="As in the listing's address: category/subcategory")
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *OUTCOME_GROUPS], required=False)
    organisation_kind = forms.ChoiceField(choices=[("", "Any kind"), *Council.Kind.choices], required=False,
                                          label="Kind of organisation")
    council = forms.CharField(required=False, max_length=300, label="Organisation",
                              help_text="Its name, or the last part of its page's address")
    field_order = ["category", "subcategory", "outcome", "organisation_kind", "council", "year_from", "year_to"]

    def clean_subcategory(self):
        value = self.cleaned_data["subcategory"]
        if value and ("subcategory", value) not in category_table().by_value:
            raise forms.ValidationError("No such subcategory.")
        return value

    def clean_council(self):
        value = self.cleaned_data["council"].strip()
        if not value:
            return None
        if (found := Council.one_named(value)) is None:
            raise forms.ValidationError(f"No organisation is called “{value}”.")
        return found

    def listing(self) -> list[tuple[str, str]]:
        data = self.understood()
        return [*super().listing(), *([("organisation_kind", data["organisation_kind"])] if "organisation_kind" in data
                                      else []), *([("council", data["council"].slug)] if "council" in data else [])]


def explorer_rows(request) -> tuple[ExplorerForm, list, list]:
    """The explorer's form, its rows (payments.Spread, each with the listing of its decisions) and
    the listing parameters, for the page, its CSV and the API alike. The decisions counted are the
    listing's for the same parameters, worked out from the same in-memory columns."""
    form = ExplorerForm(request.GET or None)
    listing = form.listing()
    selection = SearchResults(form.listing_params()).selection
    rows = payment_spreads(selection.columns, selection.selected)
    place_on_one_scale(rows)
    for row in rows:
        purpose = [("purpose", row.purpose)] if row.purpose != UNSPECIFIED else []
        row.listing = "/decisions/?" + urlencode([("remedy", "payment"), *purpose, *listing, ("sort", "payment")])
        row.links = amount_links(row, listing) if purpose and not row.per_month else {}
    return form, rows, listing


def amount_links(row: Spread, listing: list) -> dict[str, str]:
    """The listing of the decisions behind each of a row's figures: those with a stated payment for
    its purpose (any amount, at most the median, the middle half, the 10th-90th percentile, the range)."""
    def between(low, high) -> str:
        bounds = [("payment_from", str(low))] + ([("payment_to", str(high))] if high is not None else [])
        return "/decisions/?" + urlencode([("purpose", row.purpose), *bounds, *listing, ("sort", "payment")])

    links = {"stated": between(0, None)} if row.stated else {}
    if row.median is not None:
        links["median"] = between(0, row.median)  # at most the median: the lower half
    if row.quartiles:
        links["quartiles"] = between(*row.quartiles)
        links["deciles"] = between(*row.deciles)
    if row.lowest is not None:
        links["range"] = between(row.lowest, row.highest)
    return links


COMPARED_FROM = 10  # fewer payments of a purpose in a topic than this: no comparison is said


def stated_amounts(purpose: str, subcategory_id: int) -> list[Decimal]:
    """The stated amounts of the published payments for ``purpose`` in one subcategory, sorted. Read
    by one indexed query rather than from the listing columns: a decision page, the most visited,
    should not pay for reading every decision's columns after each write."""
    payments = Remedy.objects.filter(kind=Remedy.Kind.PAYMENT, amount__isnull=False, purposes__contains=purpose,
                                     decision__is_published=True, decision__subcategory_id=subcategory_id)
    return cached_for(payments, "stated amounts",
                      lambda: sorted(payments.order_by().values_list("amount", flat=True)))


def comparisons(decision: Decision, remedy: Remedy) -> list[tuple[str, str]]:
    """For a payment with an amount: where it stands among the stated payments of the same purpose
    in decisions of the same subcategory, with the explorer's address for them; said only when
    there are at least COMPARED_FROM of them."""
    if remedy.kind != Remedy.Kind.PAYMENT or remedy.amount is None or not decision.subcategory_id:
        return []
    said = []
    topic = decision.subcategory.name
    for purpose in remedy.purpose_list:
        amounts = stated_amounts(purpose, decision.subcategory_id)
        if len(amounts) < COMPARED_FROM:
            continue
        lower = bisect_left(amounts, remedy.amount) / len(amounts)
        higher = (len(amounts) - bisect_right(amounts, remedy.amount)) / len(amounts)
        name = label(purpose).lower()
        if lower < 0.1 and higher < 0.1:
            text = f"the same as most {name} payments in {topic} decisions"
        elif lower >= higher:
            text = f"higher than {int(lower * 10)} in 10 {name} payments in {topic} decisions"
        else:
            text = f"lower than {int(higher * 10)} in 10 {name} payments in {topic} decisions"
        value = category_table().by_pk[decision.subcategory_id].value
        said.append((f"{text} (n = {len(amounts):,})", "/remedies/?" + urlencode([("subcategory", value)])))
    return said
