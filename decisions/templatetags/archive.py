"""Template filters for how the archive writes things."""

from decimal import Decimal, InvalidOperation

from django import template

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
