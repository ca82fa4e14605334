"""Import decision statements from text files: idempotent, one transaction per file."""

import itertools
import multiprocessing
import os
import time
import uuid
from collections import Counter, deque

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, reset_queries

from decisions import search
from decisions.models import Decision, Finding, Remedy, SearchVectorRow
from decisions.services import (
    CREATED,
    FAILED,
    SKIPPED,
    STATUSES,
    UPDATED,
    DecisionImporter,
    ImportResult,
    decision_files,
    read_and_parse,
)

VACUUM_AFTER = 1000  # decisions written in one run after which PostgreSQL's statistics and visibility map are refreshed
BATCH = 256  # files handed out at a time: bounds memory however many files there are
WRITE_BATCH = 32  # new decisions written in one transaction (DecisionImporter.import_batch)
_worker_importer: DecisionImporter | None = None


def _start_worker(force: bool, dry_run: bool, run_id) -> None:
    global _worker_importer
    connections.close_all()  # never share the parent's connection: each worker opens its own
    _worker_importer = DecisionImporter(force=force, dry_run=dry_run, run_id=run_id)
    search.backend().relax_commit_durability()


def _import_in_worker(sources: list[tuple[str, bool]]) -> list[ImportResult]:
    results = _worker_importer.import_batch([read_and_parse(source, follow_symlink=follow) for source, follow in sources])
    reset_queries()
    return results


def tidy_after_bulk_import(out) -> None:
    """Refresh the database's statistics after a large import, where it needs it (PostgreSQL)."""
    search.backend().refresh_statistics([Decision, SearchVectorRow, Remedy, Finding], out)


def _chunks(items, size: int):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Command(BaseCommand):
    help = ("Import LGSCO decision statements (.txt files, .html pages saved from the Ombudsman's site, "
            "or folders searched recursively).")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="files or folders (default: fixtures/)")
        parser.add_argument("--force", action="store_true", help="overwrite decisions curated in admin")
        parser.add_argument("--dry-run", action="store_true", help="parse and report without writing")
        parser.add_argument("--progress-every", type=int, default=1000, metavar="N",
                            help="report progress every N files (0: never)")
        parser.add_argument("--follow-symlinks", action="store_true",
                            help="follow symbolic links found inside the folders (by default they are reported)")
        parser.add_argument("--send-alerts", action="store_true",
                            help="afterwards, send the email alerts that are due (as manage.py send_alerts)")
        parser.add_argument("--jobs", type=int, default=1, metavar="N",
                            help=f"processes that parse and write in parallel (this machine has {os.cpu_count()} "
                                 "cores); each file is still its own transaction")

    def handle(self, *args, paths, force, dry_run, progress_every, jobs, verbosity, follow_symlinks, send_alerts=False,
               **options):
        paths = paths or [str(settings.BASE_DIR / "fixtures")]
        counts = Counter()
        started = time.monotonic()
        results = self.results(paths, jobs, force=force, dry_run=dry_run, follow_symlinks=follow_symlinks)
        for number, result in enumerate(results, start=1):
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
        if not dry_run and counts[CREATED] + counts[UPDATED] >= VACUUM_AFTER:
            tidy_after_bulk_import(self.stderr)
        total = sum(counts.values())
        summary = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
        prefix = "Dry run, nothing written: " if dry_run else ""
        line = f"{prefix}{total} files: {summary} ({time.monotonic() - started:.1f}s)"
        if counts[FAILED]:
            self.stdout.write(self.style.ERROR(line))
            raise CommandError(f"{counts[FAILED]} of {total} files failed to import")
        if total == 0:
            self.stdout.write(self.style.WARNING(f"No .txt or .html files found in {', '.join(paths)}"))
        self.stdout.write(self.style.SUCCESS(line))
        if send_alerts and not dry_run:
            call_command("send_alerts", stdout=self.stdout, stderr=self.stderr)

    def results(self, paths, jobs, *, force, dry_run, follow_symlinks):
        """Import every file, here or in worker processes, yielding each file's result."""
        named = {str(path) for path in paths}
        # (file, whether a symbolic link there may be followed): a file named on the command line is read as given.
        sources = ((str(path), follow_symlinks or str(path) in named)
                   for path in decision_files(paths, follow_symlinks=follow_symlinks))
        run_id = uuid.uuid4()  # shared by the worker processes: a conflict is two files of this run
        if jobs <= 1:
            importer = DecisionImporter(force=force, dry_run=dry_run, run_id=run_id)
            search.backend().relax_commit_durability()
            for chunk in _chunks(sources, WRITE_BATCH):
                yield from importer.import_batch([read_and_parse(source, follow_symlink=follow)
                                                  for source, follow in chunk])
                reset_queries()  # DEBUG keeps every query otherwise: memory must not grow with the run
            return
        connections.close_all()  # workers must not inherit an open database connection
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, initializer=_start_worker, initargs=(force, dry_run, run_id)) as pool:
            # Two batches in flight, so workers never wait for this process to hand out more.
            pending = deque()
            while True:
                while len(pending) < 2 and (batch := list(itertools.islice(sources, BATCH))):
                    pending.append(pool.imap_unordered(_import_in_worker, _chunks(batch, WRITE_BATCH)))
                if not pending:
                    return
                for results in pending.popleft():
                    yield from results
