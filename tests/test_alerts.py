"""Email alerts against a real SMTP server on loopback: subscribe, confirm, send exactly once, stop."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.test import Client

from decisions import alerts
from decisions.models import Alert, Decision, OutboxEmail, Subscriber
from decisions.services import get_or_create_category
from tests.factories import make_decision
from tests.mail_server import MailServer
from tests.test_reliability import ROOT, import_env

pytestmark = pytest.mark.django_db(transaction=True)  # committed: the senders run in processes of their own

HOUSING = dict(category="Housing", subcategory="Homelessness")
PLANNING = dict(category="Planning", subcategory="Enforcement")


@pytest.fixture(autouse=True)
def topics(db):
    """The categories the alerts follow exist before any decision of them (a search naming an
    unknown category is refused, not widened to every decision)."""
    for name, sub in (("Housing", "Homelessness"), ("Planning", "Enforcement")):
        get_or_create_category(sub, get_or_create_category(name, None))


@pytest.fixture
def smtp(settings):
    with MailServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.SITE_URL = "https://archive.example"
        yield server


def link_in(message, pattern: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(pattern, text).group(0)


def subscribe(client, address: str, query: str, frequency: str = "immediate", **extra):
    page = client.get("/alerts/new/?" + query)
    search = re.search(r'name="search" value="([^"]*)"', page.content.decode()).group(1).replace("&amp;", "&")
    return client.post("/alerts/new/", {"email": address, "frequency": frequency, "search": search, **extra})


def confirmed(client, smtp, address: str, query: str, frequency: str = "immediate") -> Alert:
    before = len(smtp.handler.to(address))
    assert subscribe(client, address, query, frequency).status_code == 302
    message = smtp.handler.to(address)[before]
    path = link_in(message, r"https://archive\.example(/alerts/confirm/[^\s]+/)").removeprefix("https://archive.example")
    assert client.get(path).status_code == 200
    return Alert.objects.filter(subscriber__email=address).latest("pk")


def sender_env(port: int) -> dict:
    """The environment of a separate send_alerts process using this test's database and mail server."""
    env = {k: v for k, v in import_env().items() if not k.startswith("EMAIL_")}
    return {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}?tls=false", "DJANGO_SITE_URL": "https://archive.example"}


def start_sender(port: int, *extra: str, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "send_alerts", *extra], cwd=ROOT,
                            env={**sender_env(port), **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_subscribe_confirm_and_receive_exactly_the_new_matching_decisions(client, smtp):
    make_decision(reference="70 000 001", summary="Mr X complained about homelessness help.", **HOUSING)
    page = client.get("/decisions/?category=housing")
    assert 'href="/alerts/new/?category=housing"' in page.content.decode()
    form = client.get("/alerts/new/?category=housing").content.decode()
    assert "Category: Housing" in form and "decided in the last 100 days" in form
    assert subscribe(client, "reader@example.org", "category=housing").status_code == 302
    assert len(smtp.messages) == 1  # one confirmation, and nothing else until it is followed
    (confirmation,) = smtp.handler.to("reader@example.org")
    assert "Confirm your alert" in confirmation["Subject"]
    call_command("send_alerts")
    assert len(smtp.messages) == 1  # not confirmed: nothing sent
    path = link_in(confirmation, r"/alerts/confirm/[^\s]+/")
    assert "Alert confirmed" in client.get(path).content.decode()
    # An import of new decisions, two matching and one not.
    for n, fields in enumerate((HOUSING, PLANNING, HOUSING), start=2):
        make_decision(reference=f"70 000 00{n}", decided=date(2024, 1, n), summary=f"Summary number {n}.", **fields)
    call_command("send_alerts")
    (alert_email,) = [m for m in smtp.handler.to("reader@example.org") if m is not confirmation]
    text = alert_email.get_body(preferencelist=("plain",)).get_content()
    assert alert_email["Subject"] == "2 new decisions: Category: Housing"
    assert "70 000 002" in text and "70 000 004" in text and "70 000 003" not in text and "70 000 001" not in text
    assert text.index("70 000 004") < text.index("70 000 002")  # newest first
    alert = Alert.objects.get()
    assert alert_email["List-Unsubscribe"].strip() == f"<https://archive.example/alerts/unsubscribe/{alert.unsubscribe_token}/>"
    assert alert_email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    manage = f"https://archive.example/alerts/manage/{alert.subscriber.manage_token}/"
    assert manage in text and alert_email.get_body(preferencelist=("html",)) is not None
    call_command("send_alerts")  # a second run: nothing new, nothing sent
    assert len(smtp.messages) == 2


def test_at_most_twenty_decisions_then_a_link_to_the_rest(client, smtp):
    confirmed(client, smtp, "many@example.org", "category=housing")
    for n in range(23):
        make_decision(reference=f"71 000 {n:03d}", decided=date(2024, 3, 1) + timedelta(days=n), **HOUSING)
    call_command("send_alerts")
    message = smtp.handler.to("many@example.org")[-1]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"].startswith("23 new decisions")
    assert len(re.findall(r"https://archive\.example/decisions/71-000-\d{3}/", text)) == 20
    assert "And 3 more: https://archive.example/decisions/?category=housing&date_from=2024-03-04&sort=newest" in text


def test_a_run_stopped_after_writing_the_outbox_sends_each_email_once_when_run_again(client, smtp):
    confirmed(client, smtp, "a@example.org", "category=housing")
    confirmed(client, smtp, "b@example.org", "category=planning")
    make_decision(reference="72 000 001", **HOUSING)
    make_decision(reference="72 000 002", **PLANNING)
    call_command("send_alerts", "--prepare-only")  # as a run stopped right after its outbox transaction
    assert OutboxEmail.objects.filter(kind="alert", sent_at__isnull=True).count() == 2
    call_command("send_alerts")
    call_command("send_alerts")
    assert [m["Subject"] for m in smtp.handler.to("a@example.org")][1:] == ["1 new decision: Category: Housing"]
    assert [m["Subject"] for m in smtp.handler.to("b@example.org")][1:] == ["1 new decision: Category: Planning"]


def test_a_sender_killed_while_sending_loses_nothing_and_sends_once(client, smtp):
    alert = confirmed(client, smtp, "killed@example.org", "category=housing")
    make_decision(reference="73 000 001", **HOUSING)
    smtp.handler.hold.set()  # the mail server hangs on the email: the sender is stopped mid-send
    smtp.handler.data_started.clear()
    sender = start_sender(smtp.port)
    assert smtp.handler.data_started.wait(60), sender.communicate(timeout=5)
    sender.send_signal(signal.SIGKILL)
    sender.wait(30)
    smtp.handler.hold.clear()
    row = OutboxEmail.objects.get(kind="alert")
    assert row.claimed_at is not None and row.sent_at is None  # claimed, never marked sent
    call_command("send_alerts")  # its claim is not stale yet: left alone
    assert len(smtp.handler.to("killed@example.org")) == 1
    time.sleep(1.1)
    rerun = start_sender(smtp.port, ALERT_CLAIM_SECONDS="1")
    assert rerun.wait(60) == 0, rerun.communicate()
    subjects = [m["Subject"] for m in smtp.handler.to("killed@example.org")][1:]
    assert subjects == ["1 new decision: Category: Housing"]  # sent once, nothing lost
    alert.refresh_from_db()
    assert alert.position == Decision.objects.latest("pk").pk


def test_two_senders_at_once_send_each_email_once(client, smtp, monkeypatch):
    monkeypatch.setattr(alerts, "CONFIRMATIONS_PER_CLIENT", 100)
    addresses = [f"reader{n}@example.org" for n in range(12)]
    for n, address in enumerate(addresses):
        confirmed(client, smtp, address, "category=housing" if n % 2 else "category=planning")
    for n in range(3):
        make_decision(reference=f"74 000 00{n}", **HOUSING)
        make_decision(reference=f"74 000 01{n}", **PLANNING)
    received_before = len(smtp.messages)
    senders = [start_sender(smtp.port), start_sender(smtp.port)]
    for sender in senders:
        assert sender.wait(120) == 0, sender.communicate()
    alert_emails = smtp.messages[received_before:]
    assert sorted(m["To"] for m in alert_emails) == sorted(addresses)  # each once
    assert len({m["Message-ID"] for m in alert_emails}) == len(addresses)
    assert OutboxEmail.objects.filter(kind="alert").count() == len(addresses)


def test_one_click_unsubscribe_deletes_the_alert_and_the_address(smtp):
    client = Client(enforce_csrf_checks=True)
    # Confirm through a client that checks CSRF, as a browser would (the form carries its token).
    page = client.get("/alerts/new/?category=housing")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    search = re.search(r'name="search" value="([^"]*)"', page.content.decode()).group(1).replace("&amp;", "&")
    refused = Client(enforce_csrf_checks=True).post("/alerts/new/", {"email": "stop@example.org", "frequency": "daily",
                                                                     "search": search})
    assert refused.status_code == 403  # no CSRF token: refused
    client.post("/alerts/new/", {"email": "stop@example.org", "frequency": "daily", "search": search,
                                 "csrfmiddlewaretoken": token})
    client.get(link_in(smtp.handler.to("stop@example.org")[0], r"/alerts/confirm/[^\s]+/"))
    alert = Alert.objects.get(subscriber__email="stop@example.org")
    # The mail provider's one-click POST (RFC 8058): no cookie, no CSRF token, just the secret link.
    response = Client(enforce_csrf_checks=True).post(f"/alerts/unsubscribe/{alert.unsubscribe_token}/",
                                                     "List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "Alert stopped" in response.content.decode()
    assert not Alert.objects.exists() and not Subscriber.objects.filter(email="stop@example.org").exists()
    assert not OutboxEmail.objects.filter(to_address="stop@example.org").exists()  # the address is gone everywhere


def test_forged_and_expired_links_are_refused_with_a_clear_page(client, smtp):
    subscribe(client, "late@example.org", "category=housing")
    alert = Alert.objects.get()
    good = signing.dumps({"alert": alert.pk}, salt=alerts.SALT)
    forged = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    other_salt = signing.dumps({"alert": alert.pk}, salt="something else")
    for token in (forged, other_salt, "nonsense"):
        page = client.get(f"/alerts/confirm/{token}/")
        assert page.status_code == 400 and "This link does not work" in page.content.decode()
    old = signing.TimestampSigner(salt=alerts.SALT)
    old.timestamp = lambda: signing.b62_encode(int(time.time()) - 4 * 24 * 3600)  # signed four days ago
    page = client.get(f"/alerts/confirm/{old.sign_object({'alert': alert.pk})}/")
    assert page.status_code == 400 and "has expired" in page.content.decode()
    alert.refresh_from_db()
    assert alert.confirmed_at is None
    assert client.get("/alerts/manage/not-a-token/").status_code == 404
    assert client.get("/alerts/unsubscribe/not-a-token/").status_code == 404


def test_the_page_says_the_same_whoever_asks_and_limits_are_kept(client, smtp):
    existing = confirmed(client, smtp, "known@example.org", "category=housing")
    first = subscribe(client, "known@example.org", "category=planning")
    second = subscribe(client, "unknown@example.org", "category=planning")
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert "Check your email" in client.get(first["Location"]).content.decode()
    # At most three confirmation emails to one address an hour; the page says the same.
    for _ in range(3):
        assert subscribe(client, "busy@example.org", "category=housing").status_code == 302
    assert len(smtp.handler.to("busy@example.org")) == 3
    # From one client address, at most ten an hour: then said plainly.
    for n in range(10 - OutboxEmail.objects.filter(kind="confirmation").count()):
        subscribe(client, f"x{n}@example.org", "category=housing")
    limited = subscribe(client, "one-more@example.org", "category=housing")
    assert limited.status_code == 429 and "Too many requests" in limited.content.decode()
    assert existing.subscriber.alerts.count() == 2


def test_at_most_twenty_alerts_for_one_address(client, smtp, monkeypatch):
    monkeypatch.setattr(alerts, "CONFIRMATIONS_PER_ADDRESS", 100)
    monkeypatch.setattr(alerts, "CONFIRMATIONS_PER_CLIENT", 100)
    subscriber = Subscriber.objects.create(email="full@example.org")
    Alert.objects.bulk_create([Alert(subscriber=subscriber, query=f"q=word{n}", description=f"word{n}")
                               for n in range(alerts.MAX_ALERTS_PER_ADDRESS)])
    assert subscribe(client, "full@example.org", "category=housing").status_code == 302
    assert subscriber.alerts.count() == alerts.MAX_ALERTS_PER_ADDRESS
    assert "the most an address can have" in smtp.handler.to("full@example.org")[-1]["Subject"]


def test_a_search_the_archive_cannot_read_is_refused_not_widened(client, smtp):
    page = client.get("/alerts/new/?category=no-such-category").content.decode()
    assert "cannot follow this search" in page and 'name="email"' not in page
    response = client.post("/alerts/new/", {"email": "wide@example.org", "frequency": "daily",
                                            "search": "category=no-such-category"})
    assert response.status_code == 200 and not Alert.objects.exists() and not smtp.messages


def test_a_search_that_would_flood_an_inbox_is_refused(client, smtp, monkeypatch):
    monkeypatch.setattr(alerts, "MAX_A_DAY", 0.01)  # more than one decision in 100 days is a flood here
    for n in range(2):
        make_decision(reference=f"75 000 00{n}", decided=date.today() - timedelta(days=5 + n), **HOUSING)
    page = client.get("/alerts/new/?category=housing").content.decode()
    assert "matched <strong>2 decisions</strong>" in page and "too many to follow by email" in page
    assert subscribe(client, "flood@example.org", "category=planning").status_code == 302  # a narrower one is fine
    response = client.post("/alerts/new/", {"email": "flood@example.org", "frequency": "daily",
                                            "search": "category=housing"})
    assert response.status_code == 200 and not Alert.objects.filter(query__contains="housing").exists()


def test_the_manage_page_changes_pauses_and_deletes(client, smtp):
    alert = confirmed(client, smtp, "owner@example.org", "category=housing")
    manage = f"/alerts/manage/{alert.subscriber.manage_token}/"
    page = client.get(manage).content.decode()
    assert "Category: Housing" in page and "owner@example.org" in page
    client.post(manage, {"action": "frequency", "alert": alert.pk, "frequency": "monthly"})
    client.post(manage, {"action": "pause", "alert": alert.pk})
    alert.refresh_from_db()
    assert alert.frequency == "monthly" and alert.paused
    make_decision(reference="76 000 001", **HOUSING)
    call_command("send_alerts")
    assert len(smtp.handler.to("owner@example.org")) == 1  # paused: only the confirmation
    client.post(manage, {"action": "resume", "alert": alert.pk})
    call_command("send_alerts")
    assert len(smtp.handler.to("owner@example.org")) == 2
    response = client.post(manage, {"action": "delete_all"})
    assert "All your alerts are deleted" in response.content.decode()
    assert not Subscriber.objects.exists() and not Alert.objects.exists()


def test_a_daily_alert_waits_a_day_and_then_covers_everything_since(client, smtp):
    alert = confirmed(client, smtp, "daily@example.org", "category=housing", frequency="daily")
    make_decision(reference="77 000 001", **HOUSING)
    call_command("send_alerts")
    make_decision(reference="77 000 002", **HOUSING)
    call_command("send_alerts")  # sent less than a day ago: waits
    assert len(smtp.handler.to("daily@example.org")) == 2
    sent_at = Alert.objects.get(pk=alert.pk).last_sent_at
    Alert.objects.filter(pk=alert.pk).update(last_sent_at=sent_at - timedelta(days=1))  # a day later
    call_command("send_alerts")
    last = smtp.handler.to("daily@example.org")[-1]
    assert last["Subject"] == "1 new decision: Category: Housing" and "77 000 002" in last.get_body(
        preferencelist=("plain",)).get_content()


def test_admin_shows_alerts_and_the_outbox_read_only_with_counts(admin_client, client, smtp):
    confirmed(client, smtp, "counted@example.org", "category=housing")
    subscribe(client, "pending@example.org", "category=housing")
    page = admin_client.get("/admin/decisions/alert/").content.decode()
    assert "1 confirmed, 1 waiting for confirmation" in page and "2 sent today" in page
    alert = Alert.objects.get(subscriber__email="counted@example.org")
    change = admin_client.get(f"/admin/decisions/alert/{alert.pk}/change/").content.decode()
    assert 'name="description"' not in change  # read-only
    assert admin_client.get("/admin/decisions/outboxemail/").status_code == 200


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_subscribes_confirms_and_manages_in_the_browser(live_server, browser, smtp, settings, width):
    from tests.browsers import CHROMIUM
    from tests.test_browser import axe_module

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed: browser tests skipped")
    settings.SITE_URL = live_server.url
    make_decision(reference="78 000 001", **HOUSING)
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()

    def accessible():
        violations = axe_module.Axe().run(page).response["violations"]
        assert [(v["id"], v["impact"]) for v in violations] == [], page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 5, page.url

    page.goto(live_server.url + "/decisions/?category=housing")
    page.get_by_role("link", name="Email me new decisions like these").click()
    accessible()
    page.get_by_label("Your email address").fill("browser@example.org")
    page.get_by_label("Daily").check()
    page.get_by_role("button", name="Email me").click()
    page.wait_for_url("**/alerts/sent/")
    (confirmation,) = smtp.handler.to("browser@example.org")
    page.goto(link_in(confirmation, rf"{re.escape(live_server.url)}/alerts/confirm/[^\s]+/"))
    assert page.get_by_role("heading", name="Alert confirmed").is_visible()
    page.get_by_role("link", name="Change or stop your alerts").click()
    accessible()
    page.get_by_label("How often").select_option("weekly")
    page.get_by_role("button", name=re.compile("^Change")).click()
    assert Alert.objects.get().frequency == "weekly"
    page.get_by_role("button", name="Delete all my alerts and my address").click()
    assert page.get_by_role("heading", name="All your alerts are deleted").is_visible()
    assert not Subscriber.objects.exists()


def test_an_import_can_send_the_alerts_it_makes_due(client, smtp, tmp_path):
    from tests.factories import statement_text

    confirmed(client, smtp, "after-import@example.org", "category=housing")
    (tmp_path / "new.txt").write_text(statement_text(reference="79 000 001", organisation="Newshire Council",
                                                     **HOUSING), encoding="utf-8")
    call_command("import_decisions", str(tmp_path), "--send-alerts", "--progress-every", "0")
    assert smtp.handler.to("after-import@example.org")[-1]["Subject"] == "1 new decision: Category: Housing"


@pytest.mark.parametrize("environment, expected", [
    ({"EMAIL_URL": "smtp://user:p%40ss@mail.example:587"},
     {"EMAIL_HOST": "mail.example", "EMAIL_PORT": 587, "EMAIL_HOST_USER": "user", "EMAIL_HOST_PASSWORD": "p@ss",
      "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
    ({"EMAIL_URL": "smtps://mail.example"}, {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False}),
    ({"EMAIL_URL": "smtp://127.0.0.1:2525?tls=false"}, {"EMAIL_PORT": 2525, "EMAIL_USE_TLS": False}),
    ({"EMAIL_URL": "console://"}, {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
    ({"EMAIL_HOST": "relay.example", "EMAIL_PORT": "2525", "EMAIL_USE_TLS": "1"},
     {"EMAIL_HOST": "relay.example", "EMAIL_PORT": 2525, "EMAIL_USE_TLS": True}),
])
def test_email_settings_come_from_the_environment(environment, expected, monkeypatch):
    from lgo_archive.settings import email_settings

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    found = email_settings(environment)
    assert {name: found.get(name) for name in expected} == expected


def test_an_alert_never_moves_past_a_decision_still_being_imported(db):
    """PostgreSQL numbers rows as they are inserted: an import still open may hold a lower id than one
    already committed. The last id an alert moves to waits for it."""
    import threading

    from django.db import connections, transaction

    from decisions import search
    from decisions.models import ArchiveState
    from decisions.services import DecisionImporter
    from tests.factories import statement_text

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: ids are committed in their order (nothing to wait for)")
    inserted, release, seen = threading.Event(), threading.Event(), []

    def slow_import():
        try:
            with transaction.atomic(), ArchiveState.once_for():
                DecisionImporter().import_bytes(statement_text(reference="80 000 001", organisation="Slowshire Council")
                                                .encode(), source_name="slow.txt")
                inserted.set()
                release.wait(30)
        finally:
            connections.close_all()

    def last_id():
        try:
            seen.append(search.backend().settled_last_id())
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_import)
    writer.start()
    assert inserted.wait(30)
    make_decision(reference="80 000 002")  # a later import, committed first, with a higher id
    reader = threading.Thread(target=last_id)
    reader.start()
    reader.join(1.0)
    assert reader.is_alive() and not seen  # waits for the open import
    release.set()
    writer.join(30)
    reader.join(30)
    slow = Decision.objects.get(reference="80 000 001")
    assert seen == [Decision.objects.latest("pk").pk] and seen[0] > slow.pk


def test_a_search_too_long_to_keep_is_refused_not_cut(client, smtp):
    repeated = "&".join(["outcome=upheld"] * 200)  # each value valid, the whole longer than an alert keeps
    page = client.get("/alerts/new/?" + repeated).content.decode()
    assert "the search is too long to keep" in page and not Alert.objects.exists()
