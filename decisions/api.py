"""A read-only JSON API: the same filters, sort and search as the site (docs/api.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import EmptyPage
from django.db.models import Count, Q
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from decisions import payments
from decisions.exports import decision_row, export_queryset
from decisions.filters import InvalidParameter, search_params, whole_number
from decisions.models import Category, Council, Decision
from decisions.search.results import SearchResults

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def error(status: int, message: str, parameter: str | None = None, detail: str | None = None) -> JsonResponse:
    body = {"error": message}
    if parameter:
        body["parameter"] = parameter
    if detail:
        body["detail"] = detail
    return JsonResponse(body, status=status)




def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def index(request):
    root = base_url(request)
    return JsonResponse({
        "decisions": f"{root}/api/decisions/",
        "councils": f"{root}/api/councils/",
        "categories": f"{root}/api/categories/",
        "documentation": f"{root}/api/docs/",
    })


@require_safe
def decision_list(request):
    try:
        page = whole_number(request.GET, "page", default=1, low=1, high=10**9)
        page_size = whole_number(request.GET, "page_size", default=DEFAULT_PAGE_SIZE, low=1, high=MAX_PAGE_SIZE)
        params, _ = search_params(request.GET, strict=True, page=page, page_size=page_size)
    except InvalidParameter as problem:
        return error(400, f"Invalid value for parameter '{problem.name}'", parameter=problem.name,
                     detail=problem.message)
    results = SearchResults(params)
    try:
        shown = results.page(shape=export_queryset, snippets=False)
    except EmptyPage as empty:
        return error(404, "No such page", parameter="page", detail=f"There are {empty.pages} pages.")
    page, paginator = shown.page, shown.page.paginator
    root = base_url(request)
    rows = []
    for decision in shown.decisions:
        row = decision_row(decision, root)
        row["api_url"] = f"{root}/api/decisions/{decision.reference_slug}/"
        rows.append(row)

    def link(number):
        size = [("page_size", str(page_size))] if page_size != DEFAULT_PAGE_SIZE else []
        pairs = [*params.pairs(), *size, ("page", str(number))]
        return f"{root}{request.path}?{urlencode(pairs)}"

    return JsonResponse({
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "sort": results.sort_order,
        # "all words", or "most words" when no decision (or fewer than 10) had every word and the
        # results are the best matches; the words no decision has, then.
        "match": shown.selection.kind,
        "unmatched_words": list(shown.selection.unmatched),
        "results": rows,
    })


@require_safe
def decision_detail(request, reference):
    decision = (
        Decision.objects.published().with_listing_related().defer(None)
        .prefetch_related("remedies", "findings")
        .filter(reference=Decision.reference_from_slug(reference)).first()
    )
    if decision is None:
        return error(404, f"No published decision with reference {reference!r}")
    root = base_url(request)
    body = decision_row(decision, root)
    body.update({
        "council_url": f"{root}{decision.council.get_absolute_url()}",
        "lgo_url": decision.lgo_url,
        "decided_by": decision.decided_by,
        "related_references": decision.related_references,
        "sections": decision.body,
        "remedies": [
            {"kind": r.kind, "amount": f"{r.amount:.2f}" if r.amount is not None else None,
             "purposes": r.purpose_list, "deadline": r.deadline or None, "text": r.text, "basis": r.basis,
             "rate": ({"per": f"{r.rate_per:.2f}", "period": r.rate_period, "periods": r.rate_periods}
                      if r.rate_per is not None else None)}
            for r in decision.remedies.all()
        ],
        "findings": [{"kind": f.kind, "reason": f.reason or None, "text": f.text, "basis": f.basis}
                     for f in decision.findings.all()],
        "review_reasons": decision.review_reasons,
    })
    return JsonResponse(body)


@require_safe
def council_list(request):
    root = base_url(request)
    councils = (
        Council.objects.annotate(decisions_count=Count("decisions", filter=Q(decisions__is_published=True)))
        .filter(decisions_count__gt=0)
        .order_by("name")
    )
    return JsonResponse({"count": len(councils), "results": [
        {"name": c.name, "slug": c.slug, "kind": c.kind, "decisions": c.decisions_count,
         "url": f"{root}{c.get_absolute_url()}",
         "api_decisions": f"{root}/api/decisions/?council={c.slug}"}
        for c in councils
    ]})


@require_safe
def category_list(request):
    root = base_url(request)
    counts = {
        (row["category"], row["subcategory"]): row["n"]
        for row in Decision.objects.published().values("category", "subcategory").annotate(n=Count("pk"))
    }
    tree = []
    categories = Category.objects.order_by("name")
    children: dict[int, list] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    for category in categories:
        if category.parent_id:
            continue
        total = sum(n for (top, _), n in counts.items() if top == category.pk)
        tree.append({
            "name": category.name, "slug": category.slug, "decisions": total,
            "url": f"{root}{category.get_absolute_url()}",
            "subcategories": [
                {"name": sub.name, "slug": sub.slug, "filter_value": f"{category.slug}/{sub.slug}",
                 "decisions": counts.get((category.pk, sub.pk), 0),
                 "url": f"{root}/categories/{category.slug}/{sub.slug}/"}
                for sub in children.get(category.pk, [])
            ],
        })
    return JsonResponse({"count": len(tree), "results": tree})


@require_safe
def remedies(request):
    """The remedy explorer's figures (/remedies/) as JSON: the same rows and filters."""
    form, rows, listing = payments.explorer_rows(request)
    if form.is_bound and form.errors:
        name, messages = next(iter(form.errors.items()))
        return error(400, f"Invalid value for parameter '{name}'", name, " ".join(messages))
    root = base_url(request)

    def pounds(value):
        return None if value is None else f"{value:.2f}"

    return JsonResponse({
        "about": "Stated payment amounts only; payments agreed without an amount are counted apart, never as 0. "
                 "A payment for two purposes counts in both. Rows with per_month hold the payments stated as a "
                 "rate, each as so much a month (a week as 12/52 of a month, a term as three months, a year as 12).",
        "guidance": payments.GUIDANCE_ON_REMEDIES,
        "results": [{
            "purpose": row.purpose, "label": row.label, "per_month": row.per_month,
            "payments_with_stated_amount": row.stated,
            "payments_without_amount": row.unstated, "decisions": row.decisions,
            "decisions_checked_by_staff": row.checked, "median": pounds(row.median),
            "p25": pounds(row.quartiles[0] if row.quartiles else None),
            "p75": pounds(row.quartiles[1] if row.quartiles else None),
            "p10": pounds(row.deciles[0] if row.deciles else None),
            "p90": pounds(row.deciles[1] if row.deciles else None),
            "lowest": pounds(row.lowest), "highest": pounds(row.highest),
            "decisions_url": root + row.listing,
        } for row in rows]})
