"""The distinct-searches benchmark as a smoke test: a small archive, figures printed, nothing asserted.

    python bench/smoke_search.py [SIZE] [COUNT]     (default 2,000 decisions, 100 searches)

Generates SIZE statements (bench/generate_corpus.py), imports them into a fresh database (a
SQLite file in a temporary folder, or the PostgreSQL database DATABASE_URL names, which must be
a throwaway one: .ci/with-postgres makes one), and runs bench/distinct.py over COUNT different
searches, each asked once with nothing cached, then over COUNT plain-words searches (--plain:
descriptions as complainants type them, mostly answered by best matches). CI runs it on both databases so that the
benchmark itself keeps working; the figures at this size say nothing about 100,000.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict) -> str:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    count = sys.argv[2] if len(sys.argv) > 2 else "100"
    with tempfile.TemporaryDirectory(prefix="lgo-smoke-") as folder:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
        env.update({"DJANGO_SECRET_KEY": "smoke-test-only-secret-key-not-for-production-0123456789",
                    "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver", "DJANGO_SECURE_SSL_REDIRECT": "0",
                    "PYTHONPATH": str(ROOT)})
        if not env.get("DATABASE_URL"):
            env["DJANGO_SQLITE_PATH"] = str(Path(folder) / "smoke.sqlite3")
        corpus = Path(folder) / "corpus"
        run("bench/generate_corpus.py", str(corpus), "--count", str(size), env=env)
        run("manage.py", "migrate", "--noinput", "-v0", env=env)
        run("manage.py", "collectstatic", "--noinput", "-v0", env=env)  # debug off: pages name hashed static files
        run("manage.py", "import_decisions", str(corpus), "--jobs", "2", "--progress-every", "0", env=env)
        database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
        print(f"Distinct searches at {size:,} decisions on {database} (smoke test: figures, not targets):")
        print(run("bench/distinct.py", count, env=env).strip())
        print(f"Plain-words searches at {size:,} decisions on {database} (smoke test: figures, not targets):")
        print(run("bench/distinct.py", count, "--plain", env=env).strip())


if __name__ == "__main__":
    main()
