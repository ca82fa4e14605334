"""The archive's data: who was complained about, what was decided, found and put right."""

from __future__ import annotations

import datetime
import gzip
import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear, Now
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone

from decisions.statements.organisations import ORGANISATION_KINDS, organisation_kind
from decisions.statements.outcomes import NOT_STATED, NOT_UPHELD, OUTCOME_GROUPS, UPHELD, group_label
from decisions.statements.remedies import PERIODS
from decisions.statements.vocabulary import (
    FINDING_KINDS,
    NOT_INVESTIGATED_REASONS,
    PAYMENT_PURPOSES,
    REMEDY_KINDS,
    bits,
    canonical,
    every_canonical,
    label,
)

PAYMENT_BIT = bits(REMEDY_KINDS, ["payment"])
HAS_PAYMENT = GreaterThan(F("remedy_kinds").bitand(PAYMENT_BIT), 0)  # a condition: the decision agreed a payment

_bump_once_at_end: ContextVar[bool] = ContextVar("bump_once_at_end", default=False)


class ArchiveState(models.Model):
    """One row: the archive's data version, moved by every write to the data it shows, in the
    writer's own transaction. Cached results are stored under the version (decisions/caching.py),
    so none is served after a write commits, whatever the order commits happen in; and
    ``changed_at`` says when the archive last changed."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"data version {self.version}"

    @classmethod
    def bump(cls, using: str = "default") -> None:
        if _bump_once_at_end.get():
            return  # a writer that makes many writes moves the version once, at its end (once_for)
        if not cls.objects.using(using).filter(pk=1).update(version=F("version") + 1, changed_at=Now()):
            cls.objects.using(using).get_or_create(pk=1, defaults={"version": 1, "changed_at": Now()})

    @classmethod
    @contextmanager
    def once_for(cls, using: str = "default"):
        """Many writes, one move of the version, at their end: an import's file or batch writes
        up to six statements that would each move it. Use inside the writer's transaction; the
        row is then locked only for the moment before the commit. The writer may add decisions:
        it says so to the search backend first (search.backend().adding_decisions()), so that
        an email alert never moves past an id still to be committed."""
        from decisions import search

        search.backend().adding_decisions()
        token = _bump_once_at_end.set(True)
        try:
            yield
        finally:
            _bump_once_at_end.reset(token)
        cls.bump(using)

    @classmethod
    def current(cls, using: str = "default") -> int:
        return cls.stamp(using)[0]

    @classmethod
    def stamp(cls, using: str = "default") -> tuple[int, datetime.datetime | None]:
        """(version, changed_at): one primary-key read."""
        return cls.objects.using(using).filter(pk=1).values_list("version", "changed_at").first() or (0, None)


class VersionedQuerySet(models.QuerySet):
    """Bulk writes move the data version (single saves and deletes: VersionedModel)."""

    def update(self, **kwargs):
        result = super().update(**kwargs)
        ArchiveState.bump(self.db)
        return result

    def delete(self):
        result = super().delete()
        ArchiveState.bump(self.db)
        return result

    def bulk_create(self, objs, *args, **kwargs):
        result = super().bulk_create(objs, *args, **kwargs)
        if result:
            ArchiveState.bump(self.db)
        return result

    def bulk_update(self, objs, fields, *args, **kwargs):
        result = super().bulk_update(objs, fields, *args, **kwargs)
        ArchiveState.bump(self.db)
        return result

    delete.queryset_only = True


class VersionedModel(models.Model):
    """A model whose rows the public pages show: every save and delete moves the data version."""

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        ArchiveState.bump(kwargs.get("using") or self._state.db or "default")

    def delete(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        result = super().delete(*args, **kwargs)
        ArchiveState.bump(using)
        return result


def _choices(values) -> list[tuple[str, tuple[str, str]]]:
    """Enum members for a vocabulary: PAYMENT = ("payment", "Payment")."""
    return [(value.upper(), (value, label(value))) for value in values]


class Council(VersionedModel):
    """Any body complained about: a council, a care provider, a school, an NHS body…"""

    # County council, district council, … care provider, NHS body: decisions/statements/organisations.py.
    Kind = models.TextChoices("Kind", [(value.upper(), (value, name)) for value, name in ORGANISATION_KINDS])

    name = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=300, unique=True)
    kind = models.CharField("kind of organisation", max_length=30, choices=Kind.choices, default=Kind.OTHER,
                            db_index=True, help_text="Guessed from the name when first imported; correct it here.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def named(cls, typed: str) -> list[Council]:
        """The organisations a reader typed: the one of that name, else those whose names contain it."""
        exact = list(cls.objects.filter(name__iexact=typed)[:2])
        return exact or list(cls.objects.filter(name__icontains=typed).order_by("name")[:50])

    @classmethod
    def one_named(cls, typed: str) -> Council | None:
        """The one organisation a reader means: by its address's slug, or the one name that is or holds it."""
        found = cls.objects.filter(slug=typed).first()
        if found is None:
            named = cls.named(typed)
            found = named[0] if len(named) == 1 else None
        return found

    @classmethod
    def kind_for_name(cls, name: str) -> str:
        """Guess the kind of body from its published name; staff can correct it in admin."""
        return organisation_kind(name)

    def get_absolute_url(self) -> str:
        return reverse("decisions:council", args=[self.slug])


class Category(VersionedModel):
    """The Ombudsman's category tree: a top-level category and its subcategories."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_subcategory_name"),
            models.UniqueConstraint(fields=["name"], condition=models.Q(parent__isnull=True),
                                    name="unique_top_category_name"),
            models.UniqueConstraint(fields=["parent", "slug"], name="unique_subcategory_slug"),
            models.UniqueConstraint(fields=["slug"], condition=models.Q(parent__isnull=True),
                                    name="unique_top_category_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} > {self.name}" if self.parent_id else self.name

    @staticmethod
    def lgo_slug(name: str) -> str:
        """The Ombudsman's own slug: lower case, every run of other characters one dash."""
        return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")

    def refresh_decision_topics(self) -> None:
        """After a rename: the searched topic text of every decision filed under this category."""
        if self.parent_id:
            Decision.objects.filter(subcategory=self).update(topic=Decision.topic_text(self.parent, self))
            return
        Decision.objects.filter(category=self, subcategory=None).update(topic=Decision.topic_text(self, None))
        for child in self.children.all():
            Decision.objects.filter(category=self, subcategory=child).update(topic=Decision.topic_text(self, child))

    def subcategories_in_use(self) -> list[Category]:
        """The subcategories with published decisions, each with their number as ``n``, by name."""
        counts = dict(Decision.objects.published().filter(category=self).order_by()
                      .values_list("subcategory_id").annotate(n=Count("pk")).values_list("subcategory_id", "n"))
        children = [child for child in self.children.order_by("name") if counts.get(child.pk)]
        for child in children:
            child.n, child.parent = counts[child.pk], self
        return children

    def get_absolute_url(self) -> str:
        if self.parent_id:
            return reverse("decisions:subcategory", args=[self.parent.slug, self.slug])
        return reverse("decisions:category", args=[self.slug])





class DecisionQuerySet(VersionedQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_listing_related(self):
        """What a result list shows: the big text columns stay in the database."""
        return self.select_related("council", "category", "subcategory").defer(
            "body", "full_text", "source_text", "headings", "parse_warnings", "related_references")

    def median_payment(self, paid_count: int) -> Decimal | None:
        """Median total payment among decisions that paid anything (an OFFSET, not all rows)."""
        if not paid_count:
            return None
        amounts = self.filter(total_payment__gt=0).order_by("total_payment").values_list("total_payment", flat=True)
        middle = list(amounts[(paid_count - 1) // 2: paid_count // 2 + 1])
        return (sum(middle) / len(middle)).quantize(Decimal("0.01"))

    def payment_totals(self) -> dict:
        """The stated payments and what they leave out: ``paid`` (the sum of the stated amounts,
        None when no decision states one), ``paid_count`` (decisions stating an amount) and
        ``payment_count`` (decisions agreeing a payment, stated or not)."""
        totals = self.aggregate(paid=Sum("total_payment", filter=Q(total_payment__gt=0)),
                                paid_count=Count("pk", filter=Q(total_payment__gt=0)),
                                payment_count=Count("pk", filter=HAS_PAYMENT))
        return totals

    def figures(self) -> dict:
        """What people compare councils and categories by, in four queries."""
        totals = {"decisions": self.count(), **self.payment_totals()}
        by_group = dict(self.values_list("outcome_group").annotate(n=Count("pk")).values_list("outcome_group", "n"))
        by_outcome = [(label, by_group[group]) for group, label in OUTCOME_GROUPS if by_group.get(group)]
        upheld = by_group.get(UPHELD, 0)
        investigated = upheld + by_group.get(NOT_UPHELD, 0)
        counted = {row["year"]: row["n"] for row in self.exclude(decision_date=None)
                   .annotate(year=ExtractYear("decision_date")).values("year").annotate(n=Count("pk"))}
        # Every year from the first to the last, those without decisions as 0: a year that
        # vanished from the axis would make its neighbours look consecutive.
        per_year = [(year, counted.get(year, 0)) for year in range(min(counted), max(counted) + 1)] if counted else []
        return {
            "decisions": totals["decisions"],
            "total_paid": totals["paid"],
            "paid_count": totals["paid_count"],
            "payment_count": totals["payment_count"],
            "median_payment": self.median_payment(totals["paid_count"]),
            "by_outcome": by_outcome,
            "upheld": upheld,
            "investigated": investigated,
            "upheld_share": round(100 * upheld / investigated) if investigated else None,
            "per_year": per_year,
        }


class Decision(VersionedModel):
    class Confidence(models.TextChoices):
        HIGH = "high", "Read from the Ombudsman's own words"
        LOW = "low", "Needs review"

    reference = models.CharField(max_length=16, unique=True, help_text="As published, e.g. '20 003 763'.")
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="decisions")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="decisions")
    subcategory = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="subcategory_decisions")
    organisation = models.CharField(max_length=300, blank=True,
                                    help_text="The body's name as published on this statement (searched).")
    outcome = models.CharField(max_length=200, blank=True, db_index=True, help_text="The label as published.")
    outcome_group = models.CharField(max_length=30, choices=OUTCOME_GROUPS, default=NOT_STATED, db_index=True,
                                     help_text="The published label normalised: what the outcome filter and figures use.")
    decision_date = models.DateField(null=True, blank=True, db_index=True)
    summary = models.TextField(blank=True)
    body = models.JSONField(default=list, blank=True, help_text="Sections as read by the parser.")
    full_text = models.TextField(blank=True)
    headings = models.TextField(blank=True, help_text="The statement's headings, one a line (searched with most weight).")
    topic = models.TextField(blank=True, editable=False,
                             help_text="Category and subcategory names: searched with the most weight, so a search for a "
                                       "topic ranks the decisions filed under it first. Kept in step by topic_text().")
    decided_by = models.CharField(max_length=200, blank=True)
    related_references = models.JSONField(default=list, blank=True)
    total_payment = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"), db_index=True,
                                        help_text="Sum of the payments whose amount the statement states (0 when "
                                                  "none does: see stated_payment); kept in step with them.")
    unstated_payments = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="Payments agreed without a stated amount: an unknown sum, never £0.")
    # What the remedies and findings contain, as bit sets (bit i = i-th word of the vocabulary),
    # so that filters and facets read one narrow index instead of joining two tables.
    # Kept in step with the rows by save_parsed_decision and refresh_derived().
    remedy_kinds = models.PositiveIntegerField(default=0, editable=False)
    finding_kinds = models.PositiveIntegerField(default=0, editable=False)
    payment_purposes = models.PositiveIntegerField(default=0, editable=False)
    source_name = models.CharField(max_length=500, blank=True)
    source_text = models.TextField(blank=True, help_text="The file as imported, for re-parsing.")
    content_hash = models.CharField(max_length=64, blank=True)
    parser_version = models.PositiveSmallIntegerField(default=0)
    parse_warnings = models.JSONField(default=list, blank=True)
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True, db_index=True,
                                  help_text="How sure the parser is of the remedies and findings it read.")
    review_weight = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="How many reasons to check the reading: the review queue's order.")
    review_reasons = models.JSONField(default=list, blank=True,
                                      help_text="Why the parser's reading should be checked by a person.")
    is_published = models.BooleanField("published", default=True, db_index=True)
    is_curated = models.BooleanField("curated", default=False,
                                     help_text="Edited by staff: a re-import leaves it alone unless forced.")
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The import or harvest run that last wrote the decision from a file: two files of one run with
    # one reference and different content are a conflict; another run's write is not.
    import_run = models.UUIDField(null=True, blank=True, editable=False)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-pk"]
        indexes = [
            models.Index(fields=["is_published", "-decision_date"], name="decision_published_date"),
            models.Index(fields=["council", "-decision_date"], name="decision_council_date"),
            models.Index(fields=["category", "-decision_date"], name="decision_category_date"),
            models.Index(fields=["subcategory", "-decision_date"], name="decision_subcategory_date"),
            # Covers every listing column and the id: decisions/search/columns.py reads this, not the
            # wide table (SQLite's indexes hold the id anyway; PostgreSQL's need it named).
            models.Index(fields=["is_published", "category", "subcategory", "council", "outcome_group", "remedy_kinds",
                                 "finding_kinds", "payment_purposes", "decision_date", "total_payment", "id"],
                         name="decision_facets"),
            models.Index(fields=["updated_at"], name="decision_updated"),
            # The few decisions staff have checked, read with the listing columns (their payments' and
            # the comparisons' "checked by staff") without a pass over the wide table.
            models.Index(fields=["id"], condition=Q(is_curated=True), name="decision_curated"),
        ]
        # No check constraints here: on SQLite adding one rebuilds this table, which would undo
        # its column order and search triggers (migrations 0009, 0010). outcome_group is never
        # typed: it is computed from the outcome label (save_model, the importer).

    def __str__(self) -> str:
        return f"{self.reference} {self.council.name}" if self.council_id else self.reference

    def clean(self):
        """A subcategory is one of its category's: the topic, and a search for it, read them as a pair."""
        if self.category_id and self.category.parent_id:
            raise ValidationError({"category": f"“{self.category}” is a subcategory: choose its category, "
                                               "and it as the subcategory."})
        if self.subcategory_id and self.subcategory.parent_id != self.category_id:
            raise ValidationError({"subcategory": f"“{self.subcategory}” is not a subcategory of "
                                                  f"“{self.category or 'no category'}”."})

    @staticmethod
    def topic_text(category: Category | None, subcategory: Category | None) -> str:
        """The searched topic. Apostrophes go: PostgreSQL reads "Children's care" as children, a
        stop word, care, which a phrase such as "children in care" would then match."""
        names = " › ".join(c.name for c in (category, subcategory) if c is not None)
        return re.sub(r"['’]", "", names)

    @property
    def outcome_group_label(self) -> str:
        return group_label(self.outcome_group)

    @property
    def has_payment(self) -> bool:
        return bool(self.remedy_kinds & PAYMENT_BIT)

    @property
    def stated_payment(self) -> Decimal | None:
        """The sum of the payments whose amount is stated; None when no amount is (no payment, or
        payments agreed without one): a sum nobody stated is unknown, not £0."""
        return self.total_payment if self.total_payment > 0 else None

    @property
    def needs_review(self) -> bool:
        return self.confidence == self.Confidence.LOW and not self.is_curated

    @property
    def subject(self) -> str:
        """What the decision is about, as the Ombudsman files it: its subcategory, else its category."""
        topic = self.subcategory or self.category
        return topic.name if topic and topic.name != "Other" else (self.category.name if self.category else "")

    def citation(self, page_url: str) -> tuple[str, str]:
        """How to cite the decision, in two parts (the paragraph form goes between them): the
        Ombudsman, organisation, reference and date; then where it is published and archived."""
        when = f" ({self.decision_date.day} {self.decision_date:%B %Y})" if self.decision_date else ""
        source = f"{self.lgo_url}, " if self.lgo_url else ""
        return (f"Local Government and Social Care Ombudsman, decision on {self.council.name}, "
                f"{self.reference}{when}", f"{source}archived at {page_url}")

    @property
    def reference_slug(self) -> str:
        return self.reference.replace(" ", "-")

    @staticmethod
    def reference_from_slug(slug: str) -> str:
        return slug.replace("-", " ")

    def get_absolute_url(self) -> str:
        return reverse("decisions:detail", args=[self.reference_slug])

    @property
    def lgo_url(self) -> str | None:
        """The decision on the Ombudsman's own website: the page it was harvested from, else the
        address built from its category and subcategory."""
        if self.source_name.startswith("https://www.lgo.org.uk/decisions/"):
            return self.source_name
        if not (self.category_id and self.subcategory_id):
            return None
        return "/".join([
            "https://www.lgo.org.uk/decisions",
            Category.lgo_slug(self.category.name),
            Category.lgo_slug(self.subcategory.name),
            self.reference_slug,
        ])

    def refresh_derived(self, save: bool = True) -> None:
        """Recompute the total payment and the kind bit sets from the remedy and finding rows."""
        remedies = list(self.remedies.values_list("kind", "amount", "purposes"))
        payments = [amount for kind, amount, _ in remedies if kind == Remedy.Kind.PAYMENT]
        self.total_payment = sum((amount for amount in payments if amount), Decimal("0.00"))
        self.unstated_payments = sum(1 for amount in payments if amount is None)
        self.remedy_kinds = bits(REMEDY_KINDS, [kind for kind, _, _ in remedies])
        self.payment_purposes = bits(PAYMENT_PURPOSES, [p for kind, _, purposes in remedies
                                                        if kind == Remedy.Kind.PAYMENT for p in purposes.split(",")])
        self.finding_kinds = bits(FINDING_KINDS, self.findings.values_list("kind", flat=True))
        if save:
            Decision.objects.filter(pk=self.pk).update(
                total_payment=self.total_payment, unstated_payments=self.unstated_payments,
                remedy_kinds=self.remedy_kinds, finding_kinds=self.finding_kinds, payment_purposes=self.payment_purposes)


# Where a remedy or finding was read from (shown beside it on the decision page).
REMEDY_BASES = [("action", "Agreed or recommended action section"), ("summary", "Summary or final decision")]
FINDING_BASES = [("summary", "Summary"), ("body", "Statement"), ("outcome", "Outcome label only")]


RATE_PERIODS = PERIODS  # a rate's periods, as the parser reads them
# Months in each period, to set rates side by side as so much a month: a year of 52 weeks and
# 365 days; a school term as a third of a school year, counted as three months (a term's rate
# divided by three), the rule the remedy explorer states.
MONTHS_IN = {"day": Decimal(12) / Decimal(365), "week": Decimal(12) / Decimal(52), "month": Decimal(1),
             "term": Decimal(3), "year": Decimal(12)}


class Remedy(VersionedModel):
    """One thing the organisation agreed or was asked to do."""

    Kind = models.TextChoices("Kind", _choices(REMEDY_KINDS))

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="remedies")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Payment purposes as a comma-separated list of vocabulary words. No word of the
    # vocabulary contains another, so `purposes__contains` finds one exactly, on SQLite too
    # (JSONField `contains` is not available there).
    purposes = models.CharField(max_length=200, blank=True, help_text="Comma-separated: " + ", ".join(PAYMENT_PURPOSES))
    deadline = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True, help_text="The sentence it was read from (the evidence a reader can check).")
    basis = models.CharField(max_length=10, blank=True, choices=REMEDY_BASES)
    # A payment stated as a rate ('£250 a month for six months'): the amount then holds its total,
    # when stated or worked out from the number of periods, and is empty when neither is known.
    rate_per = models.DecimalField("rate: amount a period", max_digits=12, decimal_places=2, null=True, blank=True)
    rate_period = models.CharField("rate: period", max_length=5, blank=True, choices=[(p, p) for p in RATE_PERIODS])
    rate_periods = models.PositiveIntegerField("rate: number of periods", null=True, blank=True)

    class Meta:
        ordering = ["decision", "position"]
        verbose_name_plural = "remedies"
        # The database refuses what the vocabulary does not hold (a purpose typed as 'distres'
        # would otherwise show on the public page and drop out of the Distress filter).
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=REMEDY_KINDS), name="remedy_kind_known"),
            models.CheckConstraint(condition=Q(purposes__in=every_canonical(PAYMENT_PURPOSES)),
                                   name="remedy_purposes_known"),
            models.CheckConstraint(condition=Q(basis__in=["", *dict(REMEDY_BASES)]), name="remedy_basis_known"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="remedy_amount_not_negative"),
            models.CheckConstraint(condition=Q(rate_per__isnull=True, rate_period="")
                                   | Q(rate_per__gte=0, rate_period__in=RATE_PERIODS), name="remedy_rate_whole"),
        ]

    def clean(self):
        unknown = [p for p in self.purposes.split(",") if p.strip() and p.strip() not in PAYMENT_PURPOSES]
        if unknown:
            raise ValidationError({"purposes": f"Not a payment purpose: {', '.join(unknown)}. Use: "
                                               f"{', '.join(label(p) for p in PAYMENT_PURPOSES)}."})
        if self.purposes and self.kind != self.Kind.PAYMENT:
            raise ValidationError({"purposes": "Only a payment has purposes."})

    def save(self, *args, **kwargs):
        self.purposes = canonical(PAYMENT_PURPOSES, (p.strip() for p in self.purposes.split(",")))
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} £{self.amount}" if self.amount is not None else self.get_kind_display()

    @property
    def purpose_list(self) -> list[str]:
        return [p for p in self.purposes.split(",") if p]

    @property
    def monthly_rate(self) -> Decimal | None:
        """A rate as so much a month, by MONTHS_IN (a term counted as three months)."""
        if self.rate_per is None or self.rate_period not in MONTHS_IN:
            return None
        return (self.rate_per / MONTHS_IN[self.rate_period]).quantize(Decimal("0.01"))

    @property
    def rate_text(self) -> str:
        """'£250 a month for 6 months'."""
        if self.rate_per is None:
            return ""
        per = f"£{self.rate_per:,.2f}".removesuffix(".00")
        count = f" for {self.rate_periods} {self.rate_period}{'s' if self.rate_periods != 1 else ''}" if self.rate_periods else ""
        return f"{per} a {self.rate_period}{count}"

    @property
    def purpose_labels(self) -> list[str]:
        return [label(p) for p in self.purpose_list]


class Finding(VersionedModel):
    """One conclusion the Ombudsman reached."""

    Kind = models.TextChoices("Kind", _choices(FINDING_KINDS))
    Reason = models.TextChoices("Reason", _choices(NOT_INVESTIGATED_REASONS))

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    reason = models.CharField(max_length=40, choices=Reason.choices, blank=True)
    text = models.TextField(blank=True, help_text="The sentence it was read from (the evidence a reader can check).")
    basis = models.CharField(max_length=10, blank=True, choices=FINDING_BASES)

    class Meta:
        ordering = ["decision", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FINDING_KINDS), name="finding_kind_known"),
            models.CheckConstraint(condition=Q(reason__in=["", *NOT_INVESTIGATED_REASONS]), name="finding_reason_known"),
            models.CheckConstraint(condition=Q(basis__in=["", *dict(FINDING_BASES)]), name="finding_basis_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_reason_display()})" if self.reason else self.get_kind_display()


class Match(models.Lookup):
    """SQLite FTS5's MATCH operator, for the columns of SearchIndexRow."""

    lookup_name = "match"
    prepare_rhs = False  # an FTS5 expression or a ranking function's call: text, whatever the column

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FtsDocumentField(models.TextField):
    """FTS5's hidden column named after its table: ``document__match`` is a full-text search."""


class FtsRankField(models.FloatField):
    """FTS5's hidden ``rank`` column; ``rank__match`` chooses the ranking function for the query."""


FtsDocumentField.register_lookup(Match)
FtsRankField.register_lookup(Match)


class SearchIndexRow(models.Model):
    """SQLite only: a decision's row in the FTS5 index (migration 0010, rowid = the decision's id),
    so that the search reads its matches and scores through the ORM (search.matching_ids,
    search.weighted_scores). Never queried on PostgreSQL."""

    decision = models.OneToOneField(Decision, primary_key=True, db_column="rowid", on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="search_index_row")
    document = FtsDocumentField(db_column="decisions_decision_fts")
    rank = FtsRankField(db_column="rank")

    class Meta:
        managed = False
        db_table = "decisions_decision_fts"

    def __str__(self):
        return f"search index row {self.pk}"


class SearchVectorRow(models.Model):
    """PostgreSQL only: a decision's full-text vectors, in a narrow table of their own (migration
    0018), written, updated and emptied by triggers on the decision table, as generated columns
    were. Finding a word's decisions reads each match's row for its id: these rows are a
    sixteenth the width of a decision's (docs/benchmarks.md). Never queried on SQLite, which has
    its FTS5 table."""

    decision = models.OneToOneField(Decision, primary_key=True, on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="search_vector_row")
    search_vector = SearchVectorField()  # weighted: reference, organisation, topic, headings A; summary B; body C
    pair_vector = SearchVectorField()  # each pair of consecutive words of search_vector (migration 0016)

    class Meta:
        managed = False
        db_table = "decisions_decision_search"

    def __str__(self):
        return f"search vectors of decision {self.pk}"


class HarvestRun(models.Model):
    """One run of harvest_decisions: what it was asked to cover and what it did."""

    RUNNING, FINISHED, FAILED, INTERRUPTED = "running", "finished", "failed", "interrupted"
    STATUS_CHOICES = [(RUNNING, "Running"), (FINISHED, "Finished"), (FAILED, "Failed (stopped)"),
                      (INTERRUPTED, "Interrupted")]

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=RUNNING)
    base_url = models.CharField(max_length=300)
    since = models.DateField()
    until = models.DateField()
    windows = models.PositiveIntegerField(default=0, help_text="date windows completed")
    pages_fetched = models.PositiveIntegerField(default=0, help_text="requests answered, listings included")
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="curated in admin, or disallowed by robots.txt")
    failed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Harvest {self.since} – {self.until} ({self.get_status_display()})"


class HarvestWindow(models.Model):
    """A date window of the Ombudsman's listing; completed once every decision it lists is in."""

    start = models.DateField()
    end = models.DateField()
    listed = models.PositiveIntegerField(default=0, help_text="decisions the listing announced")
    completed_at = models.DateTimeField(null=True, blank=True)
    last_run = models.ForeignKey(HarvestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["start", "end"]
        constraints = [models.UniqueConstraint(fields=["start", "end"], name="harvest_window_unique")]

    def __str__(self):
        return f"{self.start} – {self.end}"


class HarvestedPage(models.Model):
    """A page fetched from the Ombudsman's site: its raw HTML (compressed) and what conditional
    requests need next time. Pages the harvester could not read are kept here too."""

    url = models.CharField(max_length=500, unique=True)
    reference = models.CharField(max_length=20, blank=True, db_index=True)
    html_gzip = models.BinaryField(editable=False)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    fetched_at = models.DateTimeField()
    checked_at = models.DateTimeField(help_text="last asked for, answered or not modified")
    problem = models.TextField(blank=True, help_text="why the harvester stopped at this page")

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self):
        return self.url

    @property
    def html(self) -> str:
        return gzip.decompress(bytes(self.html_gzip)).decode("utf-8", "replace")


class SignInAttempts(models.Model):
    """Admin sign-in attempts for one username from one address in the current window, counted
    before the password is checked (decisions/middleware.py: SignInGateMiddleware), so however
    many guesses arrive at once, no more than the limit are checked. A success gives its attempt back."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=45)
    started_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "address"], name="sign_in_attempts_once")]
        verbose_name_plural = "sign-in attempts"

    def __str__(self):
        return f"{self.username} from {self.address}: {self.attempts}"

    @classmethod
    def counted(cls, username: str, address: str, *, window_seconds: int, using: str = "default") -> int:
        """Count one more attempt, atomically (one upsert: no lock is held past this statement),
        and say how many there are in the window, this one included."""
        now = timezone.now()
        table = connections[using].ops.quote_name(cls._meta.db_table)
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (username, address, started_at, attempts) VALUES (%s, %s, %s, 1) "
                f"ON CONFLICT (username, address) DO UPDATE SET "
                f"attempts = CASE WHEN {table}.started_at < %s THEN 1 ELSE {table}.attempts + 1 END, "
                f"started_at = CASE WHEN {table}.started_at < %s THEN excluded.started_at ELSE {table}.started_at END "
                f"RETURNING attempts",
                [username, address, now, now - datetime.timedelta(seconds=window_seconds),
                 now - datetime.timedelta(seconds=window_seconds)])
            return cursor.fetchone()[0]

    @classmethod
    def given_back(cls, username: str, address: str, using: str = "default") -> None:
        """A sign-in that succeeded was no guess: it does not count."""
        cls.objects.using(using).filter(username=username, address=address, attempts__gt=0).update(
            attempts=F("attempts") - 1)


def _secret() -> str:
    """A secret for a link that needs no password (manage, unsubscribe): 256 random bits."""
    return secrets.token_urlsafe(32)


class Subscriber(models.Model):
    """An email address that follows searches: kept only while it has an alert, deleted with its
    last one (decisions/alerts.py), and used for nothing else."""

    email = models.EmailField(max_length=254, unique=True)  # lower-cased
    manage_token = models.CharField(max_length=64, unique=True, default=_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.email


class Alert(models.Model):
    """One search followed by email. It sends nothing until confirmed; then each send covers the
    decisions with ids above ``position`` (the data's own order) and moves it, in the transaction
    that writes the email to the outbox."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "As soon as they are added"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="alerts")
    query = models.CharField(max_length=2000, help_text="The listing's parameters, as its address writes them.")
    description = models.CharField(max_length=600, help_text="The search in words.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    position = models.BigIntegerField(default=0, help_text="Decisions with ids up to this one have been considered.")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=_secret, editable=False)

    class Meta:
        indexes = [models.Index(fields=["confirmed_at", "paused"], name="alert_due")]

    def __str__(self):
        return f"{self.description} ({self.get_frequency_display().lower()})"


class OutboxEmail(models.Model):
    """An email to send, written in the transaction that decided to send it (an alert's position
    moves in the same one), sent and marked afterwards: a run stopped at any moment sends nothing
    twice and loses nothing (decisions/alerts.py)."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation"
        ALERT = "alert", "Alert"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="outbox")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox")
    to_address = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    decisions = models.PositiveIntegerField(default=0, help_text="New decisions the email tells of.")
    client_address = models.CharField(max_length=45, blank=True, help_text="Who asked (confirmations only).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True, help_text="The sending run that claimed it.")
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "claimed_at"], name="outbox_unsent")]
        verbose_name = "outbox email"

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to_address}: {self.subject}"
