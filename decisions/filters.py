"""All request parsing for decision listings: the search box, filters, sort and facets."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import django_filters
from django import forms
from django.db import connections, transaction
from django.db.models import F, Q, QuerySet

from decisions import search
from decisions.caching import cached
from decisions.models import Category, Council, Decision, Finding, Remedy
from decisions.outcomes import OTHER, OUTCOME_GROUPS, outcome_group
from decisions.vocabulary import FINDING_KINDS, PAYMENT_PURPOSES, REMEDY_KINDS, bits, choices, words_in

SORTS = [
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("payment", "Largest total payment"),
]
# Ties are broken by id, never by another column: an index on the date holds the id in its
# key, so the database reads the first page straight from the index (measured on SQLite at
# 10,000 decisions: 0.7 ms against 20 ms when the tie-breaker was the reference).
SORT_ORDERS = {
    "newest": ("-decision_date", "-pk"),
    "oldest": ("decision_date", "pk"),
    "payment": ("-total_payment", "-decision_date", "-pk"),
}
PURPOSE_CHOICES = choices(PAYMENT_PURPOSES)
FACET_LIMIT = 12  # options shown per facet; chosen ones are always shown


def subcategory_choices():
    rows = Category.objects.filter(parent__isnull=False).select_related("parent").order_by("parent__name", "name")
    return [(f"{c.parent.slug}/{c.slug}", f"{c.parent.name} › {c.name}") for c in rows]


def _any_bit(queryset: QuerySet, field: str, vocabulary, values) -> QuerySet:
    """Decisions whose bit set has any of the chosen words (a remedy of any chosen kind, …)."""
    if not values:
        return queryset
    mask = bits(vocabulary, values)
    return queryset.alias(**{f"{field}_chosen": F(field).bitand(mask)}).filter(**{f"{field}_chosen__gt": 0})


class DecisionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search decisions", max_length=search.MAX_QUERY_LENGTH)
    council = django_filters.ModelMultipleChoiceFilter(
        method="filter_council", queryset=Council.objects.all(), to_field_name="slug", label="Organisation")
    category = django_filters.ModelMultipleChoiceFilter(
        method="filter_category", queryset=Category.objects.filter(parent__isnull=True), to_field_name="slug",
        label="Category")
    subcategory = django_filters.MultipleChoiceFilter(
        method="filter_subcategory", choices=subcategory_choices, label="Subcategory")
    # By outcome group, so 'Upheld' finds every upheld decision whatever its published label says.
    outcome = django_filters.MultipleChoiceFilter(field_name="outcome_group", choices=OUTCOME_GROUPS, label="Outcome",
                                                 distinct=False)
    date_from = django_filters.DateFilter(
        field_name="decision_date", lookup_expr="gte", label="Decided on or after",
        widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(
        field_name="decision_date", lookup_expr="lte", label="Decided on or before",
        widget=forms.DateInput(attrs={"type": "date"}))
    remedy = django_filters.MultipleChoiceFilter(
        method="filter_remedy", choices=Remedy.Kind.choices, label="Remedy")
    purpose = django_filters.MultipleChoiceFilter(
        method="filter_purpose", choices=PURPOSE_CHOICES, label="Payment for")
    min_payment = django_filters.NumberFilter(
        field_name="total_payment", lookup_expr="gte", label="Total payment at least (£)", min_value=0,
        max_value=10_000_000)
    finding = django_filters.MultipleChoiceFilter(
        method="filter_finding", choices=Finding.Kind.choices, label="Finding")
    sort = django_filters.ChoiceFilter(method="filter_sort", choices=SORTS, empty_label=None, label="Sort by")

    class Meta:
        model = Decision
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        # Links made before outcome groups carry a published label ('?outcome=Not upheld'): read it as its group.
        if data is not None and "outcome" in data:
            data = data.copy()
            groups = dict(OUTCOME_GROUPS)
            data.setlist("outcome", [value if value in groups or outcome_group(value) == OTHER else outcome_group(value)
                                     for value in data.getlist("outcome")])
        super().__init__(data, *args, **kwargs)

    # Facets are computed for these filters, in this order.
    FACETS = ("category", "subcategory", "outcome", "finding", "remedy", "purpose", "council")

    @property
    def cleaned_data(self) -> dict:
        """The valid part of the input; invalid fields are reported by the form and left out."""
        if not self.is_bound:
            return {}
        self.form.errors  # noqa: B018 - runs validation once
        return self.form.cleaned_data

    def first_error(self) -> tuple[str, str] | None:
        """(parameter, message) for the first parameter that could not be understood, if any."""
        if not self.is_bound or self.is_valid():
            return None
        name, messages = next(iter(self.form.errors.items()))
        return name, " ".join(messages)

    @property
    def query(self) -> search.Query:
        if not hasattr(self, "_query"):
            self._query = search.parse_query(self.cleaned_data.get("q") or "")
        return self._query

    def filter_q(self, queryset, name, value):
        # Ranking is the sort's business; here we only narrow.
        return search.matching(queryset, self.query) if value else queryset

    # By id, not by slug through a join: the database then uses the (category, date) and
    # (council, date) indexes (SQLite at 100,000 decisions: 0.4 ms against 82 ms a page).
    def filter_council(self, queryset, name, councils):
        return queryset.filter(council_id__in=[c.pk for c in councils]) if councils else queryset

    def filter_category(self, queryset, name, categories):
        return queryset.filter(category_id__in=[c.pk for c in categories]) if categories else queryset

    def filter_subcategory(self, queryset, name, values):
        if not values:
            return queryset
        condition = Q()
        for value in values:
            parent_slug, _, slug = value.partition("/")
            condition |= Q(slug=slug, parent__slug=parent_slug)
        ids = list(Category.objects.filter(condition, parent__isnull=False).values_list("pk", flat=True))
        return queryset.filter(subcategory_id__in=ids)

    def filter_remedy(self, queryset, name, values):
        return _any_bit(queryset, "remedy_kinds", REMEDY_KINDS, values)

    def filter_purpose(self, queryset, name, values):
        return _any_bit(queryset, "payment_purposes", PAYMENT_PURPOSES, values)

    def filter_finding(self, queryset, name, values):
        return _any_bit(queryset, "finding_kinds", FINDING_KINDS, values)

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in `qs`, once every filter has narrowed the set

    @property
    def sort_order(self) -> str:
        value = self.cleaned_data.get("sort")
        if value in dict(SORTS) and (value != "relevance" or self.query.groups):
            return value
        return "relevance" if self.query.groups else "newest"

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_sorted_qs"):
            if self.sort_order == "relevance":
                # ranked() matches as it ranks: the other filters only, or the match would be tested twice.
                queryset = search.ranked(self.queryset_without("q"), self.query)
            else:
                queryset = super().qs.order_by(*SORT_ORDERS[self.sort_order])
            self._sorted_qs = queryset
        return self._sorted_qs

    def paged(self, total: int | None = None, rows=None):
        """What a listing page slices: the sorted listing, or a search's relevance order read a
        page at a time (search.RankedPages on PostgreSQL, search.CachedPages otherwise).
        ``rows`` shapes the rows fetched (default: what a result list shows)."""
        rows = rows or (lambda queryset: queryset.with_listing_related())
        if self.sort_order == "relevance" and self.query.groups:
            base = rows(self.queryset_without("q"))
            if search.RankedPages.applies(base, self.query):
                return search.RankedPages(base, self.query, total)
            return search.CachedPages(self.qs, base)
        return rows(self.qs)

    def queryset_without(self, name: str) -> QuerySet:
        """The listing with every active filter but one: the base of that filter's facet."""
        queryset = self.queryset.all()
        for field_name, value in self.cleaned_data.items():
            if field_name in (name, "sort") or value in (None, "", []):
                continue
            queryset = self.filters[field_name].filter(queryset, value)
        return queryset


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
    more: int = 0


def facets(filterset: DecisionFilter, request, *, skip: tuple[str, ...] = ()) -> tuple[list[Facet], int | None]:
    """Each filter's options with the number of decisions they would give, the others applied.

    Facets whose own filter is not in use share one base (the listing itself) and are counted
    together in one statement; a facet in use is counted over the listing without its own filter.
    """
    from decisions.querystring import toggled

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
    labels = _labels(counted, selected)

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
            if index >= FACET_LIMIT and value not in chosen:
                hidden += 1
                continue
            options.append(FacetOption(value=value, label=label, count=count, selected=value in chosen,
                                       url=toggled(request, name, value)))
        if options:
            result.append(Facet(name=name, label=filterset.filters[name].label, options=options, more=hidden))
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
    sql, params = base.order_by().values_list("pk", *_GROUPED.values()).query.sql_with_params()
    parts = [f"SELECT '{TOTAL}', 'all', COUNT(*) FROM m"]
    for name in names:
        if name not in _GROUPED:
            raise ValueError(f"no facet named {name!r}")
        column = _GROUPED[name]
        parts.append(f"SELECT '{name}', CAST({column} AS TEXT), COUNT(*) FROM m GROUP BY {column}")
    columns = "id, " + ", ".join(_GROUPED.values())
    statement = f"WITH m({columns}) AS MATERIALIZED ({sql}) " + " UNION ALL ".join(parts)
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


def _cached_rows(using: str, statement: str, params) -> list[tuple]:
    """The facet statement's rows, cached until the data changes (decisions/caching.py)."""

    def run():
        with connections[using].cursor() as cursor:
            if connections[using].vendor != "postgresql":
                cursor.execute(statement, params)
                return cursor.fetchall()
            # Counting needs no order, so no plain index scan: a search's matches then come from
            # the GIN bitmap, never from testing each row's de-TOASTed vector behind another
            # index (the planner does not know that cost). A word in all 100,000 decisions:
            # 930 -> 80 ms. Index-only scans of the facet index stay allowed.
            with transaction.atomic(using=using, savepoint=False):  # the listing's own transaction
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute(statement, params)
                rows = cursor.fetchall()
                cursor.execute("SET LOCAL enable_indexscan = on")
            return rows

    return cached(("facets", statement, tuple(params)), run, using)


def _labels(counted: dict[str, Counter], selected: dict[str, list[str]]) -> dict[str, dict]:
    """Names for the counted keys, fetched in one query per table, whatever the number of options."""
    labels: dict[str, dict] = {name: {} for name in DecisionFilter.FACETS}
    council_ids = [int(k) for k, _ in counted.get("council", Counter()).most_common(FACET_LIMIT + 1)]
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
