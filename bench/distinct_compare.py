"""Distinct-search figures of this checkout against another commit, on the same corpus and databases.

    .venv/bin/python bench/distinct_compare.py BEFORE_COMMIT [--size 100000] [--searches 300] [--backends sqlite postgres]

For each side (a git worktree of BEFORE_COMMIT, and this checkout) and each database: a fresh
database, the first SIZE decisions of bench/corpus/100000 imported with two worker processes,
the FTS index merged and planner statistics refreshed, then bench/distinct.py (every URL
different, asked once, nothing cached before). Prints both sides' p50/p95/max and the change.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import CORPUS, PYTHON, RESULTS, ROOT, Postgres, log, optimise  # noqa: E402


def side_env(code: Path, backend: str, name: str, postgres: Postgres | None, reuse: bool) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_DEBUG")}
    env.update({"PYTHONPATH": str(code), "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
                "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1,testserver", "DJANGO_SECURE_SSL_REDIRECT": "0"})
    if backend == "postgres":
        env["DATABASE_URL"] = postgres.database(name)
    else:
        path = RESULTS / f"{name}.sqlite3"
        if not reuse:
            for old in RESULTS.glob(f"{name}.sqlite3*"):
                old.unlink()
        env["DJANGO_SQLITE_PATH"] = str(path)
    return env


def measure(code: Path, backend: str, name: str, size: int, searches: int, postgres: Postgres | None,
            reuse: bool = False) -> dict:
    reusing = reuse and backend == "sqlite" and (RESULTS / f"{name}.sqlite3").exists()
    env = side_env(code, backend, name, postgres, reusing)
    folders = sorted(p for p in CORPUS.iterdir() if p.is_dir())[: size // 1000]
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=code, check=True)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=code, check=True)
    if not reusing:
        log(f"{name}: importing {size}")
        subprocess.run([PYTHON, "manage.py", "import_decisions", *map(str, folders), "--jobs", "2",
                        "--progress-every", "0"], env=env, cwd=code, check=True, capture_output=True)
        optimise(backend, env)
    log(f"{name}: {searches} distinct searches")
    script = "bench/distinct.py"
    if code != ROOT:  # the other commit may not have it, or an older one: time both with this checkout's
        shutil.copy(ROOT / script, code / "bench" / "distinct_current.py")
        script = "bench/distinct_current.py"
    run = subprocess.run([PYTHON, script, str(searches), "--all"], env=env, cwd=code, capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"{name}: distinct searches failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--reuse", action="store_true", help="SQLite: keep a database a previous run imported")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    worktree = Path(tempfile.mkdtemp(prefix="lgo-before-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.before], cwd=ROOT, check=True,
                   capture_output=True)
    postgres = Postgres() if "postgres" in args.backends else None
    results = {}
    try:
        for backend in args.backends:
            for side, code in (("before", worktree), ("after", ROOT)):
                results[f"{backend} {side}"] = measure(code, backend, f"distinct-{side}-{args.size}", args.size,
                                                       args.searches, postgres, args.reuse)
                print(json.dumps({f"{backend} {side}": results[f"{backend} {side}"]}), flush=True)
    finally:
        if postgres:
            postgres.stop()
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, capture_output=True)
    print(f"\nDistinct searches at {args.size:,} decisions, {args.searches} URLs each asked once, nothing cached before:")
    for backend in args.backends:
        before, after = results[f"{backend} before"], results[f"{backend} after"]
        print(f"  {backend}: before {args.before[:8]} p50 {before['p50_ms']} / p95 {before['p95_ms']} / max "
              f"{before['max_ms']} ms; after p50 {after['p50_ms']} / p95 {after['p95_ms']} / max {after['max_ms']} ms; "
              f"p95 change {100 * (after['p95_ms'] / before['p95_ms'] - 1):+.0f}%")
        changes = sorted(((after["timings"][url] - ms, url, ms) for url, ms in before["timings"].items()
                          if url in after["timings"]), reverse=True)
        for delta, url, ms in changes[:8]:
            print(f"    slower by {delta:6.0f} ms: {url} ({ms} -> {after['timings'][url]} ms)")


if __name__ == "__main__":
    main()
