"""Print what the parser reads from one decision file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from decisions.statements.parser import ParseError, parse_decision_bytes


class Command(BaseCommand):
    help = "Parse one decision statement and print the result (--json for machine-readable output)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the full result as JSON")

    def handle(self, *args, file, as_json: bool, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror or error}") from error
        try:
            parsed = parse_decision_bytes(data)
        except ParseError as error:
            raise CommandError(f"{file} is not a decision statement: {error.reason}") from error
        if as_json:
            self.stdout.write(json.dumps(parsed.to_dict(), indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"{parsed.reference}  {parsed.organisation}")
        self.stdout.write(f"{parsed.category} > {parsed.subcategory} | {parsed.outcome} | {parsed.decision_date}")
        self.stdout.write(f"Sections: {', '.join(s.heading for s in parsed.sections)}")
        for remedy in parsed.remedies:
            amount = f" £{remedy.amount}" if remedy.amount is not None else ""
            purposes = f" ({', '.join(remedy.purposes)})" if remedy.purposes else ""
            self.stdout.write(f"Remedy: {remedy.kind}{amount}{purposes}")
        for finding in parsed.findings:
            reason = f" ({finding.reason})" if finding.reason else ""
            self.stdout.write(f"Finding: {finding.kind}{reason}")
        for warning in parsed.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
