"""The harvester against a fake copy of the Ombudsman's site served over real HTTP on localhost."""

import signal
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from decisions.harvest.client import month_windows, retry_after_seconds
from decisions.harvest.lgo_site import SiteChanged, read_listing, statement_text
from decisions.models import Decision, HarvestedPage, HarvestRun, HarvestWindow
from decisions.statements.parser import parse_decision
from tests.conftest import EXPECTED, ROOT, SEED_FILES, seed_text
from tests.fake_lgo_site import FakeSite, FakeSiteServer, render_decision_page

SPAN = ["--since", "2019-01-01", "--until", "2023-12-31"]  # the seeds were decided 2019–2023


@pytest.fixture
def site():
    fake = FakeSite()
    for name in SEED_FILES:
        fake.add(seed_text(name))
    with FakeSiteServer(fake) as server:
        fake.url = server.url
        yield fake


def harvest(site, *extra):
    call_command("harvest_decisions", "--base-url", site.url, "--delay", "0", "--backoff", "0.05", *extra)
    return HarvestRun.objects.first()


def facts(parsed):
    return {
        "reference": parsed.reference, "organisation": parsed.organisation, "category": parsed.category,
        "subcategory": parsed.subcategory, "outcome": parsed.outcome, "decision_date": parsed.decision_date,
        "summary": parsed.summary, "headings": parsed.headings(), "total": parsed.total_payment,
        "remedies": [(r.kind, r.amount, r.purposes) for r in parsed.remedies],
        "findings": sorted({f.kind for f in parsed.findings}),
    }


# --- Converting pages (no database, no network) ----------------------------------------

@pytest.mark.parametrize("name", SEED_FILES)
def test_a_decision_page_converts_to_text_that_parses_to_the_same_facts_as_its_seed(name):
    parsed = parse_decision(seed_text(name))
    page = render_decision_page(parsed)
    converted = parse_decision(statement_text(page, "https://www.lgo.org.uk/decisions/x/y/"
                                                    + parsed.reference.replace(" ", "-")))
    assert facts(converted) == facts(parsed)
    expected = next(d for d in EXPECTED if d["file"] == name.name)
    assert converted.total_payment == Decimal(expected["total_payment"])
    assert converted.decision_date.isoformat() == expected["decision_date"]


def test_conversion_keeps_published_paragraph_numbers_and_nesting():
    page = """<article id="article"><h1>Borsetshire Council (21 000 111)</h1>
    <span class="label">Decision date</span><span class="value">2 Jan 2024</span>
    <h2>Summary</h2><p>The Council was at fault and has agreed to apologise.</p>
    <h2>The complaint</h2><ol start="3"><li><p>Mr X complains that:</p>
      <ol type="a"><li>the Council delayed;</li><li>it did not reply.</li></ol></li>
      <li value="7">He says <em>this</em> caused<br>distress.<ul><li>a point</li></ul></li></ol></article>"""
    text = statement_text(page)
    assert "  3. Mr X complains that:\n      a. the Council delayed;\n      b. it did not reply.\n" in text
    assert "  7. He says this caused distress.\n    • a point" in text
    assert text.startswith("Borsetshire Council (21 000 111)\n\nDecision date : 2 Jan 2024\n\nSummary: The Council")


def test_a_page_without_the_statement_or_its_header_is_refused():
    with pytest.raises(SiteChanged, match="article"):
        statement_text("<html><body><h1>Page not found</h1></body></html>")
    with pytest.raises(SiteChanged, match="header"):
        statement_text('<article id="article"><h1>Some Council (21 000 111)</h1><p>Text</p></article>')


def test_a_listing_gives_its_total_and_decision_links_in_order():
    listing = read_listing("<p>Your search has 1,234 results</p><a href='/decisions/a/b/21-000-111'>x</a>"
                           "<a href='https://www.lgo.org.uk/decisions/a/b/20-003-763b#top'>y</a><a href='/news/1'>z</a>",
                           "https://www.lgo.org.uk/Decisions/SearchResults?page=1")
    assert listing.total == 1234
    assert listing.decision_urls == ["https://www.lgo.org.uk/decisions/a/b/21-000-111",
                                     "https://www.lgo.org.uk/decisions/a/b/20-003-763b"]
    with pytest.raises(SiteChanged):
        read_listing("<p>Nothing to see</p>", "https://www.lgo.org.uk/")


def test_windows_are_months_clipped_to_the_range_and_retry_after_reads_both_forms():
    from datetime import date
    assert list(month_windows(date(2024, 1, 20), date(2024, 3, 5))) == [
        (date(2024, 1, 20), date(2024, 1, 31)), (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 5))]
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None


# --- Harvesting ------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_harvest_fills_an_empty_archive_with_every_listed_decision(site, capsys):
    run = harvest(site, *SPAN)
    assert run.status == HarvestRun.FINISHED
    assert (run.new, run.updated, run.failed, run.windows) == (5, 0, 0, 60)
    assert Decision.objects.count() == 5
    for expected in EXPECTED:
        decision = Decision.objects.select_related("council").get(reference=expected["reference"])
        assert decision.council.name == expected["organisation"]
        assert decision.decision_date.isoformat() == expected["decision_date"]
        assert decision.outcome == expected["outcome"]
        assert decision.total_payment == Decimal(expected["total_payment"])
        assert sorted(r.kind for r in decision.remedies.all()) == sorted(r["kind"] for r in expected["remedies"])
        assert decision.source_name.startswith(site.url + "/decisions/")
    # The raw page is kept (compressed) with what conditional requests need.
    page = HarvestedPage.objects.get(reference="20 003 763")
    served = next(d for d in site.decisions.values() if d.reference == "20 003 763")
    assert page.html == served.body and page.etag == served.etag and len(page.html_gzip) < len(served.body) / 2
    # Polite: robots.txt first, an identifying User-Agent with a contact address.
    assert site.requests[0][0] == "/robots.txt"
    assert all("mailto:" in headers["User-Agent"] for _, headers, _ in site.requests)
    out = capsys.readouterr().out
    assert "5 new, 0 updated, 0 unchanged, 0 skipped, 0 failed" in out


@pytest.mark.django_db
def test_a_second_run_asks_conditionally_and_changes_nothing(site):
    harvest(site, *SPAN)
    written = dict(Decision.objects.values_list("reference", "updated_at"))
    site.requests.clear()
    run = harvest(site, *SPAN)
    assert (run.new, run.updated, run.unchanged) == (0, 0, 5)
    decision_requests = site.decision_requests()
    assert len(decision_requests) == 5
    assert all(headers.get("If-None-Match") and headers.get("If-Modified-Since") for _, headers, _ in decision_requests)
    assert dict(Decision.objects.values_list("reference", "updated_at")) == written


@pytest.mark.django_db
def test_a_page_that_changed_is_updated_and_a_curated_decision_left_alone(site):
    harvest(site, *SPAN)
    changed, curated = (next(d for d in site.decisions.values() if d.reference == ref)
                        for ref in ("20 003 763", "20 007 812"))
    site.replace(changed.path, changed.body.replace("formally apologise", "formally apologise in writing"))
    site.replace(curated.path, curated.body.replace("<h2>Summary</h2><p>", "<h2>Summary</h2><p>Revised. "))
    Decision.objects.filter(reference="20 007 812").update(is_curated=True, summary="Checked by staff.")
    run = harvest(site, *SPAN)
    assert (run.updated, run.skipped, run.unchanged) == (1, 1, 3)
    assert "formally apologise in writing" in Decision.objects.get(reference="20 003 763").summary
    assert Decision.objects.get(reference="20 007 812").summary == "Checked by staff."


@pytest.mark.django_db
def test_robots_txt_disallow_is_honoured(site):
    barred = next(d for d in site.decisions.values() if d.reference == "18 011 812")
    site.robots = f"User-agent: *\nDisallow: {barred.path}\n"
    run = harvest(site, *SPAN)
    assert barred.path not in site.paths_requested()
    assert not Decision.objects.filter(reference="18 011 812").exists()
    assert (run.new, run.skipped) == (4, 1)


@pytest.mark.django_db
def test_429_with_retry_after_and_a_500_are_retried(site):
    target = next(d for d in site.decisions.values() if d.reference == "20 003 763")
    site.faults[target.path] = [(429, {"Retry-After": "1"}), (500, {})]
    run = harvest(site, *SPAN)
    assert run.new == 5 and Decision.objects.filter(reference="20 003 763").exists()
    times = [when for path, _, when in site.requests if path == target.path]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.95  # waited as Retry-After asked


@pytest.mark.django_db
def test_repeated_failures_stop_the_run_instead_of_hammering(site):
    site.faults["/Decisions/SearchResults"] = [(503, {})] * 50
    with pytest.raises(CommandError, match="HTTP 503 after 5 attempts"):
        harvest(site, *SPAN)
    assert len(site.paths_requested("/Decisions/")) == 5
    assert HarvestRun.objects.get().status == HarvestRun.FAILED


@pytest.mark.django_db
def test_a_listing_whose_markup_changed_stops_the_run_and_keeps_the_page(site):
    site.listing_markup_changed = True
    with pytest.raises(CommandError, match=r"SearchResults\?fd=2019-03-01.*links to no decision"):
        harvest(site, *SPAN)
    kept = HarvestedPage.objects.exclude(problem="").get()
    assert "data-ref" in kept.html and "fd=2019-03-01" in kept.url
    assert HarvestRun.objects.get().status == HarvestRun.FAILED
    assert not HarvestWindow.objects.filter(start="2019-03-01", completed_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_decision_page_without_its_header_stops_the_run(site):
    target = next(d for d in site.decisions.values() if d.reference == "18 011 812")
    site.replace(target.path, target.body.replace('class="label"', 'class="field-name"'))
    with pytest.raises(CommandError, match=rf"{target.path}.*no header"):
        harvest(site, *SPAN)
    assert HarvestedPage.objects.get(problem__contains="no header").url.endswith(target.path)
    assert not Decision.objects.filter(reference="18 011 812").exists()


@pytest.mark.django_db
def test_requests_are_spaced_by_the_delay(site):
    call_command("harvest_decisions", "--base-url", site.url, "--delay", "0.2", "--since", "2021-05-01",
                 "--until", "2021-05-31")
    times = [when for _, _, when in site.requests]
    assert len(times) == 4  # robots.txt, one listing, two decisions
    assert min(later - earlier for earlier, later in zip(times, times[1:], strict=False)) >= 0.19


@pytest.mark.django_db
def test_nonsense_arguments_get_a_clear_message(site):
    with pytest.raises(CommandError, match="not a date"):
        harvest(site, "--since", "yesterday")
    with pytest.raises(CommandError, match="after --until"):
        harvest(site, "--since", "2024-02-01", "--until", "2024-01-01")


@pytest.mark.django_db
def test_max_stops_early_and_the_next_run_continues(site):
    run = harvest(site, *SPAN, "--max", "2")
    assert run.new == 2 and "--max" in run.message
    run = harvest(site, "--until", "2023-12-31")  # continues a few days before the last completed window
    assert Decision.objects.count() == 5
    assert run.since > HarvestRun.objects.last().since


def subprocess_env() -> dict:
    from tests.test_reliability import import_env
    return import_env()


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_half_way_resumes_without_duplicates(site):
    site.stall_after = 2
    process = subprocess.Popen([sys.executable, "manage.py", "harvest_decisions", "--base-url", site.url, "--delay",
                                "0", *SPAN], cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert site.stalled.wait(timeout=120), "the harvest never reached its third decision"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert Decision.objects.count() == 2
    site.stall_after = None
    site.release.set()
    site.requests.clear()

    call_command("harvest_decisions", "--base-url", site.url, "--delay", "0", "--until", "2023-12-31")
    assert Decision.objects.count() == 5 == HarvestedPage.objects.count()
    assert sorted(Decision.objects.values_list("reference", flat=True)) == sorted(d["reference"] for d in
                                                                                  EXPECTED)
    killed, resumed = HarvestRun.objects.order_by("started_at")
    assert killed.status == HarvestRun.INTERRUPTED and resumed.status == HarvestRun.FINISHED
    assert resumed.since > killed.since  # continued, not started over


@pytest.mark.django_db
def test_import_decisions_reads_pages_saved_from_the_site(tmp_path, capsys):
    for name in SEED_FILES:
        page = render_decision_page(parse_decision(seed_text(name)))
        (tmp_path / f"{name.stem}.html").write_text(page, encoding="utf-8")
    (tmp_path / "not-a-decision.html").write_text("<html><body><p>Saved the wrong page</p></body></html>")
    with pytest.raises(CommandError, match="1 of 6 files failed"):
        call_command("import_decisions", str(tmp_path))
    captured = capsys.readouterr()
    assert "not-a-decision.html: not a decision page from the Ombudsman's site" in captured.err
    assert "5 created" in captured.out
    for expected in EXPECTED:
        decision = Decision.objects.get(reference=expected["reference"])
        assert decision.total_payment == Decimal(expected["total_payment"])
        assert decision.source_text.startswith(f"{expected['organisation']} ({expected['reference']})")


@pytest.mark.django_db
def test_runs_windows_and_kept_pages_are_visible_in_admin(site, admin_client):
    site.listing_markup_changed = True
    with pytest.raises(CommandError):
        harvest(site, *SPAN)
    runs = admin_client.get(reverse("admin:decisions_harvestrun_changelist"))
    assert runs.status_code == 200 and "Failed (stopped)" in runs.content.decode()
    windows = admin_client.get(reverse("admin:decisions_harvestwindow_changelist"))
    assert windows.status_code == 200 and "3 harvest windows" in windows.content.decode()  # Jan and Feb done, March not
    kept = HarvestedPage.objects.get()
    page = admin_client.get(reverse("admin:decisions_harvestedpage_change", args=[kept.pk]))
    assert page.status_code == 200
    assert "links to no decision" in page.content.decode() and "data-ref=" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_naming_the_url_when_the_site_changed(site):
    site.listing_markup_changed = True
    result = subprocess.run([sys.executable, "manage.py", "harvest_decisions", "--base-url", site.url, "--delay", "0",
                             *SPAN], cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"Harvest stopped: {site.url}/Decisions/SearchResults?fd=2019-03-01" in result.stderr
    assert "Traceback" not in result.stderr
