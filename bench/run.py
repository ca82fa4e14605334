"""The archive's benchmark: import, page latency, load and Datasette, at several sizes, on both databases.

    .venv/bin/python bench/run.py                       # 10,000 and 100,000 decisions, SQLite and PostgreSQL
    .venv/bin/python bench/run.py --sizes 10000 --backends sqlite --load-seconds 10

Prints a table and writes bench/results/latest.json and latest.md. PostgreSQL runs on a
throwaway cluster made here from /usr/lib/postgresql/*/bin with default durability (as
the postgres user when run as root). Datasette runs from its own virtualenv
(bench/results/datasette-venv), built on first use from PyPI; it is never a project dependency.
"""

from __future__ import annotations

import argparse
import atexit
import glob
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CORPUS = ROOT / "bench" / "corpus" / "100000"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_measured(command: list[str], env: dict) -> tuple[float, int, str]:
    """Run a command; return its wall time, the peak memory of its process tree (MB) and its output."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout))
    reader.start()
    while process.poll() is None:
        peak = max(peak, tree_rss_kb(process.pid))
        time.sleep(0.2)
    reader.join()
    if process.returncode:
        raise RuntimeError(f"{command} failed:\n{''.join(output)[-3000:]}")
    return time.monotonic() - started, peak // 1024, "".join(output)


class Postgres:
    """A throwaway PostgreSQL cluster with default durability, on a private socket."""

    def __init__(self):
        self.bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.dir = Path(tempfile.mkdtemp(prefix="lgo-bench-pg-"))
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        os.chmod(self.dir, 0o755)
        subprocess.run([*self.as_user, f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
        options = (f"-k {self.dir} -c listen_addresses='' -c shared_buffers=1GB -c work_mem=32MB "
                   "-c maintenance_work_mem=256MB -c effective_cache_size=8GB")
        subprocess.run([*self.as_user, f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w",
                        "-o", options, "start"], check=True, capture_output=True)

    def database(self, name: str) -> str:
        subprocess.run([*self.as_user, f"{self.bin}/dropdb", "--if-exists", "-h", str(self.dir), "-U", "postgres",
                        name], check=True)
        subprocess.run([*self.as_user, f"{self.bin}/createdb", "-h", str(self.dir), "-U", "postgres", name], check=True)
        return f"postgres://postgres@/{name}?host={self.dir}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """A throwaway redis-server on a private socket: the cache the server's workers share, as
    production runs with REDIS_URL."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="lgo-bench-redis-")
        self.socket = f"{self.dir}/redis.sock"
        self.process = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", self.socket, "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.socket) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.url = f"unix://{self.socket}"

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushdb()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


REDIS: RedisServer | None = None


def shared_cache() -> RedisServer | None:
    global REDIS
    if REDIS is None and shutil.which("redis-server"):
        REDIS = RedisServer()
        atexit.register(REDIS.stop)
    return REDIS


def empty_cache() -> None:
    if REDIS is not None:
        REDIS.flush()


def django_env(backend: str, size: int, postgres: Postgres | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_DEBUG")}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, even when the virtualenv was installed from another
    env["DJANGO_SECRET_KEY"] = "benchmark-only-secret-key-not-for-production-use-0123456789"
    env["DJANGO_ALLOWED_HOSTS"] = "localhost,127.0.0.1,testserver"
    env["DJANGO_SECURE_SSL_REDIRECT"] = "0"  # plain HTTP on loopback: no TLS proxy in front here
    # As production runs with REDIS_URL: one cache shared by the server's workers (emptied first).
    env.pop("REDIS_URL", None)
    if (redis_server := shared_cache()) is not None:
        redis_server.flush()
        env["REDIS_URL"] = redis_server.url
    if backend == "postgres":
        env["DATABASE_URL"] = postgres.database(f"bench_{size}")
    else:
        path = RESULTS / f"bench-{size}.sqlite3"
        for old in glob.glob(f"{path}*"):
            os.remove(old)
        env["DJANGO_SQLITE_PATH"] = str(path)
    return env


def manage(env: dict, *args: str) -> str:
    return subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def optimise(backend: str, env: dict) -> None:
    """What an operator does after a bulk load: merge the FTS index, refresh planner statistics."""
    if backend == "sqlite":
        connection = sqlite3.connect(env["DJANGO_SQLITE_PATH"])
        connection.execute("INSERT INTO decisions_decision_fts(decisions_decision_fts) VALUES ('optimize')")
        connection.execute("ANALYZE")
        connection.commit()
        connection.close()
    else:
        code = ("from django.db import connection\n"
                "with connection.cursor() as c: c.execute('VACUUM ANALYZE')")
        subprocess.run([PYTHON, "manage.py", "shell", "-c", code], env=env, cwd=ROOT, check=True)


def start_server(command: list[str], env: dict, port: int, path: str = "/") -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).read()
            return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"server did not start: {command}")


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def http_timings(port: int, paths: list[str], runs: int) -> list[float]:
    """Sequential requests from one client over one connection: each path `runs` times, warm."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    timings = []
    for path in paths:
        for index in range(runs + 2):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Host": "localhost"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            if index >= 2:
                timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return timings


def summary(timings: list[float]) -> dict:
    ordered = sorted(timings)
    return {"median_ms": round(ordered[len(ordered) // 2], 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1)}


def datasette_python() -> str:
    venv = RESULTS / "datasette-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        log("installing Datasette into its own virtualenv (benchmark only)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "datasette>=0.64,<1"], check=True)
    return str(python)


def build_datasette_db(source: Path, target: Path) -> None:
    """The same decisions as one flat table with an FTS5 index, as sqlite-utils enable-fts makes it."""
    if target.exists():
        target.unlink()
    connection = sqlite3.connect(target)
    connection.execute(f"ATTACH DATABASE '{source}' AS src")
    connection.executescript("""
        CREATE TABLE decisions AS
        SELECT d.id, d.reference, c.name AS council, cat.name AS category, sub.name AS subcategory, d.outcome,
               d.decision_date, d.summary, d.full_text, d.total_payment
        FROM src.decisions_decision d
        JOIN src.decisions_council c ON c.id = d.council_id
        LEFT JOIN src.decisions_category cat ON cat.id = d.category_id
        LEFT JOIN src.decisions_category sub ON sub.id = d.subcategory_id
        WHERE d.is_published;
        CREATE INDEX decisions_outcome ON decisions(outcome);
        CREATE INDEX decisions_council ON decisions(council);
        CREATE INDEX decisions_category ON decisions(category);
        CREATE VIRTUAL TABLE decisions_fts USING fts5(reference, council, summary, full_text,
            content='decisions', content_rowid='id');
        INSERT INTO decisions_fts(rowid, reference, council, summary, full_text)
            SELECT id, reference, council, summary, full_text FROM decisions;
        INSERT INTO decisions_fts(decisions_fts) VALUES ('optimize');
        ANALYZE;
    """)
    connection.commit()
    connection.execute("DETACH DATABASE src")
    connection.close()


def first_request_ms(port: int, path: str) -> float:
    """One request after the server's shared cache has been emptied: nothing cached."""
    empty_cache()
    return http_timings_once(port, path)


def http_timings_once(port: int, path: str) -> float:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path, headers={"Host": "localhost"})
    connection.getresponse().read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return round(elapsed, 1)


def compare_with_datasette(sqlite_db: Path, our_port: int, words: dict, runs: int) -> dict:
    """The same keyword + facet searches, ours over HTTP against Datasette's over HTTP: ours asked
    again (a search itself is never cached, only the vocabulary "did you mean" draws on) and with
    nothing cached; Datasette caches nothing."""
    python = datasette_python()
    target = RESULTS / f"datasette-{sqlite_db.stem}.db"
    build_datasette_db(sqlite_db, target)
    port = free_port()
    server = start_server([python, "-m", "datasette", "serve", str(target), "--port", str(port), "--host", "127.0.0.1",
                           "--setting", "sql_time_limit_ms", "60000", "--setting", "facet_time_limit_ms", "60000",
                           "--setting", "default_page_size", "25", "--immutable", str(target)], dict(os.environ), port,
                          "/-/versions.json")
    db = target.stem
    comparisons = {}
    try:
        for label, query in (("rare word", words["rare"]), ("common word", words["common"]),
                             ("phrase", '"time and trouble"')):
            encoded = urllib.parse.quote_plus(query)
            ours = f"/decisions/?q={encoded}"
            theirs = (f"/{db}/decisions?_search={encoded}&_facet=outcome&_facet=category&_facet=subcategory"
                      f"&_facet=council&_size=25")
            cold = first_request_ms(our_port, ours)
            mine = summary(http_timings(our_port, [ours], runs))
            mine["first_ms"] = cold
            datasette = summary(http_timings(port, [theirs], runs))
            comparisons[label] = {"ours": mine, "datasette": datasette,
                                  "ratio": round(mine["median_ms"] / datasette["median_ms"], 2)}
    finally:
        stop_server(server)
    return comparisons


def bench(backend: str, size: int, args, postgres: Postgres | None) -> dict:
    folders = sorted(p for p in CORPUS.iterdir() if p.is_dir())[: size // 1000]
    env = django_env(backend, size, postgres)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    log(f"{backend} {size}: importing")
    seconds, peak_mb, output = run_measured(
        [PYTHON, "manage.py", "import_decisions", *map(str, folders), "--jobs", str(args.jobs),
         "--progress-every", "0"], env)
    result = {"backend": backend, "size": size,
              "import": {"seconds": round(seconds, 1), "per_second": round(size / seconds), "peak_mb": peak_mb,
                         "jobs": args.jobs, "summary": output.strip().splitlines()[-1]}}
    log(f"{backend} {size}: {result['import']}")
    optimise(backend, env)
    log(f"{backend} {size}: latency")
    latency = json.loads(subprocess.run([PYTHON, "bench/latency.py", str(args.runs)], env=env, cwd=ROOT, check=True,
                                        capture_output=True, text=True).stdout.strip().splitlines()[-1])
    result["latency"] = latency["pages"]
    result["words"] = latency["words"]
    log(f"{backend} {size}: {args.distinct} distinct searches (each asked once, nothing cached before)")
    distinct = subprocess.run([PYTHON, "bench/distinct.py", str(args.distinct)], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True)
    result["distinct"] = json.loads(distinct.stdout.strip().splitlines()[-1])
    port = free_port()
    server = start_server([str(ROOT / ".venv" / "bin" / "gunicorn"), "lgo_archive.wsgi", "--bind",
                           f"127.0.0.1:{port}", "--workers", str(args.workers), "--capture-output",
                           "--error-logfile", str(RESULTS / f"gunicorn-{backend}-{size}.log")], env, port)
    try:
        urls = Path(tempfile.mkstemp(suffix=".txt")[1])
        urls.write_text("\n".join(latency["load_urls"]))
        log(f"{backend} {size}: load for {args.load_seconds}s")
        load = subprocess.run([PYTHON, "bench/load.py", f"http://127.0.0.1:{port}", str(urls), "--seconds",
                               str(args.load_seconds), "--concurrency", str(args.concurrency)], cwd=ROOT, check=True,
                              capture_output=True, text=True)
        result["load"] = json.loads(load.stdout)
        result["load"]["server_rss_mb"] = tree_rss_kb(server.pid) // 1024
        if args.datasette:
            log(f"{backend} {size}: Datasette comparison")
            sqlite_db = Path(env["DJANGO_SQLITE_PATH"]) if backend == "sqlite" else None
            if sqlite_db is None:
                sqlite_db = RESULTS / f"bench-{size}.sqlite3"
            if sqlite_db.exists():
                result["datasette"] = compare_with_datasette(sqlite_db, port, latency["words"], args.runs)
    finally:
        stop_server(server)
    return result


def table(results: list[dict]) -> str:
    lines = []
    for result in results:
        imp = result["import"]
        lines.append(f"\n### {result['backend']}, {result['size']:,} decisions\n")
        lines.append(f"Import: {imp['per_second']} decisions/s ({imp['seconds']} s, {imp['jobs']} worker processes), "
                     f"peak memory {imp['peak_mb']} MB (all processes).\n")
        distinct = result.get("distinct")
        if distinct:
            lines.append(f"Distinct searches ({distinct['searches']} different URLs, each asked once, nothing cached "
                         f"before): p50 {distinct['p50_ms']} ms, p95 {distinct['p95_ms']} ms, max {distinct['max_ms']} ms.\n")
        lines.append("Repeated URLs (each asked 30 times; a search is worked out afresh each time, other pages' "
                     "figures come from the cache after the first):\n")
        lines.append("| page | median ms | p95 ms | first request (cold cache) ms | SQL queries |")
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        for name, page in result["latency"].items():
            lines.append(f"| {name} | {page['median_ms']} | {page['p95_ms']} | {page.get('cold_ms', '–')} "
                         f"| {page['queries']} |")
        load = result.get("load")
        if load:
            lines.append(f"\nLoad ({load['concurrency']} clients, {load['seconds']} s, gunicorn): {load['rps']} requests/s, "
                         f"{load['errors']} errors, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
                         f"server memory {load['server_rss_mb']} MB.")
        if result.get("datasette"):
            lines.append("\n| search with facets (HTTP) | ours, median ms | ours, nothing cached ms | Datasette, median ms "
                         "| ours / Datasette (median) |")
            lines.append("| --- | ---: | ---: | ---: | ---: |")
            for name, row in result["datasette"].items():
                lines.append(f"| {name} | {row['ours']['median_ms']} | {row['ours'].get('first_ms', '–')} "
                             f"| {row['datasette']['median_ms']} | {row['ratio']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--distinct", type=int, default=300, help="distinct searches to time (bench/distinct.py)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--no-datasette", dest="datasette", action="store_false")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    if not CORPUS.exists() or len(list(CORPUS.iterdir())) < max(args.sizes) // 1000:
        log("generating the corpus (deterministic, seed 1)")
        subprocess.run([PYTHON, "bench/generate_corpus.py", str(CORPUS), "--count", str(max(max(args.sizes), 100_000)),
                        "--seed", "1"], cwd=ROOT, check=True)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
               "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
               "sqlite": sqlite3.sqlite_version}
    results = []
    postgres = Postgres() if "postgres" in args.backends else None
    try:
        # SQLite first: the Datasette comparison for PostgreSQL reuses its SQLite file of the same size.
        for backend in [b for b in ("sqlite", "postgres") if b in args.backends]:
            for size in args.sizes:
                results.append(bench(backend, size, args, postgres))
                (RESULTS / "latest.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    finally:
        if postgres:
            postgres.stop()
    text = f"Machine: {machine}\n" + table(results)
    (RESULTS / "latest.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
