"""The shared cache: Django's Redis backend against a real redis-server the tests start."""

import os
import shutil
import subprocess
import time

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from decisions.models import Decision

REDIS_SERVER = shutil.which("redis-server")
if REDIS_SERVER is None and os.environ.get("CI") == "true":
    raise RuntimeError("CI needs Debian's redis-server for the cache tests (apt-get install redis-server)")
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server)")]


@pytest.fixture
def redis_url(tmp_path):
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen([REDIS_SERVER, "--port", "0", "--unixsocket", str(socket), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    url = f"unix://{socket}"
    cache_settings = {"default": {"BACKEND": "decisions.cache_backend.ResilientRedisCache", "LOCATION": url,
                                  "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
    with override_settings(CACHES=cache_settings):
        yield url, process
    process.kill()
    process.wait()


def queries_for(client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content


def test_figures_are_cached_in_redis_until_the_data_changes(client, seeds, redis_url):
    """The home page's totals and categories; searches are worked out afresh (decisions/search/results.py)."""
    url, _ = redis_url
    first, _ = queries_for(client, "/")
    assert redis.Redis.from_url(url).dbsize() > 0
    again, _ = queries_for(client, "/")
    assert again < first  # totals from the cache
    Decision.objects.filter(reference="20 003 763").update(is_published=False)  # moves the data version
    after, _ = queries_for(client, "/")
    assert after > again
    assert b"20 003 763" not in queries_for(client, "/decisions/?q=distress")[1]


def test_pages_are_computed_when_redis_goes_away(client, seeds, redis_url, caplog):
    _, process = redis_url
    queries_for(client, "/")
    process.kill()
    process.wait()
    cache.close()  # drop the open connection: the next request must reconnect, and cannot
    _, content = queries_for(client, "/decisions/?q=distress")
    assert b"20 003 763" in content
    assert client.get("/").status_code == 200
    assert client.get("/decisions/20-003-763/").status_code == 200
    assert "Redis is unreachable" in caplog.text


def _redis(tmp_path, *options: str):
    """A redis-server of its own, on a Unix socket, with these options; (URL, process)."""
    socket = tmp_path / f"redis-{len(options)}.sock"
    process = subprocess.Popen([REDIS_SERVER, "--port", "0", "--unixsocket", str(socket), "--save", "",
                                "--appendonly", "no", *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return f"unix://{socket}", process


def _settings_for(url: str) -> dict:
    return {"default": {"BACKEND": "decisions.cache_backend.ResilientRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


CACHED_PAGES = ("/", "/about/", "/councils/", "/councils/dorset-council/", "/categories/children-s-care-services/",
                "/decisions/20-003-763/")


@pytest.mark.parametrize("options", [
    ("--maxmemory", "1mb", "--maxmemory-policy", "noeviction"),  # full: 'OOM command not allowed'
    ("--replicaof", "127.0.0.1", "9", "--replica-read-only", "yes"),  # a replica: 'READONLY' to every write
], ids=["full", "read-only replica"])
def test_a_redis_that_answers_with_errors_never_fails_a_page(client, seeds, tmp_path, options, caplog):
    url, process = _redis(tmp_path, *options)
    try:
        if "noeviction" in options:
            filler = redis.Redis.from_url(url)
            with pytest.raises(redis.exceptions.ResponseError):
                for n in range(100_000):
                    filler.set(f"filler:{n}", "x" * 1000)
        with override_settings(CACHES=_settings_for(url)):
            for page in CACHED_PAGES:
                assert client.get(page).status_code == 200, page
        assert "Redis answered with an error" in caplog.text
        assert caplog.text.count("Redis answered with an error") == 1  # logged once, not a line a request
    finally:
        process.kill()
        process.wait()


def test_a_hung_redis_costs_a_few_slow_requests_not_every_request(client, seeds, tmp_path, caplog):
    import signal

    url, process = _redis(tmp_path)
    try:
        with override_settings(CACHES=_settings_for(url)):
            assert client.get("/").status_code == 200
            process.send_signal(signal.SIGSTOP)  # hung: it accepts nothing and answers nothing
            started = time.monotonic()
            assert client.get("/about/").status_code == 200  # waits for the time-out once
            first = time.monotonic() - started
            started = time.monotonic()
            for page in CACHED_PAGES * 3:
                assert client.get(page).status_code == 200, page
            rest = time.monotonic() - started
        assert first >= 0.4  # it did wait for Redis
        assert rest < 0.5 * 3, f"{len(CACHED_PAGES) * 3} pages took {rest:.1f} s with Redis hung"
        assert "Redis is unreachable" in caplog.text
    finally:
        process.send_signal(signal.SIGCONT)
        process.kill()
        process.wait()
