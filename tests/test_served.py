"""The site as deployed: a gunicorn process against this test's database. Its worker keeps its
database connection between requests, and still shows at once what another process writes."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection

from decisions.models import Decision
from tests.test_reliability import ROOT, import_env

pytestmark = pytest.mark.django_db(transaction=True)
FIXTURES = sorted((ROOT / "fixtures").glob("*.txt"))


def serving(base: str, process, output) -> None:
    """Wait until gunicorn answers /healthz; fail with its output if it stops or takes a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("gunicorn did not start: " + output())
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    env = {k: v for k, v in import_env().items() if k != "DJANGO_DEBUG"}
    env.update(DJANGO_SECRET_KEY="served-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
               DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SECURE_SSL_REDIRECT="0")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "lgo_archive.wsgi", "--workers", "1",
                                "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    serving(base, process, lambda: process.stderr.read()[-2000:])
    yield base, process
    process.terminate()
    process.wait(timeout=20)


def listed(base: str, **params: str) -> int:
    with urllib.request.urlopen(f"{base}/api/decisions/?{urlencode(params)}", timeout=30) as response:
        return json.load(response)["count"]


def worker_holds_a_connection(master: subprocess.Popen) -> bool:
    """Whether the server's worker holds a database connection now, between requests."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            return cursor.fetchone()[0] > 0
    database = Path(connection.settings_dict["NAME"]).resolve()
    workers = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    assert len(workers) == 1
    opened = []
    for descriptor in Path(f"/proc/{workers[0]}/fd").iterdir():
        try:
            opened.append(Path(os.readlink(descriptor)))
        except OSError:  # closed while we looked
            continue
    return database in opened


def test_the_worker_keeps_its_connection_and_sees_new_writes_at_once(server):
    base, process = server
    call_command("import_decisions", *map(str, FIXTURES[:-1]), "--progress-every", "0")
    connection.close()  # so that the only connections left to the database are the server's
    assert listed(base) == len(FIXTURES) - 1
    time.sleep(0.5)  # a connection closed at the end of the request would be gone by now
    assert worker_holds_a_connection(process)

    call_command("import_decisions", str(FIXTURES[-1]), "--progress-every", "0")
    newest = Decision.objects.order_by("-pk").first()
    assert listed(base) == len(FIXTURES)
    assert listed(base, q=newest.reference) == 1

    newest.delete()
    assert listed(base) == len(FIXTURES) - 1
    assert listed(base, q=newest.reference) == 0


def test_a_burst_of_requests_never_runs_out_of_postgresql_connections(tmp_path):
    """Production's gunicorn settings (deploy/gunicorn.conf.py) with a small pool: 60 requests at once
    against 2 workers of 16 threads get answers, never 'too many clients', the workers hold no more
    connections than their pools, and an import can still connect meanwhile."""
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's")
    import threading
    from concurrent.futures import ThreadPoolExecutor

    call_command("import_decisions", *map(str, FIXTURES), verbosity=0)
    env = {k: v for k, v in import_env().items() if k != "DJANGO_DEBUG"}
    port = free_port()
    env.update(DJANGO_SECRET_KEY="served-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
               DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SECURE_SSL_REDIRECT="0", HOST="127.0.0.1", PORT=str(port),
               WEB_CONCURRENCY="2", GUNICORN_THREADS="16", DJANGO_DB_POOL_SIZE="2", GUNICORN_ACCESS_LOG="/dev/null")
    log = (tmp_path / "gunicorn.log").open("w")  # closed with the test's folder
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "lgo_archive.wsgi", "-c", "deploy/gunicorn.conf.py"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        serving(base, process, lambda: (tmp_path / "gunicorn.log").read_text())
        most, done = [0], threading.Event()

        def watch():
            from django.db import connections

            watcher = connections.create_connection("default")
            with watcher.cursor() as cursor:
                while not done.is_set():
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND pid <> pg_backend_pid() AND application_name = ''")
                    most[0] = max(most[0], cursor.fetchone()[0])
                    time.sleep(0.01)
            watcher.close()

        def fetch(n):
            query = urlencode({"q": f"council distress {n}"})
            with urllib.request.urlopen(f"{base}/api/decisions/?{query}", timeout=60) as response:
                return response.status

        watcher = threading.Thread(target=watch)
        watcher.start()
        with ThreadPoolExecutor(60) as burst:
            statuses = list(burst.map(fetch, range(60)))
        done.set()
        watcher.join()
        assert statuses == [200] * 60, (tmp_path / "gunicorn.log").read_text()[-3000:]
        assert most[0] <= 2 * 2 + 1, most[0]  # two workers' pools (and the test's own connection)
        # An import (another process) can still connect and write.
        (tmp_path / "new.txt").write_text(FIXTURES[0].read_text(encoding="utf-8").replace("20 003 763", "20 003 799"),
                                          encoding="utf-8")
        imported = subprocess.run([sys.executable, "manage.py", "import_decisions", str(tmp_path)], cwd=ROOT,
                                  env=import_env(), capture_output=True, text=True, timeout=120)
        assert imported.returncode == 0, imported.stderr[-2000:]
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
