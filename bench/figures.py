"""The pages of figures, as users ask for them: the remedy explorer and comparisons of organisations.

    python bench/figures.py [COUNT] [--seed N]   (DJANGO_SETTINGS_MODULE and the database from the environment)

Builds COUNT different /remedies/ URLs (any of category, subcategory, outcome, kind of
organisation, organisation, years) and COUNT different /councils/compare/ URLs (five
organisations, or one kind against all, with any of category and years), deterministically for a
seed; empties the cache; requests each once through Django's test client and prints one JSON
object per page with the median, 95th percentile and slowest times (server-side, in-process).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lgo_archive.settings")
django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from decisions.models import Category, Council, Decision  # noqa: E402
from decisions.search.columns import forget  # noqa: E402
from decisions.statements.organisations import ORGANISATION_KINDS  # noqa: E402
from decisions.statements.outcomes import OUTCOME_GROUPS  # noqa: E402


def build(count: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    categories = list(Category.objects.filter(parent__isnull=True).values_list("slug", flat=True))
    subcategories = [f"{parent}/{slug}" for parent, slug in
                     Category.objects.filter(parent__isnull=False).values_list("parent__slug", "slug")]
    councils = list(Council.objects.values_list("slug", flat=True))
    kinds = sorted({kind for kind in Council.objects.values_list("kind", flat=True)})
    outcomes = [group for group, _ in OUTCOME_GROUPS[:4]]

    def years() -> list[tuple[str, str]]:
        start = rng.randint(2013, 2025)
        chosen = []
        if rng.random() < 0.4:
            chosen.append(("year_from", str(start)))
        if rng.random() < 0.3:
            chosen.append(("year_to", str(min(2025, start + rng.randint(0, 4)))))
        return chosen

    remedies: set[str] = set()
    while len(remedies) < count:
        query = []
        if rng.random() < 0.5:
            query.append(("category", rng.choice(categories)))
        elif rng.random() < 0.4:
            query.append(("subcategory", rng.choice(subcategories)))
        if rng.random() < 0.3:
            query.append(("outcome", rng.choice(outcomes)))
        if rng.random() < 0.3:
            query.append(("organisation_kind", rng.choice(kinds)))
        elif rng.random() < 0.2:
            query.append(("council", rng.choice(councils)))
        query += years()
        remedies.add("/remedies/?" + urlencode(query))
    comparisons: set[str] = set()
    while len(comparisons) < count:
        query = ([("kind", rng.choice(kinds))] if rng.random() < 0.2
                 else [("o", slug) for slug in rng.sample(councils, 5)])
        if rng.random() < 0.5:
            query.append(("category", rng.choice(categories)))
        query += years()
        comparisons.add("/councils/compare/?" + urlencode(query))
    return {"remedies": sorted(remedies, key=lambda _: rng.random()),
            "compare": sorted(comparisons, key=lambda _: rng.random())}


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    setup_test_environment()
    client = Client()
    pages = build(count, seed)
    client.get("/remedies/")  # load code, templates and the listing columns, then forget what it cached
    client.get("/councils/compare/?kind=" + ORGANISATION_KINDS[0][0])
    cache.clear()  # nothing cached before: every figure is a first request
    for page, urls in pages.items():
        timings = []
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            timings.append((elapsed, url))
        ordered = sorted(t for t, _ in timings)
        print(json.dumps({
            "page": page, "decisions": Decision.objects.count(), "requests": len(ordered),
            "cache": "emptied before; each URL asked once (no figure is served from the cache); the listing "
                     "columns held in memory, as after any first request",
            "p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(percentile(ordered, 0.95), 1),
            "max_ms": round(ordered[-1], 1),
            "slowest": [{"ms": round(t, 1), "url": u} for t, u in sorted(timings, reverse=True)[:3]],
        }))
    forget()


if __name__ == "__main__":
    main()
