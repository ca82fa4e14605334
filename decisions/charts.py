"""Server-rendered SVG charts: geometry computed here, markup in templates/includes/."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    lines: list[str] | None = None  # the label as drawn: whole, over two lines if long


def label_lines(label: str, width: int = 34) -> list[str]:
    """A label in lines of about ``width`` characters, broken between words: never cut off."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines or [label]


@dataclass
class Chart:
    title: str
    description: str
    width: int
    height: int
    bars: list[Bar]
    max_value: int
    baseline: float


def counted(value, unit: str) -> str:
    """'decisions' for any number but one."""
    return unit.removesuffix("s") if value == 1 and unit.endswith("decisions") else unit


def column_chart(rows: list[tuple[object, int]], *, title: str, unit: str = "decisions",
                 width: int = 640, height: int = 220) -> Chart | None:
    """Vertical bars, one per row (e.g. decisions per year), labelled beneath."""
    if not rows:
        return None
    top, bottom = 24, 28
    plot_height = height - top - bottom
    max_value = max(value for _, value in rows) or 1
    slot = width / len(rows)
    bar_width = min(48.0, max(2.0, slot * 0.7))
    bars = []
    for index, (label, value) in enumerate(rows):
        bar_height = plot_height * value / max_value
        bars.append(Bar(label=str(label), value=value, x=round(index * slot + (slot - bar_width) / 2, 1),
                        y=round(top + plot_height - bar_height, 1), width=round(bar_width, 1),
                        height=round(bar_height, 1)))
    description = "; ".join(f"{label}: {value} {counted(value, unit)}" for label, value in rows)
    return Chart(title=title, description=description, width=width, height=height, bars=bars,
                 max_value=max_value, baseline=top + plot_height)


def bar_chart(rows: list[tuple[object, int]], *, title: str, unit: str = "decisions",
              width: int = 640, row_height: int = 28) -> Chart | None:
    """Horizontal bars, one per row (e.g. decisions by outcome), labelled inside the text column."""
    if not rows:
        return None
    label_width = 230
    plot_width = width - label_width - 60
    max_value = max(value for _, value in rows) or 1
    wrapped = [label_lines(str(label)) for label, _ in rows]
    row_height = max(row_height, 14 * max(len(lines) for lines in wrapped) + 8)
    bars = []
    for index, ((label, value), lines) in enumerate(zip(rows, wrapped, strict=True)):
        bars.append(Bar(label=str(label), value=value, x=label_width, y=index * row_height + 4,
                        width=round(max(1.0, plot_width * value / max_value), 1), height=row_height - 8,
                        lines=lines))
    description = "; ".join(f"{label}: {value} {counted(value, unit)}" for label, value in rows)
    return Chart(title=title, description=description, width=width, height=len(rows) * row_height,
                 bars=bars, max_value=max_value, baseline=label_width)
