"""Find the conclusions the Ombudsman reached in a statement.

The summary states them in the Ombudsman's own words, so it is read first (read_summary),
sentence by sentence; the body's analysis and decision only when the summary states none
(and for a legal bar stated in 'What I have investigated'); the outcome label last. The
complainant's account, the organisation's reported speech, statements of the law and the
boilerplate of 'The Ombudsman's role and powers' are not findings.
Vocabulary: ../shared/seeds/README.md (finding kinds, reasons).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from decisions.statements import phrases
from decisions.statements.outcomes import NOT_INVESTIGATED, NOT_UPHELD, OUTSIDE_JURISDICTION, PREMATURE, UPHELD, outcome_group
from decisions.statements.text import Lowered, fold, normalise_heading, split_sentences

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
# Why the Ombudsman will not investigate. Checked in this order on each sentence of the reasons.
NOT_NEXT_OF_KIN = (r"(?!\s+(?:mother|father|husband|wife|son|daughter|partner|relative|brother|sister|parents?|grand\w+"
                   r"|aunt|uncle|friend|mr|mrs|ms|miss|cousin|step\w+|\w+'s)\b)")
COURT_DECIDED_RE = re.compile(
    r"(?:considered|decided|dealt with|heard|determined) (?:in|by|at|within) (?:the |a )?(?:family |county |high )?courts?"
    r"|(?:been |are |is |were |was )?before (?:the |a )?courts?|subject (?:of|to) (?:court|legal|care) proceedings"
    r"|taken (?:the matter|this|it|the case|them) to court|(?:family|county|high) court (?:has|had|made|decided)", re.I)
REASON_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("another_body_better_placed", re.compile(
        r"(?<!courts are )(?<!court is )(?<!courts would be )(?:better|best) placed|more appropriate (?:body|organisation|route)"
        r"|another (?:body|organisation|ombudsman|regulator)|information commissioner|\bico\b|housing ombudsman"
        r"|parliamentary and health service ombudsman|\bphso\b|\bregulator\b|care quality commission|\bcqc\b|ofsted"
        r"|review service|\bthe police\b|financial ombudsman|pensions ombudsman|traffic penalty tribunal"
        r"|(?:independent|external) (?:review|adjudicator|body)", re.I)),
    ("unlikely_to_find_fault", re.compile(
        r"unlikely[^.;]{0,60}\b(?:find|identify|see|uncover|show)\b[^.;]{0,40}\bfault|(?:not enough|insufficient|no|little"
        r"|not (?:seen|see|found)(?: enough| any| sufficient)?)(?: \w+){0,2} evidence (?:of |that |to suggest |to show )?"
        r"(?:\w+ ){0,4}(?:fault|faut)\b|no (?:sign|indication|suggestion) of fault|not (?:see|seen) (?:any )?fault"
        r"|\b(?:is|was) not (?:a )?fault (?:for|by)|acted (?:properly|reasonably|correctly|in line)", re.I)),
    ("no_significant_injustice", re.compile(
        r"(?:not enough|insufficient|little|no) (?:evidence of )?(?:significant |sufficient |serious |worthwhile )?(?:personal )?"
        r"injustice|\bnor (?:any )?(?:significant )?injustice|not (?:\w+ ){0,4}(?:a |any )?(?:significant|sufficient|serious)"
        r"(?: enough)? (?:personal )?injustice|injustice[^.;]{0,40}\bnot (?:significant|serious|sufficient) enough"
        r"|not significant enough|not caused? (?:\w+ ){0,3}injustice|injustice (?:is|was) (?:too )?(?:small|minor|limited)"
        r"|(?:not enough|insufficient|little|no) evidence (?:that )?(?:\w+ ){0,4}(?:suffered|was caused|experienced|caused)"
        r" (?:\w+ ){0,2}(?:significant |any |an? )?injustice"
        r"|(?:not enough|insufficient|no) evidence (?:that )?[^.;]{0,100}\binjustice (?:warranting|to warrant|which warrants"
        r"|that warrants|to justify)"
        r"|evidence of (?:fault|faut)[^.;]{0,80}\bor (?:of )?(?:any )?(?:significant|sufficient|serious) (?:personal )?injustice",
        re.I)),
    ("late_complaint", re.compile(
        r"\blate\b" + NOT_NEXT_OF_KIN + r"|out of time|more than (?:12|twelve) months|too long ago|\bhistoric(?:al)?\b"
        r"|\byears ago\b|more than (?:a|one|two|three|four|five|\d+) years?\b"
        r"|(?:delay|waited) (?:\w+ ){0,2}(?:in |before )(?:complaining|coming to us|bringing)"
        r"|\b(?:the )?time (?:that )?has (?:now )?passed|\bpassage of time|\btoo old to (?:consider|investigate)", re.I)),
    ("court_or_tribunal", re.compile(
        r"\bcourts?\b|tribunal|legal action|rights? (?:of|to) (?:appeal|review|challenge)|appeal rights|\bappeal(?:ed|ing|s)? "
        r"(?:to|against)|\b(?:can|could|may|might|will|should|to) (?:still |also )?appeal\b|\ban appeal\b|judicial review"
        r"|legal proceedings|statutory review|\breview (?:and |or |/)?appeals?|(?:alternative|other) (?:legal )?remedy"
        r"|\binsur(?:ance|er)\b|magistrates|\bproceedings\b|\bappeal (?:through|under|process|procedure|panel)"
        r"|\b(?:suitability|homelessness|statutory|section 202|s\.? ?202) reviews?\b", re.I)),
    ("premature", re.compile(
        r"premature|(?:not|yet to) (?:yet )?(?:had|have|been given) (?:the |a |an )?(?:chance|opportunity)|(?:should|must) "
        r"(?:have|be given) (?:the |a |an )?(?:chance|opportunity)|(?:not|yet to) (?:yet )?(?:complete[ds]?|finish\w*|exhaust\w*"
        r"|been through|gone through|used|completed) (?:the |its |their )?(?:\w+'s? )?complaints? (?:procedure|process)"
        r"|give the \w+ (?:a chance|an opportunity)|not yet complained|(?:complain|go) to the \w+ first", re.I)),
)
# 'Other' reasons: nothing to gain, an outcome the Ombudsman cannot give, or a remedy already given.
OTHER_REASON_RE = re.compile(
    r"(?:has|have|had)(?: now| already)? (?:provided|offered|given|made|taken|put in place|agreed)[^.;]{0,40}\b(?:suitable"
    r"|appropriate|proportionate|adequate|satisfactory|fair|reasonable|thorough|sufficient)\b[^.;]{0,20}\b(?:remedy|response"
    r"|apology|resolution|action|way)|\b(?:already|now) (?:admitted|apologi[sz]ed|remedied|put (?:this|things|it) right"
    r"|investigated and replied)|suitable remedy|(?:has|have) been remedied|satisfied with the (?:actions?|response|steps)"
    r"|(?:apology|apologies|response) (?:was|were|is|are) (?:a )?(?:satisfactory|suitable|appropriate|enough|sufficient)"
    r"|\b(?:has|have) (?:already )?offered to\b",
    re.I)
def outcome_fallback(outcome: str) -> tuple[str, str | None] | None:
    """The finding an outcome label implies, for a statement whose text states none."""
    group = outcome_group(outcome)
    if group == UPHELD:
        no_injustice = re.search(r"no (?:significant )?injustice|without injustice", outcome, re.I)
        return ("fault_no_injustice", None) if no_injustice else ("fault_with_injustice", None)
    return {NOT_UPHELD: ("no_fault", None), OUTSIDE_JURISDICTION: ("outside_jurisdiction", None),
            PREMATURE: ("not_investigated", "premature"), NOT_INVESTIGATED: ("not_investigated", "other")}.get(group)


# Words that REMEDIED_RE needs: without one of them (or 'fault') a sentence is skipped.
_REMEDIED_CUES = ("remed", "right", "apologi", "resolved", "paid", "refund", "offer", "payment", "apology",
                  "no further", "taken")


@dataclass
class Finding:
    kind: str
    text: str
    reason: str | None = None
    basis: str = "summary"  # where it was read: "summary", "body", or "outcome" (the published label alone)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "reason": self.reason, "basis": self.basis, "text": self.text}


def extract_findings(sections, summary: str, outcome: str, warnings: list[str],
                     remedy_kinds: set[str] | frozenset[str] = frozenset()) -> list[Finding]:
    """The summary's conclusions; the body's when the summary states none; the outcome label last."""
    result = read_summary(summary, outcome, set(remedy_kinds)) if summary else []
    if not result:
        result = _body_findings(sections, outcome)
    else:
        # A legal bar on part of the complaint is often stated only in 'What I have investigated'.
        result += [finding for finding in _body_findings(sections, outcome, only_if=STATED_BAR_RE)
                   if finding.kind == "outside_jurisdiction" and STATED_BAR_RE.search(finding.text)]
    unique: dict[tuple, Finding] = {}
    for finding in result:
        unique.setdefault((finding.kind, finding.reason), finding)
    result = list(unique.values())
    implied = outcome_fallback(outcome) if not result and outcome else None
    if implied:
        result.append(Finding(kind=implied[0], reason=implied[1], text=f"Decision : {outcome}", basis="outcome"))
        warnings.append("no finding stated in the text; inferred from the outcome label")
    if not result:
        warnings.append("no finding found")
    return result


STATED_BAR_RE = re.compile(r"jurisdiction|remit|no (?:legal )?powers?", re.I)


def _body_findings(sections, outcome: str, only_if: re.Pattern | None = None) -> list[Finding]:
    """Findings read from the statement's own analysis and decision, sentence by sentence
    (only from paragraphs that match ``only_if``, when given)."""
    findings: list[Finding] = []
    pending_faults: list[str] = []
    for block in _blocks(sections, ""):
        if only_if is not None:
            block = [text for text in block if only_if.search(text)]
        state = _State()
        for paragraph_text in block:
            for sentence in split_sentences(paragraph_text):
                findings.extend(state.read(sentence, paragraph_text))
        pending_faults.extend(state.unresolved + ([state.pending] if state.pending else []))
    fault_kinds = {"fault_with_injustice", "fault_no_injustice", "remedied_by_organisation"}
    upheld = re.search(r"\bupheld\b", outcome, re.I) and not re.search(r"not upheld", outcome, re.I)
    if pending_faults and upheld and not any(f.kind in fault_kinds for f in findings):
        findings.append(Finding(kind="fault_with_injustice", text=pending_faults[0]))
    for finding in findings:
        finding.basis = "body"
    return findings


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


# --- The summary: the Ombudsman's own conclusions in a few sentences ---------------------

# Fault, in the Ombudsman's words or as a plain statement that something went wrong.
ORGANISATION_SUBJECT = (
    r"(?:the |this |its |both )?(?:\w+ )?(?:council|trust|organisations?|authorit(?:y|ies)|care provider|provider|school"
    r"|academy|ccg|icb|care home|board|agency|collaboration|partnership|surgery|clerk|panel|officers?|staff|social workers?"
    r"|bailiffs?|contractor)s?|\bit\b|\bthey\b"
)
FAILURE_VERB = (
    r"failed to|did not (?:properly |adequately |correctly |promptly |always |fully |clearly )?(?:consider|take|tell|assess"
    r"|explain|follow|act|respond|reply|provide|carry out|ensure|notify|keep|consult|meet|record|communicate|deal|give|send"
    r"|make|check|review|arrange|offer|inform|update|complete|issue|investigate|apply|have|do|put|pay|identify|secure"
    r"|properly|adequately)|delayed|took (?:too long|longer than|an unreasonable)|should have|was wrong to|were wrong to"
    r"|wrongly|incorrectly|gave (?:wrong|incorrect|misleading|inaccurate|poor)|let (?:it|matters|this) drift|(?:has|have)"
    r" not (?:properly|adequately)|not (?:properly|adequately) (?:consider|assess|investigat|deal|explain|record)\w*"
    r"|mishandled|misled|lost|unreasonabl[ey]|acted (?:unlawfully|unreasonably|wrongly|improperly)"
)
FAULT_STATEMENT_RE = re.compile(
    r"\bat fault\b|\b(?:was|is|were|are|amounts? to|amounted to|constitutes?|constituted|caused by|this is|this was|as is) "
    r"(?:also )?(?:a |some |further |significant |clear )?(?:faults?|maladministration|service failures?)\b"
    r"|\b(?:find|found|finds|finding|identified|identify) (?:\w+ ){0,2}?(?:faults?|failings|failures?|maladministration"
    r"|shortcomings)\b|\bsome faults?\b|\bfaults? (?:by|in|with|on the part of)\b|\bservice failure\b|\bshortcomings\b"
    r"|\bfailings\b|\b(?:we|i|the ombudsm[ae]n) (?:have |has |therefore |partly )?uph[eo]ld\w*\b(?! (?:by|its own))"
    r"|\bthere (?:was|were|is|has been|have been|had been) (?:a |an |some |further |significant |considerable |unreasonable"
    r" |avoidable |unnecessary |clear |several |long |many )*(?:delays?|failures?|failings|shortcomings|errors?|mistakes?"
    r"|faults?|maladministration|poor|drift)\b|\bdelays? by\b"
    r"|\b(?:no|not enough|insufficient) evidence (?:that )?(?:the \w+|it) (?:properly|adequately|correctly|fully) "
    rf"|(?:^|, |; |\band |\bbut |\bthat |\bfound |\bfinds? |\bconsider |\bconsiders )(?:{ORGANISATION_SUBJECT})\b[^.;]{{0,60}}?"
    rf"\b(?:{FAILURE_VERB})\b",
    re.I,
)
NO_FAULT_RE = re.compile(
    r"\b(?:do|does|did|have|has|could|can|cannot|would) not (?:find|found|see|identify|uphold|upheld)(?: \w+){0,7}? "
    r"(?:at )?fault|\bnot at fault\b|\bno (?:clear |other |further )?fault\b|\b(?:found|finds?|find) no (?:\w+ )?fault"
    r"|\b(?:was|were|is|are) not (?:\w+ )?fault\b|\bwithout fault\b|\bno (?:evidence of )?maladministration\b"
    r"|\b(?:do|does|did|have|has) not uph[eo]ld"
    r"|\bnot upheld\b|\bacted (?:properly|correctly|reasonably|appropriately|in line with|in accordance with|lawfully|fairly)"
    r"|\bfollowed (?:the |its |a )?(?:correct |proper |right |relevant |appropriate |procedure |process )*(?:procedure|process"
    r"|guidance|policy|policies|law|steps)\b|\b(?:fair|reasonable|adequate|proper|full) explanation"
    r"|\b(?:council|it|they|trust|school) (?:was|were|is) entitled to\b|\bnot made (?:a |any )?finding of fault"
    r"|\bsatisfactorily (?:addressed|dealt with|resolved|responded)"
    r"|\bdecision (?:was|is) (?:properly|reasonably) (?:made|reached|taken)"
    r"|(?:no|not enough|insufficient|little) (?:\w+ ){0,2}evidence (?:of|that) (?:\w+ ){0,3}(?:fault|acted wrongly)"
    r"|\bnot fault for\b",
    re.I,
)
# Phrases of evidence rather than a conclusion: in a decision not to investigate, they are its reason.
EVIDENCE_OF_NO_FAULT_RE = re.compile(
    r"(?:no|not enough|insufficient|little) (?:\w+ ){0,2}evidence (?:of|that) (?:\w+ ){0,3}(?:fault|faut|acted wrongly)"
    r"|\bnot (?:seen|found|been (?:given|shown)) (?:enough |sufficient |any )?evidence (?:of|that) (?:\w+ ){0,3}(?:fault|faut)"
    r"|\bnot fault for\b|\bno (?:sign|indication) of fault", re.I)
SUMMARY_INJUSTICE_NEGATIVE_RE = re.compile(
    r"\b(?:did|does|has|have|had|would) not (?:\w+ ){0,1}(?:cause|caused|result in|lead to|led to) (?:\w+ ){0,3}"
    r"(?:any |a |an )?(?:significant |real |further |personal |substantial )?(?:enough )?injustice"
    r"|\bno (?:significant |outstanding |further |real |personal )?injustice\b|\bwithout (?:causing )?(?:any )?injustice"
    r"|\bdid not (?:affect|change|alter) the (?:outcome|decision|result)|\bwould (?:not have|have been the same|still have)"
    r"|\bmade no (?:\w+ )?difference|\bnot (?:\w+ ){0,3}significant(?: enough)? injustice",
    re.I,
)
SUMMARY_INJUSTICE_POSITIVE_RE = re.compile(
    r"\binjustice\b|\bcaus(?:ed|ing|es)\b|\bresult(?:ed|ing|s)? in\b|\bled to\b|\bmeant\b|\bmeaning\b|\bmissed\b"
    r"|\bmissing out\b|\blost\b|\bloss\b|\bsuffered\b|\bdistress\w*|\bfrustrat\w+|\buncertain\w*|\banxi\w+|\bupset\w*"
    r"|\binconvenien\w+|\bstress\w*|\bworr\w+|\bconfusion\b|\btime and trouble\b|\bdifficult\w*|\bimpact\w*|\baffect\w*"
    r"|\bharm\w*|\bdisadvantage\w*|\bunable to\b|\bhad to\b|\bopportunity\b|\bleft (?:him|her|them|mr|mrs|ms|miss)\b",
    re.I,
)
ONLY_SOME_FAULT_RE = re.compile(
    r"\bonly (?:the latter|the former|the (?:first|second|last)|one|some|part) (?:of (?:the|these|those) )?"
    r"(?:\w+ )?faults?\b[^.;]{0,20}\bcaused\b", re.I)
# The Ombudsman finds that what was done caused injustice, naming no fault as such.
FINDS_INJUSTICE_RE = re.compile(
    r"\b(?:we|i|the ombudsm[ae]n) (?:find|found|have found|finds)\b[^.;]{0,200}\b(?:caused|causing|has caused) "
    r"(?:\w+ ){0,3}injustice\b", re.I)
REMEDIED_SENTENCE_RE = re.compile(
    r"\b(?:already|now|since) (?:\w+ )?(?:apologi[sz]ed|remedied|refunded|paid|cancell?ed|withdrawn|withdrew"
    r"|put (?:this|things|it|matters) right|taken (?:appropriate |suitable |reasonable )?(?:action|steps)"
    r"|(?:provided|made|offered|given) (?:\w+ ){0,2}(?:remedy|apology|payment|refund))"
    r"|\b(?:corrected|rectified|put right|addressed|resolved) (?:this )?in (?:its|the|their|is) (?:[\w']+ )?"
    r"(?:final )?(?:complaint )?"
    r"(?:response|reply)"
    r"|\b(?:has|have|had) (?:now |already )?remedied (?:the|this|that) (?:matter|complaint|issue)"
    r"|\bprovided the (?:remedy|outcome) (?:[\w']+ ){0,3}(?:was|is|were|are) (?:seeking|looking for|asking for|wanted)"
    r"|\b(?:has|have|had) (?:now )?(?:provided|offered|given|made|taken)(?: \w+){0,4}? (?:a |an |the )?(?:suitable"
    r"|appropriate|proportionate|adequate|satisfactory|fair|reasonable|thorough|sufficient|full) (?:remedy|response|apology"
    r"|resolution|action)|\b(?:which|this|that) (?:is|was|provides?|provided) (?:a |an )?(?:suitable|appropriate"
    r"|proportionate|adequate|satisfactory|sufficient|fair) (?:remedy|response|apology)|\bremedied (?:the|any|this|that|her"
    r"|his|their) (?:injustice|fault)|\b(?:has|have) been (?:remedied|put right|resolved)|\btaken appropriate action to remedy"
    r"|\b(?:apology|apologies|response|remedy|offer) (?:of £[\d,.]+ )?(?:was|were|is|are) (?:a |an )?"
    r"(?:satisfactory|suitable|appropriate"
    r"|adequate|sufficient|proportionate)|\bsatisfied with the (?:actions?|response|steps|remedy)"
    r"|\b(?:has|have) (?:cancell?ed|withdrawn|refunded|apologi[sz]ed)\b[^.;]{0,80}\b(?:and|,) (?:apologi[sz]ed|put|taken|refunded)"
    r"|\backnowledged (?:its |the |their )?(?:failings|faults?|errors?|mistakes?),? and (?:has )?taken"
    r"|\balready (?:admitted|accepted) (?:\w+ ){0,8}?and (?:has |have )?apologi[sz]ed"
    r"|\bsatisfactorily (?:addressed|dealt with|resolved|responded to)",
    re.I,
)
# A remedy the Ombudsman asks for that answers a personal injustice (service improvements do not).
PERSONAL_REMEDIES = {"payment", "reconsider", "provide_service", "apology"}
APPEAL_GROUND_RE = re.compile(r"tribunal|appeal|statutory review|review procedure|challenged? (?:\w+ )?(?:in|at|through)", re.I)
COMPLAINT_OBJECT_RE = re.compile(
    r"\s*(?:\w+'s |this |the |that |these |those |his |her |their |any |all "
    r"|(?:mrs?|ms|miss|mx|dr) \w+(?: and (?:mrs?|ms|miss) \w+)?'s )?"
    r"(?:\w+ )?(?:complaints?|matters?|concerns?|issues?|parts?|case)\b", re.I)
REASON_CONNECTOR_RE = re.compile(r"\b(?:because|as|since|so|given|when|where|while|whilst|until|unless)\b|[,;] (?:and|but|as)\b"
                                 r"|\. ", re.I)
PERSONAL_REMEDY_WORDS_RE = re.compile(r"\bapologi|\bapology|\bpay\b|\bpayment|\brefund|\breassess|\breconsider"
                                      r"|\bfresh|\bfinancial remedy", re.I)
CLAUSE_SPLIT_RE = re.compile(r"\bbut\b|;|\bhowever\b|\bwhereas\b|\balthough\b", re.I)
# The slowest patterns, run on lower-cased text (text.Lowered): parsing took 10 % longer per KB
# after the second round of rules, and these are most of its time.
NO_FAULT_RE, FAULT_STATEMENT_RE, COMPLAINT_OBJECT_RE, COURT_DECIDED_RE = (
    Lowered(pattern) for pattern in (NO_FAULT_RE, FAULT_STATEMENT_RE, COMPLAINT_OBJECT_RE, COURT_DECIDED_RE))
REASON_PATTERNS = tuple((reason, Lowered(pattern)) for reason, pattern in REASON_PATTERNS)


@dataclass
class _Sentence:
    text: str          # folded
    original: str
    account: bool      # the complainant's account, or a general statement of the law
    ni: bool = False   # a decision not to investigate (part of) it
    bar: bool = False  # a legal bar
    court_bar: bool = False


def read_summary(summary: str, outcome: str, new_remedy_kinds: set[str]) -> list[Finding]:
    """The findings a summary states, in the order they are stated."""
    sentences: list[_Sentence] = []
    for original in split_sentences(summary):
        text = fold(original).strip()
        account = bool(phrases.COMPLAINANT_ACCOUNT.search(text) or phrases.GENERAL_RULE.search(text))
        sentence = _Sentence(text=text, original=original.strip(), account=account)
        if not account:
            sentence.ni = bool(phrases.NOT_INVESTIGATING.search(text))
            bar = phrases.LEGAL_BAR.search(text)  # 'we cannot achieve …' is no legal bar
            sentence.bar = bool(bar) and not phrases.CANNOT_ACHIEVE.search(bar.group(0) + text[bar.end():][:30])
            sentence.court_bar = bool(COURT_DECIDED_RE.search(text)) and (sentence.bar or sentence.ni)
        sentences.append(sentence)

    findings: list[Finding] = []
    ni_sentences = [s for s in sentences if s.ni]
    first_ni = next((i for i, s in enumerate(sentences) if s.ni or s.bar), None)

    # Legal bars: a bar because of a tribunal or an appeal right is a reason not to investigate;
    # any other bar (courts' matters, NHS, schools, social housing) is outside jurisdiction.
    jurisdiction_sentences: list[_Sentence] = []
    any_ni = bool(ni_sentences)
    for index, sentence in enumerate(sentences):
        if not sentence.account and COURT_DECIDED_RE.search(sentence.text) and (any_ni or sentence.bar):
            sentence.court_bar = True
        if not (sentence.bar or sentence.court_bar):
            continue
        following = sentences[index + 1].text if index + 1 < len(sentences) else ""
        ground = _clause_around(sentence.text, phrases.LEGAL_BAR.search(sentence.text) or COURT_DECIDED_RE.search(sentence.text))
        if re.match(r"(this is )?because|this is since", following, re.I):
            ground += " " + following
        appeal_ground = APPEAL_GROUND_RE.search(COURT_DECIDED_RE.sub("", ground))
        if sentence.court_bar or not appeal_ground:
            jurisdiction_sentences.append(sentence)
        else:
            sentence.ni = True
            ni_sentences.append(sentence)
    if jurisdiction_sentences:
        findings.append(Finding(kind="outside_jurisdiction", text=jurisdiction_sentences[0].original))
    if ni_sentences:
        reasons: list[str] = []
        for sentence in (s for s in sentences[first_ni:] if not s.account):
            text = COURT_DECIDED_RE.sub(" ", sentence.text)
            decision = phrases.NOT_INVESTIGATING.search(text) if sentence.ni else None
            if decision and re.search(r"investigat|consider|pursue|look", decision.group(0), re.I):
                # What the complaint was about is not why it was not investigated: skip its object.
                rest = text[decision.end():]
                if COMPLAINT_OBJECT_RE.match(rest):
                    connector = REASON_CONNECTOR_RE.search(rest)
                    rest = rest[connector.start():] if connector else ""
                text = text[:decision.start()] + " " + rest
            bar = phrases.LEGAL_BAR.search(text)
            if sentence in jurisdiction_sentences and bar:
                text = text.replace(_clause_around(text, bar), " ")  # the bar is no discretionary reason
            for reason in _reasons(text):
                if reason not in reasons:
                    reasons.append(reason)
            if "other" not in reasons and (phrases.CANNOT_ACHIEVE.search(text) or OTHER_REASON_RE.search(text)):
                reasons.append("other")
        if not reasons and jurisdiction_sentences:
            ni_sentences = []  # a legal bar alone: outside jurisdiction, not a decision of discretion
        for reason in reasons or (["other"] if ni_sentences else []):
            findings.append(Finding(kind="not_investigated", reason=reason, text=ni_sentences[0].original))

    deciding_not_to_investigate = bool(ni_sentences or jurisdiction_sentences)
    because = re.compile(r"^(?:this is |that is |this was )?(?:because|since|as)\b", re.I)
    pending: list[tuple[int, str]] = []  # fault statements waiting to learn whether they caused injustice
    fault_seen = False
    upheld = bool(re.search(r"\bupheld\b", outcome or "", re.I)) and not re.search(r"not upheld", outcome or "", re.I)
    not_upheld = bool(re.search(r"not upheld", outcome or "", re.I))

    def add(kind: str, text: str) -> None:
        findings.append(Finding(kind=kind, text=text))

    for index, sentence in enumerate(sentences):
        if sentence.account or sentence.bar:
            continue
        text = sentence.text
        commits = bool(phrases.COMMITMENT.search(text)) and not phrases.NEGATED_COMMITMENT.search(text)
        commits_to_new = commits and bool(re.search(r"\b(?:will|shall|should|must|agreed?|agrees|recommend\w*)\b", text, re.I))
        if commits_to_new and re.search(r"\bremedy (?:for|to) (?:the |any |this )?injustice", text, re.I):
            add("fault_with_injustice", sentence.original)
            continue
        if REMEDIED_SENTENCE_RE.search(text) and not commits_to_new:
            add("remedied_by_organisation", sentence.original)
            fault_seen = fault_seen or bool(pending)
            pending = []
            continue
        if deciding_not_to_investigate and because.match(text):
            continue  # the reason for not investigating, not a finding
        stated_fault = False
        for clause in CLAUSE_SPLIT_RE.split(text):
            clause = clause.strip(" ,")
            no_fault = NO_FAULT_RE.search(clause)
            if no_fault and HYPOTHETICAL_RE.search(clause[:no_fault.start()]):
                continue
            if no_fault:
                evidence_only = EVIDENCE_OF_NO_FAULT_RE.search(clause)
                if not (deciding_not_to_investigate and evidence_only) and not sentence.ni:
                    add("no_fault", sentence.original)
                continue
            if EVIDENCE_OF_NO_FAULT_RE.search(clause):
                continue  # fault not shown: a reason not to go on, or no fault, never a finding of fault
            fault = FAULT_STATEMENT_RE.search(clause)
            if fault and not sentence.ni and not HYPOTHETICAL_RE.search(clause[:fault.start()]):
                stated_fault = True
        negative = SUMMARY_INJUSTICE_NEGATIVE_RE.search(text) and not re.search(r"warrant|investigat", text, re.I)
        if not stated_fault and not negative and not sentence.ni and FINDS_INJUSTICE_RE.search(text):
            fault_seen = True
            add("fault_with_injustice", sentence.original)
            continue
        if stated_fault:
            fault_seen = True
            if negative:
                add("fault_no_injustice", sentence.original)
                continue
            pending.append((index, sentence.original))
            if SUMMARY_INJUSTICE_POSITIVE_RE.search(FAULT_STATEMENT_RE.sub(" ", text)):
                add("fault_with_injustice", sentence.original)
                if ONLY_SOME_FAULT_RE.search(text):  # 'only the latter fault caused injustice': the others none
                    add("fault_no_injustice", sentence.original)
                pending = []
            continue
        if pending:
            if negative:
                add("fault_no_injustice", pending[0][1])
                pending = []
            elif SUMMARY_INJUSTICE_POSITIVE_RE.search(text) or (commits and (
                    new_remedy_kinds & PERSONAL_REMEDIES or PERSONAL_REMEDY_WORDS_RE.search(text))):
                add("fault_with_injustice", pending[0][1])
                if ONLY_SOME_FAULT_RE.search(text):
                    add("fault_no_injustice", sentence.original)
                pending = []
            elif index - pending[-1][0] > 3:
                pending = pending[:1]
        elif negative and not deciding_not_to_investigate:
            fault_seen = True
            add("fault_no_injustice", sentence.original)
    if pending:
        if new_remedy_kinds & PERSONAL_REMEDIES or upheld or not not_upheld:
            add("fault_with_injustice", pending[0][1])
        else:
            add("fault_no_injustice", pending[0][1])
    kinds = {f.kind for f in findings}
    if (fault_seen and "fault_with_injustice" not in kinds and new_remedy_kinds & (PERSONAL_REMEDIES - {"apology"})):
        add("fault_with_injustice", next(s.original for s in sentences if not s.account))
    return findings


def _clause_around(text: str, match: re.Match | None) -> str:
    """The clause of a sentence that holds a match: between commas, semicolons and 'and'."""
    if match is None:
        return text
    boundaries = [m.end() for m in re.finditer(r",|;|\band\b|\bbut\b", text[:match.start()])]
    start = boundaries[-1] if boundaries else 0
    after = re.search(r",|;|\band\b|\bbut\b", text[match.end():])
    end = match.end() + after.start() if after else len(text)
    return text[start:end]
