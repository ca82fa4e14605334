"""Template filters for how the archive writes things."""

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import pluralize
from django.utils.html import format_html

register = template.Library()


@register.filter
def pounds(value) -> str:
    """£1,750 for whole pounds, £1,750.50 where there are pence; empty for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    whole = amount == amount.to_integral_value()
    return f"£{amount:,.0f}" if whole else f"£{amount:,.2f}"


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (a dict keyed by a variable)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.simple_tag
def stated_payments(total, paid_count: int, payment_count: int) -> str:
    """A sum of payments as it is known: the stated amounts and how many decisions stated one of
    how many agreed a payment ("£14,020 stated in 15 of 37 decisions with a payment"), "not stated"
    when none did. A payment without a stated amount is unknown, never £0."""
    payment_count = max(payment_count or 0, paid_count or 0)
    if not payment_count:
        return "No payments"
    decisions = f"decision{pluralize(payment_count)} with a payment"
    if not paid_count or total is None:
        return format_html('Not stated<span class="sub"> in the {} {}</span>', intcomma(payment_count), decisions)
    return format_html('{}<span class="sub"> stated in {} of {} {}</span>', pounds(total), intcomma(paid_count),
                       intcomma(payment_count), decisions)


@register.simple_tag
def decision_payments(decision) -> str:
    """One decision's payments as they are known: their stated total, and what is not stated."""
    if not decision.has_payment and not decision.total_payment:
        return ""
    unstated = decision.unstated_payments
    if decision.stated_payment is None:
        return "amount not stated"
    if unstated:
        return format_html("{} stated, and {} payment{} without a stated amount", pounds(decision.stated_payment),
                           unstated, pluralize(unstated))
    return pounds(decision.stated_payment)


@register.simple_tag
def widthof(start, end) -> str:
    """The width between two positions of a drawing (end minus start, never below 0)."""
    return f"{max(0.0, float(end) - float(start)):.2f}"
