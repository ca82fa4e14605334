"""How the Ombudsman's statements phrase things: named patterns shared by the remedy and finding rules.

Each pattern is written from how decision statements are worded (the summary's template:
the complaint, what we found, what was agreed), not from particular files. Patterns run on
text passed through ``text.fold`` (straight quotes and dashes) and ignore case.
"""

from __future__ import annotations

import re


def _re(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


# Who is speaking. A sentence whose subject is the complainant and whose verb reports what they
# said, thought or wanted is their account, not a conclusion of the Ombudsman.
COMPLAINANT_SUBJECT = (
    r"(?:mrs?|ms|miss|mx|dr|master)\.?(?: (?:and|&) (?:mrs?|ms|miss|mx|dr)\.?)? [a-z]\w*"
    r"(?: (?:and|&) (?:mrs?|ms|miss|mx|dr)\.? [a-z]\w*)?"
    r"|the complainants?|(?:he|she|they|her \w+|his \w+|their \w+)"
)
COMPLAINANT_ACCOUNT = _re(
    rf"^(?:but |and |however,? |also,? )?(?:{COMPLAINANT_SUBJECT})\b[^.;]{{0,80}}?\b(?:complain(?:s|ed|ing)?\b(?! late)"
    r"|says?|said|alleg\w*"
    r"|disputes?|disputed|believes?|believed|feels?|felt|thinks?|thought|considers?|considered|wants?|wanted|asked"
    r"|raised|disagree\w*|(?:is|was|were|are|remains?|remained) (?:concerned|unhappy|dissatisfied|worried)|reported"
    r"|claims?|claimed|argues?|argued|contends?|told us)\b"
)
# Statements of the law or of the Ombudsman's usual practice, not a decision on this complaint.
GENERAL_RULE = _re(
    r"\bunless\b|\b(?:we|the ombudsm[ae]n) (?:usually|normally|generally|may|can|must|only|would not usually|do not usually)\b"
    r"|\bthe law says we (?:can|may|must)\b(?! ?not)|\bour (?:assessment code|role is)"
    r"|^(?:we|i) (?:investigate|consider) complaints"
)

# A commitment to act: the organisation agreed, will, should; the Ombudsman recommended.
COMMITMENT = _re(
    r"\b(?:(?:has|have|had)? ?agreed?s?(?: to| with| that)?|agrees? to|(?:will|shall|should|must|needs? to|is to|are to)"
    r"(?! not\b| have\b)(?: now| also| also now| therefore| jointly| promptly)?|(?:we|i|the ombudsm[ae]n) (?:have |has )?"
    r"recommend\w*|recommendations? (?:to|of|that|for)|recommended (?:that|an?|the)|accept\w* (?:our|the ombudsm[ae]n'?s?|my)"
    r" recommendations?|agreed (?:actions?|remed\w+)|(?:has|have) arranged (?:for|to)|to remedy"
    r"|(?:is|are|would be|will be) (?:a |an )?(?:suitable|appropriate|proportionate|fair) remedy|(?:is|are) recommended"
    r"|(?:this|these|which|they) included?)\b"
)
# Past actions: what the organisation did before the Ombudsman's decision (not a new remedy).
ALREADY_DONE = _re(
    r"\balready\b|\bpreviously\b|\bhad (?:offered|paid|apologi[sz]ed|agreed)\b|\bbefore (?:we|the ombudsm[ae]n|it came to us)"
    r"|\b(?:has|have) (?:since|now) (?:apologi[sz]ed|paid|refunded|provided|made|taken|put)\b"
    r"|\b(?:in its|in their) (?:complaint )?(?:response|responses)\b"
)
NEGATED_COMMITMENT = _re(
    r"\b(?:do|does|did|will|would|need|should|am|is|are) not (?:\w+ ){0,2}(?:recommend|propose|ask|require|necessary|need)\w*"
    r"|\bno (?:further |other |additional )?(?:remedy|action|payment)\b|\bnot (?:agreed|accepted|willing)\b"
    r"|\brefused to\b|\bdeclined to\b"
)

# The Ombudsman will not investigate (or stopped investigating): a decision in its own voice.
NOT_INVESTIGATING = _re(
    r"\b(?:we|i|the ombudsm[ae]n|ombudsm[ae]n)\b[^.;]{0,40}?\b(?:will|would|should|shall|do|does|did|have|has|had|decided|intend)"
    r" not (?:to )?(?:now |further |therefore |be |continue to |formally )?(?:investigat\w+|consider\w*|pursue|look (?:at|into)"
    r"|start an investigation|begin an investigation|continue (?:with |our |the |this )?investigat\w*)"
    r"|\b(?:we|i|the ombudsm[ae]n)\b[^.;]{0,20}?\b(?:decided|chosen|chose) not to\b"
    r"|\b(?:stopped|ended|ending|discontinu\w+) (?:our |the |this |my |its )?(?:investigation|investigating)\b"
    r"|\b(?:stopped|discontinued|ended) (?:investigating|looking)\b|\bnot (?:start|begin|open) an investigation"
    r"|\bcomplaint[^.;]{0,120}\b(?:is|was) (?:too )?late\b(?! (?:mother|father|husband|wife|son|daughter|partner|relative))"
    r"|\breasonable (?:for|to expect) (?:(?:mrs?|ms|miss|mx|dr)\.? \w+|him|her|them|the complainant|\w+)(?: \w+)? to (?:have )?"
    r"(?:use|used|appeal|ask|go|challenge|take|apply|seek|pursue|contact|complain|raise|request|make a claim|claim)\b"
)
LEGAL_BAR = _re(
    r"\b(?:we|i|the ombudsm[ae]n|ombudsm[ae]n)\b[^.;]{0,30}?\b(?:cannot|can ?not|can't|could not|are unable to|am unable to"
    r"|is unable to|are not able to|are not allowed to|may not)\b (?:legally |lawfully )?(?:investigate|consider|look"
    r" (?:at|into)|deal with)"
    r"|\bno (?:legal )?(?:powers?|jurisdiction|remit) to\b|\bno longer (?:have|has) (?:the )?(?:power|jurisdiction)"
    r"|\b(?:law|legislation|act) (?:also )?(?:prevents?|stops?|does not allow"
    r"|says (?:we|the ombudsm[ae]n) (?:cannot|can not|may not))"
    r"|\b(?:outside|out of|beyond|not within) (?:of )?(?:our|the ombudsm[ae]n'?s?|my|its|the)? ?(?:legal )?"
    r"(?:jurisdiction|remit|powers?)\b|\bnot an? (?:administrative|council) function\b|\bno jurisdiction\b"
    r"|\bnot something (?:we|the ombudsm[ae]n) can (?:investigate|consider)"
)
CANNOT_ACHIEVE = _re(
    r"\b(?:cannot|can ?not|could not|can't|would not|will not|unlikely to|unlikely (?:we|that we|the ombudsm[ae]n) "
    r"(?:could|would|can)|not be able to) (?:\w+ ){0,2}(?:achieve|add|provide|get|lead|make a difference|reach)\b"
    r"|\bnot (?:\w+ )?achieve anything|\bnothing (?:more |further )?(?:worthwhile|useful|meaningful|significant) "
    r"(?:to gain|to achieve|would|could|would be|could be)|\bworthwhile (?:outcome|purpose)|\bnot a (?:good|proportionate) use"
    r"|\bdifferent outcome|\bno (?:further |useful )?purpose|\bnot (?:be )?proportionate\b|\bno provision for"
    r"|\bnot (?:our|the ombudsm[ae]n'?s?) role to\b|\bwe do not (?:usually )?investigate (?:\w+ ){0,4}where"
    r"|\bnot investigating the (?:core|main|substantive) (?:issue|complaint)"
    r"|\bnor (?:can|could|would) (?:we|the ombudsm[ae]n) (?:\w+ ){0,2}(?:achieve|add|provide|get)\b"
    r"|\bnot (?:\w+ ){0,3}a (?:good|proportionate|effective|worthwhile) use of (?:public |our )?(?:resources|money|time)"
)
