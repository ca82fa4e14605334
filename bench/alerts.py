"""Email alerts at scale: 10,000 confirmed alerts, an import of 500 new decisions, then send_alerts.

    python bench/alerts.py [ALERTS] [--new 500] [--seed N]   (the database from the environment: use a copy)

Adds ALERTS confirmed alerts with realistic searches (a category or subcategory, an organisation,
words of the archive's own summaries, some with an outcome or a remedy), positioned at the newest
decision; imports --new new statements written by bench/generate_corpus.py; then times the two
steps of send_alerts: matching every alert and writing the outbox (prepare), and sending the
outbox to a real SMTP server on loopback (aiosmtpd, in a process of its own, keeping nothing).
Then asks the subscribe page for COUNT
different searches, each once, the cache emptied before. Prints one JSON object.

It writes to the database it is given: run it on a copy of the benchmark database.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lgo_archive.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from decisions import alerts, links  # noqa: E402
from decisions.models import Alert, Category, Council, Decision, OutboxEmail, Subscriber  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.distinct import words_of  # noqa: E402
from tests.mail_server import free_port  # noqa: E402


def searches(count: int, rng: random.Random) -> list[str]:
    """Listing queries as people would follow them."""
    categories = list(Category.objects.filter(parent=None).values_list("slug", flat=True))
    subcategories = [f"{p}/{s}" for p, s in Category.objects.filter(parent__isnull=False)
                     .values_list("parent__slug", "slug")]
    councils = list(Council.objects.values_list("slug", flat=True))
    sample = Decision.objects.order_by("reference").values_list("summary", flat=True)[::250]
    frequency: dict[str, int] = {}
    for word in words_of(list(sample)):
        frequency[word] = frequency.get(word, 0) + 1
    words = sorted(frequency, key=lambda w: -frequency[w])[:600]
    found = []
    for _ in range(count):
        pick = rng.random()
        query = []
        if pick < 0.25:
            query.append(("category", rng.choice(categories)))
        elif pick < 0.45:
            query.append(("subcategory", rng.choice(subcategories)))
        elif pick < 0.65:
            query.append(("council", rng.choice(councils)))
        else:
            query.append(("q", " ".join(rng.sample(words, rng.choice((1, 1, 2))))))
            if rng.random() < 0.4:
                query.append(("category", rng.choice(categories)))
        if rng.random() < 0.15:
            query.append(("outcome", "upheld"))
        if rng.random() < 0.1:
            query.append(("remedy", "payment"))
        found.append(urlencode(query))
    return found


def add_alerts(count: int, rng: random.Random) -> None:
    top = Decision.objects.aggregate(top=Max("pk"))["top"] or 0
    subscribers = Subscriber.objects.bulk_create([Subscriber(email=f"reader{n}@bench.example") for n in range(count)],
                                                 batch_size=1000)
    frequencies = [Alert.Frequency.IMMEDIATE] * 3 + [Alert.Frequency.DAILY] * 4 + [Alert.Frequency.WEEKLY] * 2
    now = timezone.now()
    followed = [alerts.alert_params(query) for query in searches(count, rng)]
    Alert.objects.bulk_create([
        Alert(subscriber=subscriber, query=links.to(params)[1:], description=alerts.describe(params),
              frequency=rng.choice(frequencies), confirmed_at=now, position=top)
        for subscriber, params in zip(subscribers, followed, strict=True)], batch_size=1000)


def import_new(count: int, seed: int) -> float:
    spec = importlib.util.spec_from_file_location("generate_corpus", HERE / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    writer = module.Writer(seed)
    with tempfile.TemporaryDirectory() as folder:
        for index in range(100_000, 100_000 + count):  # references past the 100,000-decision corpus's
            (Path(folder) / f"{index:06d}.txt").write_text(writer.statement(index), encoding="utf-8")
        started = time.perf_counter()
        call_command("import_decisions", folder, "--progress-every", "0", verbosity=0)
        return time.perf_counter() - started


def subscribe_page(count: int, rng: random.Random) -> dict:
    setup_test_environment()
    client = Client()
    urls = sorted({"/alerts/new/?" + query for query in searches(count * 2, rng)})[:count]
    client.get(urls[0])
    cache.clear()
    timings = []
    for url in urls[1:]:
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    ordered = sorted(timings)
    return {"requests": len(ordered), "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * len(ordered))], 1), "max_ms": round(ordered[-1], 1)}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 10_000
    new = int(sys.argv[sys.argv.index("--new") + 1]) if "--new" in sys.argv else 500
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    rng = random.Random(seed)
    if Alert.objects.exists() or OutboxEmail.objects.exists():
        raise SystemExit("This database has alerts already: run the benchmark on a fresh copy.")
    started = time.perf_counter()
    add_alerts(count, rng)
    added = time.perf_counter() - started
    imported = import_new(new, seed + 1)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                               "-l", f"127.0.0.1:{port}"])
    try:
        time.sleep(1)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        started = time.perf_counter()
        written = alerts.prepare()
        prepared = time.perf_counter() - started
        started = time.perf_counter()
        sent, failed = alerts.send_outbox()
        sending = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    again = alerts.prepare()
    print(json.dumps({
        "decisions": Decision.objects.count(), "alerts": count, "new_decisions": new,
        "alerts_added_s": round(added, 1), "import_s": round(imported, 1),
        "prepare_s (every alert matched, outbox written)": round(prepared, 1), "emails_written": written,
        "send_s (to a real SMTP server on loopback)": round(sending, 1), "sent": sent, "failed": failed,
        "send_alerts_total_s": round(prepared + sending, 1),
        "second_run_written": again,
        "subscribe_page (each URL once, cache emptied before)": subscribe_page(200, rng),
    }))


if __name__ == "__main__":
    main()
