"""Read one LGSCO decision statement (text saved from the Ombudsman's website).

A pure module: no Django import, so it can be tested and reused on its own.
``parse_decision(text)`` returns a :class:`ParsedDecision`; input that is not a
decision statement at all raises :class:`ParseError` with a reason a person can read.

The parser works from the structure of a statement, which the Ombudsman's
template has kept stable since 2013: a title line ``Organisation (NN NNN NNN)``,
optional labelled header lines, the summary, then top-level sections (``The
complaint`` … ``Final decision``), each with sub-headings and numbered
paragraphs. Remedies and findings are read from the sentences of the sections
where the Ombudsman states them (see ``remedies.py`` and ``findings.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from decisions.statements import findings as findings_module
from decisions.statements import remedies as remedies_module
from decisions.statements.outcomes import INVESTIGATED_GROUPS, NOT_UPHELD, UPHELD, outcome_group
from decisions.statements.review import doubts
from decisions.statements.text import fold, normalise_heading

PARSER_VERSION = 4  # 2: remedies and findings read from the summary's own wording; outcome groups; confidence
# 3: review reasons from what the text says and was not read (statements/review.py)
# 4: payments stated as a rate ('£250 a month for six months'): Remedy.rate

# A reference is two digits, three digits and three digits, however they are spaced
# or dashed; joint decisions with the Health Service Ombudsman add a letter.
REFERENCE_RE = re.compile(r"(?<!\d)(\d{2})[\s\-‐–]*(\d{3})[\s\-‐–]*(\d{3})\s*([a-zA-Z])?(?![\dA-Za-z])")
TITLE_RE = re.compile(
    r"^(?P<organisation>.*?)\s*\(\s*(?P<reference>\d{2}[\s\-‐–]*\d{3}[\s\-‐–]*\d{3}\s*[a-zA-Z]?)"
    r"(?P<more>(?:\s*(?:,|and|&)\s*\d{2}[\s\-‐–]*\d{3}[\s\-‐–]*\d{3}\s*[a-zA-Z]?)*)\s*\)\s*$"
)
LABEL_RE = re.compile(r"^(?P<label>category|decision date|date of decision|decision)\s*:\s*(?P<value>.*)$", re.I)
FINAL_DECISION_LINE_RE = re.compile(r"^(the\s+)?ombudsm[ae]n'?s'?\s+final\s+decision\s*:?$", re.I)
SUMMARY_RE = re.compile(r"^summary\s*(?:[:\-–]\s*(?P<rest>.*))?$", re.I)
SIGNATURE_RE = re.compile(
    r"^(?:(?:investigator|assistant ombudsman|deputy ombudsman|ombudsman|the ombudsman)'?s?\s+decision"
    r"(?:\s+on\s+behalf\s+of\s+the\s+ombudsm[ae]n)?|.*decision\s+on\s+behalf\s+of\s+the\s+ombudsm[ae]n)\.?$",
    re.I,
)
NUMBERED_RE = re.compile(r"^(?P<indent>\s*)(?P<number>\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)]\s+(?P<text>\S.*)$")
BULLET_RE = re.compile(r"^(?P<indent>\s*)(?P<marker>[•·▪◦‣∙●○■□\-–—*])\s+(?P<text>\S.*)$")

# Website furniture: page chrome and the cookie banner, found at either end of a file.
FURNITURE_LINES = {
    "back to top",
    "print this page",
    "lgo logogram",
    "privacy settings",
    "review your privacy settings",
    "required cookies",
    "view required cookies",
    "analytical cookies",
    "view analytical cookies",
    "we recommend you set these 'on'.",
    "we recommend you set these 'on'",
    "accept all cookies",
    "reject all cookies",
    "save preferences",
    "skip to main content",
    "share this page",
}
FURNITURE_PREFIXES = (
    "these cookies enable the website to function",
    "google analytics cookies help us",
    "in using google analytics",
    "we use cookies",
    "this website uses cookies",
)

# Headings that are top-level sections wherever they appear in the template.
TOP_LEVEL_HEADINGS = {
    "the complaint",
    "the complaints",
    "complaint",
    "what i have investigated",
    "what i have not investigated",
    "what i have and have not investigated",
    "what we have investigated",
    "what i have investigated and why",
    "what i have not investigated and why",
    "parts of the complaint that i did not investigate",
    "the ombudsman's role and powers",
    "the ombudsmen's role and powers",
    "ombudsman's role and powers",
    "ombudsmen's role and powers",
    "the ombudsman's role",
    "legal and administrative background",
    "relevant law and guidance",
    "how i considered this complaint",
    "how i considered these complaints",
    "how we considered this complaint",
    "what i found",
    "what we found",
    "my findings",
    "findings",
    "conclusions",
    "conclusion",
    "agreed action",
    "agreed actions",
    "recommended action",
    "recommended actions",
    "recommendations",
    "my assessment",
    "assessment",
    "final decision",
    "decision",
    "the ombudsman's final decision",
}

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


class ParseError(ValueError):
    """The input is not a decision statement; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Paragraph:
    text: str
    number: str | None = None
    level: int = 0
    style: str = "text"  # "numbered", "bullet" or "text" (an unnumbered paragraph)

    def to_dict(self) -> dict:
        return {"number": self.number, "level": self.level, "style": self.style, "text": self.text}


@dataclass
class Section:
    heading: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def all_paragraphs(self):
        """(sub-heading or None, paragraph) pairs in reading order."""
        for paragraph in self.paragraphs:
            yield None, paragraph
        for subsection in self.subsections:
            for paragraph in subsection.paragraphs:
                yield subsection.heading, paragraph

    def is_empty(self) -> bool:
        return not self.paragraphs and not any(s.paragraphs for s in self.subsections)

    def to_dict(self) -> dict:
        return {
            "heading": self.heading,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "subsections": [
                {"heading": s.heading, "paragraphs": [p.to_dict() for p in s.paragraphs]} for s in self.subsections
            ],
        }


Remedy = remedies_module.Remedy
Finding = findings_module.Finding


@dataclass
class ParsedDecision:
    reference: str
    organisation: str
    category: str = ""
    subcategory: str = ""
    outcome: str = ""
    decision_date: date | None = None
    summary: str = ""
    sections: list[Section] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    decided_by: str = ""
    related_references: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Why a person should check what was read (empty: read with confidence).
    review_reasons: list[str] = field(default_factory=list)

    @property
    def outcome_group(self) -> str:
        return outcome_group(self.outcome)

    @property
    def confidence(self) -> str:
        return "low" if self.review_reasons else "high"

    @property
    def total_payment(self) -> Decimal:
        return sum((r.amount for r in self.remedies if r.kind == "payment" and r.amount), Decimal("0.00"))

    def headings(self) -> list[str]:
        return [h for s in self.sections for h in [s.heading] + [sub.heading for sub in s.subsections] if h]

    def body_text(self) -> str:
        """The statement's body as plain text, headings and paragraphs in order."""
        parts: list[str] = []
        for section in self.sections:
            parts.append(section.heading)
            parts.extend(p.text for p in section.paragraphs)
            for subsection in section.subsections:
                parts.append(subsection.heading)
                parts.extend(p.text for p in subsection.paragraphs)
        return "\n".join(parts)

    def to_dict(self) -> dict:
        return {
            "reference": self.reference,
            "organisation": self.organisation,
            "category": self.category,
            "subcategory": self.subcategory,
            "outcome": self.outcome,
            "decision_date": self.decision_date.isoformat() if self.decision_date else None,
            "summary": self.summary,
            "decided_by": self.decided_by,
            "related_references": self.related_references,
            "sections": [s.to_dict() for s in self.sections],
            "remedies": [r.to_dict() for r in self.remedies],
            "total_payment": f"{self.total_payment:.2f}",
            "findings": [f.to_dict() for f in self.findings],
            "outcome_group": self.outcome_group,
            "confidence": self.confidence,
            "review_reasons": self.review_reasons,
            "warnings": self.warnings,
            "parser_version": PARSER_VERSION,
        }


# --- Input --------------------------------------------------------------------------

def decode(data: bytes) -> str:
    """Bytes from a file to text: UTF-8 (with or without BOM), else Windows-1252."""
    if not data.strip():
        raise ParseError("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("the file is binary, not text")
    for encoding in ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    text = data.decode("cp1252", errors="replace")
    return text


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_RE = re.compile(r"[\u200b\ufeff]")


def clean_lines(text: str) -> list[str]:
    """Normalise line ends, spaces and invisible characters; keep indentation."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    control = len(_CONTROL_RE.findall(text))
    if control > max(8, len(text) // 50):
        raise ParseError("the file is binary, not text")
    text = _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text)).replace("\t", "    ").replace("\u00a0", " ")
    return [line.rstrip() for line in text.split("\n")]


def is_furniture(line: str) -> bool:
    folded = fold(line.strip()).lower()
    return folded in FURNITURE_LINES or folded.startswith(FURNITURE_PREFIXES)


def normalise_reference(raw: str) -> str:
    """'20-003-763', '20003763', '16 010 636C' -> '20 003 763', '16 010 636c'."""
    match = REFERENCE_RE.search(raw)
    if not match:
        raise ValueError(f"not a decision reference: {raw!r}")
    suffix = (match.group(4) or "").lower()
    return f"{match.group(1)} {match.group(2)} {match.group(3)}{suffix}"


def parse_date(value: str) -> date | None:
    value = fold(value).strip().rstrip(".")
    value = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value, flags=re.I)
    match = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})", value)
    try:
        if match:
            month = MONTHS.get(match.group(2)[:3].lower())
            if month:
                return date(int(match.group(3)), month, int(match.group(1)))
            return None
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
    except ValueError:
        return None
    return None


# --- Structure ----------------------------------------------------------------------

def parse_decision(text: str) -> ParsedDecision:
    """Parse the text of one decision statement."""
    if not text or not text.strip():
        raise ParseError("the file is empty")
    lines = [line for line in clean_lines(text)]
    # Drop furniture but remember where "Back to top" closed a section.
    kept: list[str] = []
    for line in lines:
        if fold(line.strip()).lower() == "back to top":
            kept.append("\x00BTT")
        elif not is_furniture(line):
            kept.append(line)
    warnings: list[str] = []

    title_index, title = _find_title(kept)
    organisation = title.group("organisation").strip(" -–:")
    reference = normalise_reference(title.group("reference"))
    related = [normalise_reference(m.group(0)) for m in REFERENCE_RE.finditer(title.group("more") or "")]
    if not organisation:
        warnings.append("no organisation name on the title line")

    result = ParsedDecision(reference=reference, organisation=organisation, related_references=related)
    body_start = _read_header(kept, title_index + 1, result, warnings)
    body_lines = kept[body_start:]
    result.sections, result.decided_by = _read_sections(body_lines, warnings)
    _drop_contents_list(result)

    if not result.sections and not result.summary:
        raise ParseError("no decision text after the title line: the file looks truncated")
    if not result.summary:
        warnings.append("no summary found")
    if not result.sections:
        warnings.append("no sections found in the body")
    elif not any(normalise_heading(s.heading) in {"final decision", "decision", "conclusions", "conclusion"}
                 for s in result.sections):
        warnings.append("no 'Final decision' section: the statement may be truncated")

    result.remedies = remedies_module.extract_remedies(result.sections, result.summary, warnings)
    result.findings = findings_module.extract_findings(result.sections, result.summary, result.outcome, warnings,
                                                       {r.kind for r in result.remedies})
    result.warnings = warnings
    result.review_reasons = review_reasons(result)
    return result


def review_reasons(result: ParsedDecision) -> list[str]:
    """Why a person should check the reading: where it fell back on less than the Ombudsman's own
    words, where the outcome contradicts it, and what the text says that was not read
    (review.doubts). Measured as a detector of mistakes by make fidelity: reading remedies from the
    summary, or a payment without an amount, are ordinary and were left out (on the dev set they
    flagged 76 decisions, 5 of them wrong)."""
    reasons: list[str] = []
    kinds = {f.kind for f in result.findings}
    if not result.findings:
        reasons.append("no finding was found in the text")
    elif all(f.basis == "outcome" for f in result.findings):
        reasons.append("findings inferred from the outcome label alone")
    group = result.outcome_group
    fault = kinds & {"fault_with_injustice", "fault_no_injustice", "remedied_by_organisation"}
    if group == UPHELD and kinds and not fault:
        reasons.append("the outcome is Upheld but no fault was found in the text")
    elif group == NOT_UPHELD and "fault_with_injustice" in kinds:
        reasons.append("the outcome is Not upheld but the text reads as fault causing injustice")
    elif group not in INVESTIGATED_GROUPS and "fault_with_injustice" in kinds and result.outcome:
        reasons.append(f"the outcome is '{result.outcome}' but the text reads as fault causing injustice")
    return reasons + [doubt for doubt in doubts(result) if doubt not in reasons]


def parse_decision_bytes(data: bytes) -> ParsedDecision:
    return parse_decision(decode(data))


def _find_title(lines: list[str]) -> tuple[int, re.Match]:
    """The first line shaped 'Organisation (NN NNN NNN)' near the top of the file."""
    seen = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped == "\x00BTT":
            continue
        match = TITLE_RE.match(stripped)
        if match and len(stripped) < 300:
            return index, match
        seen += 1
        if seen > 60:
            break
    raise ParseError("no title line with a decision reference, such as 'Dorset Council (20 003 763)'")


def _read_header(lines: list[str], start: int, result: ParsedDecision, warnings: list[str]) -> int:
    """Read labelled header lines and the summary; return where the body begins."""
    index = start
    body_start = start
    summary_lines: list[str] = []
    limit = min(len(lines), start + 80)
    found_summary = False
    while index < limit:
        stripped = lines[index].strip()
        index += 1
        if not stripped or stripped == "\x00BTT":
            continue
        label = LABEL_RE.match(stripped)
        if label and not found_summary:
            name = label.group("label").lower()
            value = label.group("value").strip()
            if name == "category":
                parts = [p.strip() for p in re.split(r"\s*>\s*", value) if p.strip()]
                result.category = parts[0] if parts else ""
                result.subcategory = " > ".join(parts[1:]) if len(parts) > 1 else ""
            elif name in ("decision date", "date of decision"):
                result.decision_date = parse_date(value)
                if result.decision_date is None:
                    warnings.append(f"could not read the decision date {value!r}")
            else:
                result.outcome = value
            body_start = index
            continue
        if FINAL_DECISION_LINE_RE.match(fold(stripped)):
            body_start = index
            continue
        summary = SUMMARY_RE.match(stripped)
        if summary and not found_summary:
            found_summary = True
            rest = (summary.group("rest") or "").strip()
            if rest:
                summary_lines.append(rest)
            # The summary runs on until a blank line or the first heading-like line.
            while index < len(lines):
                following = lines[index].strip()
                if not following or following == "\x00BTT":
                    if summary_lines:
                        break
                    index += 1
                    continue
                if summary_lines and (_looks_like_heading(following) or _is_marker_line(following)):
                    break
                summary_lines.append(following)
                index += 1
            body_start = index
            break
    if not result.category:
        warnings.append("no category line")
    if not result.outcome:
        warnings.append("no decision (outcome) line")
    if result.decision_date is None and not any("decision date" in w for w in warnings):
        warnings.append("no decision date")
    if summary_lines:
        result.summary = " ".join(summary_lines)
    elif not found_summary:
        # No summary: the body starts straight after the header lines.
        return body_start
    return body_start


def _is_marker_line(line: str) -> bool:
    return bool(NUMBERED_RE.match(line) or BULLET_RE.match(line))


def _looks_like_heading(line: str) -> bool:
    """Short, unpunctuated text that starts with a capital: a heading, not a sentence."""
    stripped = line.strip()
    if not stripped or len(stripped) > 120 or _is_marker_line(line):
        return False
    if stripped[-1] in ".,;:" or stripped.endswith("…"):
        return False
    if len(stripped.split()) > 16:
        return False
    first = stripped[0]
    return first.isupper() or first.isdigit() or first in "'‘\"“("


def _read_sections(lines: list[str], warnings: list[str]) -> tuple[list[Section], str]:
    nonblank = [line for line in lines if line.strip()]
    blank_count = len(lines) - len(nonblank)
    block_layout = blank_count >= max(3, len(nonblank) // 3)

    sections: list[Section] = []
    current: Section | None = None
    target: Section | None = None  # the section or subsection receiving paragraphs
    after_boundary = True
    previous_blank = True
    last_paragraph: Paragraph | None = None
    decided_by = ""
    orphan: list[Paragraph] = []

    for position, raw in enumerate(lines):
        if raw == "\x00BTT":
            after_boundary = True
            previous_blank = True
            last_paragraph = None
            continue
        if not raw.strip():
            previous_blank = True
            continue
        stripped = raw.strip()
        if SIGNATURE_RE.match(fold(stripped)):
            decided_by = stripped
            previous_blank = True
            last_paragraph = None
            continue
        next_blank = position + 1 >= len(lines) or not lines[position + 1].strip() or lines[position + 1] == "\x00BTT"

        numbered = NUMBERED_RE.match(raw)
        bullet = None if numbered else BULLET_RE.match(raw)
        paragraph: Paragraph | None = None
        if numbered:
            indent = len(numbered.group("indent"))
            paragraph = Paragraph(text=numbered.group("text").strip(), number=numbered.group("number"),
                                  level=_level(indent), style="numbered")
        elif bullet:
            indent = len(bullet.group("indent"))
            level = _level(indent)
            if bullet.group("marker") in "-–—" and indent < 2 and not block_layout:
                # The compact layout writes each top-level paragraph as '- text'.
                paragraph = Paragraph(text=bullet.group("text").strip(), level=0, style="numbered")
            else:
                paragraph = Paragraph(text=bullet.group("text").strip(), level=max(level, 1), style="bullet")
        else:
            heading_like = _looks_like_heading(stripped) and len(raw) - len(raw.lstrip()) < 2
            if block_layout:
                heading_like = heading_like and previous_blank and next_blank
            continuation = (
                block_layout and last_paragraph is not None and not previous_blank
                and (last_paragraph.text[-1:] not in ".?!:;" or stripped[:1].islower())
            )
            if continuation:
                last_paragraph.text = f"{last_paragraph.text} {stripped}"
                previous_blank = False
                continue
            if heading_like:
                heading = stripped
                key = normalise_heading(heading)
                top = current is None or after_boundary or key in TOP_LEVEL_HEADINGS
                if top:
                    current = Section(heading=heading)
                    sections.append(current)
                    target = current
                else:
                    sub = Section(heading=heading)
                    current.subsections.append(sub)
                    target = sub
                after_boundary = False
                previous_blank = True
                last_paragraph = None
                continue
            paragraph = Paragraph(text=stripped, level=0, style="text")

        if target is None:
            orphan.append(paragraph)
        else:
            target.paragraphs.append(paragraph)
        last_paragraph = paragraph
        previous_blank = False

    if orphan:
        sections.insert(0, Section(heading="", paragraphs=orphan))
        warnings.append("text before the first heading kept in an untitled section")
    return sections, decided_by


def _level(indent: int) -> int:
    if indent < 4:
        return 0
    if indent < 8:
        return 1
    return 2


def _drop_contents_list(result: ParsedDecision) -> None:
    """Some pages list the section headings before the text: drop those empty copies."""
    headings = [normalise_heading(s.heading) for s in result.sections]
    kept = []
    for index, section in enumerate(result.sections):
        key = headings[index]
        if section.is_empty() and key in headings[index + 1:]:
            continue
        kept.append(section)
    result.sections = kept
