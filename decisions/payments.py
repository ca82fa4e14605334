"""What is usually paid: the spread of stated payment amounts for each purpose (the remedy explorer).

Only amounts a statement states are counted; payments agreed without an amount are counted
beside them, never as £0. A payment for two purposes (£500 for distress and time and trouble)
counts in both rows, since the statement does not split it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from statistics import median, quantiles
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet

from decisions.caching import cached_for
from decisions.filters import ChosenDecisionsForm
from decisions.models import MONTHS_IN, Council, Decision, Remedy
from decisions.search.names import category_table
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


def _pounds(value) -> Decimal:
    return Decimal(value).quantize(Decimal("1"))


def spread(purpose: str, amounts: list[Decimal], unstated: int, decisions: int, checked: int, *,
           per_month: bool = False) -> Spread:
    """The median, middle half, 10th-90th percentiles and range of ``amounts`` (the inclusive
    method: percentiles within the amounts seen, as a reader would read them off the list)."""
    named = label(purpose) if purpose != UNSPECIFIED else "Purpose not stated"
    row = Spread(purpose, f"{named}: rates, a month" if per_month else named, len(amounts), unstated, decisions,
                 checked, per_month=per_month)
    if amounts:
        ordered = sorted(amounts)
        row.median, row.lowest, row.highest = _pounds(median(ordered)), _pounds(ordered[0]), _pounds(ordered[-1])
        if len(ordered) >= 2:
            deciles = quantiles(ordered, n=10, method="inclusive")
            quarters = quantiles(ordered, n=4, method="inclusive")
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


def payment_spreads(decisions: QuerySet) -> list[Spread]:
    """One row per payment purpose (and one for payments whose purpose is not stated) over the
    payments of ``decisions``, in the vocabulary's order; purposes with no payment left out. Then
    a row per purpose of the payments stated as a rate, each rate as so much a month (MONTHS_IN)."""
    rows = (Remedy.objects.filter(kind=Remedy.Kind.PAYMENT, decision__in=decisions.values("pk"))
            .values_list("amount", "purposes", "decision_id", "decision__is_curated", "rate_per", "rate_period"))
    amounts: dict[str, list[Decimal]] = {}
    unstated: dict[str, int] = {}
    deciding: dict[str, set[int]] = {}
    checked: dict[str, set[int]] = {}
    rates: dict[str, list[Decimal]] = {}
    rate_deciding: dict[str, set[int]] = {}
    rate_checked: dict[str, set[int]] = {}
    for amount, purposes, decision_id, curated, rate_per, rate_period in rows:
        for purpose in [p for p in purposes.split(",") if p] or [UNSPECIFIED]:
            if rate_per is not None and rate_period in MONTHS_IN:
                rates.setdefault(purpose, []).append(rate_per / MONTHS_IN[rate_period])
                rate_deciding.setdefault(purpose, set()).add(decision_id)
                if curated:
                    rate_checked.setdefault(purpose, set()).add(decision_id)
            if amount is None:
                unstated[purpose] = unstated.get(purpose, 0) + 1
                continue
            amounts.setdefault(purpose, []).append(amount)
            deciding.setdefault(purpose, set()).add(decision_id)
            if curated:
                checked.setdefault(purpose, set()).add(decision_id)
    purposes = (*PAYMENT_PURPOSES, UNSPECIFIED)
    return ([spread(purpose, amounts.get(purpose, []), unstated.get(purpose, 0), len(deciding.get(purpose, ())),
                    len(checked.get(purpose, ())))
             for purpose in purposes if purpose in amounts or purpose in unstated]
            + [spread(purpose, rates[purpose], 0, len(rate_deciding[purpose]), len(rate_checked.get(purpose, ())),
                      per_month=True)
               for purpose in purposes if purpose in rates])


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
        """The organisation named, by its slug or its exact name (any case)."""
        value = self.cleaned_data["council"].strip()
        if not value:
            return None
        found = (Council.objects.filter(slug=value).first()
                 or Council.objects.filter(name__iexact=value).first())
        if found is None:
            raise forms.ValidationError(f"No organisation is called “{value}”.")
        return found

    def chosen(self):
        decisions, listing = super().chosen()
        data = self.understood()
        if kind := data.get("organisation_kind"):
            decisions = decisions.filter(council__kind=kind)
            listing.append(("organisation_kind", kind))
        if council := data.get("council"):
            decisions = decisions.filter(council=council)
            listing.append(("council", council.slug))
        return decisions, listing


def explorer_rows(request) -> tuple[ExplorerForm, list, list]:
    """The explorer's form, its rows (payments.Spread, each with the listing of its decisions) and
    the listing parameters, for the page, its CSV and the API alike."""
    form = ExplorerForm(request.GET or None)
    decisions, listing = form.chosen()
    rows = cached_for(decisions, "payment spreads", lambda: payment_spreads(decisions))
    place_on_one_scale(rows)
    for row in rows:
        purpose = [("purpose", row.purpose)] if row.purpose != UNSPECIFIED else []
        row.listing = "/decisions/?" + urlencode([("remedy", "payment"), *purpose, *listing, ("sort", "payment")])
        row.links = amount_links(row, listing) if purpose and not row.per_month else {}
    return form, rows, listing


def amount_links(row: Spread, listing: list) -> dict[str, str]:
    """The listing of the decisions behind each of a row's figures: those with a stated payment for
    its purpose (any amount, the middle half, the 10th-90th percentile, the range)."""
    def between(low, high) -> str:
        bounds = [("payment_from", str(low))] + ([("payment_to", str(high))] if high is not None else [])
        return "/decisions/?" + urlencode([("purpose", row.purpose), *bounds, *listing, ("sort", "payment")])

    links = {"stated": between(0, None)} if row.stated else {}
    if row.quartiles:
        links["quartiles"] = between(*row.quartiles)
        links["deciles"] = between(*row.deciles)
    if row.lowest is not None:
        links["range"] = between(row.lowest, row.highest)
    return links


COMPARED_FROM = 10  # fewer payments of a purpose in a topic than this: no comparison is said


def stated_amounts(purpose: str, subcategory_id: int) -> list[Decimal]:
    """The stated amounts of the published payments for ``purpose`` in one subcategory, sorted."""
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
