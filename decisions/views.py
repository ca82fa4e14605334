"""Public pages: each view reads its parameters, asks the models or the search package, and renders."""

from __future__ import annotations

import csv
import functools
import itertools
import re
from collections import OrderedDict
from urllib.parse import urlencode

import markdown
from django import forms
from django.conf import settings
from django.core.paginator import EmptyPage
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from decisions import charts, compare, exports, league, links, payments, reading, search
from decisions.caching import cached, cached_for
from decisions.filters import ChosenDecisionsForm, InvalidParameter, search_params, whole_number
from decisions.models import ArchiveState, Category, Council, Decision, Finding, Remedy
from decisions.search import suggest
from decisions.search.names import described
from decisions.search.params import FACETS, PARAMETERS, WORDS_LABEL, SearchParams
from decisions.search.results import MAX_LOOSE_WORDS, MOST_WORDS, SearchResults
from decisions.statements.organisations import KIND_MEANINGS, ORGANISATION_KINDS
from decisions.statements.outcomes import GROUP_MEANINGS, OUTCOME_GROUPS
from decisions.statements.vocabulary import (
    FINDING_KINDS,
    MEANINGS,
    NOT_INVESTIGATED_REASONS,
    PAYMENT_PURPOSES,
    REMEDY_KINDS,
    label,
)

PAGE_SIZE = 25


class Redirect(Exception):
    """A listing asked for in a form better said another way: go there instead."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def listing_page(view):
    """A view whose listing may redirect (a page past the end, empty form fields) rather than render."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Redirect as redirect_to:
            return redirect(redirect_to.url)

    return wrapped


def _listing_context(request, within=None, *, skip_facets=(), implicit=()):
    """A listing of decisions (search, filters, sort, page, facets, snippets): every listing page's.

    `within`: the council, category or subcategory a page lists ({"council": council}, …);
    `implicit`: the (parameter, value) pairs that stand for it (its council or
    category), so that its export, feed and API links give the same decisions. Empty form fields
    are dropped from the address, and a page past the end goes to the last page (both by redirect)."""
    pairs = [(key, value) for key, values in request.GET.lists() for value in values]
    if any(value.strip() == "" for _, value in pairs):
        raise Redirect(request.path + _query([(k, v) for k, v in pairs if v.strip()]))
    organisation_problem = ""
    if typed := request.GET.get("organisation", "").strip():
        found = Council.named(typed)
        rest = [(k, v) for k, v in pairs if k not in ("organisation", "page")]
        if len(found) == 1:
            raise Redirect(request.path + _query([*rest, ("council", found[0].slug)]))
        organisation_problem = (f"No organisation’s name contains “{typed}”." if not found else
                                f"{len(found)} organisations’ names contain “{typed}”: choose one from the list.")
    asked_page = request.GET.get("page", "1")
    if not re.fullmatch(r"-?[0-9]{1,9}", asked_page):
        raise Redirect(request.path + _query([(k, v) for k, v in pairs if k != "page"]))
    show = request.GET.get("show") if request.GET.get("show") in FACETS else ""
    params, filterset = search_params(request.GET, strict=False, page=max(int(asked_page), 1), page_size=PAGE_SIZE,
                                      show=show)
    if int(asked_page) < 1:
        raise Redirect(request.path + links.to(params))
    results = SearchResults(params, within)
    try:
        shown = results.page(facets_but=skip_facets)
    except EmptyPage as error:  # past the end: the last page
        raise Redirect(request.path + links.to(params.but(page=error.pages), page=True)) from error
    # Nothing found, and a word looks misspelt: the corrected search's results, saying so, with a
    # link to the search as typed (match=all: exactly the words typed, never corrected or loosened).
    as_typed = None
    suggestion = suggest.did_you_mean(params.query, shown.count)
    if not shown.count and suggestion and (respelt := _respelt(params, suggestion, within)):
        as_typed = (params.q, links.to(params.but(match="all")))
        (params, results), suggestion = respelt, None
        shown = results.page(facets_but=skip_facets)
    page, facet_list, selection = shown.page, shown.facets, shown.selection
    links.add_facet_links(params, facet_list)
    active_filters = [(label, value_label, links.to(params.without(name, value)))
                      for name, label, named in described(params) for value, value_label in named]
    if params.q:
        active_filters.insert(0, (WORDS_LABEL, params.q, links.to(params.without("q"))))
    return {
        "suggestion": suggestion,
        "as_typed": as_typed,
        "glossary": GLOSSARY_SECTIONS,
        "suggestion_url": links.to(params.but(q=suggestion)) if suggestion else None,
        "best_matches": selection.kind == MOST_WORDS,
        "unmatched": selection.unmatched,
        "all_words": selection.all_words,
        "shortened": selection.shortened,
        "loose_limit": MAX_LOOSE_WORDS,
        "strict_url": links.to(params.but(match="all")),
        "topic_hint": _topic_hint(results, params, skip_facets, shown.decisions[:10]),
        "params": params,
        "form": filterset.form,
        "page": page,
        "decisions": shown.decisions,
        "facets": facet_list,
        "active_filters": active_filters,
        "skip_facets": skip_facets,
        "organisation_problem": organisation_problem,
        "organisation_names": organisation_names() if show == "council" or organisation_problem else None,
        "filters_applied": sum(1 for label, _, _ in active_filters if label != WORDS_LABEL),
        "clear_filters_url": request.path + links.to(SearchParams(q=params.q, sort=params.sort)),
        "fewer_words": _fewer_words(params) if not page.paginator.count else [],
        "query": params.query,
        "sort": params.sort_order,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "result_query": links.to_result(params) if params.query.groups else "",
        "export_query": urlencode([*implicit, *params.pairs()]),
    }


def _respelt(params: SearchParams, corrected: str, within) -> tuple[SearchParams, SearchResults] | None:
    """For a search that found nothing: the search with its misspelt words corrected (did you
    mean's suggestion), when that finds decisions (not for ?match=all, the search as typed)."""
    if params.match == "all" or params.page != 1:
        return None
    respelt = params.but(q=corrected)
    results = SearchResults(respelt, within)
    return (respelt, results) if results.selection.count else None


def _topic_hint(results: SearchResults, params: SearchParams, skip_facets, first) -> dict | None:
    """When most of a search's best-ranked results share a subcategory: that topic, its count
    among the results, and the link that shows only those (the other filters kept)."""
    if not params.query.groups or params.subcategory or "subcategory" in skip_facets or params.page != 1:
        return None
    shared = results.shared_topic(first)
    if shared is None:
        return None
    topic, count = shared
    return {"label": topic.label, "count": count, "url": links.to(params.toggled("subcategory", topic.value))}


def organisation_names() -> list[str]:
    """Every organisation with a published decision, by name: the lists a reader picks one from."""
    return cached(("organisation names",), lambda: list(
        Council.objects.filter(decisions__is_published=True).distinct().order_by("name").values_list("name", flat=True)))


def _query(pairs) -> str:
    return "?" + urlencode(pairs) if pairs else ""


def _fewer_words(params: SearchParams) -> list[tuple[str, str, str]]:
    """For a search that found nothing: the same search without each of its words, (word left out,
    words kept, link)."""
    query = params.query
    if len(query.groups) < 2:
        return []
    words = [" ".join(group[0].words) if not group[0].phrase else f'"{" ".join(group[0].words)}"'
             for group in query.groups]
    return [(words[i], " ".join(kept), links.to(params.but(q=" ".join(kept))))
            for i, kept in enumerate([w for j, w in enumerate(words) if j != i] for i in range(len(words)))]


@require_safe
def home(request):
    published = Decision.objects.published()

    def totals_and_categories():
        totals = {**published.aggregate(decisions=Count("pk"), councils=Count("council", distinct=True)),
                  **published.payment_totals()}
        categories = list(
            Category.objects.filter(parent__isnull=True)
            .annotate(n=Count("decisions", filter=Q(decisions__is_published=True)))
            .filter(n__gt=0)
            .order_by("name")
        )
        return totals, categories

    totals, categories = cached(("home",), totals_and_categories)
    newest = published.with_listing_related().order_by("-decision_date", "-pk")[:8]
    return render(request, "decisions/home.html", {"totals": totals, "categories": categories, "newest": newest})


@require_safe
@listing_page
def decision_list(request):
    reference = search.reference_in(request.GET.get("q", ""))
    if reference and len(request.GET) == 1:
        decision = Decision.objects.published().filter(reference=reference).first()
        if decision:
            return redirect(decision)
    context = _listing_context(request)
    return render(request, "decisions/list.html", context)


@require_safe
def decision_detail(request, reference):
    decision = get_object_or_404(
        Decision.objects.published().select_related("council", "category", "subcategory__parent")
        .prefetch_related(Prefetch("remedies", Remedy.objects.order_by("position")),
                          Prefetch("findings", Finding.objects.order_by("position")))
        .defer("full_text", "source_text"),  # the page shows the structured body; these copies stay put
        reference=Decision.reference_from_slug(reference),
    )
    query = search.parse_query(request.GET.get("q", ""))
    back = request.GET.get("from", "")
    # Only ever a query string for our own results page: the path is fixed here.
    back_url = f"/decisions/?{back}" if back and "\n" not in back and "\r" not in back else None
    try:
        part, part_problem = whole_number(request.GET, "part", default=1, low=1, high=99_999), ""
    except InvalidParameter:
        part, part_problem = 1, f"The part of the statement asked for (part={request.GET['part'][:20]}) is not a " \
                                f"number from 1 to 99,999: this is its first part."
    statement = reading.statement_part(decision, query if query.groups else None,
                                       part=part,
                                       keep={"q": query.text} if query.groups else {})
    remedies, findings = list(decision.remedies.all()), list(decision.findings.all())
    reading.locate_evidence(decision, remedies + findings, statement)
    for remedy in remedies:
        remedy.compared = payments.comparisons(decision, remedy)
    page_url = request.build_absolute_uri(decision.get_absolute_url())
    return render(request, "decisions/detail.html", {
        "decision": decision,
        "page_url": page_url,
        "citation": decision.citation(page_url),
        "statement": statement,
        "body": statement.sections,
        "remedies": remedies,
        "findings": findings,
        "related": reading.similar_decisions(decision, limit=5),
        "query": query,
        "back_url": back_url,
        "part_problem": part_problem,
    })


COMPARE_CARRIED = ("council", "organisation_kind", "category", "date_from", "date_to", "page", "show")  # set by the form


@require_safe
def compare_organisations(request):
    """Two to five organisations, or one kind against all, side by side; every figure a listing."""
    form = compare.CompareForm(request.GET or None)
    columns = []
    if form.is_bound and form.ready():
        carried = [(key, value) for key, values in request.GET.lists() for value in values
                   if key in PARAMETERS and key not in COMPARE_CARRIED]
        columns = compare.columns_for(form.listing_params(carried), form.organisations, form.cleaned_data.get("kind"))
    return render(request, "decisions/compare.html", {
        "form": form, "columns": columns, "rows": compare.rows(columns) if columns else [],
        "asked": (form.shown() + [""] * compare.MOST)[:compare.MOST],
        "organisation_names": organisation_names(),
    })


@require_safe
def remedy_explorer(request):
    """What is usually paid, for each purpose: stated amounts only, with how many more state none."""
    form, rows, listing = payments.explorer_rows(request)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="ombudsman-payments.csv"'
        writer = csv.writer(response)
        writer.writerow(["purpose", "per_month", "payments_with_stated_amount", "payments_without_amount", "decisions",
                         "decisions_checked_by_staff", "median", "p25", "p75", "p10", "p90", "lowest", "highest"])
        for row in rows:
            writer.writerow([row.label, "yes" if row.per_month else "", row.stated, row.unstated, row.decisions, row.checked,
                             *[("" if value is None else value) for value in (
                                 row.median, *(row.quartiles or (None, None)), *(row.deciles or (None, None)),
                                 row.lowest, row.highest)]])
        return response
    kept = [(k, v) for k, v in request.GET.items() if k in payments.ExplorerForm.base_fields and v]
    return render(request, "decisions/remedies.html", {
        "form": form, "rows": rows, "guidance_url": payments.GUIDANCE_ON_REMEDIES,
        "has_rates": any(row.per_month for row in rows),
        "csv_url": "?" + urlencode([*kept, ("format", "csv")]), "api_url": "/api/remedies/?" + urlencode(kept)})


LEAGUE_CHART_ROWS = 10  # the league chart: a compact figure above the table, which ranks them all


class LeagueForm(ChosenDecisionsForm):
    """The league table's choices: which decisions to count, and the measure to rank by."""

    sort = forms.ChoiceField(choices=list(league.MEASURES.items()), required=False, label="Rank by")


@require_safe
def council_index(request):
    """The league table of organisations (sortable, filterable, as CSV too), then the A–Z list."""
    # The table is ranked by decisions unless asked otherwise, and the form says so.
    form = LeagueForm({"sort": "decisions", **{key: value for key, value in request.GET.items() if value}})
    measure = form.understood().get("sort") or "decisions"
    decisions, listing = form.chosen()  # and the /decisions/ parameters behind every figure
    rows = cached_for(decisions, f"league {measure}", lambda: league.league_table(decisions, measure))
    if request.GET.get("format") == "csv":
        return _league_csv(rows)
    for row in rows:
        base = [("council", row.slug), *listing]
        row.decisions_url = "/decisions/?" + urlencode(base)
        row.upheld_url = "/decisions/?" + urlencode([*base, ("outcome", "upheld")])
        row.paid_url = "/decisions/?" + urlencode([*base, ("min_payment", "0.01"), ("sort", "payment")])
    chart_rows = [(row.name, int(getattr(row, measure) or 0)) for row in rows
                  if measure != "name" and getattr(row, measure)][:LEAGUE_CHART_ROWS]
    unit = {"upheld_share": "% upheld", "total_paid": "£ paid", "median_payment": "£ median"}.get(measure, "decisions")
    letters: OrderedDict[str, list] = OrderedDict()
    for row in sorted(rows, key=lambda row: row.name.lower()):
        initial = row.name[:1].upper()
        letters.setdefault(initial if initial.isalpha() else "#", []).append(row)
    kept = [(k, v) for k, v in request.GET.items() if k in ("category", "year_from", "year_to") and v]
    return render(request, "decisions/council_index.html", {
        "form": form, "rows": rows, "measure": measure, "measures": league.MEASURES, "few": league.FEW,
        "letters": letters, "csv_url": "?" + urlencode([*kept, ("sort", measure), ("format", "csv")]),
        "sort_urls": {name: "?" + urlencode([*kept, ("sort", name)]) for name in league.MEASURES},
        "chart": charts.bar_chart(chart_rows, title=f"Top {len(chart_rows)} by {league.MEASURES[measure].lower()}",
                                  unit=unit) if chart_rows else None,
    })


def _league_csv(rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ombudsman-organisations.csv"'
    writer = csv.writer(response)
    # Payments: the stated amounts' sum (empty when none is stated: unknown, never 0) and how many
    # decisions it covers of those with a payment.
    writer.writerow(["organisation", "decisions", "investigated", "upheld", "upheld_share_percent",
                     "stated_payments_total", "decisions_with_stated_payment", "decisions_with_payment",
                     "median_stated_payment", "most_common_remedy", "few_decisions"])
    for row in rows:
        writer.writerow([exports.spreadsheet_safe(row.name), row.decisions, row.investigated, row.upheld,
                         "" if row.upheld_share is None else row.upheld_share,
                         "" if row.total_paid is None else f"{row.total_paid:.2f}", row.paid_count, row.payment_count,
                         "" if row.median_payment is None else f"{row.median_payment:.2f}", row.common_remedy,
                         "yes" if row.few else "no"])
    return response


@require_safe
@listing_page
def council_detail(request, slug):
    council = get_object_or_404(Council, slug=slug)
    base = Decision.objects.published().filter(council=council)
    context = _listing_context(request, {"council": council}, skip_facets=("council", "organisation_kind"),
                               implicit=[("council", council.slug)])
    context.update(_figures(base, council.name))
    context["council"] = council
    return render(request, "decisions/council.html", context)


@require_safe
@listing_page
def category_detail(request, slug, subslug=None):
    category = get_object_or_404(Category, slug=slug, parent__isnull=True)
    subcategory = get_object_or_404(Category, slug=subslug, parent=category) if subslug else None
    base = Decision.objects.published().filter(category=category)
    if subcategory:
        base = base.filter(subcategory=subcategory)
    implicit = [("category", category.slug)]
    if subcategory:
        implicit.append(("subcategory", f"{category.slug}/{subcategory.slug}"))
    within = {"category": category, **({"subcategory": subcategory} if subcategory else {})}
    context = _listing_context(request, within, skip_facets=("category",) + (("subcategory",) if subcategory else ()),
                               implicit=implicit)
    context.update(_figures(base, subcategory.name if subcategory else category.name))
    context.update({"category": category, "subcategory": subcategory,
                    "subcategories": None if subcategory else cached(("subcategories", category.pk),
                                                                    category.subcategories_in_use)})
    return render(request, "decisions/category.html", context)


def _figures(queryset, name: str) -> dict:
    figures = cached_for(queryset, "figures", queryset.figures)
    return {
        "figures": figures,
        "year_chart": charts.bar_chart(figures["per_year"], title=f"Decisions per year: {name}"),
        "outcome_chart": charts.bar_chart(figures["by_outcome"], title=f"Decisions by outcome: {name}"),
    }


def _export(request, *, content_type: str, extension: str, stream):
    """Every decision of a listing, streamed: memory does not grow with the number of rows."""
    try:
        results = SearchResults(search_params(request.GET, strict=True)[0])
    except InvalidParameter as problem:
        return HttpResponseBadRequest(f"{problem}\n", content_type="text/plain; charset=utf-8")
    records = exports.records(results, request.build_absolute_uri("/").rstrip("/"))
    # The first row is read before the response starts: a database that cannot be reached then
    # gives the 503 page like every other page, not a header row and a cut connection.
    first = list(itertools.islice(records, 1))
    chunks = stream(itertools.chain(first, records))
    response = StreamingHttpResponse(exports.ending_visibly(chunks, extension), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ombudsman-decisions.{extension}"'
    return response


@require_safe
def export_csv(request):
    return _export(request, content_type="text/csv; charset=utf-8", extension="csv", stream=exports.csv_stream)


@require_safe
def export_json(request):
    meta = {"source": request.build_absolute_uri(), "fields": list(exports.EXPORT_FIELDS)}
    return _export(request, content_type="application/json", extension="json",
                   stream=lambda records: exports.json_stream(records, meta))


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /decisions/export",
        "Disallow: /decisions/?",  # endless combinations of filters: the sitemap lists every page once
        "Disallow: /councils/*?",
        "Disallow: /categories/*?",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return JsonResponse({"status": "unavailable", "database": "unreachable", "detail": type(error).__name__},
                            status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def about(request):
    published = Decision.objects.published()

    def figures():
        return {"decisions": published.count(), "organisations": published.values("council").distinct().count(),
                "newest": published.aggregate(newest=Max("decision_date"))["newest"],
                "checked": published.filter(is_curated=True).count(),
                "to_check": published.filter(confidence=Decision.Confidence.LOW, is_curated=False).count()}

    state = ArchiveState.objects.filter(pk=1).first()
    return render(request, "pages/about.html", {
        **cached(("about",), figures), "last_updated": state.changed_at if state else None,
        "example_url": request.build_absolute_uri("/decisions/20-003-763/")})


@require_safe
def help_search(request):
    return render(request, "pages/help_search.html")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page names: the site's icon."""
    return redirect(static("img/favicon.svg"), permanent=True)


@require_safe
def help_terms(request):
    """The glossary: every outcome, finding, reason, remedy and payment purpose in a sentence."""
    return render(request, "pages/help_terms.html", {"sections": glossary_sections()})


# A filter's name -> its section of /help/terms/.
GLOSSARY_SECTIONS = {"outcome": "outcomes", "finding": "findings", "reason": "reasons", "remedy": "remedies",
                     "purpose": "payment-purposes", "organisation_kind": "kinds-of-organisation"}


def glossary_sections() -> list[tuple[str, str, str, str, list[tuple[str, str, str]]]]:
    """(section id, term prefix, heading, introduction, [(word, label, meaning)]) for each kind of term;
    a term's anchor is prefix-word (#finding-no_fault)."""
    def terms(words, labels=None):
        return [(word, (labels or {}).get(word) or label(word), MEANINGS.get(word, "")) for word in words]

    return [(GLOSSARY_SECTIONS[prefix], prefix, *rest) for prefix, *rest in [
        ("outcome", "Outcomes", "How the Ombudsman closed the complaint, grouped as this archive counts them.",
         [(group, name, GROUP_MEANINGS[group]) for group, name in OUTCOME_GROUPS]),
        ("finding", "Findings", "What the Ombudsman concluded. A decision can have more than one.",
         terms(FINDING_KINDS)),
        ("reason", "Reasons for not investigating", "Why the Ombudsman decided not to investigate.",
         terms(NOT_INVESTIGATED_REASONS)),
        ("remedy", "Remedies", "What the organisation agreed, or was asked, to do to put things right.",
         terms(REMEDY_KINDS)),
        ("purpose", "What a payment is for", "A payment can be for more than one of these.",
         terms(PAYMENT_PURPOSES)),
        ("organisation_kind", "Kinds of organisation", "Read from the organisation's published name; staff "
         "correct it where the name misleads.",
         [(kind, name, KIND_MEANINGS[kind]) for kind, name in ORGANISATION_KINDS]),
    ]]


@functools.cache
def _api_documentation() -> str:
    text = (settings.BASE_DIR / "docs" / "api.md").read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])
    # Wide tables and code scroll sideways on a phone: each is a region a keyboard can reach.
    return (html.replace("<pre>", '<pre tabindex="0">')
            .replace("<table>", '<div class="table-wrap" tabindex="0" role="region" aria-label="Table (scrolls '
                                'sideways on small screens)"><table>').replace("</table>", "</table></div>"))


@require_safe
def api_docs(request):
    """docs/api.md as a page: one source for the API's documentation."""
    return render(request, "pages/api_docs.html", {"documentation": mark_safe(_api_documentation())})  # noqa: S308 - our own file


@require_safe
def accessibility(request):
    return render(request, "pages/accessibility.html")
