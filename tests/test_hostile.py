"""Every hostile request an outside attack found answered without a server error (on both databases)."""

import xml.dom.minidom

import pytest
from django.urls import reverse

from decisions.models import Decision
from tests.factories import make_decision

pytestmark = pytest.mark.django_db


def feed_is_valid_xml(response) -> str:
    assert response.status_code == 200
    text = response.content.decode()
    xml.dom.minidom.parseString(response.content)  # raises on anything XML cannot carry
    return text


@pytest.mark.parametrize("character", [chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r"])
def test_feed_with_a_control_character_in_the_search_is_valid_xml(client, seeds, character):
    feed_is_valid_xml(client.get("/decisions/feed.atom", {"q": f"care{character}"}))


def test_feed_with_characters_xml_cannot_carry_in_imported_text_is_valid_xml(client):
    decision = make_decision(organisation="Test\uffff County Council", summary="The Council was at fault.")
    Decision.objects.filter(pk=decision.pk).update(summary="A summary with \x01 and \x1f and \ufffe in it.",
                                                   outcome="Upheld\x0b")
    text = feed_is_valid_xml(client.get("/decisions/feed.atom"))
    assert "Test County Council" in text and "A summary with  and  and  in it." in text


@pytest.mark.parametrize("value", ["²", "³", "①", "٣", "1e3", "-5", "0", "101", "99999999999999999999"])
def test_api_page_size_that_is_not_a_plain_number_is_a_400_naming_it(client, seeds, value):
    response = client.get("/api/decisions/", {"page_size": value})
    assert response.status_code == 400
    assert response.json()["parameter"] == "page_size"


@pytest.mark.parametrize("url", ["/decisions/feed.atom", "/decisions/export.csv", "/decisions/export.json"])
def test_a_number_parameter_in_unicode_digits_is_a_400_on_data_urls(client, seeds, url):
    assert client.get(url, {"min_payment": "²"}).status_code == 400


@pytest.mark.parametrize("url", ["/decisions/%00/", "/decisions/20-003-763%00/", "/api/decisions/%00/",
                                 "/councils/dorset%00/", "/decisions/%00"])
def test_a_nul_byte_in_the_path_is_a_404(client, seeds, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/decisions/?q=care%00", "/api/decisions/?q=%00", "/decisions/feed.atom?q=%00",
                                 "/decisions/export.csv?council=%00"])
def test_a_nul_byte_in_the_query_is_a_400(client, seeds, url):
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-decisions.xml"])
def test_sitemap_answers_only_reads(client, seeds, method, url):
    assert getattr(client, method)(url).status_code == 405
    assert client.get(url).status_code == 200


def test_static_manifest_is_not_public(client):
    assert client.get("/static/staticfiles.json").status_code == 404


def test_admin_sign_in_with_an_unsafe_next_lands_on_the_admin_index(client, django_user_model):
    django_user_model.objects.create_superuser("curator", "curator@example.org", "a long enough password 1")
    response = client.post(reverse("admin:login") + "?next=https://evil.example/", {
        "username": "curator", "password": "a long enough password 1", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_date_long_ago_does_not_let_undated_decisions_through(client, db):
    make_decision(reference="31 000 001")
    make_decision(reference="31 000 002")
    Decision.objects.filter(reference="31 000 001").update(decision_date=None)
    data = client.get("/api/decisions/", {"date_from": "1066-10-14"}).json()
    assert [d["reference"] for d in data["results"]] == ["31 000 002"]


def test_an_amount_past_pence_is_refused_not_truncated(client, db):
    make_decision(reference="31 000 003")  # no payment
    response = client.get("/api/decisions/", {"min_payment": "0.009"})
    assert response.status_code == 400 and response.json()["parameter"] == "min_payment"
    page = client.get("/decisions/", {"min_payment": "0.009"}).content.decode()
    assert "decimal places" in page  # the form says what is wrong
    assert client.get("/api/decisions/", {"min_payment": "0.01"}).json()["count"] == 0


SLOW_STATEMENT = {
    "postgresql": "SELECT pg_sleep(5)",
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300000000) SELECT count(*) FROM n",
}


@pytest.mark.django_db(transaction=True)
def test_no_statement_of_a_request_holds_the_database_past_the_bound():
    import time

    from django.db import OperationalError, connection

    from decisions.middleware import bounded_database_work, is_too_broad

    started = time.monotonic()
    with pytest.raises(OperationalError) as stopped, bounded_database_work(0.3), connection.cursor() as cursor:
        cursor.execute(SLOW_STATEMENT[connection.vendor])
    assert time.monotonic() - started < 3
    assert is_too_broad(stopped.value)
    with connection.cursor() as cursor:  # the connection still works afterwards
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    if connection.vendor == "postgresql":
        connection.close()  # the bound stays on a web worker's connection, not on this test's next one


@pytest.mark.django_db(transaction=True)
def test_a_request_past_the_bound_gets_a_page_saying_it_was_too_broad(client, settings, monkeypatch):
    from django.db import connection

    from decisions.search import sqlite

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's bound is checked statement by statement above; a page's statements take under 1 ms")
    for n in range(40):
        make_decision(reference=f"32 000 {n:03d}", organisation=f"Council number {n}")
    settings.DATABASE_REQUEST_SECONDS = 1e-9  # already past when the first statement runs
    monkeypatch.setattr(sqlite, "PROGRESS_EVERY", 1)  # asked at once, even by a small statement
    response = client.get("/councils/")
    assert response.status_code == 503
    assert "That search was too broad" in response.content.decode()
    settings.DATABASE_REQUEST_SECONDS = 10
    assert client.get("/councils/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_web_process_opens_its_postgresql_connections_bounded(client, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's bound is a progress handler set for each request (tested above)")
    settings.DATABASE_REQUEST_SECONDS = 7
    client.get("/healthz")  # a process that serves requests loads the middleware
    connection.close()
    with connection.cursor() as cursor:  # a connection opened afterwards, as a worker's would be
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "7s"
    settings.DATABASE_REQUEST_SECONDS = 10
    connection.close()


HOSTILE_DIGITS = ["²", "³", "①", "٣", "1²", "-1", "9" * 30]


@pytest.mark.parametrize("value", HOSTILE_DIGITS)
@pytest.mark.parametrize(("url", "name", "says"), [
    ("/decisions/20-003-763/", "part", "The part of the statement asked for"),
    ("/decisions/", "page", None),  # a page that is not a number: the listing's first page, by redirect
    ("/decisions/", "min_payment", "could not be understood"),
    ("/councils/", "year_from", None),  # the league table leaves out what its form cannot read
])
def test_every_number_parameter_of_a_page_takes_ascii_digits_only(client, seeds, value, url, name, says):
    """Unicode digits pass str.isdigit() but int() refuses them: never a server error, and the page
    says what it could not read."""
    response = client.get(url, {name: value}, follow=True)
    assert response.status_code == 200
    if says:
        assert says in response.content.decode()
