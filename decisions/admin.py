"""Curation: staff correct what the parser read, publish and unpublish, and re-parse."""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html

from decisions.models import (
    RATE_PERIODS,
    Alert,
    Category,
    Council,
    Decision,
    Finding,
    HarvestedPage,
    HarvestRun,
    HarvestWindow,
    OutboxEmail,
    Remedy,
    Subscriber,
)
from decisions.services import reparse_decision
from decisions.statements.outcomes import NOT_STATED, OTHER, OUTCOME_GROUPS, outcome_group
from decisions.statements.parser import ParseError
from decisions.statements.vocabulary import PAYMENT_PURPOSES, canonical, choices
from decisions.templatetags.archive import decision_payments

# The change page must fit a 1,280 px window with its remedies and findings: the app list stays
# on the admin's home page rather than beside every form.
admin.site.enable_nav_sidebar = False

MAX_SEARCH_WORDS = 6  # admin search is a LIKE per word and field: more words only make it slower


class ArchiveAdmin(admin.ModelAdmin):
    """What every changelist shares: it filters by the filters it declares and nothing else.

    Django's admin accepts any lookup on a model's own fields in the query string
    (``?full_text__regex=…``), which lets anyone who can view a list run arbitrary, unbounded
    lookups over the whole table; here only the declared filters' own parameters pass."""

    def declared_lookups(self) -> set[str]:
        allowed = set()
        for list_filter in self.list_filter:
            if isinstance(list_filter, type) and issubclass(list_filter, admin.SimpleListFilter):
                allowed.add(list_filter.parameter_name)
                continue
            path = list_filter[0] if isinstance(list_filter, (tuple, list)) else list_filter
            allowed.add(path)  # AllValuesFieldListFilter's own parameter
            allowed.update(f"{path}__{lookup}" for lookup in ("exact", "isnull", "id__exact", "isempty"))
        if self.date_hierarchy:
            allowed.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        return allowed

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.declared_lookups() and super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        words = search_term.split()
        if len(words) > MAX_SEARCH_WORDS:
            self.message_user(request, f"Searched for the first {MAX_SEARCH_WORDS} words only: "
                                       f"{' '.join(words[:MAX_SEARCH_WORDS])}", messages.WARNING)
            search_term = " ".join(words[:MAX_SEARCH_WORDS])
        return super().get_search_results(request, queryset, search_term)


@admin.register(Council)
class CouncilAdmin(ArchiveAdmin):
    list_display = ["name", "kind", "decision_count"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(decision_count=Count("decisions"))

    @admin.display(ordering="decision_count", description="decisions")
    def decision_count(self, council):
        return council.decision_count


@admin.register(Category)
class CategoryAdmin(ArchiveAdmin):
    list_display = ["name", "parent", "slug"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            obj.refresh_decision_topics()  # the name is searched as each decision's topic


class RateWidget(forms.MultiWidget):
    """A rate's three parts in one narrow cell of the remedies table."""

    def __init__(self, attrs=None):
        super().__init__([
            forms.NumberInput(attrs={"class": "narrow-number", "aria-label": "Rate: pounds a period", "step": "0.01"}),
            forms.Select(attrs={"aria-label": "Rate: period"},
                         choices=[("", "no rate"), *[(period, f"a {period}") for period in RATE_PERIODS]]),
            forms.NumberInput(attrs={"class": "narrow-number", "aria-label": "Rate: number of periods, if stated"}),
        ], attrs)

    def decompress(self, value):
        return list(value) if value else [None, "", None]


class RateField(forms.MultiValueField):
    widget = RateWidget

    def __init__(self, **kwargs):
        # Each part optional here: RemedyForm.clean says what a rate needs, in words.
        super().__init__(fields=[forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, required=False),
                                 forms.ChoiceField(choices=[(period, period) for period in RATE_PERIODS], required=False),
                                 forms.IntegerField(min_value=1, required=False)], require_all_fields=False, **kwargs)

    def compress(self, data_list):
        return tuple(data_list) if data_list else (None, "", None)


class RemedyForm(forms.ModelForm):
    """Purposes are ticked from the vocabulary, never typed."""

    purposes = forms.MultipleChoiceField(choices=choices(PAYMENT_PURPOSES), required=False,
                                         widget=forms.CheckboxSelectMultiple, label="For (payments only)")
    rate = RateField(label="Rate (£, period, periods)", required=False,
                     help_text="A payment stated as so much a period; the amount is then its total, if known.")

    class Meta:
        model = Remedy
        fields = ["position", "kind", "amount", "purposes", "deadline", "text", "basis"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 20}), "deadline": forms.TextInput(attrs={"size": 10}),
                   "position": forms.NumberInput(attrs={"class": "narrow-number"})}

    def clean(self):
        data = super().clean()
        per, period, periods = data.get("rate") or (None, "", None)
        if (per is None) != (not period):
            self.add_error("rate", "A rate needs both its amount a period and the period (or neither).")
        else:
            self.instance.rate_per, self.instance.rate_period = per, period or ""
            self.instance.rate_periods = periods if period else None
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["purposes"] = self.instance.purpose_list
            self.initial["rate"] = (self.instance.rate_per, self.instance.rate_period, self.instance.rate_periods)

    def clean_purposes(self):
        return canonical(PAYMENT_PURPOSES, self.cleaned_data["purposes"])


class RemedyInline(admin.TabularInline):
    model = Remedy
    form = RemedyForm
    extra = 0
    fields = ["position", "kind", "amount", "rate", "purposes", "deadline", "text", "basis"]
    readonly_fields = ["basis"]  # where the parser read it: provenance, not something to edit


class DecisionForm(forms.ModelForm):
    # When the form was filled: a save is refused if an import (or another member of staff) wrote
    # the decision since, rather than write over what they wrote or fail on remedies they replaced.
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Under the row's lock (the admin saves in one transaction): an import waiting for it
            # then sees the curated mark this save sets, and one that wrote first is seen here.
            current = Decision.objects.select_for_update().filter(pk=self.instance.pk).values_list(
                "updated_at", flat=True).first()
            if current is None or self.data.get("loaded_at") != current.isoformat():
                raise forms.ValidationError(
                    "This decision was changed by an import or by someone else while you were editing it, so "
                    "your changes were not saved. Open it again to see what it holds now, then make them again.",
                    code="stale")
        return cleaned

    def clean_outcome(self):
        """A new outcome must be one the archive can group (a published label, or a group's name)."""
        outcome = " ".join(self.cleaned_data["outcome"].split())
        if outcome and outcome != self.instance.outcome and outcome_group(outcome) == OTHER:
            known = ", ".join(label for group, label in OUTCOME_GROUPS if group not in (OTHER, NOT_STATED))
            raise forms.ValidationError(f"“{outcome}” is not an outcome the archive knows. Use the label the "
                                        f"Ombudsman published, such as one of: {known}.")
        return outcome


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["position", "kind", "reason", "text", "basis"]
    readonly_fields = ["basis"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 50})},
                           models.PositiveSmallIntegerField: {"widget": forms.NumberInput(attrs={"class": "narrow-number"})}}


class YearListFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Decision.objects.exclude(decision_date=None)
            .annotate(year=ExtractYear("decision_date"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and re.fullmatch(r"[0-9]{4}", value):
            return queryset.filter(decision_date__year=int(value))
        return queryset


class OrganisationFilter(admin.SimpleListFilter):
    """A search box for the organisation's name: a list of every organisation would be thousands long."""

    title = "organisation"
    parameter_name = "organisation"
    template = "admin/decisions/organisation_filter.html"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def has_output(self) -> bool:
        return True

    def queryset(self, request, queryset):
        if name := (self.value() or "").strip()[:200]:
            return queryset.filter(council__name__icontains=name)
        return queryset

    def choices(self, changelist):
        """One 'choice' for the template: the name searched and the changelist's other parameters,
        which the search box's form keeps."""
        kept = [(key, value) for key, values in changelist.params.items() if key not in (self.parameter_name, "p")
                for value in (values if isinstance(values, list) else [values])]
        yield {"value": self.value() or "", "kept": kept}


class ReviewListFilter(admin.SimpleListFilter):
    """The review queue: decisions whose reading fell back on less than the Ombudsman's own words."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        waiting = Decision.objects.filter(confidence=Decision.Confidence.LOW, is_curated=False).count()
        return [("needed", f"Needs review ({waiting})"), ("checked", "Checked by staff"),
                ("automatic", "Read automatically")]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.filter(confidence=Decision.Confidence.LOW, is_curated=False)
        if self.value() == "checked":
            return queryset.filter(is_curated=True)
        if self.value() == "automatic":
            return queryset.filter(is_curated=False)
        return queryset


@admin.register(Decision)
class DecisionAdmin(ArchiveAdmin):
    # Narrow enough for 1,280 px beside the filters, the review state always in view.
    list_display = ["reference", "council", "topic_shown", "outcome", "decision_date", "payments", "review_state",
                    "is_published"]
    list_filter = [
        ReviewListFilter,
        "is_published",
        "is_curated",
        "confidence",
        YearListFilter,
        "outcome_group",
        "outcome",
        ("category", admin.RelatedOnlyFieldListFilter),
        OrganisationFilter,
    ]
    list_select_related = ["council", "category", "subcategory"]
    search_fields = ["reference", "council__name", "summary", "full_text"]
    autocomplete_fields = ["council"]
    date_hierarchy = "decision_date"
    form = DecisionForm
    inlines = [RemedyInline, FindingInline]
    readonly_fields = ["total_payment", "content_hash", "parser_version", "parse_warnings", "source_name",
                       "imported_at", "updated_at", "outcome_group", "confidence", "review_reasons", "at_a_glance"]
    fieldsets = [
        (None, {"fields": ["at_a_glance", "loaded_at"]}),
        ("Decision", {"fields": ["reference", "council", "category", "subcategory", "outcome", "outcome_group",
                                 "decision_date", "summary", "decided_by", "is_published", "is_curated"]}),
        ("Review", {"fields": ["confidence", "review_reasons"],
                    "description": "Saving this decision marks its remedies and findings as checked by staff."}),
        ("Statement", {"classes": ["collapse"], "fields": ["body", "full_text"]}),
        ("Source", {"classes": ["collapse"], "fields": ["source_name", "source_text", "content_hash",
                                                         "parser_version", "parse_warnings", "imported_at",
                                                         "updated_at", "total_payment"]}),
    ]
    actions = ["confirm", "publish", "unpublish", "reparse"]
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over 100,000 rows on every page is wasted work

    @admin.display(description="At a glance")
    def at_a_glance(self, decision):
        """The figures staff check first: the total paid and whether the reading needs review."""
        if not decision.pk:
            return "–"
        state = ("checked by staff" if decision.is_curated else
                 "needs review: " + "; ".join(decision.review_reasons) if decision.needs_review else
                 "read automatically")
        return format_html("<strong>Total of the stated payments: {}</strong> · {} · {}",
                           decision_payments(decision) or "no payment", state,
                           "published" if decision.is_published else "not published")

    @admin.display(description="Topic", ordering="category__name")
    def topic_shown(self, decision):
        return " › ".join(c.name for c in (decision.category, decision.subcategory) if c) or "–"

    @admin.display(description="Review", ordering="confidence")
    def review_state(self, decision):
        if decision.is_curated:
            return "checked by staff"
        if decision.needs_review:
            return "needs review: " + "; ".join(decision.review_reasons)
        return f"read automatically ({decision.confidence or 'high'})"

    def get_ordering(self, request):
        """The review queue: the decisions with most reasons to check first (make fidelity measures
        how well those reasons find the readings with a mistake), newest first among equals."""
        if request.GET.get("review") == "needed" and not request.GET.get("o"):
            return ["-review_weight", "-decision_date", "-pk"]
        return super().get_ordering(request)

    @admin.display(description="Stated payments", ordering="total_payment")
    def payments(self, decision):
        return decision_payments(decision) or "–"

    def save_model(self, request, obj, form, change):
        obj.is_curated = True  # a person's edit (or confirmation) must survive the next import
        obj.outcome_group = outcome_group(obj.outcome)
        obj.topic = Decision.topic_text(obj.category, obj.subcategory)
        super().save_model(request, obj, form, change)

    @admin.action(description="Confirm remedies and findings as checked", permissions=["change"])
    def confirm(self, request, queryset):
        count = queryset.update(is_curated=True, updated_at=timezone.now())
        self.message_user(request, f"{count} decision{pluralize(count)} marked as checked by staff.", messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_derived()

    @admin.action(description="Publish selected decisions", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.update(is_published=True, updated_at=timezone.now())
        self.message_user(request, f"{count} decision{pluralize(count)} published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected decisions", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False, updated_at=timezone.now())
        self.message_user(request, f"{count} decision{pluralize(count)} unpublished.", messages.SUCCESS)

    @admin.action(description="Re-parse from the stored source text (discards manual edits)", permissions=["change"])
    def reparse(self, request, queryset):
        """Asks first, listing what will be lost: staff edits cannot be recovered afterwards."""
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(request, "admin/decisions/reparse_confirmation.html", {
                **self.admin_site.each_context(request), "title": "Re-parse decisions?", "decisions": queryset,
                "curated": queryset.filter(is_curated=True).count(), "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME})
        done, failed = 0, []
        for decision in queryset:
            try:
                reparse_decision(decision)
                done += 1
            except ParseError as error:
                failed.append(f"{decision.reference}: {error.reason}")
        if done:
            self.message_user(request, f"{done} decision{pluralize(done)} re-parsed.", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, f"Could not re-parse {failure}", messages.ERROR)


@admin.register(Remedy)
class RemedyAdmin(ArchiveAdmin):
    list_display = ["decision", "kind", "amount", "purposes", "deadline"]
    list_filter = ["kind"]
    search_fields = ["decision__reference", "text"]
    list_select_related = ["decision__council"]
    raw_id_fields = ["decision"]
    show_full_result_count = False


@admin.register(Finding)
class FindingAdmin(ArchiveAdmin):
    list_display = ["decision", "kind", "reason"]
    list_filter = ["kind", "reason"]
    search_fields = ["decision__reference", "text"]
    list_select_related = ["decision__council"]
    raw_id_fields = ["decision"]
    show_full_result_count = False


class ReadOnlyAdmin(ArchiveAdmin):
    """Records the harvester keeps: to look at, not to edit (a new run writes them)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HarvestRun)
class HarvestRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "status", "since", "until", "windows", "pages_fetched", "new",
                    "updated", "unchanged", "skipped", "failed"]
    list_filter = ["status"]
    date_hierarchy = "started_at"


@admin.register(HarvestWindow)
class HarvestWindowAdmin(ReadOnlyAdmin):
    list_display = ["start", "end", "listed", "completed_at", "last_run"]
    list_filter = [("completed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["last_run"]


@admin.register(HarvestedPage)
class HarvestedPageAdmin(ReadOnlyAdmin):
    list_display = ["url", "reference", "fetched_at", "checked_at", "has_problem"]
    list_filter = [("problem", admin.EmptyFieldListFilter)]
    search_fields = ["url", "reference"]
    fields = ["url", "reference", "problem", "etag", "last_modified", "fetched_at", "checked_at", "page_source"]
    readonly_fields = fields

    @admin.display(boolean=True, description="stopped the harvest")
    def has_problem(self, page):
        return bool(page.problem)

    @admin.display(description="page as fetched (HTML source)")
    def page_source(self, page):
        return format_html('<pre class="page-source">{}</pre>', page.html[:200_000])


class AlertCountsAdmin(ReadOnlyAdmin):
    """Email alerts and their outbox: to look at (how many, what failed), never to edit."""

    change_list_template = "admin/decisions/alert_counts_change_list.html"

    def changelist_view(self, request, extra_context=None):
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        counts = {
            "confirmed": Alert.objects.filter(confirmed_at__isnull=False).count(),
            "pending": Alert.objects.filter(confirmed_at__isnull=True).count(),
            "paused": Alert.objects.filter(paused=True).count(),
            "addresses": Subscriber.objects.count(),
            "sent_today": OutboxEmail.objects.filter(sent_at__gte=today).count(),
            "waiting": OutboxEmail.objects.filter(sent_at__isnull=True, last_error="").count(),
            "failed": OutboxEmail.objects.filter(sent_at__isnull=True).exclude(last_error="").count(),
        }
        return super().changelist_view(request, {**(extra_context or {}), "alert_counts": counts})


@admin.register(Alert)
class AlertAdmin(AlertCountsAdmin):
    list_display = ["description", "subscriber", "frequency", "confirmed_at", "paused", "last_sent_at", "position"]
    list_filter = ["frequency", "paused", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["subscriber"]
    search_fields = ["description", "subscriber__email"]
    exclude = ["unsubscribe_token"]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(AlertCountsAdmin):
    list_display = ["created_at", "kind", "to_address", "subject", "decisions", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to_address", "subject"]
    date_hierarchy = "created_at"
