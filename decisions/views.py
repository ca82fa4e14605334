"""Public pages: thin views over the FilterSet, the models' querysets and the search module."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from decisions import charts, exports, reading, search, suggest
from decisions.caching import cached, cached_for
from decisions.models import Category, Council, Decision, Finding, Remedy
from decisions.querystring import current, replaced, without
from decisions.results import InvalidParameter, SearchResults

PAGE_SIZE = 25


def _listing_context(request, base_queryset, *, skip_facets=(), implicit=()):
    """A listing of decisions (search, filters, sort, page, facets, snippets): every listing page's.

    `implicit`: the (parameter, value) pairs a page's own base stands for (its council or
    category), so that its export, feed and API links give the same decisions."""
    results = SearchResults(request.GET, base_queryset, strict=False)
    filterset = results.filterset
    try:
        shown = results.page(request.GET.get("page"), per_page=PAGE_SIZE, request=request, skip_facets=skip_facets)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of results") from error
    page, decisions, facet_list = shown.page, shown.decisions, shown.facets
    suggestion = suggest.did_you_mean(filterset.query, page.paginator.count, base_queryset.db)
    return {
        "suggestion": suggestion,
        "suggestion_url": replaced(request, "q", suggestion) if suggestion else None,
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "decisions": decisions,
        "facets": facet_list,
        "active_filters": _active_filters(filterset, request),
        "query": filterset.query,
        "sort": filterset.sort_order,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "search_state": current(request),
        "export_query": urlencode([*implicit, *[(k, v) for k, vs in request.GET.lists() if k != "page"
                                                  for v in vs]]),
    }


def _active_filters(filterset, request):
    """Chips for the filters in use, each with a link that removes it."""
    chips = []
    for name, value in filterset.cleaned_data.items():
        if name == "sort" or value in (None, "", []):
            continue
        label = filterset.filters[name].label
        if name in ("council", "category"):
            chips += [(label, obj.name, without(request, name, obj.slug)) for obj in value]
        elif isinstance(value, list):
            choices = dict(filterset.form.fields[name].choices)
            chips += [(label, choices.get(v, v), without(request, name, v)) for v in value]
        else:
            chips.append((label, value, without(request, name)))
    return chips


@require_safe
def home(request):
    published = Decision.objects.published()

    def totals_and_categories():
        totals = published.aggregate(decisions=Count("pk"), paid=Sum("total_payment"),
                                     councils=Count("council", distinct=True))
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
def decision_list(request):
    reference = search.reference_in(request.GET.get("q", ""))
    if reference and len(request.GET) == 1:
        decision = Decision.objects.published().filter(reference=reference).first()
        if decision:
            return redirect(decision)
    context = _listing_context(request, Decision.objects.published())
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
    part = request.GET.get("part", "1")
    statement = reading.statement_part(decision, query if query.groups else None,
                                       part=int(part) if part.isdigit() and len(part) < 6 else 1,
                                       keep={"q": query.text} if query.groups else {})
    remedies, findings = list(decision.remedies.all()), list(decision.findings.all())
    reading.locate_evidence(decision, remedies + findings, statement)
    return render(request, "decisions/detail.html", {
        "decision": decision,
        "statement": statement,
        "body": statement.sections,
        "remedies": remedies,
        "findings": findings,
        "related": reading.similar_decisions(decision, limit=5),
        "query": query,
        "back_url": back_url,
    })


@require_safe
def council_index(request):
    councils = (
        Council.objects.annotate(n=Count("decisions", filter=Q(decisions__is_published=True)))
        .filter(n__gt=0)
        .order_by("name")
    )
    letters: OrderedDict[str, list] = OrderedDict()
    for council in councils:
        initial = council.name[:1].upper()
        letters.setdefault(initial if initial.isalpha() else "#", []).append(council)
    return render(request, "decisions/council_index.html", {"letters": letters})


@require_safe
def council_detail(request, slug):
    council = get_object_or_404(Council, slug=slug)
    base = Decision.objects.published().filter(council=council)
    context = _listing_context(request, base, skip_facets=("council",), implicit=[("council", council.slug)])
    context.update(_figures(base, council.name))
    context["council"] = council
    return render(request, "decisions/council.html", context)


@require_safe
def category_detail(request, slug, subslug=None):
    category = get_object_or_404(Category, slug=slug, parent__isnull=True)
    subcategory = get_object_or_404(Category, slug=subslug, parent=category) if subslug else None
    base = Decision.objects.published().filter(category=category)
    if subcategory:
        base = base.filter(subcategory=subcategory)
    implicit = [("category", category.slug)]
    if subcategory:
        implicit.append(("subcategory", f"{category.slug}/{subcategory.slug}"))
    context = _listing_context(request, base, skip_facets=("category",) + (("subcategory",) if subcategory else ()),
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
        "year_chart": charts.column_chart(figures["per_year"], title=f"Decisions per year: {name}"),
        "outcome_chart": charts.bar_chart(figures["by_outcome"], title=f"Decisions by outcome: {name}"),
    }


def _export(request, *, content_type: str, extension: str, stream):
    """Every decision of a listing, streamed: memory does not grow with the number of rows."""
    try:
        results = SearchResults(request.GET)
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
