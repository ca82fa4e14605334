"""Why a reading may be wrong, from signals in the statement itself: the doubts that put a
decision in the review queue, beyond the fallbacks the parser reports (parser.review_reasons).

Each doubt is a named cue (a wide net of the words the Ombudsman uses for a kind) found in the
summary, with no matching kind read; or a combination of kinds that the
rules often get wrong together. A doubt is a reason for a person to check, never a correction.
"""

from __future__ import annotations

import re

from decisions.statements.text import fold


def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


# Words that name each kind of remedy, wider than the rules that read one.
REMEDY_CUES = {
    "apology": _re(r"\bapologi[sz]"),
    "payment": _re(r"\bpay(?:s|ing|ment|ments)?\b|£\s?\d|\brefund|\breimburs|\bfinancial remedy|\bcompensat"),
    "procedure_change": _re(r"\bservice improvements?\b|\b(?:review|change|amend|update)s? (?:its|their|the) "
                            r"(?:policy|policies|procedures?|practice|processes?|guidance)"),
    "training": _re(r"\btraining\b|\bremind(?:s|ed|er)?\b|\bguidance to (?:its |their )?staff"),
}
# Words that give a reason not to investigate, wider than the rules that read one.
REASON_CUES = {
    "late_complaint": _re(r"\blate\b|\btoo old\b|\btime (?:that )?has passed|\bmore than (?:12|twelve) months|"
                          r"\bout of time\b|\bevents? (?:are|were|is|was) (?:too )?(?:old|historic)"),
    "court_or_tribunal": _re(r"\btribunal\b|\bcourts?\b|\brights? (?:of|to) appeal|\b(?:can|could) (?:ask for|request) a "
                             r"(?:\w+ )?review\b|\blegal (?:action|proceedings)|\bappeals? (?:procedure|process)"
                             r"|\breview/appeals?\b"),
    "no_significant_injustice": _re(r"\b(?:significant|enough|sufficient) (?:personal )?injustice\b"
                                    r"|\binjustice (?:warranting|to warrant|to justify)"),
    "unlikely_to_find_fault": _re(r"\b(?:enough|sufficient|insufficient) evidence of fau?l?t|\bunlikely to find fault"
                                  r"|\bno (?:sign|evidence) of fault"),
    "another_body_better_placed": _re(r"\b(?:better|best) placed\b|\bhousing ombudsman\b|\binformation commissioner"),
    "premature": _re(r"\bcomplaints? (?:procedure|process)\b[^.]{0,60}\b(?:not|yet)|\bpremature"),
    "other": _re(r"\b(?:achieve|get|provide) (?:the )?(?:outcome|remedy|what) (?:\w+ ){0,3}(?:wants?|seeks?|is seeking|"
                 r"sought|asked)|\bcould not (?:likely )?resolve|\bnor (?:can|could|would) we\b"
                 r"|\b(?:good|proportionate|effective) use of (?:public |our )?(?:resources|money)"),
}
# The Ombudsman's own account of what the organisation did before: remedied already.
# (Accepting or admitting fault is not putting it right; refunding, paying or apologising is.)
ALREADY_REMEDIED = _re(r"\balready (?:[a-z]+ ){0,6}?(?:apologi[sz]ed|refunded|paid|remedied|reimbursed"
                       r"|put (?:it|this|that|things|matters) right)")
# Fault found in part without injustice.
FAULT_WITHOUT_INJUSTICE = _re(r"\bonly (?:the|one|some|part|the latter|the former)\b[^.]{0,40}\bfault\w* caused injustice"
                              r"|\bfault\w*[^.]{0,60}\b(?:did|does) not cause (?:\w+ ){0,3}(?:any |significant )?injustice")
# A sentence saying that part of the complaint is not considered.
NOT_CONSIDERED = _re(r"\bwill not investigate|\btoo old to (?:consider|investigate)|\bcannot (?:say|consider|investigate)")
PAST_ACTION = _re(r"\balready (?:provided|given|made|apologi[sz]ed|paid)|\b(?:had|has) (?:already )?(?:apologi[sz]ed|"
                  r"paid|refunded)\b")



def doubts(result) -> list[str]:
    """The reasons a person should check this reading, from what the text says and was not read."""
    found: list[str] = []
    summary = fold(result.summary or "")
    remedies = {r.kind for r in result.remedies}
    findings = {f.kind for f in result.findings}
    reasons = {f.reason for f in result.findings if f.kind == "not_investigated" and f.reason}
    for kind, cue in REMEDY_CUES.items():
        if kind not in remedies and "fault_with_injustice" in findings and (match := cue.search(summary)):
            found.append(f"the summary mentions {kind.replace('_', ' ')} (“{match.group(0)}”) but none was read")
    amounts = {f"{r.amount:.0f}" for r in result.remedies if r.kind == "payment" and r.amount is not None}
    for amount in re.findall(r"£\s?([\d,]+)", summary):
        if amount.replace(",", "") not in amounts and remedies:
            found.append(f"the summary states £{amount}, which no payment read has")
            break
    if any(r.basis != "action" and PAST_ACTION.search(fold(r.text or "")) for r in result.remedies):
        found.append("a remedy was read from a sentence about what was done already")
    if {"fault_with_injustice", "remedied_by_organisation"} <= findings:
        found.append("read both as fault causing injustice and as already remedied: check which")
    if {"not_investigated", "remedied_by_organisation"} <= findings:
        found.append("read both as not investigated and as already remedied: check which")
    for reason in sorted(reasons & {"court_or_tribunal", "late_complaint"}):
        if not REASON_CUES[reason].search(summary):
            found.append(f"{reason.replace('_', ' ')} was read as a reason, but the summary does not mention it")
    if "remedied_by_organisation" not in findings and (match := ALREADY_REMEDIED.search(summary)):
        found.append(f"the summary says the organisation acted already (“{match.group(0)}”) but no remedy by it was read")
    if "fault_no_injustice" not in findings and (match := FAULT_WITHOUT_INJUSTICE.search(summary)):
        found.append(f"the summary finds fault without injustice (“{match.group(0)}”) but that was not read")
    if "not_investigated" in findings or NOT_CONSIDERED.search(summary):
        if "not_investigated" in findings and not reasons:
            found.append("not investigated, but no reason was read")
        for reason, cue in REASON_CUES.items():
            if reason not in reasons and (match := cue.search(summary)):
                found.append(f"the summary gives a reason ({reason.replace('_', ' ')}: “{match.group(0)}”) "
                             f"that was not read")
    return found
