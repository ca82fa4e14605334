"""Atom feeds of new decisions for any search or filter, with Django's syndication framework."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from decisions import links
from decisions.filters import InvalidParameter, search_params
from decisions.search.names import described
from decisions.search.params import WORDS_LABEL
from decisions.search.results import SearchResults
from decisions.statements.text import xml_safe

FEED_SIZE = 50


class DecisionFeed(Feed):
    feed_type = Atom1Feed
    subtitle = "New decisions of the Local Government and Social Care Ombudsman, newest first."

    def get_object(self, request):
        try:
            params, _ = search_params(request.GET, strict=True)
        except InvalidParameter as problem:
            raise BadRequest(str(problem)) from None
        self.request = request
        return SearchResults(params)

    # Every text that reaches the XML passes xml_safe(): a control character in a search or in an
    # imported statement would otherwise make the whole feed invalid.
    def title(self, results):
        params = results.params
        parts = ([f"{WORDS_LABEL}: {params.q}"] if params.q else []) + [
            f"{label}: {', '.join(value_label for _, value_label in named)}" for _, label, named in described(params)]
        return xml_safe("Ombudsman decisions" + (f": {'; '.join(parts)}" if parts else ""))

    def link(self, results):
        return "/decisions/" + links.to(results.params).rstrip("?")

    def feed_url(self, results):
        return xml_safe(self.request.get_full_path())

    def items(self, results):
        return results.newest(FEED_SIZE)

    def item_title(self, decision):
        return xml_safe(f"{decision.council.name} ({decision.reference}): {decision.outcome or 'outcome not stated'}")

    def item_description(self, decision):
        return xml_safe(decision.summary)

    def item_link(self, decision):
        return decision.get_absolute_url()

    def item_pubdate(self, decision):
        if decision.decision_date is None:
            return decision.imported_at
        return timezone.make_aware(datetime.combine(decision.decision_date, time(12, 0)))

    def item_updateddate(self, decision):
        return decision.updated_at

    def item_categories(self, decision):
        return [xml_safe(c) for c in (decision.category and decision.category.name,
                                      decision.subcategory and decision.subcategory.name, decision.outcome) if c]

