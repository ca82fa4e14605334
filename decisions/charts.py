"""Bar charts drawn in HTML: each bar's label and number are text at the page's own size (never
scaled down with a drawing), the bar a rectangle stretched to the space left, so a chart fits any
screen without scrolling sideways. Markup in templates/includes/bar_chart.html."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int
    text: str  # the number as shown ("1,204", "62%", "£4,500")
    share: float  # the bar's length, in per cent of the longest


@dataclass
class Chart:
    title: str
    description: str  # every bar in words, for the chart's text alternative
    bars: list[Bar]
    short_labels: bool  # years and the like: the label beside its bar, not above it


def counted(value, unit: str) -> str:
    """'decisions' for any number but one."""
    return unit.removesuffix("s") if value == 1 and unit.endswith("decisions") else unit


def as_text(value: int, unit: str) -> str:
    if unit.startswith("%"):
        return f"{value}%"
    if unit.startswith("£"):
        return f"£{value:,}"
    return f"{value:,}"


def bar_chart(rows: list[tuple[object, int]], *, title: str, unit: str = "decisions") -> Chart | None:
    """One horizontal bar per row (decisions per year, by outcome, organisations ranked), from zero."""
    if not rows:
        return None
    longest = max(value for _, value in rows) or 1
    bars = [Bar(label=str(label), value=value, text=as_text(value, unit), share=round(100 * value / longest, 2))
            for label, value in rows]
    description = "; ".join(f"{label}: {as_text(value, unit)} {counted(value, unit.lstrip('%£ '))}".rstrip()
                            for label, value in rows)
    return Chart(title=title, description=description, bars=bars,
                 short_labels=all(len(bar.label) <= 8 for bar in bars))
