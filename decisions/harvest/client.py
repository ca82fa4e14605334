"""Fetching decisions from the Ombudsman's website, politely and resumably.

The walk: the listing month by month (oldest first), each listed decision page fetched (with a
conditional request when it was fetched before), converted to statement text and imported
through the same service as text files. Progress is recorded per window, so a run stopped at
any moment is continued by the next; one decision is written in one transaction with the page
it came from. URL patterns and selectors live in ``lgo_site``.
"""

from __future__ import annotations

import gzip
import math
import time
from calendar import monthrange
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.robotparser import RobotFileParser

import httpx
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from decisions.harvest import lgo_site
from decisions.models import HarvestedPage, HarvestRun, HarvestWindow
from decisions.services import (
    CREATED,
    FAILED,
    MAX_PAGE_BYTES,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    DecisionImporter,
    read_and_parse,
)

RETRY_STATUSES = {429, 500, 502, 503, 504}
GONE_STATUSES = {404, 410}


class HarvestStopped(Exception):
    """The run cannot go on (the site is failing, refusing us, or has changed); says where and why."""


def month_windows(since: date, until: date) -> Iterator[tuple[date, date]]:
    """[since, end of its month], whole months, [start of until's month, until]."""
    start = since
    while start <= until:
        end = min(date(start.year, start.month, monthrange(start.year, start.month)[1]), until)
        yield start, end
        start = end + timedelta(days=1)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header in seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


class PoliteClient:
    """HTTP for the harvester: robots.txt, at most one request per ``delay`` seconds, retries with
    backoff on timeouts, 429 and 5xx (honouring Retry-After), conditional requests."""

    def __init__(self, base_url: str, *, user_agent: str, delay: float = 1.0, timeout: float = 30.0,
                 attempts: int = 5, backoff: float = 2.0, longest_wait: float = 600.0):
        self.base_url = base_url.rstrip("/")
        self.user_agent = user_agent
        self.delay = delay
        self.attempts = attempts
        self.backoff = backoff
        self.longest_wait = longest_wait
        self.requests = 0
        self._last_request = -math.inf
        self._robots: RobotFileParser | None = None
        self.http = httpx.Client(headers={"User-Agent": user_agent}, timeout=timeout, follow_redirects=True)

    def close(self) -> None:
        self.http.close()

    def allowed(self, url: str) -> bool:
        if self._robots is None:
            self._robots = self._read_robots()
            crawl_delay = self._robots.crawl_delay(self.user_agent)
            if crawl_delay:
                self.delay = max(self.delay, float(crawl_delay))
        return self._robots.can_fetch(self.user_agent, url)

    def _read_robots(self) -> RobotFileParser:
        robots = RobotFileParser(self.base_url + "/robots.txt")
        response = self.get(self.base_url + "/robots.txt", check_robots=False)
        if response.status_code in (401, 403):
            robots.disallow_all = True
        elif response.status_code >= 400:
            robots.allow_all = True
        else:
            robots.parse(response.text.splitlines())
        return robots

    def get(self, url: str, *, etag: str = "", last_modified: str = "", check_robots: bool = True) -> httpx.Response:
        """The answer to a GET (2xx, 304 or 4xx); HarvestStopped after repeated failures."""
        if check_robots and not self.allowed(url):
            raise PermissionError(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        problem = ""
        for attempt in range(1, self.attempts + 1):
            self._wait_turn()
            try:
                response = self.http.get(url, headers=headers)
            except httpx.TransportError as error:  # timeouts, refused and dropped connections
                problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                wait = self.backoff * 2 ** (attempt - 1)
            else:
                self.requests += 1
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}"
                wait = retry_after_seconds(response.headers.get("Retry-After")) or self.backoff * 2 ** (attempt - 1)
            if attempt == self.attempts:
                break
            if wait > self.longest_wait:
                raise HarvestStopped(f"{url}: {problem}, and the site asks us to wait {wait:.0f}s: try again later")
            time.sleep(wait)
        raise HarvestStopped(f"{url}: {problem} after {self.attempts} attempts: stopped rather than keep asking")

    def _wait_turn(self) -> None:
        pause = self._last_request + self.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last_request = time.monotonic()


@dataclass
class Progress:
    """What the command shows while a run goes on."""

    run: HarvestRun
    window: tuple[date, date]
    window_number: int
    window_count: int


class Harvester:
    def __init__(self, client: PoliteClient, *, importer: DecisionImporter | None = None, max_pages: int | None = None,
                 on_progress: Callable[[Progress], None] | None = None):
        self.client = client
        self.importer = importer or DecisionImporter()
        self.max_pages = max_pages
        self.on_progress = on_progress or (lambda progress: None)
        self.decision_pages = 0
        self.last_listing_html = ""

    @staticmethod
    def resume_from(default_start: date, overlap_days: int) -> date:
        """Where a run without --since begins: a few days before the latest completed window."""
        latest = HarvestWindow.objects.filter(completed_at__isnull=False).aggregate(end=Max("end"))["end"]
        return latest - timedelta(days=overlap_days) if latest else default_start

    def run(self, since: date, until: date) -> HarvestRun:
        HarvestRun.objects.filter(status=HarvestRun.RUNNING).update(
            status=HarvestRun.INTERRUPTED, message="stopped without finishing (killed, or the machine went down)")
        run = HarvestRun.objects.create(base_url=self.client.base_url, since=since, until=until)
        windows = list(month_windows(since, until))
        try:
            for number, window in enumerate(windows, start=1):
                progress = Progress(run, window, number, len(windows))
                self.on_progress(progress)
                if not self.harvest_window(run, *window, progress=progress):
                    run.message = f"stopped after {self.max_pages} decision pages (--max)"
                    break
        except HarvestStopped as error:
            self._finish(run, HarvestRun.FAILED, str(error))
            raise
        except BaseException:  # KeyboardInterrupt included: record it, then let it go on
            self._finish(run, HarvestRun.INTERRUPTED, "interrupted")
            raise
        self._finish(run, HarvestRun.FINISHED, run.message)
        return run

    def _finish(self, run: HarvestRun, status: str, message: str) -> None:
        run.status, run.message, run.finished_at = status, message, timezone.now()
        run.pages_fetched = self.client.requests
        run.save()

    def harvest_window(self, run: HarvestRun, start: date, end: date, *, progress: Progress) -> bool:
        """Every decision one window lists; False when --max stopped it before the end."""
        window, _ = HarvestWindow.objects.get_or_create(start=start, end=end)
        window.last_run = run
        page, pages, listed = 1, 1, 0
        while page <= pages:
            url = lgo_site.listing_url(self.client.base_url, start, end, page)
            listing = self.read_listing(url)
            listed = listing.total
            pages = math.ceil(listing.total / lgo_site.LISTING_PAGE_SIZE)
            if listing.total and not listing.decision_urls:
                raise self.site_changed(url, "the listing announces results but links to no decision",
                                        self.last_listing_html)
            for decision_url in listing.decision_urls:
                if self.max_pages is not None and self.decision_pages >= self.max_pages:
                    return False
                self.harvest_decision(run, decision_url)
                self.on_progress(progress)
            page += 1
        window.listed, window.completed_at = listed, timezone.now()
        window.save()
        run.windows += 1
        self._save_counts(run)
        return True

    def read_listing(self, url: str) -> lgo_site.Listing:
        try:
            response = self.client.get(url)
        except PermissionError:
            raise HarvestStopped(f"{url}: robots.txt does not allow the decision listing") from None
        if response.status_code != 200:
            raise HarvestStopped(f"{url}: the listing answered HTTP {response.status_code}")
        self.last_listing_html = response.text
        try:
            return lgo_site.read_listing(response.text, str(response.url))
        except lgo_site.SiteChanged as error:
            raise self.site_changed(url, str(error), response.text) from None

    def harvest_decision(self, run: HarvestRun, url: str) -> None:
        self.decision_pages += 1
        known = HarvestedPage.objects.filter(url=url, problem="").first()
        try:
            response = self.client.get(url, etag=known.etag if known else "",
                                       last_modified=known.last_modified if known else "")
        except PermissionError:
            run.skipped += 1
            return self._save_counts(run)
        now = timezone.now()
        if response.status_code == 304 and known:
            HarvestedPage.objects.filter(pk=known.pk).update(checked_at=now)
            run.unchanged += 1
            return self._save_counts(run)
        if response.status_code in GONE_STATUSES:
            run.failed += 1
            run.message = f"{url}: HTTP {response.status_code} (listed but gone)"
            return self._save_counts(run)
        if response.status_code != 200:
            raise HarvestStopped(f"{url}: the site answered HTTP {response.status_code}")
        if len(response.content) > MAX_PAGE_BYTES:
            run.failed += 1
            run.message = f"{url}: a page of {len(response.content) // 1024 // 1024} MB is not a decision: not imported"
            return self._save_counts(run)
        item = read_and_parse(url, response.content)
        if item.error:
            raise self.site_changed(url, item.error, response.text)
        with transaction.atomic():  # the decision and the page it came from, together or not at all
            result = self.importer.import_parsed(item)
            if result.status != FAILED:
                HarvestedPage.objects.update_or_create(url=url, defaults={
                    "reference": item.parsed.reference, "html_gzip": gzip.compress(response.content),
                    "etag": response.headers.get("ETag", ""), "last_modified": response.headers.get("Last-Modified", ""),
                    "fetched_at": now, "checked_at": now, "problem": ""})
        counter = {CREATED: "new", UPDATED: "updated", UNCHANGED: "unchanged", SKIPPED: "skipped", FAILED: "failed"}
        setattr(run, counter[result.status], getattr(run, counter[result.status]) + 1)
        if result.status == FAILED:
            run.message = f"{url}: {result.reason}"
        self._save_counts(run)

    def _save_counts(self, run: HarvestRun) -> None:
        run.pages_fetched = self.client.requests
        run.save(update_fields=["windows", "pages_fetched", "new", "updated", "unchanged", "skipped", "failed",
                                "message"])

    def site_changed(self, url: str, problem: str, html: str) -> HarvestStopped:
        """Keep the page that could not be read, and say where to find it."""
        now = timezone.now()
        page, _ = HarvestedPage.objects.update_or_create(url=url, defaults={
            "reference": lgo_site.reference_from_url(url) or "", "html_gzip": gzip.compress(html.encode()),
            "etag": "", "last_modified": "", "fetched_at": now, "checked_at": now, "problem": problem})
        return HarvestStopped(f"{url}: {problem}. The site may have changed: the page is kept for inspection "
                              f"(admin: harvested page {page.pk}); correct decisions/harvest/lgo_site.py")
