"""Does the shared cache stay fast as it fills? Django's Redis backend, as the site uses it.

    python bench/cache_fill.py [ENTRIES]      (default 300,000; starts its own redis-server)

Writes ENTRIES values shaped like the site's (a facet count's rows, about 2 KB pickled) under
keys like the site's, and times a read of a present key and of an absent one (a new search) and
a write, 2,000 of each, at several fill levels. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    folder = tempfile.mkdtemp(prefix="lgo-cache-fill-")
    socket = f"{folder}/redis.sock"
    server = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not os.path.exists(socket):
            time.sleep(0.02)
        sys.path.insert(0, ROOT)
        os.environ.update({"REDIS_URL": f"unix://{socket}", "DJANGO_SECRET_KEY": "x" * 60,
                           "DJANGO_SETTINGS_MODULE": "lgo_archive.settings"})
        import django

        django.setup()
        from django.core.cache import cache

        value = [("category", str(n), n * 7) for n in range(60)] + [("council", str(n), n) for n in range(40)]
        report, written = {"backend": "django.core.cache.backends.redis (ResilientRedisCache)", "levels": []}, 0
        for level in sorted({10_000, 100_000, entries}):
            while written < level:
                cache.set_many({f"archive:{written:064x}": value for written in range(written, min(level, written + 1000))},
                               300)
                written = min(level, written + 1000)

            def timed(operation) -> dict:
                times = []
                for n in range(2_000):
                    started = time.perf_counter()
                    operation(n)
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[1899], 3)}

            report["levels"].append({
                "entries": level,
                "read_present": timed(lambda n, level=level: cache.get(f"archive:{(n * 7919) % level:064x}")),
                "read_absent": timed(lambda n, level=level: cache.get(f"archive:new-search-{n}-{level}")),
                "write": timed(lambda n, level=level: cache.set(f"archive:fresh-{n}-{level}", value, 300)),
            })
        report["redis_memory_mb"] = round(int(subprocess.run(
            ["redis-cli", "-s", socket, "info", "memory"], capture_output=True, text=True).stdout.split(
            "used_memory:")[1].split()[0]) / 1024 / 1024) if shutil.which("redis-cli") else None
        print(json.dumps(report, indent=1))
    finally:
        server.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
