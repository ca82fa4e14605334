"""Server-side latency of the archive's pages, measured in-process with Django's test client.

Run by bench/run.py with DJANGO_SETTINGS_MODULE and the database set in the environment.
Prints one JSON object: for each page, median and 95th percentile milliseconds over warm
repeated runs, and the number of SQL queries it makes.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lgo_archive.settings")
django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from decisions import search  # noqa: E402
from decisions.models import Category, Council, Decision  # noqa: E402


def pick_words(total: int) -> tuple[str, str]:
    """A rare word (in a handful of decisions) and a common one (in most), checked in the data."""
    rare = common = None
    sample = Decision.objects.order_by("pk").values_list("full_text", flat=True)[: min(200, total)]
    candidates = sorted({word.lower() for text in sample for word in text.split()
                         if word.isalpha() and word[0].isupper() and len(word) >= 9})
    for word in candidates[:300]:
        if 2 <= len(search.matching_ids(search.parse_query(word))) <= 40:
            rare = word
            break
    for word in ("complained", "procedures", "evidence", "records"):
        if len(search.matching_ids(search.parse_query(word))) > total * 0.3:
            common = word
            break
    return rare or "xylophone", common or "council"


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(client: Client, url: str, runs: int) -> dict:
    cache.clear()  # the first request computes everything: the "cold" figure
    started = time.perf_counter()
    client.get(url)
    cold = (time.perf_counter() - started) * 1000
    for _ in range(3):
        response = client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
    timings = []
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        client.get(url)
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "url": url,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "queries": counter.count,
        "cold_ms": round(cold, 1),
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    setup_test_environment()
    client = Client()
    total = Decision.objects.count()
    rare, common = pick_words(total)
    category = Category.objects.filter(parent=None).order_by("-decisions__id").first()
    busiest = (Council.objects.filter(decisions__is_published=True).values("slug").order_by())
    council_slug = max(busiest[:400], key=lambda c: Decision.objects.filter(council__slug=c["slug"]).count())["slug"]
    filters = f"category={category.slug}&outcome=Upheld"
    references = list(Decision.objects.order_by("?").values_list("reference", flat=True)[:runs + 3])
    pages = {
        "search: rare word": f"/decisions/?q={rare}",
        "search: common word": f"/decisions/?q={common}",
        "search: phrase": "/decisions/?q=%22time+and+trouble%22",
        "search: rare word + 2 filters": f"/decisions/?q={rare}&{filters}",
        "search: common word + 2 filters": f"/decisions/?q={common}&{filters}",
        "search: phrase + 2 filters": f"/decisions/?q=%22time+and+trouble%22&{filters}",
        "filter-only listing (2 filters)": f"/decisions/?{filters}",
        "listing, no filters": "/decisions/",
        "council page with charts": f"/councils/{council_slug}/",
        "home page": "/",
    }
    results = {"decisions": total, "words": {"rare": rare, "common": common}, "pages": {}}
    for name, url in pages.items():
        results["pages"][name] = measure(client, url, runs)
    # Decision pages: a different decision each run.
    timings, queries = [], 0
    for index, reference in enumerate(references):
        url = f"/decisions/{reference.replace(' ', '-')}/"
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = client.get(url)
        assert response.status_code == 200, url
        if index >= 3:
            timings.append((time.perf_counter() - started) * 1000)
        queries = max(queries, counter.count)
    timings.sort()
    results["pages"]["decision page"] = {
        "url": "/decisions/<reference>/ (a different one each run)",
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "queries": queries,
    }
    # A realistic mix for the load test: mostly reading decisions, then searching and browsing.
    decision_urls = [f"/decisions/{r.replace(' ', '-')}/" for r in references]
    search_urls = [url for name, url in pages.items() if name.startswith("search")]
    browse_urls = [pages["filter-only listing (2 filters)"], pages["listing, no filters"],
                   pages["council page with charts"], pages["home page"], f"/categories/{category.slug}/"]
    results["load_urls"] = decision_urls * 2 + search_urls * 3 + browse_urls * 2
    print(json.dumps(results))


if __name__ == "__main__":
    main()
