"""Facets: for each filter, its options with the number of decisions each would give.

Counted over the listing's matches in one SQL statement per group of facets (count_facets),
under the counting plan (decisions/planner.py), and cached under the data version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q, QuerySet

from decisions.caching import cached
from decisions.filters import PURPOSE_CHOICES, DecisionFilter
from decisions.models import Category, Council, Finding, Remedy
from decisions.outcomes import OUTCOME_GROUPS
from decisions.planner import counting_plan
from decisions.querystring import replaced, toggled
from decisions.vocabulary import FINDING_KINDS, PAYMENT_PURPOSES, REMEDY_KINDS, words_in

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


def facets(filterset: DecisionFilter, request, *, skip: tuple[str, ...] = (),
           show_all: str | None = None) -> tuple[list[Facet], int | None]:
    """Each filter's options with the number of decisions they would give, the others applied:
    the FACET_LIMIT largest of each, or every option of the facet named ``show_all``.

    Facets whose own filter is not in use share one base (the listing itself) and are counted
    together in one statement; a facet in use is counted over the listing without its own filter.
    """
    selected = _selected_values(filterset)
    names = [name for name in DecisionFilter.FACETS if name not in skip]
    shared = [name for name in names if name not in selected]
    counted: dict[str, Counter] = {}
    total = None
    if shared:
        # The shared base has every filter applied: it is the listing itself, so its size is the total.
        shared_counts = count_facets(filterset.queryset_without(""), shared)
        total = shared_counts.pop(TOTAL)["all"]
        counted.update(shared_counts)
    for name in names:
        if name in selected:
            single = count_facets(filterset.queryset_without(name), [name])
            single.pop(TOTAL)
            counted.update(single)
    labels = _labels(counted, selected, everything=show_all == "council")

    result = []
    for name in names:
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
    return result, total


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


# Per facet: the column of the match set it groups by; the bit-set facets expand bits after.
_GROUPED = {"council": "council_id", "category": "category_id", "subcategory": "subcategory_id",
            "outcome": "outcome_group", "remedy": "remedy_kinds", "finding": "finding_kinds",
            "purpose": "payment_purposes"}
_BIT_VOCABULARIES = {"remedy": REMEDY_KINDS, "finding": FINDING_KINDS, "purpose": PAYMENT_PURPOSES}
TOTAL = "total"


def count_facets(base: QuerySet, names: list[str]) -> dict[str, Counter]:
    """Counts for several facets over one base queryset, in a single SQL statement.

    The base's matching rows are computed once (a MATERIALIZED common table expression,
    supported by PostgreSQL 12+ and SQLite 3.35+), read from the narrow facet index, and
    every facet groups that set. A bit-set facet groups by the whole set (few distinct
    values) and each group counts for every word whose bit it has.
    """
    statement, params = facet_statement(base, names)
    counts: dict[str, Counter] = {name: Counter() for name in [TOTAL, *names]}
    for name, key, n in _cached_rows(base.db, statement, params):
        if key is None:
            continue
        vocabulary = _BIT_VOCABULARIES.get(name)
        if vocabulary is None:
            counts[name][key] += n
            continue
        for word in words_in(int(key), vocabulary):
            counts[name][word] += n
    return counts


def facet_statement(base: QuerySet, names: list[str]) -> tuple[str, tuple]:
    """The one SQL statement that counts ``names`` (and the total) over ``base``, and its parameters."""
    sql, params = base.order_by().values_list("pk", *_GROUPED.values()).query.sql_with_params()
    parts = [f"SELECT '{TOTAL}', 'all', COUNT(*) FROM m"]
    for name in names:
        if name not in _GROUPED:
            raise ValueError(f"no facet named {name!r}")
        column = _GROUPED[name]
        parts.append(f"SELECT '{name}', CAST({column} AS TEXT), COUNT(*) FROM m GROUP BY {column}")
    columns = "id, " + ", ".join(_GROUPED.values())
    return f"WITH m({columns}) AS MATERIALIZED ({sql}) " + " UNION ALL ".join(parts), tuple(params)


def _cached_rows(using: str, statement: str, params) -> list[tuple]:
    """The facet statement's rows, cached until the data changes (decisions/caching.py)."""

    def run():
        with counting_plan(using), connections[using].cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    return cached(("facets", statement, tuple(params)), run, using)


def _labels(counted: dict[str, Counter], selected: dict[str, list[str]], *, everything: bool = False
            ) -> dict[str, dict]:
    """Names for the counted keys, fetched in one query per table, whatever the number of options
    (councils: only those shown, unless ``everything``)."""
    labels: dict[str, dict] = {name: {} for name in DecisionFilter.FACETS}
    council_ids = [int(k) for k, _ in counted.get("council", Counter()).most_common(None if everything
                                                                                  else FACET_LIMIT + 1)]
    if "council" in counted:
        chosen = selected.get("council", [])
        for council in Council.objects.filter(Q(pk__in=council_ids) | Q(slug__in=chosen)).only("slug", "name"):
            labels["council"][str(council.pk)] = council.name
            labels["council"][council.slug] = council.name
            labels["council"][f"slug:{council.pk}"] = council.slug
    if "category" in counted or "subcategory" in counted:
        for category in Category.objects.select_related("parent").only("slug", "name", "parent__slug",
                                                                       "parent__name"):
            key = str(category.pk)
            if category.parent_id:
                value = f"{category.parent.slug}/{category.slug}"
                labels["subcategory"][key] = labels["subcategory"][value] = f"{category.parent.name} › {category.name}"
                labels["subcategory"][f"slug:{key}"] = value
            else:
                labels["category"][key] = labels["category"][category.slug] = category.name
                labels["category"][f"slug:{key}"] = category.slug
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
