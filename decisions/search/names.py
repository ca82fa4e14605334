"""The names behind a search's values: categories and subcategories (a hundred or so rows, read once
per data version and shared by everything a request does with them) and the councils it names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from decisions.caching import cached, data_stamp
from decisions.models import Category, Council, Finding, Remedy
from decisions.search.params import BY_NAME, SearchParams, subcategory_value
from decisions.statements.organisations import ORGANISATION_KINDS
from decisions.statements.outcomes import OUTCOME_GROUPS
from decisions.statements.vocabulary import PAYMENT_PURPOSES, choices

# The labels of the vocabulary's values, by filter.
VOCABULARY_LABELS = {
    "outcome": dict(OUTCOME_GROUPS),
    "remedy": dict(Remedy.Kind.choices),
    "finding": dict(Finding.Kind.choices),
    "purpose": dict(choices(PAYMENT_PURPOSES)),
    "organisation_kind": dict(ORGANISATION_KINDS),
}


@dataclass(frozen=True)
class Topic:
    pk: int
    slug: str
    name: str
    parent_id: int | None
    parent_slug: str | None
    parent_name: str | None

    @property
    def value(self) -> str:
        """How it is written in a URL: a category's slug, a subcategory's 'parent/slug'."""
        return subcategory_value(self.parent_slug, self.slug) if self.parent_id else self.slug

    @property
    def label(self) -> str:
        return f"{self.parent_name} › {self.name}" if self.parent_id else self.name


@dataclass(frozen=True)
class CategoryTable:
    topics: tuple[Topic, ...]

    @cached_property
    def by_value(self) -> dict[tuple[str, str], Topic]:
        """('category' or 'subcategory', URL value) -> the topic."""
        return {("subcategory" if t.parent_id else "category", t.value): t for t in self.topics}

    @cached_property
    def by_pk(self) -> dict[int, Topic]:
        return {t.pk: t for t in self.topics}

    def ids(self, name: str, values) -> list[int]:
        """The ids of the categories (or subcategories) written so in a URL; unknown ones are left out."""
        return [t.pk for value in values if (t := self.by_value.get((name, value)))]


_held: list[tuple[tuple, CategoryTable]] = []  # (data stamp, table) once read


def category_table() -> CategoryTable:
    """The table for this data version: held in the process once read (a request asks for it half a
    dozen times), else from the shared cache, else from the database."""
    stamp = data_stamp()
    if _held and _held[0][0] == stamp:
        return _held[0][1]

    def read() -> CategoryTable:
        return CategoryTable(tuple(Topic(*row) for row in Category.objects.values_list(
            "pk", "slug", "name", "parent_id", "parent__slug", "parent__name")))

    table = cached(("category table",), read)
    _held[:] = [(stamp, table)]
    return table


def council_names(*, slugs=(), ids=()) -> dict:
    """Councils by slug and by id as text: (slug, name) for each, in one query."""
    found = {}
    if not slugs and not ids:
        return found
    for pk, slug, name in Council.objects.filter(Q(slug__in=list(slugs)) | Q(pk__in=list(ids))
                                                              ).values_list("pk", "slug", "name"):
        found[slug] = found[str(pk)] = (pk, slug, name)
    return found


def described(params: SearchParams) -> list[tuple[str, str, list[tuple[object, str]]]]:
    """Each filter in use as (name, its label, [(value, what the value is called)]): what chips
    and a feed's title say."""
    in_use = params.filters_in_use()
    councils = council_names(slugs=params.council) if params.council else {}
    table = category_table() if params.category or params.subcategory else None
    found = []
    for name, values in in_use:
        if name == "council":
            named = [(v, councils[v][2] if v in councils else v) for v in values]
        elif name in ("category", "subcategory"):
            named = [(v, t.label if (t := table.by_value.get((name, v))) else v) for v in values]
        elif name in VOCABULARY_LABELS:
            named = [(v, VOCABULARY_LABELS[name].get(v, v)) for v in values]
        else:
            named = [(v, str(v)) for v in values]
        found.append((name, BY_NAME[name].label, named))
    return found


def forget() -> None:
    """Drop the table held in this process (tests that roll the archive back to an earlier state)."""
    _held.clear()
