"""Soak test: minutes of mixed pages and searches against the production server, on loopback.

    .venv/bin/python bench/soak.py --minutes 3 [--decisions 5000] [--workers 4] [--concurrency 8]

Builds a SQLite archive of generated decisions (bench/results/soak.sqlite3), serves it with
gunicorn as production would (DEBUG off, collected static files), and loads it from this
process in 30-second rounds with bench/load.py, sampling the workers' memory after each.
Passes when there are no errors and the workers' memory is flat (the last round within
15% of the first, after warm-up). Writes docs/soak.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PYTHON, RESULTS, ROOT, free_port, start_server, stop_server, tree_rss_kb  # noqa: E402

ROUND_SECONDS = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)

    database = RESULTS / "soak.sqlite3"
    corpus = RESULTS / f"soak-corpus-{args.decisions}"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DJANGO_SQLITE_PATH": str(database),
           "DJANGO_SECRET_KEY": "soak-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
           "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver", "DJANGO_SECURE_SSL_REDIRECT": "0"}
    if not database.exists():
        if not corpus.exists():
            subprocess.run([PYTHON, "bench/generate_corpus.py", str(corpus), "--count", str(args.decisions),
                            "--seed", "11"], cwd=ROOT, check=True)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "import_decisions", str(corpus), "--jobs", "2", "--progress-every", "0"],
                       cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    latency = json.loads(subprocess.run([PYTHON, "bench/latency.py", "2"], cwd=ROOT, env=env, check=True,
                                        capture_output=True, text=True).stdout.strip().splitlines()[-1])
    urls = Path(tempfile.mkstemp(suffix=".txt")[1])
    urls.write_text("\n".join(latency["load_urls"]))

    port = free_port()
    server = start_server([str(ROOT / ".venv" / "bin" / "gunicorn"), "lgo_archive.wsgi", "--bind",
                           f"127.0.0.1:{port}", "--workers", str(args.workers), "--max-requests", "0"], env, port)
    rounds = []
    try:
        for number in range(max(1, int(args.minutes * 60 / ROUND_SECONDS))):
            result = json.loads(subprocess.run(
                [PYTHON, "bench/load.py", f"http://127.0.0.1:{port}", str(urls), "--seconds", str(ROUND_SECONDS),
                 "--concurrency", str(args.concurrency)], cwd=ROOT, check=True, capture_output=True,
                text=True).stdout)
            result["round"] = number + 1
            result["workers_rss_mb"] = tree_rss_kb(server.pid) // 1024
            rounds.append(result)
            print(json.dumps(result), flush=True)
    finally:
        stop_server(server)

    errors = sum(r["errors"] for r in rounds)
    baseline = rounds[1]["workers_rss_mb"] if len(rounds) > 2 else rounds[0]["workers_rss_mb"]
    growth = (rounds[-1]["workers_rss_mb"] - baseline) / baseline
    passed = errors == 0 and growth <= 0.15
    lines = [
        "# Soak test",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `.venv/bin/python bench/soak.py "
        f"--minutes {args.minutes:g}`: {args.decisions:,} generated decisions on SQLite, gunicorn with "
        f"{args.workers} workers, {args.concurrency} concurrent clients on loopback, a mix of decision pages, "
        "searches (with facets), listings, council and category pages and the home page.",
        "",
        "| round | requests | errors | requests/s | p50 ms | p95 ms | workers' memory MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [f"| {r['round']} | {r['requests']} | {r['errors']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['workers_rss_mb']} |" for r in rounds]
    lines += ["", f"Errors: {errors}. Memory after warm-up: {baseline} MB → {rounds[-1]['workers_rss_mb']} MB "
                  f"({growth:+.1%}). Result: {'PASS' if passed else 'FAIL'}."]
    (ROOT / "docs" / "soak.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
