"""Import decision statements from text files: idempotent, one transaction per file."""

import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries

from decisions.services import FAILED, SKIPPED, STATUSES, DecisionImporter, decision_files


class Command(BaseCommand):
    help = "Import LGSCO decision statements (.txt files, or folders searched recursively)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="files or folders (default: fixtures/)")
        parser.add_argument("--force", action="store_true", help="overwrite decisions curated in admin")
        parser.add_argument("--dry-run", action="store_true", help="parse and report without writing")
        parser.add_argument("--progress-every", type=int, default=1000, metavar="N",
                            help="report progress every N files (0: never)")

    def handle(self, *args, paths, force, dry_run, progress_every, verbosity, **options):
        paths = paths or [str(settings.BASE_DIR / "fixtures")]
        importer = DecisionImporter(force=force, dry_run=dry_run)
        counts = Counter()
        started = time.monotonic()
        for number, path in enumerate(decision_files(paths), start=1):
            result = importer.import_file(path)
            counts[result.status] += 1
            if result.status == FAILED:
                self.stderr.write(self.style.ERROR(f"FAILED {result.source}: {result.reason}"))
            elif result.status == SKIPPED:
                self.stdout.write(self.style.WARNING(f"skipped {result.source} ({result.reference}): {result.reason}"))
            elif verbosity >= 2:
                self.stdout.write(f"{result.status} {result.source} ({result.reference})")
            if progress_every and number % progress_every == 0:
                rate = number / max(time.monotonic() - started, 1e-9)
                self.stderr.write(f"… {number} files ({rate:.0f}/s)")
            reset_queries()  # DEBUG keeps every query otherwise: memory must not grow with the run
        total = sum(counts.values())
        summary = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
        prefix = "Dry run, nothing written: " if dry_run else ""
        line = f"{prefix}{total} files: {summary} ({time.monotonic() - started:.1f}s)"
        if counts[FAILED]:
            self.stdout.write(self.style.ERROR(line))
            raise CommandError(f"{counts[FAILED]} of {total} files failed to import")
        if total == 0:
            self.stdout.write(self.style.WARNING(f"No .txt files found in {', '.join(paths)}"))
        self.stdout.write(self.style.SUCCESS(line))
