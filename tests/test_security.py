"""Production posture and hostile input: headers, cookies, admin, escaping, faults."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from decisions.models import Decision
from tests.factories import make_decision

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "k3y-" + "x9Qz" * 16,
    "DJANGO_ALLOWED_HOSTS": "decisions.example.org",
}
HOSTILE = '<script>alert("x")</script> "><img src=x onerror=alert(1)> javascript:alert(2)'


def run_manage(*args, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    environment.update(env or {})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)


def test_production_profile_passes_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env={"DJANGO_ALLOWED_HOSTS": "decisions.example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_security_headers(client, seeds):
    response = client.get("/decisions/20-003-763/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_https_redirect_behind_a_proxy(client, seeds):
    response = client.get("/decisions/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    response = client.get("/decisions/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert client.get("/healthz").status_code == 200  # load balancers probe over plain HTTP


@pytest.mark.django_db
def test_cookies_are_secure_and_http_only(client):
    response = client.get("/admin/login/")
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_no_inline_script_or_style_in_our_pages(client, seeds):
    for url in ("/", "/decisions/?q=distress", "/decisions/20-003-763/", "/councils/", "/councils/dorset-council/",
                "/categories/children-s-care-services/"):
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=|\son[a-z]+=", html), url


@pytest.mark.django_db
def test_admin_is_for_staff_only(client):
    client.force_login(User.objects.create_user("visitor", password="a-long-password-1"))
    response = client.get("/admin/decisions/decision/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_sign_in_locks_one_username_from_one_address_only(client, settings):
    """Behind the proxy (TRUSTED_PROXIES=1), the address is the one the proxy appended to
    X-Forwarded-For. Five failures lock that username from that address; the right password from
    another address, and another username from the same address, still get in."""
    settings.AXES_IPWARE_PROXY_COUNT = 0  # as production configures it for DJANGO_TRUSTED_PROXIES=1
    settings.AXES_IPWARE_PROXY_ORDER = "left-most"
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.IPWARE_STRICT = False
    User.objects.create_superuser("curator", password="the-right-password-1")
    User.objects.create_superuser("editor", password="another-right-password-2")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}

    def sign_in(username, password, address, spoofed=""):
        forwarded = f"{spoofed}, {address}" if spoofed else address
        return client.post("/admin/login/", {"username": username, "password": password},
                           HTTP_X_FORWARDED_FOR=forwarded, **proxy)

    for attempt in range(1, settings.LOGIN_FAILURE_LIMIT + 1):
        # What a client writes into X-Forwarded-For itself is not believed: only the proxy's entry counts.
        response = sign_in("curator", "wrong", "81.2.69.142", spoofed=f"10.0.0.{attempt}")
        # The form again with an error, until the failure that reaches the limit locks the pair.
        assert response.status_code == (429 if attempt == settings.LOGIN_FAILURE_LIMIT else 200), attempt
    locked = sign_in("curator", "the-right-password-1", "81.2.69.142")
    assert locked.status_code == 429
    assert sign_in("curator", "the-right-password-1", "185.12.64.1").status_code == 302  # another address
    client.logout()
    assert sign_in("editor", "another-right-password-2", "81.2.69.142").status_code == 302  # another username
    client.logout()
    assert sign_in("curator", "the-right-password-1", "81.2.69.142").status_code == 429  # still locked


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_public_can_write(client, seeds, method):
    for url in ("/", "/decisions/", "/decisions/20-003-763/", "/councils/", "/councils/dorset-council/",
                "/categories/children-s-care-services/", "/decisions/export.csv", "/decisions/feed.atom",
                "/api/decisions/", "/api/decisions/20-003-763/", "/api/councils/", "/robots.txt"):
        response = getattr(client, method)(url)
        assert response.status_code in (403, 405), (method, url, response.status_code)
    assert Decision.objects.count() == 5


@pytest.mark.django_db
def test_hostile_text_is_shown_as_text_everywhere(client, admin_client, seeds):
    decision = make_decision(reference="40 000 001", organisation=f"Evil {HOSTILE} Council",
                             summary=f"A complaint about potholes {HOSTILE} in the road.",
                             complaint=f"Mr X wrote {HOSTILE} to the Council about potholes.")
    pages = [
        client.get("/decisions/40-000-001/", {"q": "potholes", "from": 'q="><script>alert(3)</script>'}),
        client.get("/decisions/", {"q": "potholes"}),
        client.get("/decisions/", {"q": f"potholes {HOSTILE}"}),
        client.get(decision.council.get_absolute_url()),
        client.get("/councils/"),
        admin_client.get("/admin/decisions/decision/", {"q": "potholes"}),
        admin_client.get(f"/admin/decisions/decision/{decision.pk}/change/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert '<script>alert("x")</script>' not in html and "<script>alert(3)" not in html
        assert "<img src=x" not in html
        assert 'href="javascript:' not in html
    feed = client.get("/decisions/feed.atom", {"q": "potholes"}).content.decode()
    assert "<script>" not in feed and "&lt;script&gt;" in feed
    api = client.get("/api/decisions/40-000-001/").json()
    assert HOSTILE in api["summary"]  # JSON carries the text as it is; it is data, not markup


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_unreachable_database_gives_503_not_a_traceback(tmp_path):
    """A real unreachable database: PostgreSQL at a socket where no server listens."""
    code = (
        "import django, os; django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment\n"
        "setup_test_environment()\n"
        "client = Client(raise_request_exception=False)\n"
        "for url in ('/', '/decisions/?q=x', '/decisions/export.csv', '/decisions/export.json', '/healthz'):\n"
        "    r = client.get(url)\n"
        "    print(url, r.status_code, r.get('Content-Type'), r.content.decode()[:2000].replace(chr(10), ' '))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="lgo_archive.settings", DJANGO_SECURE_SSL_REDIRECT="0",
               DJANGO_ALLOWED_HOSTS="testserver", DATABASE_URL=f"postgres://nobody@/nowhere?host={tmp_path}")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    lines = result.stdout.splitlines()
    assert len(lines) == 5, result.stdout + result.stderr
    for line in lines[:4]:  # exports too: a 503 before any row, not a header row and a cut connection
        assert " 503 text/html" in line and "temporarily unavailable" in line and "Traceback" not in line
    assert lines[4].startswith("/healthz 503 application/json") and '"database": "unreachable"' in lines[4]


@pytest.mark.django_db(transaction=True)
def test_sixty_guesses_at_once_get_no_more_than_the_limit_checked(live_server, settings):
    """Guesses sent at the same moment: each is counted before its password is checked, so no
    more than LOGIN_FAILURE_LIMIT are checked, the rest are refused at once (429), and the right
    password among the late ones does not get in."""
    import re
    import time
    import urllib.error
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor
    from http.cookiejar import CookieJar

    from axes.models import AccessAttempt

    User.objects.create_superuser("curator", password="the-right-password-1")
    login = live_server.url + "/admin/login/"

    def attempt(n):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(login, timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        password = "the-right-password-1" if n == 59 else f"wrong-{n}"
        data = urllib.parse.urlencode({"username": "curator", "password": password,
                                       "csrfmiddlewaretoken": token, "next": "/admin/"}).encode()
        started = time.monotonic()
        try:
            with opener.open(urllib.request.Request(login, data=data, headers={"Referer": login}), timeout=60) as reply:
                status, body = reply.status, reply.read().decode()
        except urllib.error.HTTPError as refused:
            status, body = refused.code, ""
        return status, "Please enter the correct username" in body, time.monotonic() - started

    with ThreadPoolExecutor(60) as burst:
        answers = list(burst.map(attempt, range(60)))
    checked = sum(1 for status, wrong_password, _ in answers if wrong_password)
    refused = [elapsed for status, _, elapsed in answers if status == 429]
    assert checked <= settings.LOGIN_FAILURE_LIMIT, checked
    assert len(refused) >= 60 - settings.LOGIN_FAILURE_LIMIT - 1
    assert max(refused) < 5, max(refused)  # refused at once, not after waiting on other attempts
    failures = sum(AccessAttempt.objects.values_list("failures_since_start", flat=True))
    assert failures <= settings.LOGIN_FAILURE_LIMIT


@pytest.mark.django_db(transaction=True)
def test_public_pages_stay_fast_while_fifty_sign_in_attempts_run(live_server):
    """Fifty guesses at once hold no page up: /healthz and a search answer in under a second each meanwhile."""
    import contextlib
    import re
    import threading
    import time
    import urllib.error
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor
    from http.cookiejar import CookieJar

    from django.core.management import call_command

    from tests.conftest import FIXTURES

    call_command("import_decisions", str(FIXTURES), verbosity=0)
    User.objects.create_superuser("curator", password="the-right-password-1")
    login = live_server.url + "/admin/login/"
    ready = []
    for _ in range(50):  # each guesser with its own session and CSRF token, fetched beforehand
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(login, timeout=60).read().decode()
        ready.append((opener, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)))

    def guess(pair):
        opener, token = pair
        data = urllib.parse.urlencode({"username": "curator", "password": "wrong", "csrfmiddlewaretoken": token}).encode()
        with contextlib.suppress(urllib.error.HTTPError):  # 429 once locked: what is timed is the pages
            opener.open(urllib.request.Request(login, data=data, headers={"Referer": login}), timeout=60).read()

    timings, done = [], threading.Event()

    def read_pages():
        while not done.is_set():
            for path in ("/healthz", "/decisions/?q=distress"):
                started = time.monotonic()
                urllib.request.urlopen(live_server.url + path, timeout=30).read()
                timings.append((time.monotonic() - started, path))

    for path in ("/healthz", "/decisions/?q=distress"):  # what is timed is the attempts' effect, not a cold start
        urllib.request.urlopen(live_server.url + path, timeout=30).read()
    reader = threading.Thread(target=read_pages)
    reader.start()
    try:
        with ThreadPoolExecutor(50) as burst:
            list(burst.map(guess, ready))
    finally:
        done.set()  # the reader stops, whatever happened, before the test's database goes
        reader.join()
    # (Reads just over 1 s, seen before the test server's listen backlog was raised in conftest, were
    # the kernel's 1 s retry of a connection the full backlog had dropped.)
    assert timings
    assert max(timings)[0] < 1.0, max(timings)
