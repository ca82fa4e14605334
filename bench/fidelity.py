"""How well the parser reads real decisions: header facts, remedies, payments, findings, reasons.

    python bench/fidelity.py [FOLDER] [--quiet] [--json]

FOLDER (default ../shared/devset) holds decision .txt files with a ``manifest.json`` (header
facts per file) and an ``annotations.json`` (remedy kinds, payment total, finding kinds and
not-investigated reasons read by hand from each summary; the folder's README defines them).
Prints accuracy per field, precision and recall per kind, every miss with the sentence
responsible, and on its last line the scores against the targets of the fidelity issue.
The parser is pure Python, so this needs no database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from decisions.statements.parser import ParseError, parse_decision_bytes  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "devset"
# Targets (issue 10): the share of files whose set of kinds is exactly right.
TARGETS = {"header": 1.0, "remedy_kinds": 0.92, "finding_kinds": 0.88, "reasons": 0.88, "payment_totals": 1.0}
HEADER_FIELDS = ("reference", "organisation", "category", "subcategory", "decision", "decision_date")


@dataclass
class Field:
    """Exact-match accuracy of one field over the files it applies to, and the misses."""

    name: str
    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return self.right / self.total if self.total else 1.0

    def add(self, ok: bool, miss: str = "") -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.misses.append(miss)


@dataclass
class KindCounts:
    """True positives, false positives and false negatives per kind, over files."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, expected: set[str], got: set[str]) -> None:
        for kind in expected | got:
            tally = self.counts.setdefault(kind, Counter())
            tally["tp" if kind in expected and kind in got else "fp" if kind in got else "fn"] += 1

    def lines(self) -> list[str]:
        out = []
        for kind in sorted(self.counts):
            c = self.counts[kind]
            precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
            recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
            out.append(f"  {kind:28} precision {precision:5.0%}  recall {recall:5.0%}  "
                       f"(right {c['tp']}, extra {c['fp']}, missed {c['fn']})")
        return out


WHOLE_DECISION = ("remedy_kinds", "payment_totals", "finding_kinds", "reasons")


@dataclass
class ReviewFlags:
    """The parser's review flag (ParsedDecision.review_reasons) measured as a detector of
    decisions with any mistake: how many of those it flags (recall), how many it flags in all."""

    decisions: int = 0
    all_right: int = 0
    flagged: int = 0
    wrong_flagged: int = 0
    wrong_unflagged: list[str] = field(default_factory=list)

    def add(self, all_right: bool, flagged: bool, name: str) -> None:
        self.decisions += 1
        self.all_right += all_right
        self.flagged += flagged
        if not all_right:
            self.wrong_flagged += flagged
            if not flagged:
                self.wrong_unflagged.append(name)

    @property
    def wrong(self) -> int:
        return self.decisions - self.all_right

    def lines(self) -> list[str]:
        recall = self.wrong_flagged / self.wrong if self.wrong else 1.0
        return [f"  whole decisions right        {self.all_right / max(self.decisions, 1):6.1%} "
                f"({self.all_right}/{self.decisions}: every remedy kind, finding kind, reason and stated total)",
                f"  flag recall                  {recall:6.1%} ({self.wrong_flagged} of the {self.wrong} decisions "
                f"with a mistake are flagged for review)",
                f"  flagged                      {self.flagged / max(self.decisions, 1):6.1%} "
                f"({self.flagged}/{self.decisions} decisions)",
                f"  wrong and not flagged        {', '.join(self.wrong_unflagged) or 'none'}"]


def parsed_facts(parsed) -> dict:
    """The facts the annotations describe, read from a parse result."""
    payments = [r for r in parsed.remedies if r.kind == "payment"]
    return {
        "reference": parsed.reference,
        "organisation": parsed.organisation,
        "category": parsed.category or None,
        "subcategory": parsed.subcategory or None,
        "decision": parsed.outcome or None,
        "decision_date": parsed.decision_date.isoformat() if parsed.decision_date else None,
        "remedy_kinds": {r.kind for r in parsed.remedies},
        "payment_total": (None if any(r.amount is None for r in payments) else f"{parsed.total_payment:.2f}"),
        "finding_kinds": {f.kind for f in parsed.findings},
        "reasons": {f.reason for f in parsed.findings if f.kind == "not_investigated" and f.reason},
    }


def evidence(items, kinds: set[str]) -> str:
    """The sentences the parser read the given kinds from."""
    return " | ".join(f"[{item.kind}{'/' + item.reason if getattr(item, 'reason', None) else ''}] {item.text[:220]}"
                      for item in items if item.kind in kinds or getattr(item, "reason", None) in kinds)


def measure(folder: Path) -> dict:
    manifest = {item["file"]: item for item in json.loads((folder / "manifest.json").read_text())}
    annotations = {item["file"]: item for item in json.loads((folder / "annotations.json").read_text())}
    fields = {name: Field(name) for name in ("header", "remedy_kinds", "payment_totals", "finding_kinds", "reasons")}
    header_fields = {name: Field(name) for name in HEADER_FIELDS}
    remedy_counts, finding_counts, reason_counts = KindCounts(), KindCounts(), KindCounts()
    review = ReviewFlags()
    crashes: list[str] = []
    rates: list[str] = []  # payments read as so much a period (no annotation says how many there should be)
    for name in sorted(manifest):
        path = folder / name
        try:
            parsed = parse_decision_bytes(path.read_bytes())
        except (ParseError, OSError) as error:
            crashes.append(f"{name}: {error}")
            continue
        got = parsed_facts(parsed)
        rates += [f"{name}: £{r.rate.per} a {r.rate.period}" + (f" for {r.rate.periods}" if r.rate.periods else "")
                  for r in parsed.remedies if r.rate]
        facts = manifest[name]
        wrong = [f"{key}: expected {facts.get(key)!r}, got {got[key]!r}" for key in HEADER_FIELDS
                 if got[key] != facts.get(key)]
        for key in HEADER_FIELDS:
            header_fields[key].add(got[key] == facts.get(key))
        fields["header"].add(not wrong, f"{name}: " + "; ".join(wrong))

        note = annotations.get(name)
        if not note or not note.get("usable", True):
            continue
        summary = note.get("summary", "")
        before = {key: fields[key].right for key in WHOLE_DECISION}
        totals_before = {key: fields[key].total for key in WHOLE_DECISION}
        for key, expected_key, counts, items in (
            ("remedy_kinds", "remedy_kinds", remedy_counts, parsed.remedies),
            ("finding_kinds", "finding_kinds", finding_counts, parsed.findings),
        ):
            expected = set(note[expected_key])
            counts.add(expected, got[key])
            extra, missed = got[key] - expected, expected - got[key]
            fields[key].add(not extra and not missed, (
                f"{name}: expected {sorted(expected)}, got {sorted(got[key])}"
                + (f"\n      extra from: {evidence(items, extra)}" if extra else "")
                + (f"\n      summary: {summary}" if missed else "")))
        expected_reasons = set(note["not_investigated_reasons"])
        if expected_reasons or got["reasons"]:
            reason_counts.add(expected_reasons, got["reasons"])
        if expected_reasons:
            extra, missed = got["reasons"] - expected_reasons, expected_reasons - got["reasons"]
            fields["reasons"].add(not extra and not missed, (
                f"{name}: expected {sorted(expected_reasons)}, got {sorted(got['reasons'])}"
                + (f"\n      extra from: {evidence(parsed.findings, extra)}" if extra else "")
                + (f"\n      summary: {summary}" if missed else "")))
        total = note["payment_total"]
        if total not in (None, "0.00"):
            fields["payment_totals"].add(got["payment_total"] == total, (
                f"{name}: expected £{total}, got {got['payment_total']}\n      from: "
                + evidence(parsed.remedies, {"payment"}) + f"\n      summary: {summary}"))
        # The whole decision: right only when every fact checked for it is (kinds, reasons, total).
        all_right = all(fields[key].right - before[key] == fields[key].total - totals_before[key]
                        for key in WHOLE_DECISION)
        review.add(all_right, bool(parsed.review_reasons), name)
    return {"fields": fields, "review": review, "header_fields": header_fields, "crashes": crashes, "remedy_counts": remedy_counts,
            "finding_counts": finding_counts, "reason_counts": reason_counts, "rates": rates}


def summary_line(result: dict) -> str:
    fields = result["fields"]
    parts = []
    for name in ("header", "remedy_kinds", "payment_totals", "finding_kinds", "reasons"):
        f = fields[name]
        mark = "ok" if f.score >= TARGETS[name] else "BELOW"
        parts.append(f"{name} {f.score:.1%} ({f.right}/{f.total}, target {TARGETS[name]:.0%} {mark})")
    met = all(fields[n].score >= TARGETS[n] for n in TARGETS) and not result["crashes"]
    crashes = f"crashes {len(result['crashes'])}"
    return "fidelity: " + "; ".join(parts) + f"; {crashes} -> " + ("all targets met" if met else "targets NOT met")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument("--quiet", action="store_true", help="scores only, no misses")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if not (folder / "manifest.json").exists() or not (folder / "annotations.json").exists():
        print(f"{folder} has no manifest.json and annotations.json", file=sys.stderr)
        return 2
    result = measure(folder)
    fields = result["fields"]
    if args.json:
        review = result["review"]
        print(json.dumps({**{name: round(f.score, 4) for name, f in fields.items()},
                          "whole_decisions": round(review.all_right / max(review.decisions, 1), 4),
                          "flag_recall": round(review.wrong_flagged / review.wrong, 4) if review.wrong else 1.0,
                          "flagged": round(review.flagged / max(review.decisions, 1), 4)}))
        return 0
    if not args.quiet:
        for name in ("header", "remedy_kinds", "payment_totals", "finding_kinds", "reasons"):
            if fields[name].misses:
                print(f"\n== misses: {name} ({len(fields[name].misses)})")
                for miss in fields[name].misses:
                    print(f"  {miss}")
        for crash in result["crashes"]:
            print(f"CRASH {crash}")
    print("\n== header facts, per field")
    for f in result["header_fields"].values():
        print(f"  {f.name:28} {f.score:6.1%} ({f.right}/{f.total})")
    for title, counts in (("remedy kinds", "remedy_counts"), ("finding kinds", "finding_counts"),
                          ("not-investigated reasons", "reason_counts")):
        print(f"\n== {title}: precision and recall per kind (over files)")
        print("\n".join(result[counts].lines()))
    print("\n== whole decisions, and the review flag as a detector of mistakes")
    print("\n".join(result["review"].lines()))
    print(f"\n== payments read as rates: {len(result['rates'])}")
    for rate in result["rates"]:
        print(f"  {rate}")
    print("\n== accuracy per field (files exactly right)")
    for f in fields.values():
        print(f"  {f.name:28} {f.score:6.1%} ({f.right}/{f.total})")
    print()
    print(summary_line(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
