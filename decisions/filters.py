"""All request parsing for decision listings: the search box, filters, sort and facets."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet

from decisions import search
from decisions.models import Category, Council, Decision, Finding, Remedy
from decisions.outcomes import OTHER, OUTCOME_GROUPS, outcome_group
from decisions.vocabulary import FINDING_KINDS, PAYMENT_PURPOSES, REMEDY_KINDS, bits, choices

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


def subcategory_choices():
    rows = Category.objects.filter(parent__isnull=False).select_related("parent").order_by("parent__name", "name")
    return [(f"{c.parent.slug}/{c.slug}", f"{c.parent.name} › {c.name}") for c in rows]


def _any_bit(queryset: QuerySet, field: str, vocabulary, values) -> QuerySet:
    """Decisions whose bit set has any of the chosen words (a remedy of any chosen kind, …)."""
    if not values:
        return queryset
    mask = bits(vocabulary, values)
    return queryset.alias(**{f"{field}_chosen": F(field).bitand(mask)}).filter(**{f"{field}_chosen__gt": 0})


class DecisionFilterForm(forms.Form):
    """Checks between fields: a date range must not end before it starts."""

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", f"The end of the date range ({end.day} {end:%B %Y}) is before its start "
                                      f"({start.day} {start:%B %Y}).")
        return data


class DecisionFilter(django_filters.FilterSet):
    """The request's parameters, validated: what a search asks for (decisions/results.py runs it)."""

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
        form = DecisionFilterForm

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

    def paged(self, total: int | None = None, shape=None):
        """What a listing page slices: the sorted listing, or a search's relevance order read a
        page at a time (search.RankedPages on PostgreSQL, search.CachedPages otherwise).
        ``shape`` chooses the columns and related rows fetched (default: what a result list shows)."""
        shape = shape or (lambda queryset: queryset.with_listing_related())
        if self.sort_order == "relevance" and self.query.groups:
            base = shape(self.queryset_without("q"))
            if search.RankedPages.applies(base, self.query):
                return search.RankedPages(base, self.query, total)
            return search.CachedPages(self.qs, base)
        return shape(self.qs)

    def queryset_without(self, name: str) -> QuerySet:
        """The listing with every active filter but one: the base of that filter's facet."""
        queryset = self.queryset.all()
        for field_name, value in self.cleaned_data.items():
            if field_name in (name, "sort") or value in (None, "", []):
                continue
            queryset = self.filters[field_name].filter(queryset, value)
        return queryset
