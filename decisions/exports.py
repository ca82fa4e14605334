"""The data behind any listing, as rows for CSV, JSON, the API and feeds.

Rows are built from the decision table alone (the kinds of remedy and finding come from
its bit sets), so an export of 100,000 decisions is one streamed query, not one per row.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator

from decisions.statements.vocabulary import FINDING_KINDS, REMEDY_KINDS, words_in

EXPORT_FIELDS = ("reference", "url", "organisation", "organisation_kind", "category", "subcategory", "outcome",
                 "outcome_group", "decision_date", "summary", "total_payment", "payments_without_amount", "remedy_kinds",
                 "finding_kinds", "read_by", "confidence")
# A spreadsheet runs a cell that starts with one of these as a formula (CWE-1236), the full-width
# forms included (spreadsheets in East Asian locales read them as the ASCII ones).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# What a spreadsheet may take for the start of a new cell, in locales that split on ';' too.
CELL_BREAKS = " ;,\t\r\n"


def export_queryset(queryset):
    """Only the columns an export needs, with the names it shows."""
    return queryset.select_related("council", "category", "subcategory").only(
        "reference", "decision_date", "outcome", "outcome_group", "summary", "total_payment", "unstated_payments", "remedy_kinds",
        "finding_kinds", "is_curated", "confidence",
        "council__name", "council__slug", "council__kind", "category__name", "category__slug",
        "subcategory__name", "subcategory__slug")


def decision_row(decision, base_url: str) -> dict:
    return {
        "reference": decision.reference,
        "url": base_url + decision.get_absolute_url(),
        "organisation": decision.council.name,
        "organisation_kind": decision.council.kind,
        "category": decision.category.name if decision.category_id else "",
        "subcategory": decision.subcategory.name if decision.subcategory_id else "",
        "outcome": decision.outcome,
        "outcome_group": decision.outcome_group,
        "decision_date": decision.decision_date.isoformat() if decision.decision_date else None,
        "summary": decision.summary,
        # The stated amounts' sum; null (an empty cell) when no amount is stated, never 0.
        "total_payment": None if decision.stated_payment is None else f"{decision.stated_payment:.2f}",
        "payments_without_amount": decision.unstated_payments,
        "remedy_kinds": words_in(decision.remedy_kinds, REMEDY_KINDS),
        "finding_kinds": words_in(decision.finding_kinds, FINDING_KINDS),
        # Whether a person has checked the remedies and findings, and how sure the parser was of them.
        "read_by": "staff" if decision.is_curated else "software",
        "confidence": decision.confidence,
    }


def records(results, base_url: str) -> Iterator[dict]:
    """Every decision of a search (decisions.search.results.SearchResults) as an export's records."""
    for decision in results.every(export_queryset):
        yield decision_row(decision, base_url)


logger = logging.getLogger(__name__)
FAILED_MIDWAY = {
    "csv": "\r\nERROR: the export stopped before its end because the database failed; this file is incomplete.\r\n",
    "json": "\nERROR: the export stopped before its end because the database failed; this document is incomplete.\n",
}


def ending_visibly(chunks: Iterator[str], extension: str) -> Iterator[str]:
    """The export's chunks; if anything fails part-way (the database), a last line saying so, and the
    connection is then cut without the stream's proper end (a client sees a failed download,
    and the JSON is invalid), never a file that looks whole but is short."""
    try:
        yield from chunks
    except Exception as error:  # the driver's own errors too (a closed connection is not always wrapped)
        logger.error("export failed part-way: %s", error)
        yield FAILED_MIDWAY[extension]
        raise


def spreadsheet_safe(value) -> str:
    if isinstance(value, list):
        value = "; ".join(value)
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(CELL_BREAKS).startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object that hands back what is written, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def csv_stream(records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)  # every cell one cell, whatever it holds
    yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
    yield writer.writerow(EXPORT_FIELDS)
    for record in records:
        yield writer.writerow([spreadsheet_safe(record[field]) for field in EXPORT_FIELDS])


def json_stream(records: Iterable[dict], meta: dict) -> Iterator[str]:
    """One JSON document, written a decision at a time."""
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    yield head + (', ' if meta else '') + '"decisions": ['
    first = True
    for record in records:
        yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False)
        first = False
    yield "\n]}\n"
