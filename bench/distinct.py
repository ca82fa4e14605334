"""Distinct searches, as users make them: every URL different, each asked once, nothing cached before.

    python bench/distinct.py [COUNT] [--seed N] [--urls FILE] [--plain]
                                        (DJANGO_SETTINGS_MODULE and the database from the environment)

Builds COUNT different search URLs from the archive's own words (topic words, rare and
common words, two-word searches, phrases from summaries), each with and without filters
(category, outcome, a year) and sorts, deterministically for a seed; empties the cache; then
requests each once through Django's test client and prints one JSON object with the median,
95th percentile and slowest times (server-side, in-process), the slowest URLs, and the mix.
With --urls FILE it only writes the URLs, one a line, for a load test (bench/load.py --no-warmup).
With --plain the searches are plain words instead, as complainants type them: 5 to 14 words, the
corpus's own words among everyday filler, most finding no decision with every word (best matches).
"""

from __future__ import annotations

import json
import os
import random
import re
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

from decisions.models import Category, Decision  # noqa: E402

STOP = set("""the and for that with this was were has have had not but from which they their there been would could
should about into after before when will what also than then them these those such other more most some made make
said says only very over under while where being because council complaint complained ombudsman decision""".split())


def words_of(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        found += [w.lower() for w in re.findall(r"[A-Za-z]{4,}", text or "") if w.lower() not in STOP]
    return found


# How people around their words describe what happened: everyday words, possessives, contractions.
FILLER = """my our the a and i we was were is it they them council council's won't didn't can't keep kept
still never for months weeks year about because nothing help please my son's my mum's to of in on at
with who would not""".split()


def build(count: int, seed: int, plain_words: bool = False) -> list[tuple[str, str]]:
    """(kind, URL) pairs, all different."""
    rng = random.Random(seed)
    published = Decision.objects.published()
    # By reference, not id: a parallel import numbers decisions in no fixed order, and two runs
    # compared must ask the same URLs.
    sample = list(published.order_by("reference").values_list("summary", flat=True)
                  [:: max(1, published.count() // 400)])
    vocabulary = words_of(sample)
    frequency: dict[str, int] = {}
    for word in vocabulary:
        frequency[word] = frequency.get(word, 0) + 1
    ranked = sorted(frequency, key=lambda w: -frequency[w])
    common, rare = ranked[:150], [w for w in ranked if frequency[w] == 1][:2000] or ranked[-200:]
    names = list(Category.objects.values_list("name", flat=True))
    topics = sorted({n.lower() for n in names if n.lower() != "other"})
    categories = list(Category.objects.filter(parent=None).values_list("slug", flat=True))
    years = [d.year for d in published.exclude(decision_date=None).dates("decision_date", "year")]
    phrases = []
    for text in sample:
        tokens = re.findall(r"[A-Za-z]+", text or "")
        if len(tokens) > 6:
            start = rng.randrange(0, len(tokens) - 3)
            phrases.append(" ".join(tokens[start:start + rng.choice((2, 3))]).lower())
    def plain() -> str:
        # One in twenty is a long description (up to the 2,000 characters a search reads).
        size = rng.randint(5, 14) if rng.random() >= 0.05 else rng.randint(250, 320)
        meaningful = [rng.choice(ranked[:1500] if rng.random() < 0.6 else rare) for _ in range(rng.randint(2, 5))]
        words = meaningful + [rng.choice(FILLER) for _ in range(size - len(meaningful))]
        rng.shuffle(words)
        return " ".join(words)[:2000]

    if plain_words:
        makers = {"plain words": plain}
    else:
        makers = {
            "topic": lambda: rng.choice(topics),
            "common word": lambda: rng.choice(common),
            "rare word": lambda: rng.choice(rare),
            "two words": lambda: f"{rng.choice(common)} {rng.choice(ranked[:1500])}",
            "phrase": lambda: f'"{rng.choice(phrases)}"',
        }
    urls: dict[str, str] = {}
    attempts = 0
    while len(urls) < count and attempts < count * 50:
        attempts += 1
        kind = rng.choice(list(makers))
        params = [("q", makers[kind]())]
        extras = []
        if rng.random() < 0.5:
            choice = rng.choice(("category", "outcome", "year", "category+outcome"))
            if "category" in choice and categories:
                params.append(("category", rng.choice(categories)))
            if "outcome" in choice:
                params.append(("outcome", rng.choice(("Upheld", "Not upheld", "Closed after initial enquiries"))))
            if choice == "year" and years:
                year = rng.choice(years)
                params += [("date_from", f"{year}-01-01"), ("date_to", f"{year}-12-31")]
            extras.append("filtered")
        if rng.random() < 0.25:
            params.append(("sort", rng.choice(("newest", "payment"))))
            extras.append("sorted")
        url = "/decisions/?" + urlencode(params)
        urls.setdefault(url, " + ".join([kind, *extras]))
    return [(kind, url) for url, kind in urls.items()]


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 300
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    setup_test_environment()
    client = Client()
    searches = build(count, seed, plain_words="--plain" in sys.argv)
    if "--urls" in sys.argv:
        with open(sys.argv[sys.argv.index("--urls") + 1], "w", encoding="utf-8") as handle:
            handle.writelines(f"{url}\n" for _, url in searches)
        return
    client.get("/decisions/?q=warmup")  # load code and templates, then forget what it cached
    cache.clear()  # nothing cached before: every figure is a first request
    timings: list[tuple[float, str, str]] = []
    for kind, url in searches:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code not in (200, 302):
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        timings.append((elapsed, kind, url))
    ordered = sorted(t for t, _, _ in timings)
    kinds: dict[str, int] = {}
    for _, kind, _ in timings:
        kinds[kind.split(" + ")[0]] = kinds.get(kind.split(" + ")[0], 0) + 1
    print(json.dumps({
        "decisions": Decision.objects.count(),
        "searches": len(ordered),
        "cache": "emptied before; each URL asked once (no figure is served from the cache)",
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "max_ms": round(ordered[-1], 1),
        "mix": kinds,
        "slowest": [{"ms": round(t, 1), "kind": k, "url": u} for t, k, u in sorted(timings, reverse=True)[:8]],
        **({"timings": {u: round(t, 1) for t, _, u in timings}} if "--all" in sys.argv else {}),
    }))


if __name__ == "__main__":
    main()
