"""What the search tests share."""

from decisions import search
from decisions.models import Decision


def found(text):
    """The references of every decision a search matches (published or not), sorted, read as a
    listing reads them (search.matching_ids): each test says by hand which decisions it expects."""
    ids = search.matching_ids(search.parse_query(text))
    matched = Decision.objects.all() if ids is None else Decision.objects.filter(pk__in=ids.tolist())
    return sorted(matched.values_list("reference", flat=True))
