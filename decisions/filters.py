"""A listing's query string, validated and made into a SearchParams (decisions/search/params.py).

The site, the API, the exports and the feed all read a search this way: DecisionFilter checks
each parameter and the cross-field rules, and ``search_params`` gives the typed parameters
(the site leaves out what it could not understand and says so on its form; the others refuse it).
"""

from __future__ import annotations

import copy
import re
from urllib.parse import urlencode

import django_filters
from django import forms
from django.http import QueryDict

from decisions.models import Category, Council, Decision, Finding, Remedy
from decisions.search.names import category_table
from decisions.search.params import BY_NAME, SEARCH_LABEL, SORTS, SearchParams
from decisions.search.query import MAX_QUERY_LENGTH
from decisions.statements.outcomes import OTHER, OUTCOME_GROUPS, outcome_group
from decisions.statements.vocabulary import PAYMENT_PURPOSES, choices

PURPOSE_CHOICES = choices(PAYMENT_PURPOSES)


class InvalidParameter(ValueError):
    """A parameter that could not be understood: its name and what is wrong with it."""

    def __init__(self, name: str, message: str):
        super().__init__(f"Invalid value for parameter '{name}': {message}")
        self.name, self.message = name, message


def whole_number(data, name: str, *, default: int, low: int, high: int) -> int:
    """A number parameter: ASCII digits only ('²' and '①' pass str.isdigit() but int() refuses
    them), between ``low`` and ``high``; InvalidParameter otherwise."""
    text = data.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,10}", text) or not low <= int(text) <= high:
        raise InvalidParameter(name, f"A whole number from {low:,} to {high:,}.")
    return int(text)


class AsciiDecimalField(forms.DecimalField):
    """A decimal written in ASCII digits only: Python's Decimal also reads '٣' and '³'-like digits."""

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"\s*[0-9]+(\.[0-9]*)?\s*", str(value)):
            raise forms.ValidationError("Enter an amount in pounds, such as 500 or 99.50.", code="invalid")
        return super().to_python(value)


class AsciiIntegerField(forms.IntegerField):
    """A whole number written in ASCII digits only (int() also reads '٣')."""

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"\s*[0-9]{1,10}\s*", str(value)):
            raise forms.ValidationError("Enter a whole number, such as 2024.", code="invalid")
        return super().to_python(value)


class AsciiNumberFilter(django_filters.NumberFilter):
    field_class = AsciiDecimalField


class TopicField(forms.MultipleChoiceField):
    """Categories (or subcategories) by the value a URL gives them, checked against the category
    table, without a list of every choice copied into each request's form."""

    def __init__(self, *args, topic: str = "category", **kwargs):
        kwargs.pop("choices", None)
        super().__init__(*args, **kwargs)
        self.topic = topic

    def valid_value(self, value) -> bool:
        return (self.topic, value) in category_table().by_value


class TopicFilter(django_filters.MultipleChoiceFilter):
    field_class = TopicField


class DecisionFilterForm(forms.Form):
    """Checks between fields: a date range must not end before it starts."""

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", f"The end of the date range ({end.day} {end:%B %Y}) is before its start "
                                      f"({start.day} {start:%B %Y}).")
        low, high = data.get("payment_from"), data.get("payment_to")
        if low is not None and high is not None and low > high:
            self.add_error("payment_to", f"The largest payment (£{high:,}) is less than the smallest (£{low:,}).")
        return data


def _label(name: str) -> str:
    return BY_NAME[name].label


class _ShallowCopies(dict):
    """The filters' per-request copies: shallow, for nothing here changes a filter after the class
    is built (django-filter deep-copies each, choices and widgets included, on every request)."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(filter_) for name, filter_ in self.items()}


class DecisionFilter(django_filters.FilterSet):
    """Each parameter of a listing, with what it may hold (its form also renders the filters)."""

    q = django_filters.CharFilter(label=SEARCH_LABEL, max_length=MAX_QUERY_LENGTH)
    council = django_filters.MultipleChoiceFilter(label=_label("council"), choices=[])
    category = TopicFilter(topic="category", label=_label("category"))
    subcategory = TopicFilter(topic="subcategory", label=_label("subcategory"))
    # By outcome group, so 'Upheld' finds every upheld decision whatever its published label says.
    outcome = django_filters.MultipleChoiceFilter(choices=OUTCOME_GROUPS, label=_label("outcome"))
    date_from = django_filters.DateFilter(label=_label("date_from"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label=_label("date_to"), widget=forms.DateInput(attrs={"type": "date"}))
    remedy = django_filters.MultipleChoiceFilter(choices=Remedy.Kind.choices, label=_label("remedy"))
    purpose = django_filters.MultipleChoiceFilter(choices=PURPOSE_CHOICES, label=_label("purpose"))
    # Amounts are compared in pence: a third decimal place would be cut off, so it is refused.
    min_payment = AsciiNumberFilter(label=_label("min_payment"), min_value=0, max_value=10_000_000,
                                              decimal_places=2)
    payment_from = AsciiNumberFilter(label=_label("payment_from"), min_value=0, max_value=10_000_000, decimal_places=2)
    payment_to = AsciiNumberFilter(label=_label("payment_to"), min_value=0, max_value=10_000_000, decimal_places=2)
    finding = django_filters.MultipleChoiceFilter(choices=Finding.Kind.choices, label=_label("finding"))
    organisation_kind = django_filters.MultipleChoiceFilter(choices=Council.Kind.choices,
                                                            label=_label("organisation_kind"))
    sort = django_filters.ChoiceFilter(choices=list(SORTS.items()), empty_label=None, label="Sort by")
    # 'all': only decisions with every word, never the best matches a search with few results also lists.
    match = django_filters.ChoiceFilter(choices=[("all", "Every word")], label="Match")

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
        kwargs.setdefault("queryset", Decision.objects.none())  # never filtered: params() is what it gives
        super().__init__(data, *args, **kwargs)
        if data is not None and data.getlist("council"):
            # Only the organisations asked for are looked up, not the thousands there are.
            slugs = Council.objects.filter(slug__in=data.getlist("council")).values_list("slug", "name")
            self.form.fields["council"].choices = list(slugs)

    _form_class = None

    def get_form_class(self):
        """The form class, built once: django-filter builds it anew (fields and all) for every
        request, about 2 ms of a search page, though nothing in it depends on the request."""
        if type(self)._form_class is None:
            type(self)._form_class = super().get_form_class()
        return type(self)._form_class

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

    def params(self, **more) -> SearchParams:
        """The typed parameters of what was understood (``more``: page, page size, facet shown)."""
        data = self.cleaned_data
        values = {name: tuple(data.get(name) or ()) for name in
                  ("council", "organisation_kind", "category", "subcategory", "outcome", "remedy", "purpose",
                   "finding")}
        return SearchParams(q=data.get("q") or "", date_from=data.get("date_from"), date_to=data.get("date_to"),
                            min_payment=data.get("min_payment"), payment_from=data.get("payment_from"),
                            payment_to=data.get("payment_to"), sort=data.get("sort") or "",
                            match=data.get("match") or "", **values, **more)

    @property
    def qs(self):
        raise NotImplementedError("listings are run by decisions.search.results.SearchResults, from params()")


def search_params(data, *, strict: bool, page_size: int = 25, **more) -> tuple[SearchParams, DecisionFilter]:
    """A request's query string as SearchParams, with the filter that read it (its form shows the
    filters). ``strict``: a parameter that cannot be understood raises InvalidParameter (the API,
    exports and feed answer 400); otherwise it is left out (the site reports it on the form)."""
    filterset = DecisionFilter(data or None)
    if strict and (problem := filterset.first_error()):
        raise InvalidParameter(*problem)
    return filterset.params(page_size=page_size, **more), filterset


DecisionFilter.base_filters = _ShallowCopies(DecisionFilter.base_filters)


class ChosenDecisionsForm(forms.Form):
    """Which published decisions a page of figures counts (the league table, the remedy explorer):
    a category and years here, more in a subclass; and the /decisions/ parameters that list the
    same decisions, so that every figure can link to them."""

    category = forms.ModelChoiceField(queryset=Category.objects.filter(parent__isnull=True).order_by("name"),
                                      to_field_name="slug", required=False, empty_label="All categories")
    year_from = AsciiIntegerField(required=False, min_value=1990, max_value=2100, label="From year")
    year_to = AsciiIntegerField(required=False, min_value=1990, max_value=2100, label="To year")

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", "The last year is before the first.")
        return data

    def understood(self) -> dict:
        """The choices that were understood (those with an error are left out; the form says why)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # cleans the form; its cleaned_data holds every field that could be read
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors and value}

    def listing(self) -> list[tuple[str, str]]:
        """The /decisions/ parameters that list the decisions chosen (a subclass adds its own)."""
        return self.chosen()[1]

    def listing_params(self, more=()) -> SearchParams:
        """Those parameters (and ``more`` of the listing's own) as the listing reads them: a page of
        figures counts exactly the decisions the listing it links to shows."""
        return search_params(QueryDict(urlencode([*more, *self.listing()])), strict=False)[0]

    def chosen(self):
        """(the published decisions chosen, the /decisions/ parameters that list the same)."""
        data = self.understood()
        decisions, listing = Decision.objects.published(), []
        if category := data.get("category"):
            decisions = decisions.filter(category=category)
            listing.append(("category", category.slug))
        if subcategory := data.get("subcategory"):
            decisions = decisions.filter(subcategory_id=category_table().by_value[("subcategory", subcategory)].pk)
            listing.append(("subcategory", subcategory))
        if outcome := data.get("outcome"):
            decisions = decisions.filter(outcome_group=outcome)
            listing.append(("outcome", outcome))
        if year_from := data.get("year_from"):
            decisions = decisions.filter(decision_date__year__gte=year_from)
            listing.append(("date_from", f"{year_from}-01-01"))
        if year_to := data.get("year_to"):
            decisions = decisions.filter(decision_date__year__lte=year_to)
            listing.append(("date_to", f"{year_to}-12-31"))
        return decisions, listing
