"""Public pages: thin views over the models' querysets."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from decisions.models import Decision


def home(request):
    decisions = Decision.objects.published().with_listing_related().order_by("-decision_date", "reference")
    page = Paginator(decisions, 25).get_page(request.GET.get("page"))
    return render(request, "decisions/home.html", {"page": page})


def decision_detail(request, reference):
    decision = get_object_or_404(
        Decision.objects.published().with_listing_related().prefetch_related("remedies", "findings"),
        reference=Decision.reference_from_slug(reference),
    )
    return render(request, "decisions/detail.html", {"decision": decision})
