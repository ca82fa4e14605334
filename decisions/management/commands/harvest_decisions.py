"""Harvest decisions from the Ombudsman's website into the archive, politely and resumably."""

import time
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from decisions.harvest.client import Harvester, HarvestStopped, PoliteClient, Progress


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = ("Fetch decisions from the Ombudsman's website month by month and import them (as import_decisions "
            "does). Without --since, continues from the last completed window, a few days back.")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first decision date to harvest (YYYY-MM-DD)")
        parser.add_argument("--until", help="last decision date to harvest (YYYY-MM-DD; default today)")
        parser.add_argument("--base-url", default=settings.HARVEST_BASE_URL, help="the site (default %(default)s)")
        parser.add_argument("--delay", type=float, default=settings.HARVEST_DELAY_SECONDS, metavar="SECONDS",
                            help="at least this long between requests (default %(default)s; robots.txt may ask more)")
        parser.add_argument("--send-alerts", action="store_true",
                            help="afterwards, send the email alerts that are due (as manage.py send_alerts)")
        parser.add_argument("--max", type=int, metavar="N", help="stop after N decision pages")
        parser.add_argument("--backoff", type=float, default=2.0, metavar="SECONDS",
                            help="first wait before retrying a failed request; doubles each time (default %(default)s)")

    def handle(self, *args, since, until, base_url, delay, max, backoff, send_alerts=False, **options):
        if delay < 0 or backoff < 0 or (max is not None and max < 1):
            raise CommandError("--delay and --backoff must be 0 or more, --max 1 or more")
        until_day = parse_day(until) if until else timezone.localdate()
        since_day = parse_day(since) if since else Harvester.resume_from(date.fromisoformat(settings.HARVEST_START),
                                                                         settings.HARVEST_OVERLAP_DAYS)
        if since_day > until_day:
            raise CommandError(f"--since {since_day} is after --until {until_day}")
        client = PoliteClient(base_url, user_agent=settings.HARVEST_USER_AGENT, delay=delay, backoff=backoff)
        harvester = Harvester(client, max_pages=max, on_progress=self.show_progress)
        self.stderr.write(f"Harvesting {since_day} to {until_day} from {client.base_url}, "
                          f"one request per {delay:g}s at most")
        started = time.monotonic()
        try:
            run = harvester.run(since_day, until_day)
        except HarvestStopped as error:
            self.end_progress()
            raise CommandError(f"Harvest stopped: {error}") from None
        finally:
            client.close()
        self.end_progress()
        line = (f"Harvest {since_day} to {until_day}: {run.windows} windows, {run.pages_fetched} pages fetched: "
                f"{run.new} new, {run.updated} updated, {run.unchanged} unchanged, {run.skipped} skipped, "
                f"{run.failed} failed ({time.monotonic() - started:.1f}s)")
        if run.message:
            self.stdout.write(self.style.WARNING(run.message))
        self.stdout.write(self.style.ERROR(line) if run.failed else self.style.SUCCESS(line))
        if send_alerts:
            call_command("send_alerts", stdout=self.stdout, stderr=self.stderr)

    def show_progress(self, progress: Progress) -> None:
        """A bar of windows done, the counts and the current window; a line per window when not a terminal."""
        run, (start, end) = progress.run, progress.window
        done = progress.window_number - 1
        width = 20
        filled = round(width * done / max(progress.window_count, 1))
        text = (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{progress.window_count} windows · {start} to {end} · "
                f"{run.new} new, {run.updated} updated, {run.unchanged} unchanged, {run.failed} failed")
        if self.stderr.isatty():
            self.stderr.write("\r" + text.ljust(120), ending="")
            self._progress_shown = True
        elif getattr(self, "_last_window", None) != progress.window and (
                done % 12 == 0 or progress.window_number == progress.window_count):
            self.stderr.write(text)  # a log, not a terminal: a line a year
        self._last_window = progress.window

    def end_progress(self) -> None:
        if getattr(self, "_progress_shown", False):
            self.stderr.write("")
