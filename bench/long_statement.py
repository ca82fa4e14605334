"""How long a decision page takes for a very long statement (uncached), and what the import refuses.

    python bench/long_statement.py [KB ...]     (default 60 250 1000; a temporary SQLite database)

Builds a statement of each size in the saved-text layout (numbered paragraphs of real-looking
length under a dozen headings), imports it, then asks for its page 20 times with the cache
emptied before each request: the first part, a middle part, and the first part with a search
highlighted. Prints one JSON object with p50/p95/max per case and the page's HTML size.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

SENTENCE = ("The Council did not respond to Mrs X's complaint within the timescales set out in its procedure, "
            "and this caused her avoidable distress and uncertainty about the care her mother would receive. ")


def statement(kb: int) -> str:
    lines = ["Northshire County Council (99 123 456)", "", "Category : Adult care services > Charging", "",
             "Decision : Upheld", "", "Decision date : 3 Mar 2024", "", "The Ombudsman's final decision:", "",
             "Summary: The Council was at fault and has agreed to apologise and pay Mrs X £300.", ""]
    size, section = sum(len(line) for line in lines), 0
    while size < kb * 1024:
        section += 1
        lines += ["", f"What I found part {section}", ""]
        for number in range(1, 41):
            text = f"  {number}. " + SENTENCE * 3
            lines.append(text)
            size += len(text) + 1
        lines += ["", "Back to top"]
    return "\n".join(lines) + "\n"


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [60, 250, 1000]
    folder = tempfile.mkdtemp(prefix="lgo-long-")
    os.environ.update({"DJANGO_SQLITE_PATH": str(Path(folder) / "long.sqlite3"),
                       "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-use-0123456789",
                       "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_SECURE_SSL_REDIRECT": "0"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lgo_archive.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from decisions.models import Decision
    from decisions.services import MAX_FILE_BYTES, DecisionImporter

    call_command("migrate", verbosity=0)
    setup_test_environment()
    client = Client()
    report = {"cache": "emptied before every request", "import_limit_bytes": MAX_FILE_BYTES, "cases": []}
    for kb in sizes:
        Decision.objects.all().delete()
        data = statement(kb).encode()
        result = DecisionImporter().import_bytes(data, source_name=f"long-{kb}.txt")
        if result.status != "created":
            report["cases"].append({"kb": kb, "import": f"{result.status}: {result.reason}"})
            continue
        parts = client.get("/decisions/99-123-456/").context["statement"].parts
        for label, url in (("first part", "/decisions/99-123-456/"),
                           ("middle part", f"/decisions/99-123-456/?part={max(1, parts // 2)}"),
                           ("first part, search highlighted", "/decisions/99-123-456/?q=distress+care")):
            timings, html = [], 0
            for _ in range(20):
                cache.clear()
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                html = len(response.content)
            timings.sort()
            report["cases"].append({"kb": kb, "parts": parts, "page": label, "html_kb": round(html / 1024),
                                    "p50_ms": round(statistics.median(timings), 1),
                                    "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
                                    "max_ms": round(timings[-1], 1)})
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
