"""Send the email alerts that are due: run it from cron or a systemd timer (README), or after an
import or harvest (their --send-alerts). Safe to run twice at once and to stop at any moment."""

import time

from django.core.management.base import BaseCommand

from decisions import alerts


class Command(BaseCommand):
    help = "Write each due alert's email to the outbox, then send the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--prepare-only", action="store_true",
                            help="write the due emails to the outbox and stop (the next run sends them)")
        parser.add_argument("--send-only", action="store_true", help="only send what the outbox holds")

    def handle(self, *args, prepare_only, send_only, **options):
        started = time.perf_counter()
        written = 0 if send_only else alerts.prepare()
        sent, failed = (0, 0) if prepare_only else alerts.send_outbox()
        line = (f"alerts: {written} email{'s' if written != 1 else ''} prepared, {sent} sent, {failed} failed "
                f"({time.perf_counter() - started:.1f}s)")
        self.stdout.write(self.style.ERROR(line) if failed else self.style.SUCCESS(line))
