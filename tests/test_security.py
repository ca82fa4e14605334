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
    User.objects.create_user("visitor", password="a-long-password-1")
    client.login(username="visitor", password="a-long-password-1")
    response = client.get("/admin/decisions/decision/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_admin_login_is_throttled_after_repeated_failures(client, settings):
    User.objects.create_superuser("curator", password="the-right-password-1")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "curator", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post("/admin/login/", {"username": "curator", "password": "the-right-password-1"})
    assert response.status_code == 429 and "Retry-After" in response
    other = client.post("/admin/login/", {"username": "curator", "password": "the-right-password-1"},
                        REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302  # another address is not locked out


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
        "for url in ('/', '/decisions/?q=x', '/healthz'):\n"
        "    r = client.get(url)\n"
        "    print(url, r.status_code, r.get('Content-Type'), r.content.decode()[:2000].replace(chr(10), ' '))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="lgo_archive.settings", DJANGO_SECURE_SSL_REDIRECT="0",
               DJANGO_ALLOWED_HOSTS="testserver", DATABASE_URL=f"postgres://nobody@/nowhere?host={tmp_path}")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout + result.stderr
    for line in lines[:2]:
        assert " 503 text/html" in line and "temporarily unavailable" in line and "Traceback" not in line
    assert lines[2].startswith("/healthz 503 application/json") and '"database": "unreachable"' in lines[2]
