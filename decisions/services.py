"""Writes to the archive: turning parsed statements into rows, one transaction each."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction
from django.utils.text import slugify

from decisions.harvest.lgo_site import SiteChanged, statement_text
from decisions.models import ArchiveState, Category, Council, Decision, Finding, Remedy
from decisions.statements.parser import PARSER_VERSION, ParsedDecision, ParseError, decode, parse_decision
from decisions.statements.text import fold
from decisions.statements.vocabulary import FINDING_KINDS, PAYMENT_PURPOSES, REMEDY_KINDS, bits, canonical

CREATED, UPDATED, UNCHANGED, SKIPPED, FAILED = "created", "updated", "unchanged", "skipped", "failed"
STATUSES = (CREATED, UPDATED, UNCHANGED, SKIPPED, FAILED)
# Real statements are 3–60 KB of text (the longest joint reports a few hundred): a statement is
# refused above 1 MB, and a saved web page, which carries the site's markup too, above 4 MB.
MAX_FILE_BYTES = 1024 * 1024
MAX_PAGE_BYTES = 4 * 1024 * 1024


@dataclass
class ImportResult:
    status: str
    source: str
    reference: str | None = None
    reason: str = ""



DECISION_FILE_SUFFIXES = (".txt", ".html", ".htm")  # statements as text, or pages saved from the Ombudsman's site


def is_html_page(source: str) -> bool:
    return source.lower().endswith((".html", ".htm")) or source.startswith(("http://", "https://"))


def decision_files(paths: Iterable[str | Path], *, follow_symlinks: bool = False) -> Iterator[Path]:
    """Every .txt or .html file under the given files and folders, in a stable order, lazily.

    Symbolic links inside the folders are yielded but not followed (read_and_parse reports
    them) unless ``follow_symlinks``; a file named on the command line is read as given."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=follow_symlinks):
                dirs.sort()
                for name in sorted(files):
                    if name.lower().endswith(DECISION_FILE_SUFFIXES):
                        yield Path(root) / name
        else:
            yield path


def display_name(source: str) -> str:
    """A file name that can be printed and stored: bytes that are not UTF-8 shown as U+FFFD."""
    return source.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_limited(path: Path, *, follow_symlink: bool) -> bytes:
    """The bytes of a regular file, refusing FIFOs, devices and (unless asked) symbolic links,
    and enforcing the size limit while reading: a stated size can lie (/dev/zero says 0)."""
    if path.is_symlink() and not follow_symlink:
        raise ValueError("a symbolic link: not followed (use --follow-symlinks)")
    if not stat.S_ISREG(path.stat().st_mode):
        raise ValueError("not a regular file (a FIFO, a device or a folder)")
    limit = MAX_PAGE_BYTES if is_html_page(str(path)) else MAX_FILE_BYTES
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"file is larger than {limit // 1024 // 1024} MB: not a single decision statement")
    return data


@dataclass
class ParsedFile:
    """A file read and parsed, ready to be written (or the reason it cannot be)."""

    source: str
    content_hash: str = ""
    text: str = ""
    parsed: ParsedDecision | None = None
    error: str = ""


def read_and_parse(source: str, data: bytes | None = None, *, follow_symlink: bool = True) -> ParsedFile:
    """Read (unless given the bytes) and parse one file. Pure: safe to run in a worker process.

    A page from the Ombudsman's site (a saved .html file, or a URL the harvester fetched) is
    converted to statement text first; the text is what is stored and hashed, so a change to the
    page around the statement (a cookie banner, a menu) is not a change to the decision."""
    name = display_name(source)
    if name != source:
        return ParsedFile(name, error="the file name is not valid UTF-8: rename the file")
    if data is None:
        try:
            data = read_limited(Path(source), follow_symlink=follow_symlink)
        except ValueError as error:
            return ParsedFile(source, error=str(error))
        except OSError as error:
            return ParsedFile(source, error=f"cannot read the file: {error.strerror or error}")
    result = ParsedFile(source, content_hash=hashlib.sha256(data).hexdigest())
    try:
        result.text = decode(data)
        if is_html_page(source):
            result.text = statement_text(result.text, url=source if "://" in source else "")
            result.content_hash = hashlib.sha256(result.text.encode()).hexdigest()
        if len(result.text.encode()) > MAX_FILE_BYTES:
            raise ParseError(f"the statement is larger than {MAX_FILE_BYTES // 1024 // 1024} MB: not a single decision")
        result.parsed = parse_decision(result.text)
    except ParseError as error:
        result.error = error.reason
    except SiteChanged as error:
        result.error = f"not a decision page from the Ombudsman's site: {error}"
    except RecursionError:  # pragma: no cover - defensive: the parser is iterative
        result.error = "the file's structure is too deeply nested"
    return result


# What an import reads of a decision it may overwrite, first without and then under its lock.
LOCKED_FIELDS = ("id", "content_hash", "parser_version", "is_curated", "import_run", "source_name")


class DecisionImporter:
    """Imports statements, remembering councils and categories it has already looked up."""

    def __init__(self, *, force: bool = False, dry_run: bool = False, run_id=None):
        self.force = force
        self.dry_run = dry_run
        # A run (import_decisions) writes its id on each decision: one that this run has already
        # written is never overwritten by another file of the same reference with different content
        # (a conflict). Worker processes of one run share it. None: every file is just the latest.
        self.run_id = run_id
        self._councils: dict[str, Council] = {}
        self._categories: dict[tuple[int | None, str], Category] = {}

    def import_bytes(self, data: bytes, *, source_name: str) -> ImportResult:
        return self.import_parsed(read_and_parse(source_name, data))

    def import_parsed(self, item: ParsedFile, *, retries: int = 3) -> ImportResult:
        """Write one parsed file in its own transaction: created, updated, unchanged, skipped or failed."""
        if item.error or item.parsed is None:
            return ImportResult(FAILED, item.source, reason=item.error or "not parsed")
        parsed, source_name, content_hash = item.parsed, item.source, item.content_hash
        existing = (
            Decision.objects.filter(reference=parsed.reference)
            .only(*LOCKED_FIELDS)
            .first()
        )
        if existing and (refusal := self.refusal(existing, item)):
            return refusal
        status = UPDATED if existing else CREATED
        if self.dry_run:
            return ImportResult(status, source_name, parsed.reference)
        try:
            with transaction.atomic(), ArchiveState.once_for():
                if existing:
                    # Read again under the row's lock: staff may have saved it in admin (or another
                    # run written it) since it was read above, and that write must not be lost.
                    existing = Decision.objects.select_for_update().only(*LOCKED_FIELDS).get(pk=existing.pk)
                    if refusal := self.refusal(existing, item):
                        return refusal
                save_parsed_decision(parsed, source_text=item.text, source_name=source_name,
                                     content_hash=content_hash, decision=existing, importer=self)
        except Decision.DoesNotExist:  # deleted in admin meanwhile: import it anew
            return self.import_parsed(item, retries=retries - 1) if retries else ImportResult(
                FAILED, source_name, parsed.reference, reason="deleted while being imported")
        except IntegrityError as error:
            # Another importer may have just written the same decision (or a council or category
            # under a conflicting slug): the file's transaction rolled back whole; look again.
            self._forget_lookups()
            if retries:
                return self.import_parsed(item, retries=retries - 1)
            return ImportResult(FAILED, source_name, parsed.reference, reason=f"conflicting data: {error}")
        except DatabaseError as error:
            self._forget_lookups()
            return ImportResult(FAILED, source_name, parsed.reference, reason=f"database refused the data: {error}")
        return ImportResult(status, source_name, parsed.reference)

    def refusal(self, existing: Decision, item: ParsedFile) -> ImportResult | None:
        """Why a file is not written over the decision the archive holds, if it is not."""
        reference = item.parsed.reference
        if existing.content_hash == item.content_hash and existing.parser_version == PARSER_VERSION:
            return ImportResult(UNCHANGED, item.source, reference)
        if self.run_id is not None and existing.import_run == self.run_id and not self.dry_run:
            return ImportResult(FAILED, item.source, reference, reason=(
                f"conflict: {existing.source_name} holds the same reference with different content; "
                "neither file was imported over the other"))
        if existing.is_curated and not self.force:
            return ImportResult(SKIPPED, item.source, reference, reason="curated in admin (use --force)")
        return None

    def import_batch(self, items: list[ParsedFile]) -> list[ImportResult]:
        """Import several parsed files, in order: the new decisions among them in one transaction,
        everything else (updates, unchanged, curated, failures) file by file.

        A first import is almost all new decisions: one existence query, one multi-row insert
        per table and one commit for the batch cost the database and this process far less than
        six statements a file. The batch is atomic like a file; if it fails (another importer
        wrote one of its references a moment ago, or the database refused a value), nothing of
        it stays and each file is imported alone, so one bad file fails alone.
        """
        references = {item.parsed.reference for item in items if item.parsed and not item.error}
        existing = {reference: (content_hash, version) for reference, content_hash, version in
                    Decision.objects.filter(reference__in=references).values_list("reference", "content_hash",
                                                                                  "parser_version")}
        fresh, claimed, unchanged = [], set(), set()
        for item in items:
            reference = item.parsed.reference if item.parsed and not item.error else None
            if reference is None:
                continue
            if existing.get(reference) == (item.content_hash, PARSER_VERSION) and reference not in claimed:
                unchanged.add(id(item))
            elif reference not in existing and reference not in claimed:
                fresh.append(item)
                claimed.add(reference)
        written: set[int] = set()
        if len(fresh) > 1 and not self.dry_run:
            try:
                with transaction.atomic(), ArchiveState.once_for():
                    save_new_decisions(fresh, importer=self)
                written = {id(item) for item in fresh}
            except DatabaseError:  # IntegrityError included
                self._forget_lookups()
        return [ImportResult(CREATED, item.source, item.parsed.reference) if id(item) in written
                else ImportResult(UNCHANGED, item.source, item.parsed.reference) if id(item) in unchanged
                else self.import_parsed(item) for item in items]

    def _forget_lookups(self) -> None:
        """Rows cached inside a rolled-back transaction may not exist: look them up again."""
        self._councils.clear()
        self._categories.clear()

    def classification(self, parsed: ParsedDecision) -> tuple[Council, Category | None, Category | None]:
        """The council, category and subcategory rows a statement names, found or created."""
        council = self.council(parsed.organisation)
        category = self.category(parsed.category, None) if parsed.category else None
        subcategory = self.category(parsed.subcategory, category) if category and parsed.subcategory else None
        return council, category, subcategory

    def council(self, name: str) -> Council:
        if name not in self._councils:
            self._councils[name] = get_or_create_council(name)
        return self._councils[name]

    def category(self, name: str, parent: Category | None) -> Category:
        key = (parent.pk if parent else None, name)
        if key not in self._categories:
            self._categories[key] = get_or_create_category(name, parent)
        return self._categories[key]


def clean_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


def _create_or_fetch(model, lookup: dict, values: dict):
    """Create a row, or fetch it when another importer has just created it (a savepoint keeps
    the file's own transaction usable after the unique-key conflict)."""
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **values)
    except IntegrityError:
        found = model.objects.filter(**lookup).first()
        if found is None:
            raise
        return found


def get_or_create_council(name: str) -> Council:
    name = clean_name(name)[:300] or "Unknown organisation"
    council = Council.objects.filter(name=name).first()
    if council:
        return council
    base = slugify(fold(name))[:280] or "organisation"
    slug, n = base, 1
    while Council.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return _create_or_fetch(Council, {"name": name}, {"slug": slug, "kind": Council.kind_for_name(name)})


def get_or_create_category(name: str, parent: Category | None) -> Category:
    name = clean_name(fold(name))[:200]
    category = Category.objects.filter(name=name, parent=parent).first()
    if category:
        return category
    base = Category.lgo_slug(name)[:190] or "category"
    slug, n = base, 1
    while Category.objects.filter(slug=slug, parent=parent).exists():
        n += 1
        slug = f"{base}-{n}"
    return _create_or_fetch(Category, {"name": name, "parent": parent}, {"slug": slug})


def save_parsed_decision(parsed: ParsedDecision, *, source_text: str, source_name: str, content_hash: str,
                         decision: Decision | None = None, importer: DecisionImporter | None = None) -> Decision:
    """Write one parsed statement and its remedies and findings. Call inside a transaction."""
    council, category, subcategory = (importer or DecisionImporter()).classification(parsed)

    if decision is None:
        decision = Decision(reference=parsed.reference)
        is_new = True
    else:
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        is_new = False
    _fill_decision(decision, parsed, council=council, category=category, subcategory=subcategory,
                   source_text=source_text, source_name=source_name, content_hash=content_hash)
    decision.import_run = importer.run_id if importer else None
    decision.save()
    if not is_new:
        decision.remedies.all().delete()
        decision.findings.all().delete()
    Remedy.objects.bulk_create(_remedy_rows(decision, parsed))
    Finding.objects.bulk_create(_finding_rows(decision, parsed))
    return decision


def save_new_decisions(items: list[ParsedFile], *, importer: DecisionImporter) -> list[Decision]:
    """Write several new decisions (references not in the archive) with multi-row inserts.
    Call inside a transaction."""
    decisions = []
    for item in items:
        parsed = item.parsed
        council, category, subcategory = importer.classification(parsed)
        decision = Decision(reference=parsed.reference)
        _fill_decision(decision, parsed, council=council, category=category, subcategory=subcategory,
                       source_text=item.text, source_name=item.source, content_hash=item.content_hash)
        decision.import_run = importer.run_id
        decisions.append(decision)
    Decision.objects.bulk_create(decisions)  # sets each decision's id (RETURNING, on both databases)
    Remedy.objects.bulk_create(row for decision, item in zip(decisions, items, strict=True)
                               for row in _remedy_rows(decision, item.parsed))
    Finding.objects.bulk_create(row for decision, item in zip(decisions, items, strict=True)
                                for row in _finding_rows(decision, item.parsed))
    return decisions


def _fill_decision(decision: Decision, parsed: ParsedDecision, *, council, category, subcategory, source_text: str,
                   source_name: str, content_hash: str) -> None:
    decision.council = council
    decision.category = category
    decision.subcategory = subcategory
    decision.topic = Decision.topic_text(category, subcategory)
    decision.outcome = clean_name(parsed.outcome)[:200]
    decision.outcome_group = parsed.outcome_group
    decision.confidence = parsed.confidence
    decision.review_reasons = parsed.review_reasons
    decision.review_weight = len(parsed.review_reasons)
    decision.decision_date = parsed.decision_date
    decision.summary = parsed.summary
    decision.body = [section.to_dict() for section in parsed.sections]
    decision.full_text = parsed.body_text()
    decision.organisation = clean_name(parsed.organisation)[:300]
    decision.headings = "\n".join(parsed.headings())
    decision.decided_by = parsed.decided_by[:200]
    decision.related_references = parsed.related_references
    decision.total_payment = parsed.total_payment
    decision.unstated_payments = sum(1 for r in parsed.remedies if r.kind == "payment" and r.amount is None)
    decision.remedy_kinds = bits(REMEDY_KINDS, [r.kind for r in parsed.remedies])
    decision.finding_kinds = bits(FINDING_KINDS, [f.kind for f in parsed.findings])
    decision.payment_purposes = bits(PAYMENT_PURPOSES, [p for r in parsed.remedies if r.kind == "payment"
                                                        for p in r.purposes])
    decision.source_name = source_name[-500:]
    decision.source_text = source_text
    decision.content_hash = content_hash
    decision.parser_version = PARSER_VERSION
    decision.parse_warnings = parsed.warnings
    decision.is_curated = False


def _remedy_rows(decision: Decision, parsed: ParsedDecision) -> list[Remedy]:
    return [Remedy(decision=decision, position=index, kind=remedy.kind, amount=remedy.amount,
                   purposes=canonical(PAYMENT_PURPOSES, remedy.purposes), deadline=(remedy.deadline or "")[:200], text=remedy.text,
                   basis=remedy.basis, rate_per=remedy.rate.per if remedy.rate else None,
                   rate_period=remedy.rate.period if remedy.rate else "",
                   rate_periods=remedy.rate.periods if remedy.rate else None)
            for index, remedy in enumerate(parsed.remedies)]


def _finding_rows(decision: Decision, parsed: ParsedDecision) -> list[Finding]:
    return [Finding(decision=decision, position=index, kind=finding.kind, reason=finding.reason or "",
                    text=finding.text, basis=finding.basis)
            for index, finding in enumerate(parsed.findings)]


def reparse_decision(decision: Decision) -> Decision:
    """Parse the stored source text again, replacing the derived data (and any curation)."""
    parsed = parse_decision(decision.source_text)
    if parsed.reference != decision.reference:
        raise ParseError(f"the stored text now reads as {parsed.reference}, not {decision.reference}")
    with transaction.atomic(), ArchiveState.once_for():
        return save_parsed_decision(parsed, source_text=decision.source_text, source_name=decision.source_name,
                                    content_hash=decision.content_hash, decision=decision)
