"""Replay hostile requests against the production profile and report what got through.

    .venv/bin/python bench/attack.py                  # its own server: gunicorn + a throwaway PostgreSQL
    .venv/bin/python bench/attack.py --base-url http://127.0.0.1:8000   # a server already running

Without --base-url it starts what `make serve-production` runs (gunicorn with deploy/gunicorn.conf.py,
DJANGO_DEBUG off) on a PostgreSQL cluster made for the run, with the seed decisions and some
statements carrying characters XML cannot hold. Then it sends every public URL with hostile values
in every parameter (control characters, NUL, Unicode digits, SQL, template syntax, unbalanced
quotes, huge values), hostile paths, and write methods, and checks that every feed and sitemap is
valid XML. Then, signed in as staff who may only view decisions, changelist lookups beyond its
declared filters (each must be a 400 at once) and every admin action (nothing may change); and a
burst of 120 different searches at once, more than the server's connections to PostgreSQL. Prints
requests sent, server errors (5xx), the slowest response and invalid XML documents; the bar is 0,
under 2 s and 0, and the exit status says whether it was met.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.dom.minidom
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PYTHON, ROOT, Postgres, free_port, start_server, stop_server  # noqa: E402

SLOWEST_BAR_SECONDS = 2.0
PAGES = ["/", "/decisions/", "/decisions/20-003-763/", "/councils/", "/councils/dorset-council/",
         "/categories/children-s-care-services/", "/categories/children-s-care-services/child-protection/",
         "/decisions/export.csv", "/decisions/export.json", "/decisions/feed.atom", "/api/", "/api/decisions/",
         "/api/decisions/20-003-763/", "/api/councils/", "/api/categories/", "/sitemap.xml",
         "/sitemap-decisions.xml", "/robots.txt", "/healthz"]
PARAMETERS = ["q", "council", "category", "subcategory", "outcome", "date_from", "date_to", "remedy", "purpose",
              "min_payment", "finding", "sort", "page", "page_size", "from", "p", "part", "year_from", "year_to",
              "match", "show"]
VALUES = ([f"care{chr(c)}" for c in range(32)] + ["\x7f", "\ufffe", "\uffff", "\ud800".encode("utf-8", "surrogatepass")
          .decode("utf-8", "replace")] + ["²", "³", "①", "٣", "-1", "0", "1e309", "nan", "99999999999999999999999"]
          + ["' OR 1=1 --", "\"; DROP TABLE decisions_decision; --", "{{ settings.SECRET_KEY }}", "{% debug %}",
             '"unbalanced', "((((", "NEAR(", "*", "^", "OR OR OR", "-", "<script>alert(1)</script>",
             "javascript:alert(1)", "../../etc/passwd", "%00", "x" * 5000, "a " * 400, "20 003 763",
             "2020-13-45", "9999-12-31", "1900-01-01"])
PATHS = ["/decisions/%00/", "/decisions/20-003-763%00/", "/api/decisions/%00/", "/decisions/..%2f..%2fetc%2fpasswd/",
         "/decisions/" + "9" * 3000 + "/", "/councils/%ff%fe/", "/categories/%00/x/", "/static/staticfiles.json",
         "/static/../settings.py", "/decisions/%C0%AE%C0%AE/", "/admin/login/?next=https://evil.example/"]
WRITE_METHODS = ["POST", "PUT", "DELETE", "PATCH"]
XML_PAGES = ("/decisions/feed.atom", "/sitemap.xml", "/sitemap-decisions.xml", "/sitemap-councils.xml")


def request(connection_factory, method: str, path: str) -> tuple[int, float, bytes]:
    connection = connection_factory()
    started = time.perf_counter()
    try:
        connection.request(method, path, headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - started, body
    except (http.client.HTTPException, OSError):
        return 599, time.perf_counter() - started, b""  # the connection was dropped: counted as a failure
    finally:
        connection.close()


def attack(base_url: str) -> dict:
    parts = urllib.parse.urlsplit(base_url)
    factory = lambda: http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)  # noqa: E731
    sent, errors, slowest, invalid_xml = 0, [], (0.0, ""), []

    def note(method: str, path: str) -> bytes:
        nonlocal sent, slowest
        status, seconds, body = request(factory, method, path)
        sent += 1
        if status >= 500:
            errors.append(f"{status} {method} {path[:200]}")
        if seconds > slowest[0]:
            slowest = (seconds, f"{method} {path[:200]}")
        if method == "GET" and status == 200 and path.split("?")[0] in XML_PAGES:
            try:
                xml.dom.minidom.parseString(body)
            except Exception as error:  # noqa: BLE001 - any parser complaint is an invalid document
                invalid_xml.append(f"{path[:200]}: {error}")
        return body

    for page, name, value in itertools.product(PAGES, PARAMETERS, VALUES):
        note("GET", f"{page}?{urllib.parse.urlencode({name: value})}")
    for page in PAGES:
        for method in WRITE_METHODS:
            note(method, page)
    for path in PATHS:
        note("GET", path)
    for page in XML_PAGES:
        note("GET", page)
    errors += admin_attack(base_url)
    sent += ADMIN_REQUESTS
    # The burst's requests queue for 2 cores by design: its bar is no server error (no connection
    # refused by PostgreSQL), and its slowest answer is reported beside the others, not against 2 s.
    burst_errors, burst_slowest = burst(base_url)
    errors += burst_errors
    sent += BURST
    return {"sent": sent, "errors": errors, "slowest": slowest, "invalid_xml": invalid_xml, "burst": burst_slowest}


VIEWER, VIEWER_PASSWORD = "viewer", "a-long-enough-viewer-password-1"
ADMIN_LOOKUPS = ["full_text__regex=%5E%28.%2B%29%2B%5C1%24", "summary__icontains=x", "source_text__startswith=a",
                 "council__name__regex=.%2A", "reference__gt=0"]
ACTIONS = ["publish", "unpublish", "confirm", "reparse"]
ADMIN_REQUESTS = len(ADMIN_LOOKUPS) + 2 * len(ACTIONS)
BURST = 120


def admin_attack(base_url: str) -> list[str]:
    """A staff member who may only view decisions: changelist lookups beyond the declared filters
    (400, never a long query), and every admin action posted (nothing changes)."""
    import http.cookiejar
    import re
    import urllib.request

    class BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
        """The proxy speaks HTTPS to the browser: its secure cookies come back over our plain HTTP."""

        def return_ok_secure(self, cookie, request):
            return True

    jar = http.cookiejar.CookieJar(policy=BehindTheProxy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-Proto": "https"}
    secure_origin = base_url.replace("http://", "https://", 1)

    def open_(path, data=None):
        request = urllib.request.Request(base_url + path, data=data,
                                         headers={**headers, "Referer": secure_origin + path})
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    errors = []
    _, page = open_("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    open_("/admin/login/", urllib.parse.urlencode({"username": VIEWER, "password": VIEWER_PASSWORD,
                                                   "csrfmiddlewaretoken": token, "next": "/admin/"}).encode())
    status, page = open_("/admin/decisions/decision/")
    if status != 200 or 'id="changelist"' not in page:
        return ["the view-only staff member could not sign in, so the admin cases were not tried"]
    for lookup in ADMIN_LOOKUPS:
        started = time.perf_counter()
        status, _ = open_(f"/admin/decisions/decision/?{lookup}")
        if status != 400 or time.perf_counter() - started > SLOWEST_BAR_SECONDS:
            errors.append(f"{status} admin lookup {lookup} (a 400 at once was expected)")
    status, page = open_("/admin/decisions/decision/")
    # A view-only changelist has no action form: the token comes from the CSRF cookie, the id from a row's link.
    token = re.search(r"csrftoken=([A-Za-z0-9]+)", "; ".join(f"{c.name}={c.value}" for c in jar))
    pk = re.search(r"/admin/decisions/decision/(\d+)/change/", page)
    for action in ACTIONS:
        for confirmed in ({}, {"confirmed": "yes"}):
            data = {"action": action, "_selected_action": pk.group(1) if pk else "1",
                    "csrfmiddlewaretoken": token.group(1) if token else "", **confirmed}
            status, _ = open_("/admin/decisions/decision/", urllib.parse.urlencode(data).encode())
            if status >= 500:
                errors.append(f"{status} admin action {action}")
    status, listing = open_("/api/decisions/?page_size=100")
    if status != 200 or json.loads(listing)["count"] != 5:
        errors.append("a view-only staff member's actions changed what is published")
    return errors


def burst(base_url: str) -> tuple[list[str], tuple[float, str]]:
    """BURST different searches at once: more than the server's connections to PostgreSQL."""
    from concurrent.futures import ThreadPoolExecutor

    parts = urllib.parse.urlsplit(base_url)
    factory = lambda: http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)  # noqa: E731
    paths = [f"/decisions/?{urllib.parse.urlencode({'q': f'council distress {n}'})}" for n in range(BURST)]
    with ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(lambda path: (path, *request(factory, "GET", path)), paths))
    errors = [f"{status} burst {path}" for path, status, _, _ in answers if status >= 500]
    seconds, path = max((seconds, path) for path, _, seconds, _ in answers)
    return errors, (seconds, f"GET {path} (one of {BURST} at once)")


def production_server(postgres: Postgres) -> tuple[object, str, Path]:
    """gunicorn as `make serve-production` runs it, on a fresh database with hostile decisions."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",) and not k.startswith("DJANGO_")}
    work = Path(tempfile.mkdtemp(prefix="lgo-attack-"))
    port = free_port()
    env.update(DJANGO_SECRET_KEY="attack-run-only-secret-key-0123456789-abcdefghijklmnop",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DATABASE_URL=postgres.database("attack"),
               HOST="127.0.0.1", PORT=str(port), GUNICORN_ACCESS_LOG="/dev/null",
               GUNICORN_MAX_REQUESTS=os.environ.get("GUNICORN_MAX_REQUESTS", "0"),
               PYTHONPATH=str(ROOT))
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                    ["import_decisions", "fixtures", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    hostile = ("from decisions.models import Council, Decision\n"
               "Council.objects.filter(slug='dorset-council').update(name='Dorset\\uffff Council\\x01')\n"
               "Decision.objects.filter(reference='20 003 763').update(summary='Control \\x01\\x02\\x1f chars')\n"
               "from django.contrib.auth.models import Permission, User\n"
               f"viewer = User.objects.create_user({VIEWER!r}, password={VIEWER_PASSWORD!r}, is_staff=True)\n"
               "viewer.user_permissions.set(Permission.objects.filter(codename='view_decision'))\n")
    subprocess.run([PYTHON, "manage.py", "shell", "-c", hostile], cwd=ROOT, env=env, check=True, capture_output=True)
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    server = start_server([gunicorn, "lgo_archive.wsgi", "-c", "deploy/gunicorn.conf.py"], env, port, "/healthz")
    return server, f"http://127.0.0.1:{port}", work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a server already running (else one is started here)")
    args = parser.parse_args()
    postgres = server = work = None
    try:
        if args.base_url:
            base_url = args.base_url
        else:
            postgres = Postgres()
            server, base_url, work = production_server(postgres)
        result = attack(base_url)
    finally:
        if server:
            stop_server(server)
        if postgres:
            postgres.stop()
        if work:
            shutil.rmtree(work, ignore_errors=True)
    for line in result["errors"][:20]:
        print(f"server error: {line}")
    for line in result["invalid_xml"][:20]:
        print(f"invalid XML: {line}")
    seconds, where = result["slowest"]
    met = not result["errors"] and not result["invalid_xml"] and seconds < SLOWEST_BAR_SECONDS
    print(f"burst: {BURST} searches at once, the slowest answered in {result['burst'][0]:.2f} s")
    print(f"attack: {result['sent']} requests, {len(result['errors'])} server errors, slowest {seconds:.2f} s "
          f"({where}), {len(result['invalid_xml'])} invalid XML documents -> "
          + ("bar met (0, under 2 s, 0)" if met else "bar NOT met"))
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
