"""Curation: staff correct what the parser read, publish and unpublish, and re-parse."""

from django.contrib import admin, messages
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone

from decisions.models import Category, Council, Decision, Finding, Remedy
from decisions.parser import ParseError
from decisions.services import reparse_decision


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
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
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "slug"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]


class RemedyInline(admin.TabularInline):
    model = Remedy
    extra = 0
    fields = ["position", "kind", "amount", "purposes", "deadline", "text"]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["position", "kind", "reason", "text"]


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
        if value and value.isdigit():
            return queryset.filter(decision_date__year=int(value))
        return queryset


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["reference", "council", "category", "subcategory", "outcome", "decision_date", "total_payment",
                    "is_published", "is_curated"]
    list_filter = [
        "is_published",
        "is_curated",
        YearListFilter,
        "outcome",
        ("category", admin.RelatedOnlyFieldListFilter),
        ("council", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["council", "category", "subcategory"]
    search_fields = ["reference", "council__name", "summary", "full_text"]
    autocomplete_fields = ["council"]
    date_hierarchy = "decision_date"
    inlines = [RemedyInline, FindingInline]
    readonly_fields = ["total_payment", "content_hash", "parser_version", "parse_warnings", "source_name",
                       "imported_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["reference", "council", "category", "subcategory", "outcome", "decision_date", "summary",
                           "decided_by", "is_published", "is_curated"]}),
        ("Statement", {"classes": ["collapse"], "fields": ["body", "full_text"]}),
        ("Source", {"classes": ["collapse"], "fields": ["source_name", "source_text", "content_hash",
                                                         "parser_version", "parse_warnings", "imported_at",
                                                         "updated_at", "total_payment"]}),
    ]
    actions = ["publish", "unpublish", "reparse"]
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over 100,000 rows on every page is wasted work

    def save_model(self, request, obj, form, change):
        obj.is_curated = True  # a person's edit must survive the next import
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_derived()

    @admin.action(description="Publish selected decisions")
    def publish(self, request, queryset):
        count = queryset.update(is_published=True, updated_at=timezone.now())
        self.message_user(request, f"{count} decisions published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected decisions")
    def unpublish(self, request, queryset):
        count = queryset.update(is_published=False, updated_at=timezone.now())
        self.message_user(request, f"{count} decisions unpublished.", messages.SUCCESS)

    @admin.action(description="Re-parse from the stored source text (discards manual edits)")
    def reparse(self, request, queryset):
        done, failed = 0, []
        for decision in queryset:
            try:
                reparse_decision(decision)
                done += 1
            except ParseError as error:
                failed.append(f"{decision.reference}: {error.reason}")
        if done:
            self.message_user(request, f"{done} decisions re-parsed.", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, f"Could not re-parse {failure}", messages.ERROR)


@admin.register(Remedy)
class RemedyAdmin(admin.ModelAdmin):
    list_display = ["decision", "kind", "amount", "purposes", "deadline"]
    list_filter = ["kind"]
    search_fields = ["decision__reference", "text"]
    list_select_related = ["decision__council"]
    raw_id_fields = ["decision"]
    show_full_result_count = False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["decision", "kind", "reason"]
    list_filter = ["kind", "reason"]
    search_fields = ["decision__reference", "text"]
    list_select_related = ["decision__council"]
    raw_id_fields = ["decision"]
    show_full_result_count = False
