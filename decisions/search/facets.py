"""Facets: for each filter, its options with the number of decisions each would give.

Counted over the listing's matches in memory (decisions/search/columns.py), each facet without
its own filter; named from the category table and one query for the councils shown. Links are
the view's: a facet here is values, labels and counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from decisions.search.columns import Columns
from decisions.search.names import VOCABULARY_LABELS, category_table, council_names
from decisions.search.params import BY_NAME, FACETS, SearchParams

FACET_LIMIT = 12  # options shown per facet; chosen ones are always shown


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool
    url: str = ""  # set by the view


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    more: int = 0  # options not shown
    total: int = 0  # options in all
    show_all_url: str = ""  # set by the view when some are not shown


def facets(params: SearchParams, counted: dict[str, Counter]) -> list[Facet]:
    """Each counted facet's options with the number of decisions they would give: the
    FACET_LIMIT largest of each, or every option of the facet ``params.show`` names."""
    labels = _labels(params, counted, everything=params.show == "council")
    result = []
    for name in (name for name in FACETS if name in counted):
        chosen = params.values(name)
        rows = [(value, label, n) for key, n in counted[name].items()
                if n and (named := labels[name].get(str(key))) for value, label in [named]]
        unnamed = sum(1 for key, n in counted[name].items() if n and str(key) not in labels[name])
        rows.sort(key=lambda row: (-row[2], row[1]))
        present = {value for value, _, _ in rows}
        by_value = {value: label for value, label in labels[name].values()}
        rows += [(value, by_value.get(value, value), 0) for value in chosen if value not in present]
        options, hidden = [], unnamed  # councils past the first few are counted but not named
        for index, (value, label, count) in enumerate(rows):
            if index >= FACET_LIMIT and value not in chosen and name != params.show:
                hidden += 1
                continue
            options.append(FacetOption(value=value, label=label, count=count, selected=value in chosen))
        if options:
            result.append(Facet(name=name, label=BY_NAME[name].label, options=options, more=hidden,
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


def _labels(params: SearchParams, counted: dict[str, Counter], *, everything: bool
            ) -> dict[str, dict[str, tuple[str, str]]]:
    """For each facet, its counted keys (ids as text for related rows, else the value itself) ->
    (URL value, label); councils only for those shown, unless ``everything``."""
    labels: dict[str, dict[str, tuple[str, str]]] = {name: {} for name in FACETS}
    if "council" in counted:
        shown = [key for key, _ in counted["council"].most_common(None if everything else FACET_LIMIT + 1)]
        for key, (_, slug, name) in council_names(slugs=params.council, ids=shown).items():
            if key.isdigit():
                labels["council"][key] = (slug, name)
    if "category" in counted or "subcategory" in counted:
        for topic in category_table().topics:
            labels["subcategory" if topic.parent_id else "category"][str(topic.pk)] = (topic.value, topic.label)
    for name, named in VOCABULARY_LABELS.items():
        labels[name] = {value: (value, label) for value, label in named.items()}
    return labels
