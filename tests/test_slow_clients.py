"""Slow clients: connections that send their request a byte at a time do not hold up the site.

Runs gunicorn exactly as `make serve-production` does (deploy/gunicorn.conf.py) on a free local
port, holds SLOW_CONNECTIONS connections open sending their headers slowly, and times /healthz.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLOW_CONNECTIONS = 20
BOUND_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthz_seconds(port: int) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
        assert response.status == 200
    return time.monotonic() - started


def trickle(port: int, stop: threading.Event, opened: list) -> None:
    """Send a request's headers a few bytes at a time, never finishing them."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    opened.append(connection)
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    while not stop.wait(0.3):
        try:
            connection.sendall(b"X-Slow: a\r\n")
        except OSError:
            return


@pytest.fixture
def production_server(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_SECRET_KEY="test-only-secret-key-for-the-slow-client-test-0123456789",
               DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SECURE_SSL_REDIRECT="0",
               DJANGO_SQLITE_PATH=str(tmp_path / "db.sqlite3"), HOST="127.0.0.1", PORT=str(port),
               GUNICORN_ACCESS_LOG="/dev/null")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen([gunicorn, "lgo_archive.wsgi", "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                healthz_seconds(port)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_twenty_slow_connections_do_not_delay_healthz(production_server):
    port = production_server
    for _ in range(20):  # every worker has loaded the site and opened its database connection
        healthz_seconds(port)
    stop, opened = threading.Event(), []
    threads = [threading.Thread(target=trickle, args=(port, stop, opened), daemon=True)
               for _ in range(SLOW_CONNECTIONS)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # every slow connection accepted and part-way through its headers
        assert len(opened) == SLOW_CONNECTIONS
        timings = [healthz_seconds(port) for _ in range(10)]
        assert max(timings) < BOUND_SECONDS, timings
    finally:
        stop.set()
        for connection in opened:
            connection.close()
