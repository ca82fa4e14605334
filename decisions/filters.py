"""All request parsing for decision listings: the search box, filters, sort and facets.

The FilterSet validates a request's parameters and says what each filter keeps as a mask over
the listing columns (decisions/search/columns.py); decisions/search/results.py runs the search. It filters no
queryset: its ``qs`` is never used.
"""

from __future__ import annotations

import django_filters
import numpy as np
from django import forms
from django.db.models import Q

from decisions import search
from decisions.models import Category, Council, Decision, Finding, Remedy
from decisions.search.columns import Columns
from decisions.search.query import MAX_QUERY_LENGTH
from decisions.statements.outcomes import OTHER, OUTCOME_GROUPS, outcome_group
from decisions.statements.vocabulary import PAYMENT_PURPOSES, choices

SORTS = [
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("payment", "Largest total payment"),
]
PURPOSE_CHOICES = choices(PAYMENT_PURPOSES)


def subcategory_choices():
    rows = Category.objects.filter(parent__isnull=False).select_related("parent").order_by("parent__name", "name")
    return [(f"{c.parent.slug}/{c.slug}", f"{c.parent.name} › {c.name}") for c in rows]


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
    """The request's parameters, validated: what a search asks for (decisions/search/results.py runs it)."""

    q = django_filters.CharFilter(label="Search decisions", max_length=MAX_QUERY_LENGTH)
    council = django_filters.ModelMultipleChoiceFilter(
        queryset=Council.objects.all(), to_field_name="slug", label="Organisation")
    category = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.filter(parent__isnull=True), to_field_name="slug",
        label="Category")
    subcategory = django_filters.MultipleChoiceFilter(
        choices=subcategory_choices, label="Subcategory")
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
        choices=Remedy.Kind.choices, label="Remedy")
    purpose = django_filters.MultipleChoiceFilter(
        choices=PURPOSE_CHOICES, label="Payment for")
    min_payment = django_filters.NumberFilter(
        field_name="total_payment", lookup_expr="gte", label="Total payment at least (£)", min_value=0,
        max_value=10_000_000)
    finding = django_filters.MultipleChoiceFilter(
        choices=Finding.Kind.choices, label="Finding")
    sort = django_filters.ChoiceFilter(choices=SORTS, empty_label=None, label="Sort by")

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

    def subcategory_ids(self, values) -> list[int]:
        """The ids of the subcategories named 'parent-slug/slug'."""
        condition = Q()
        for value in values:
            parent_slug, _, slug = value.partition("/")
            condition |= Q(slug=slug, parent__slug=parent_slug)
        return list(Category.objects.filter(condition, parent__isnull=False).values_list("pk", flat=True))

    def masks(self, columns: Columns) -> dict[str, np.ndarray]:
        """Each filter in use but the search words (the index answers those), as the mask of the
        decisions it keeps."""
        masks = {}
        for name, value in self.cleaned_data.items():
            if name in ("q", "sort") or not value:
                continue
            masks[name] = columns.where(name, self.subcategory_ids(value) if name == "subcategory" else value)
        return masks

    @property
    def sort_order(self) -> str:
        value = self.cleaned_data.get("sort")
        if value in dict(SORTS) and (value != "relevance" or self.query.groups):
            return value
        return "relevance" if self.query.groups else "newest"

    @property
    def qs(self):
        raise NotImplementedError("listings are run by decisions.search.results.SearchResults, over decisions/search/columns.py")
