"""Find the conclusions the Ombudsman reached in a statement.

Read sentence by sentence from the summary and the Ombudsman's own analysis and
decision. The complainant's account, the organisation's admissions, reported
speech and the boilerplate of 'The Ombudsman's role and powers' are not findings.
A bare 'the Council was at fault' waits for the next few sentences to say whether
it caused injustice. Vocabulary: ../shared/seeds/README.md (finding kinds, reasons).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from decisions.text import fold, normalise_heading, split_sentences

FINDING_KINDS = (
    "fault_with_injustice", "fault_no_injustice", "no_fault", "remedied_by_organisation",
    "not_investigated", "outside_jurisdiction",
)
NOT_INVESTIGATED_REASONS = (
    "another_body_better_placed", "unlikely_to_find_fault", "no_significant_injustice", "late_complaint",
    "court_or_tribunal", "premature", "other",
)

SKIPPED_SECTIONS_RE = re.compile(
    r"role and powers|^the ombudsm[ae]n'?s'? role|how (i|we) considered|^(the )?complaints?$|law|legislation|guidance"
    r"|background|agreed action|recommended action|recommendation",
    re.I,
)
FACT_SUBSECTIONS_RE = re.compile(
    r"^(what happened|background|the facts|key facts|key events|chronology|the law|relevant law|legal|legislation"
    r"|law and guidance|relevant law and guidance|guidance)\b|\b(law|legislation|regulations|guidance|act \d{4}|code)$",
    re.I,
)
REPORTED_RE = re.compile(
    r"(?<!\bI )(?<!\bwe )(?<!\bWe )\b(say|says|said|complain\w*|alleg\w*|believ\w*|feels?|felt|thinks?|thought"
    r"|claim\w*|argu\w*|contend\w*|wants?|wanted|accept(s|ed)|admit\w*|acknowledg\w*|upheld|conced\w*|disput\w*"
    r"|insist\w*|told|asserts?|asserted|maintains?|maintained|denie[sd]|den(y|ies))\b"
)
HYPOTHETICAL_RE = re.compile(r"\b(unlikely|whether|if (there|the|it|they)|would|could|might|may have|can only)\b", re.I)

JURISDICTION_RE = re.compile(
    r"(outside|out of|beyond) (of )?(our|the ombudsm[ae]n'?s?|my|the|its)? ?(legal )?(jurisdiction|remit)"
    r"|\bno (legal )?(power|jurisdiction) to (investigate|consider|look)|not within (our|the ombudsm[ae]n'?s?) "
    r"(jurisdiction|remit)|\b(we|i|the ombudsm[ae]n) (cannot|can not|can't|could not|are unable to|am unable to"
    r"|is unable to|have no power to) (legally )?(investigate|consider|look at)|the law (says|prevents|does not allow)"
    r"[^.]{0,60}\b(cannot|not)\b",
    re.I,
)
NOT_INVESTIGATED_RE = re.compile(
    r"\b(we|i|the ombudsm[ae]n|ombudsm[ae]n)\b[^.;]{0,40}?\b(will not|won't|would not|did not|have not|has not"
    r"|decided not to|not to|do not intend to|does not intend to|should not|cannot) (further )?(investigate"
    r"|investigating|investigated|pursue|start an investigation|begin an investigation)\b"
    r"|\bdiscontinu\w+ (my|our|the) investigation",
    re.I,
)
REMEDIED_RE = re.compile(
    r"\b(has|have|had) (now )?(already )?(remedied|put right|put things right|resolved the (injustice|complaint))"
    r"|\balready (apologi[sz]ed|remedied|put (this|things|it|matters) right|taken (action|steps|appropriate)|paid"
    r"|refunded|provided (a|an|the) (suitable |appropriate |adequate )?remedy)"
    r"|\b(its|the council'?s?|the organisation'?s?|the) (remedy|apology|offer|payment)[^.]{0,40}\b(is|was|are|were) "
    r"(adequate|appropriate|sufficient|suitable|proportionate|reasonable|enough|fair)"
    r"|(sufficiently|adequately|appropriately|fully) remedied|remedied (any|the|this|that) injustice"
    r"|\bno further (remedy|action) (is )?(needed|necessary|required|warranted)"
    r"|\b(i|we) (do|does|did) not (intend to )?(propose|recommend|ask for) (a |any )?further remedy",
    re.I,
)
NO_FAULT_RE = re.compile(
    r"\b(no|not find( any)?|do not find( any)?|did not find( any)?|cannot find( any)?|could not find( any)?"
    r"|no evidence of|not see any|have not found( any)?|find no|found no|is no|was no|there is no|there was no)"
    r" (evidence of )?fault\b|\bnot at fault\b|\b(was|were|is|are) not fault\b|\bwithout fault\b"
    r"|\bacted (properly|correctly|reasonably|appropriately|in line with|in accordance with)"
    r"|\bno (evidence of )?maladministration\b|\bnot (guilty of )?maladministration\b",
    re.I,
)
FAULT_RE = re.compile(
    r"\b(at fault|(was|is|were|are|amounts? to|amounted to|this was|constitutes?) (a |some |further )?faults?"
    r"|faults? (by|on the part of|in|for|of) (the|its|this|their)|found fault|find fault|there (was|is|were|has been)"
    r" (some |further )?fault|faults? (caused|causing|which caused|that caused|resulted|has caused|led)"
    r"|fault which|maladministration)\b",
    re.I,
)
INJUSTICE_NEGATIVE_RE = re.compile(
    r"\b(no|not|without) (\w+ ){0,2}injustice|did not (cause|result in|lead to) (\w+ ){0,3}injustice"
    r"|(has|have|had) not (been )?caus\w+ (\w+ ){0,3}injustice|not (suffer|caused?)\w* (any |significant |an )?injustice"
    r"|did not (cause|affect|change) the (outcome|decision)|would (not have|have been the same|still have)"
    r"|made no difference|no (significant |real |further )?(harm|loss|impact)\b",
    re.I,
)
INJUSTICE_POSITIVE_RE = re.compile(
    r"\b(caus(ed|ing|es)|result(ed|ing|s)? in|led to|suffered|has had|amounts? to)\b[^.]{0,80}\binjustice\b"
    r"|\binjustice\b[^.]{0,20}\b(was|has been|were) caused|\bcaused (\w+ ){0,4}(distress|uncertainty|frustration"
    r"|time and trouble|upset|anxiety|financial loss|loss|harm)|\binjustice to (him|her|them|mr|mrs|ms|miss|\w\b)"
    r"|\b(this|that|which) (was|is) an injustice|\b(an|significant|some|the) injustice\b",
    re.I,
)
REASON_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("another_body_better_placed", re.compile(
        r"better placed|best placed|more appropriate (body|organisation|route|for)|appropriate body|another (body"
        r"|organisation|ombudsman)|the (information commissioner|housing ombudsman|ico)\b[^.]{0,60}(better|appropriate"
        r"|responsible|deal)", re.I)),
    ("unlikely_to_find_fault", re.compile(
        r"unlikely[^.]{0,50}\b(find|identify|see|uncover)\b[^.]{0,30}\bfault|not enough evidence[^.]{0,40}fault"
        r"|insufficient evidence of fault|no (sign|evidence|indication) of fault|not (see|seen) (any )?(evidence of )?"
        r"fault", re.I)),
    ("no_significant_injustice", re.compile(
        r"(not|no) (\w+ ){0,2}(significant|sufficient|enough|serious) (personal )?injustice|injustice[^.]{0,30}not "
        r"(significant|serious) enough|not significant enough|not caused (significant|sufficient) injustice", re.I)),
    ("late_complaint", re.compile(
        r"\blate\b|more than (12|twelve) months|out of time|too long ago|\blate complaint", re.I)),
    ("court_or_tribunal", re.compile(
        r"\bcourts?\b|tribunal|legal action|right of appeal|\bappeal (to|against)|judicial review|legal proceedings",
        re.I)),
    ("premature", re.compile(
        r"premature|(not|yet to) (yet )?(complete|completed|finished|exhausted|been through|gone through|used) "
        r"(the |its )?(\w+'s? )?complaints? (procedure|process)|give the \w+ (a chance|an opportunity)", re.I)),
)
OUTCOME_FALLBACKS: tuple[tuple[re.Pattern, str, str | None], ...] = (
    (re.compile(r"not upheld", re.I), "no_fault", None),
    (re.compile(r"upheld.*no injustice|fault,? no injustice", re.I), "fault_no_injustice", None),
    (re.compile(r"upheld.*injustice", re.I), "fault_with_injustice", None),
    (re.compile(r"outside (our )?jurisdiction|out of jurisdiction|no jurisdiction", re.I), "outside_jurisdiction", None),
    (re.compile(r"premature|referred back", re.I), "not_investigated", "premature"),
    (re.compile(r"closed after initial enquiries|not investigated", re.I), "not_investigated", "other"),
)


# Words that REMEDIED_RE needs: without one of them (or 'fault') a sentence is skipped.
_REMEDIED_CUES = ("remed", "right", "apologi", "resolved", "paid", "refund", "offer", "payment", "apology",
                  "no further", "taken")


@dataclass
class Finding:
    kind: str
    text: str
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "reason": self.reason, "text": self.text}


def extract_findings(sections, summary: str, outcome: str, warnings: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    pending_faults: list[str] = []
    for block in _blocks(sections, summary):
        state = _State()
        for paragraph_text in block:
            for sentence in split_sentences(paragraph_text):
                findings.extend(state.read(sentence, paragraph_text))
        pending_faults.extend(state.unresolved + ([state.pending] if state.pending else []))

    unique: dict[tuple, Finding] = {}
    for finding in findings:
        unique.setdefault((finding.kind, finding.reason), finding)
    result = list(unique.values())

    fault_kinds = {"fault_with_injustice", "fault_no_injustice", "remedied_by_organisation"}
    upheld = re.search(r"\bupheld\b", outcome, re.I) and not re.search(r"not upheld", outcome, re.I)
    if pending_faults and upheld and not any(f.kind in fault_kinds for f in result):
        result.append(Finding(kind="fault_with_injustice", text=pending_faults[0]))
    if not result and outcome:
        for pattern, kind, reason in OUTCOME_FALLBACKS:
            if pattern.search(outcome):
                result.append(Finding(kind=kind, reason=reason, text=f"Decision : {outcome}"))
                warnings.append("no finding stated in the text; inferred from the outcome label")
                break
    if not result:
        warnings.append("no finding found")
    return result


def _blocks(sections, summary: str):
    """Runs of paragraph texts read together, each an independent context."""
    if summary:
        yield [summary]
    for section in sections:
        if SKIPPED_SECTIONS_RE.search(normalise_heading(section.heading)):
            continue
        current_heading: object = object()
        block: list[str] = []
        parents: dict[int, str] = {}
        for subheading, paragraph in section.all_paragraphs():
            if subheading is not current_heading:
                if block:
                    yield block
                block = []
                current_heading = subheading
                parents = {}
            if subheading and FACT_SUBSECTIONS_RE.search(normalise_heading(subheading)):
                continue
            parents[paragraph.level] = paragraph.text
            parent = parents.get(paragraph.level - 1) if paragraph.level > 0 else None
            if parent is not None and (REPORTED_RE.search(parent) or re.search(r"\b(found|concluded|decided)\s*:$",
                                                                                parent, re.I)):
                continue
            block.append(paragraph.text)
        if block:
            yield block


class _State:
    """Reads sentences in order, holding a bare 'at fault' until injustice is stated."""

    WINDOW = 3

    def __init__(self):
        self.pending: str | None = None
        self.since_pending = 0
        self.unresolved: list[str] = []

    def read(self, sentence: str, paragraph: str) -> list[Finding]:
        text = fold(sentence)
        found = self._classify(text, paragraph, sentence.strip())
        if self.pending is not None:
            self.since_pending += 1
            if self.since_pending > self.WINDOW:
                self.unresolved.append(self.pending)
                self.pending = None
        return found

    def _resolve(self) -> None:
        self.pending = None

    def _classify(self, text: str, paragraph: str, original: str) -> list[Finding]:
        # Each pattern runs only when a word it needs is present: most sentences state facts.
        lowered = text.lower()
        has = lowered.__contains__
        about_investigating = has("investigat") or has("jurisdiction") or has("remit") or has("power") or has("law")
        if about_investigating:
            if JURISDICTION_RE.search(text) and not REPORTED_RE.search(text):
                return [Finding(kind="outside_jurisdiction", text=original)]
            if NOT_INVESTIGATED_RE.search(text):
                reasons = _reasons(text) or _reasons(fold(paragraph)) or ["other"]
                return [Finding(kind="not_investigated", reason=reason, text=original) for reason in reasons]
        mentions_fault = has("fault") or has("maladministration")
        if not (mentions_fault or self.pending is not None or any(cue in lowered for cue in _REMEDIED_CUES)
                or has("acted")):
            return []
        if REPORTED_RE.search(text):
            return []
        if REMEDIED_RE.search(text) and not re.search(r"\bwould have\b", text, re.I):
            self._resolve()
            return [Finding(kind="remedied_by_organisation", text=original)]
        no_fault = NO_FAULT_RE.search(text) if (mentions_fault or has("acted")) else None
        if no_fault and not HYPOTHETICAL_RE.search(text[:no_fault.start()]):
            return [Finding(kind="no_fault", text=original)]
        fault = FAULT_RE.search(text) if mentions_fault else None
        if fault and not HYPOTHETICAL_RE.search(text[:fault.start()]):
            if INJUSTICE_NEGATIVE_RE.search(text):
                self._resolve()
                return [Finding(kind="fault_no_injustice", text=original)]
            if INJUSTICE_POSITIVE_RE.search(text):
                self._resolve()
                return [Finding(kind="fault_with_injustice", text=original)]
            if self.pending is not None:
                self.unresolved.append(self.pending)
            self.pending = original
            self.since_pending = -1
            return []
        if self.pending is not None:
            if INJUSTICE_NEGATIVE_RE.search(text):
                self._resolve()
                return [Finding(kind="fault_no_injustice", text=original)]
            if INJUSTICE_POSITIVE_RE.search(text) and not HYPOTHETICAL_RE.search(text):
                self._resolve()
                return [Finding(kind="fault_with_injustice", text=original)]
        return []


def _reasons(text: str) -> list[str]:
    return [reason for reason, pattern in REASON_PATTERNS if pattern.search(text)]
