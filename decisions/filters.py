"""All request parsing for decision listings: the search box, filters, sort and facets."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from decisions import search
from decisions.models import Category, Council, Decision, Finding, Remedy

SORTS = [
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("payment", "Largest total payment"),
]
SORT_ORDERS = {
    "newest": ("-decision_date", "reference"),
    "oldest": ("decision_date", "reference"),
    "payment": ("-total_payment", "-decision_date", "reference"),
}
PURPOSE_CHOICES = [(p, p.replace("_", " ").capitalize()) for p in Remedy.PURPOSES]
FACET_LIMIT = 12  # options shown per facet; chosen ones are always shown


def outcome_choices():
    values = Decision.objects.order_by("outcome").values_list("outcome", flat=True).distinct()
    return [(value, value) for value in values if value]


def subcategory_choices():
    rows = Category.objects.filter(parent__isnull=False).select_related("parent").order_by("parent__name", "name")
    return [(f"{c.parent.slug}/{c.slug}", f"{c.parent.name} › {c.name}") for c in rows]


class DecisionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search decisions", max_length=search.MAX_QUERY_LENGTH)
    council = django_filters.ModelMultipleChoiceFilter(
        field_name="council__slug", queryset=Council.objects.all(), to_field_name="slug", label="Organisation",
        distinct=False)
    category = django_filters.ModelMultipleChoiceFilter(
        field_name="category__slug", queryset=Category.objects.filter(parent__isnull=True), to_field_name="slug",
        label="Category", distinct=False)
    subcategory = django_filters.MultipleChoiceFilter(
        method="filter_subcategory", choices=subcategory_choices, label="Subcategory")
    outcome = django_filters.MultipleChoiceFilter(field_name="outcome", choices=outcome_choices, label="Outcome",
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

    # Facets are computed for these filters, in this order.
    FACETS = ("category", "subcategory", "outcome", "finding", "remedy", "purpose", "council")

    @property
    def cleaned_data(self) -> dict:
        """The valid part of the input; invalid fields are reported by the form and left out."""
        if not self.is_bound:
            return {}
        self.form.errors  # noqa: B018 - runs validation once
        return self.form.cleaned_data

    @property
    def query(self) -> search.Query:
        if not hasattr(self, "_query"):
            self._query = search.parse_query(self.cleaned_data.get("q") or "")
        return self._query

    def filter_q(self, queryset, name, value):
        # Ranking is the sort's business; here we only narrow.
        return search.matching(queryset, self.query) if value else queryset

    def filter_subcategory(self, queryset, name, values):
        condition = Q()
        for value in values:
            parent_slug, _, slug = value.partition("/")
            condition |= Q(subcategory__slug=slug, subcategory__parent__slug=parent_slug)
        return queryset.filter(condition) if values else queryset

    def filter_remedy(self, queryset, name, values):
        if not values:
            return queryset
        return queryset.filter(Exists(Remedy.objects.filter(decision=OuterRef("pk"), kind__in=values)))

    def filter_purpose(self, queryset, name, values):
        if not values:
            return queryset
        condition = Q()
        for value in values:
            condition |= Q(purposes__contains=value)
        return queryset.filter(Exists(Remedy.objects.filter(condition, decision=OuterRef("pk"), kind="payment")))

    def filter_finding(self, queryset, name, values):
        if not values:
            return queryset
        return queryset.filter(Exists(Finding.objects.filter(decision=OuterRef("pk"), kind__in=values)))

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
            queryset = super().qs
            if self.sort_order == "relevance":
                queryset = search.ranked(queryset, self.query)
            else:
                queryset = queryset.order_by(*SORT_ORDERS[self.sort_order])
            self._sorted_qs = queryset
        return self._sorted_qs

    def queryset_without(self, name: str) -> QuerySet:
        """The listing with every active filter but one: the base of that filter's facet."""
        queryset = self.queryset.all()
        for field_name, value in self.cleaned_data.items():
            if field_name in (name, "sort"):
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


def facets(filterset: DecisionFilter, request, *, skip: tuple[str, ...] = ()) -> list[Facet]:
    """Each filter's options with the number of decisions they would give, the others applied."""
    from decisions.querystring import toggled

    selected = _selected_values(filterset)
    result = []
    for name in DecisionFilter.FACETS:
        if name in skip:
            continue
        base = filterset.queryset_without(name)
        counts = _facet_counts(name, base, selected.get(name, []))
        chosen = set(selected.get(name, []))
        options = []
        hidden = 0
        for index, (value, label, count) in enumerate(counts):
            if index >= FACET_LIMIT and value not in chosen:
                hidden += 1
                continue
            options.append(FacetOption(value=value, label=label, count=count, selected=value in chosen,
                                       url=toggled(request, name, value)))
        if options:
            result.append(Facet(name=name, label=filterset.filters[name].label, options=options, more=hidden))
    return result


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


def _facet_counts(name: str, base: QuerySet, chosen: list[str]) -> list[tuple[str, str, int]]:
    """(value, label, count) rows, most frequent first; chosen values always included."""
    if name == "council":
        rows = base.values("council__slug", "council__name").annotate(n=Count("pk")).order_by("-n", "council__name")
        rows = list(rows[:FACET_LIMIT + 1]) + list(rows.filter(council__slug__in=chosen)) if chosen else list(
            rows[:FACET_LIMIT + 1])
        seen, result = set(), []
        for row in rows:
            if row["council__slug"] not in seen:
                seen.add(row["council__slug"])
                result.append((row["council__slug"], row["council__name"], row["n"]))
        return sorted(result, key=lambda r: (-r[2], r[1]))
    if name == "category":
        rows = base.exclude(category=None).values("category__slug", "category__name").annotate(n=Count("pk"))
        return sorted(((r["category__slug"], r["category__name"], r["n"]) for r in rows), key=lambda r: (-r[2], r[1]))
    if name == "subcategory":
        rows = base.exclude(subcategory=None).values(
            "category__slug", "category__name", "subcategory__slug", "subcategory__name").annotate(n=Count("pk"))
        return sorted(
            ((f"{r['category__slug']}/{r['subcategory__slug']}", f"{r['category__name']} › {r['subcategory__name']}",
              r["n"]) for r in rows),
            key=lambda r: (-r[2], r[1]))
    if name == "outcome":
        rows = base.exclude(outcome="").values("outcome").annotate(n=Count("pk"))
        return sorted(((r["outcome"], r["outcome"], r["n"]) for r in rows), key=lambda r: (-r[2], r[1]))
    if name in ("remedy", "finding"):
        model = Remedy if name == "remedy" else Finding
        labels = dict(model.Kind.choices)
        rows = model.objects.filter(decision__in=base.values("pk")).values("kind").annotate(
            n=Count("decision", distinct=True))
        return sorted(((r["kind"], labels.get(r["kind"], r["kind"]), r["n"]) for r in rows),
                      key=lambda r: (-r[2], r[1]))
    if name == "purpose":
        counts = Remedy.objects.filter(decision__in=base.values("pk"), kind="payment").aggregate(**{
            purpose: Count("decision", distinct=True, filter=Q(purposes__contains=purpose))
            for purpose in Remedy.PURPOSES
        })
        labels = dict(PURPOSE_CHOICES)
        return sorted(((p, labels[p], n) for p, n in counts.items() if n), key=lambda r: (-r[2], r[1]))
    raise ValueError(f"no facet named {name!r}")
