"""What the search tests share."""

from decisions import search
from decisions.models import Decision


def found(text):
    """What a search matches, as the queryset condition and as the ids a listing reads (on
    PostgreSQL each part by its own statement): both must agree."""
    as_condition = sorted(search.matching(Decision.objects.all(), text).values_list("reference", flat=True))
    ids = search.matching_ids(search.parse_query(text))
    as_ids = Decision.objects.all() if ids is None else Decision.objects.filter(pk__in=ids.tolist())
    assert sorted(as_ids.values_list("reference", flat=True)) == as_condition
    return as_condition
