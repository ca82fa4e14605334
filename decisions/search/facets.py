"""Facets: for each filter, its options with the number of decisions each would give.

Counted over the listing's matches in memory (decisions/search/columns.py), each facet without its own
filter; named here with one query per table, whatever the number of options.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db.models import Q

from decisions.filters import PURPOSE_CHOICES, DecisionFilter
from decisions.models import Category, Council, Finding, Remedy
from decisions.querystring import replaced, toggled
from decisions.search.columns import Columns
from decisions.statements.outcomes import OUTCOME_GROUPS

FACET_LIMIT = 12  # options shown per facet; chosen ones are always shown


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    more: int = 0  # options not shown
    show_all_url: str = ""  # this listing with every option of this facet shown
    total: int = 0  # options in all


def facets(filterset: DecisionFilter, request, counted: dict[str, Counter], *, show_all: str | None = None
           ) -> list[Facet]:
    """Each counted facet's options with the number of decisions they would give: the
    FACET_LIMIT largest of each, or every option of the facet named ``show_all``."""
    selected = _selected_values(filterset)
    labels = _labels(counted, selected, everything=show_all == "council")
    result = []
    for name in (name for name in DecisionFilter.FACETS if name in counted):
        chosen = selected.get(name, [])
        rows = [(value, labels[name].get(key, str(key)), n) for key, n in counted[name].items()
                if n and (value := _value(name, key, labels)) is not None]
        unnamed = sum(1 for key, n in counted[name].items() if n and _value(name, key, labels) is None)
        rows.sort(key=lambda row: (-row[2], row[1]))
        present = {value for value, _, _ in rows}
        rows += [(value, labels[name].get(value, value), 0) for value in chosen if value not in present]
        options, hidden = [], unnamed  # councils past the first few are counted but not named
        for index, (value, label, count) in enumerate(rows):
            if index >= FACET_LIMIT and value not in chosen and name != show_all:
                hidden += 1
                continue
            options.append(FacetOption(value=value, label=label, count=count, selected=value in chosen,
                                       url=toggled(request, name, value)))
        if options:
            result.append(Facet(name=name, label=filterset.filters[name].label, options=options, more=hidden,
                                show_all_url=replaced(request, "show", name) if hidden else "",
                                total=len(options) + hidden))
    return result


def count(columns: Columns, base: np.ndarray, masks: dict[str, np.ndarray], names) -> dict[str, Counter]:
    """Each facet's counts over the listing without that facet's own filter, the others applied
    (so a reader sees what choosing another option would give)."""
    counted = {}
    for name in names:
        mask = base.copy()
        for other, kept in masks.items():
            if other != name:
                mask &= kept
        counted[name] = columns.counts(name, mask)
    return counted


def _selected_values(filterset: DecisionFilter) -> dict[str, list[str]]:
    data = filterset.cleaned_data
    values = {}
    for name in DecisionFilter.FACETS:
        value = data.get(name)
        if not value:
            continue
        if name in ("council", "category"):
            values[name] = [obj.slug for obj in value]
        else:
            values[name] = list(value)
    return values


def _labels(counted: dict[str, Counter], selected: dict[str, list[str]], *, everything: bool = False
            ) -> dict[str, dict]:
    """Names for the counted keys, fetched in one query per table, whatever the number of options
    (councils: only those shown, unless ``everything``)."""
    labels: dict[str, dict] = {name: {} for name in DecisionFilter.FACETS}
    council_ids = [int(k) for k, _ in counted.get("council", Counter()).most_common(None if everything
                                                                                  else FACET_LIMIT + 1)]
    if "council" in counted:
        chosen = selected.get("council", [])
        for pk, slug, name in Council.objects.filter(Q(pk__in=council_ids) | Q(slug__in=chosen)).values_list(
                "pk", "slug", "name"):
            labels["council"][str(pk)] = labels["council"][slug] = name
            labels["council"][f"slug:{pk}"] = slug
    if "category" in counted or "subcategory" in counted:
        # As tuples, not model instances: read on every listing, a hundred or so rows.
        for pk, slug, name, parent_id, parent_slug, parent_name in Category.objects.values_list(
                "pk", "slug", "name", "parent_id", "parent__slug", "parent__name"):
            key = str(pk)
            if parent_id:
                value = f"{parent_slug}/{slug}"
                labels["subcategory"][key] = labels["subcategory"][value] = f"{parent_name} › {name}"
                labels["subcategory"][f"slug:{key}"] = value
            else:
                labels["category"][key] = labels["category"][slug] = name
                labels["category"][f"slug:{key}"] = slug
    labels["outcome"] = dict(OUTCOME_GROUPS)
    labels["remedy"] = dict(Remedy.Kind.choices)
    labels["finding"] = dict(Finding.Kind.choices)
    labels["purpose"] = dict(PURPOSE_CHOICES)
    return labels


def _value(name: str, key, labels) -> str | None:
    """The URL value for a counted key: slugs for related rows, the text itself otherwise."""
    if name in ("council", "category", "subcategory"):
        return labels[name].get(f"slug:{key}")
    return key
