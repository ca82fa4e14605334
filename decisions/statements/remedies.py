"""Find what the Ombudsman agreed or recommended an organisation should do.

Remedies are read from the agreed/recommended action part of a statement, paragraph by
paragraph; where a statement has none (or nothing readable in it), from the sentences of the
summary and the final decision that commit to something, clause by clause (read_commitments).
Money is a remedy only when the organisation is to pay it: earlier offers, the Ombudsman's
guidance ranges and amounts merely discussed are left out.
Vocabulary: ../shared/seeds/README.md (remedy kinds and payment purposes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from decisions.statements import phrases
from decisions.statements.text import fold, normalise_heading, split_sentences

REMEDY_HEADING_RE = re.compile(
    r"agreed action|recommended action|recommendation|actions? agreed|remed(y|ies)|put(ting)? (things|it) right"
    r"|what (the council|it|they|the \w+) (has|have|should|will|must) (agreed|do)|action (the|it)\b",
    re.I,
)
CLOSING_HEADINGS = {"final decision", "decision", "conclusions", "conclusion", "the ombudsman's final decision"}

AMOUNT_RE = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?!\d)(\s?(?:k\b|m\b|million\b))?", re.I)
# Words right before an amount that make it a bound, a range or an estimate, not a sum to pay.
BOUND_BEFORE_RE = re.compile(
    r"(?:\bup to|\bupto|\bbetween|\bmaximum(?: of)?|\bminimum(?: of)?|\bat most|\bat least|\bin excess of"
    r"|\bmore than|\bless than|\bover|\bunder|\baround|\babout|\bapproximately|\brange(?: of)?|\bfrom"
    r"|£\s?[\d,.]+\s*(?:-|and|or))\s*$",
    re.I,
)
RANGE_AFTER_RE = re.compile(r"^\s*(?:-|–)\s*£")
GUIDANCE_SENTENCE_RE = re.compile(
    r"guidance on remedies|our guidance|the guidance|guidance (says|suggests|recommends)"
    r"|we (normally|usually|typically|generally|may|would)\b|(is|are) often|moderate sum",
    re.I,
)
POSITIVE_TRIGGER_RE = re.compile(
    r"\b(pay|pays|paying|payment|agree[ds]?|will|should|must|award|refund|reimburse|repay|compensate|credit"
    r"|recommend\w*|further|additional|sum of|total of)\b",
    re.I,
)
NEGATIVE_TRIGGER_RE = re.compile(
    r"\b(offered|offers?|paid|already|previously|originally|initially|refused|rejected|declined|claimed|claims?"
    r"|asked for|requested|sought|seeks|seeking|wanted|wants|demanded|owed|owes|charged|invoiced|billed"
    r"|costs?|spent|lost|worth|fined?|estimated|quoted|valued)\b",
    re.I,
)
INCREASE_TO_RE = re.compile(r"\b(increase|raise|top up|topping up|uplift)\w*\b.*\bto\s*$", re.I)
NOT_PAYMENT_RE = re.compile(r"\b(waive|write off|write-off|writing off|cancel|remove|reduce|reducing|deduct)\w*\b", re.I)
TOTAL_RE = re.compile(r"\b(total|in all|altogether|totalling|combined)\b", re.I)

# A rate: '£250 a month', '£1,600 per term', '£50 for each week', '£30 weekly'.
PERIODS = ("day", "week", "month", "term", "year")
RATE_RE = re.compile(
    r"^\s*(?:(?:a|an|per|each|every|for each|for every)\s+(?:calendar\s+|school\s+|academic\s+)?"
    r"(day|week|month|term|year)\b|(daily|weekly|monthly|termly|yearly|annually)\b)", re.I)
_ADVERB_PERIODS = {"daily": "day", "weekly": "week", "monthly": "month", "termly": "term", "yearly": "year",
                   "annually": "year"}
NUMBER_WORDS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
# How many periods a rate is for: 'for six months', 'over 3 terms', 'for the 12 weeks'.
PERIOD_COUNT_RE = re.compile(
    r"^[^.;£]{0,40}?\b(?:for|over|covering)\s+(?:the\s+|a\s+further\s+|a\s+period\s+of\s+)?"
    r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\s+(?:calendar\s+|school\s+|academic\s+)?(day|week|month|term|year)s?\b",
    re.I)

APOLOGY_RE = re.compile(r"\bapologi[sz]e\b|\bapology\b|\bapologies\b|\bapologi[sz]ing\b", re.I)
PAST_RE = re.compile(
    r"\b(already|previously|originally|initially|earlier|had (offered|paid|apologi[sz]ed)"
    r"|ha(s|ve) (apologi[sz]ed|paid|offered|refunded|provided|given|sent|made))\b",
    re.I,
)
FUTURE_RE = re.compile(
    r"\b(will|should|must|shall|agreed? to|has agreed|have agreed|agrees|recommend(ed|s)? (that )?(the|it|they|\w+ council)"
    r"|to (apologi[sz]e|pay|refund|review|provide|arrange|reconsider))\b",
    re.I,
)
NEGATED_RE = re.compile(
    r"\b(do|does|did|will|would|need|should|am|is) not (\w+ ){0,2}(recommend|propose|ask|require|necessary)\w*"
    r"|\bno (further |other |additional )?(remedy|action|payment) (is )?(needed|necessary|required|recommended)"
    r"|\bno further (remedy|action)",
    re.I,
)
NON_REMEDY_SENTENCE_RE = re.compile(
    r"evidence (that |of |to show )?(it |the \w+ )?(has )?(complied|compliance|completed)|provide us with evidence"
    r"|(complete|carry out|take) (the|these|this|all|each|those)? ?(agreed |above |recommended |following )?"
    r"(actions?|remed\w+|recommendations?) (outlined|set out|above|listed)"
    r"|(complete|completed|carried out) (the|these|this|all|each)? ?(agreed |above |recommended )?actions? within"
    r"|we are satisfied|i am satisfied|i consider this (is )?(a )?(suitable|appropriate|fair)",
    re.I,
)
# Clauses that describe the fault being remedied, not the remedy ('apologise for failing to provide support').
FAULT_CLAUSE_RE = re.compile(
    r"\b(for|about|over|after) (its |the |their |his |her |this |that )?(failure|failing|failings|failed|delay\w*|not"
    r"|lack|poor|errors?|mistakes?|faults?)\b[^,;]*",
    re.I,
)
REFUND_RE = re.compile(r"\b(refund|reimburse|repay|pay back|backdate|back-date)\w*\b", re.I)
PAY_SUM_RE = re.compile(r"\bpay\b[^.;]{0,40}\b(outstanding|correct|full|the) (amount|sum|fees|costs|money|arrears|balance)\b", re.I)
# A payment named without its amount: 'make a symbolic payment to Mr Y', 'pay Ms Z for the lost education'.
PAY_UNSTATED_RE = re.compile(
    r"\b(?:make|makes|making|offer|offers|offering) (?:(?:him|her|them|mr|mrs|ms|miss|dr)(?: [a-z])? )?"
    r"an? (?:[a-z]+ ){0,2}payment\b"
    r"|\bpay (?:mr|mrs|ms|miss|dr|the complainant|her|him|them)\b(?: [a-z]\b)?(?: [a-z]+){0,3}? for\b", re.I)
CONSIDER_RE = re.compile(r"\b(?:consider|considering|decide|deciding|whether)\b[^.;]{0,40}$", re.I)

KIND_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("procedure_change", re.compile(
        r"\b(review|revise|amend|update|change|improve|strengthen|introduce|implement|put in place|develop|create|adopt)"
        r"\w*\b[^.;]{0,60}\b(polic(y|ies)|procedures?|process(es)?|practices?|protocols?|arrangements|systems?"
        r"|guidance|forms?|templates?|standard letters?|website|checklists?|action plan)\b|\baction plan\b", re.I)),
    ("training", re.compile(
        r"\btrain(ing|s|ed)?\b|\bremind\w*\b|\bbrief(ing)?s? (to )?(its |all |relevant )?(staff|officers|employees)"
        r"|share (the |this |any |its )?(learning|lessons|decision|findings)|lessons learn"
        r"|(issue|provide|circulate|send) (a )?(written )?(guidance|note|memo|reminder) to (its |all |relevant )?"
        r"(staff|officers|social workers|managers|employees|team)", re.I)),
    ("reconsider", re.compile(
        r"\b(reconsider|reassess|re-assess|re-consider|re-review|re-decide|redecide|redetermine|re-determine|retake"
        r"|re-take|re-evaluate|reevaluate|revisit)\w*\b|\b(fresh|new|further) (needs )?(assessment|review|decision"
        r"|hearing|panel|appeal)\b|\breview (its|the|their|his|her|[A-Z]\w*(?: \w+)?'s) (\w+ ){0,2}(decision|assessment"
        r"|eligibility|application|case|charges|care plan|needs|banding|award|refusal|entitlement)", re.I)),
    ("provide_service", re.compile(
        r"\b(provide|arrange|offer|put in place|secure|commission|make available|fund|carry out|deliver|identify|start)"
        r"\w*\b[^.;]{0,60}\b(services?(?! improvements?\b)|support|provision|placement|respite|tuition|education|care package|care"
        r"|accommodation|therapy|equipment|adaptations?|works?|repairs?|transport|help)\b", re.I)),
    ("provide_information", re.compile(
        r"\b(provide|send|give|share|write to|disclose|confirm|tell|inform|update)\w*\b[^.;]{0,60}\b(information"
        r"|copy|copies|records?|explanation|details|reasons?|outcome|breakdown|statement of account|account of)\b"
        r"|\bexplain(ing|s)?\b", re.I)),
)
DEADLINE_RE = re.compile(
    r"\b(?:within\s+(?:a|one|two|three|four|five|six|seven|eight|ten|twelve|\d+)\s+(?:working\s+|calendar\s+)?"
    r"(?:days?|weeks?|months?)|within\s+a\s+(?:month|week|fortnight)|by\s+\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+\d{4}"
    r"|by\s+the\s+end\s+of\s+[A-Z][a-z]+(?:\s+\d{4})?|no\s+later\s+than\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4})"
    r"(?:\s+of\s+(?:the\s+date\s+of\s+)?(?:the|my|our|this|its)\s+(?:final\s+)?decision(?:\s+statement)?)?",
    re.I,
)
PURPOSE_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("distress", re.compile(
        r"\b(distress\w*|injustice|upset\w*|anxiety|anxious|frustrat\w*|uncertainty|stress\w*|worry|worries|hurt"
        r"|inconvenience|embarrass\w*|avoidable (distress|upset)|impact on (him|her|them|mr|mrs|ms|miss))\b", re.I)),
    ("time_and_trouble", re.compile(
        r"time and trouble|time and effort|(handling|handled|handle) (of )?(the |her |his |their |its |this )?complaints?"
        r"|complaint[- ]handling|(pursuing|bringing|making|raising|escalating) (the |her |his |their |this )?complaint", re.I)),
    ("risk_of_harm", re.compile(r"\brisk\b|\bharm\b", re.I)),
    ("loss_of_service", re.compile(
        r"loss of (service|provision|education|care|support|respite|placement)|lost (service|provision|education"
        r"|care|support|respite|opportunity)|missed (education|provision|support|service|care)|lack of (provision"
        r"|education|support|service|care)|without (the )?(provision|education|support|service|care)"
        r"|(provision|education|support|services?) (she|he|they|[a-z]) (missed|lost|did not receive)"
        r"|(provision|education|support|services?|care) (her|his|their) (son|daughter|child|children|mother|father)"
        r" (missed|lost|did not receive|went without)|without a (suitable )?school place|out of (school|education)",
        re.I)),
    ("financial_loss", re.compile(
        r"financial loss|\b(refund|reimburse|repay|costs?|fees?|charges?|arrears|overpa\w+|expenses?|money (he|she|they)"
        r"|rent|council tax|interest|lost (income|earnings|wages)|loss of (income|earnings))\b", re.I)),
)


@dataclass
class Rate:
    """A payment stated as so much a period: the amount per period, the period, and how many
    periods when the statement says (the payment's amount is then the total)."""

    per: Decimal
    period: str  # one of PERIODS
    periods: int | None = None

    def to_dict(self) -> dict:
        return {"per": f"{self.per:.2f}", "period": self.period, "periods": self.periods}


@dataclass
class Remedy:
    kind: str
    text: str
    amount: Decimal | None = None  # for a rate, its total when stated or worked out, else None
    purposes: list[str] = field(default_factory=list)
    deadline: str | None = None
    basis: str = "action"  # where it was read: "action" (an agreed or recommended action section) or "summary"
    rate: Rate | None = None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "basis": self.basis,
            "amount": f"{self.amount:.2f}" if self.amount is not None else None,
            "purposes": self.purposes,
            "deadline": self.deadline,
            "text": self.text,
            "rate": self.rate.to_dict() if self.rate else None,
        }


def read_rate(value: Decimal, after: str) -> Rate | None:
    """The rate an amount is stated at, from the words right after it ('a month for six months')."""
    match = RATE_RE.match(after)
    if not match:
        return None
    period = (match.group(1) or _ADVERB_PERIODS[match.group(2).lower()]).lower()
    rate = Rate(per=value, period=period)
    count = PERIOD_COUNT_RE.match(after[match.end():])
    if count and count.group(2).lower() == period:
        number = count.group(1).lower()
        rate.periods = int(number) if number.isdigit() else NUMBER_WORDS[number]
    return rate


def _paid(value: Decimal, after: str) -> tuple[Decimal | None, Rate | None]:
    """A payment's amount and its rate, if it is stated as one: the total of a rate is known only
    when the number of periods is (or the statement states it: _rate_totals)."""
    rate = read_rate(value, after)
    if rate is None:
        return value, None
    return (value * rate.periods if rate.periods else None), rate


@dataclass
class _Unit:
    """One paragraph of a remedy part, with what surrounds it."""

    text: str
    parent: _Unit | None = None
    intro: str = ""
    children: list[_Unit] = field(default_factory=list)


def extract_remedies(sections, summary: str, warnings: list[str]) -> list[Remedy]:
    remedy_parts = _remedy_parts(sections)
    if remedy_parts:
        units = [unit for part in remedy_parts for unit in _units(part)]
        section_deadline = _section_deadline(units)
        remedies: list[Remedy] = []
        for unit in units:
            remedies.extend(_remedies_from_unit(unit, section_deadline=section_deadline))
        if remedies:
            return _tidy(remedies)
        # An action section with nothing readable in it (cut short, or only 'see above'): read the summary.

    # No action part: what the summary and the final decision commit to, clause by clause.
    texts = [summary] if summary else []
    for section in sections:
        if normalise_heading(section.heading) in CLOSING_HEADINGS:
            texts.extend(p.text for _, p in section.all_paragraphs())
    remedies = [remedy for text in texts for remedy in read_commitments(text)]
    for remedy in remedies:
        remedy.basis = "summary"
    unique: dict[tuple, Remedy] = {}
    for remedy in remedies:
        unique.setdefault((remedy.kind, remedy.amount, remedy.kind == "payment" and remedy.amount is None), remedy)
    found = list(unique.values())
    if any(r.kind == "payment" and r.amount is not None for r in found):
        # 'a payment' then '£200'; a rate without a total is a payment of its own.
        found = [r for r in found if not (r.kind == "payment" and r.amount is None and r.rate is None)]
    return _tidy(found)


def _remedy_parts(sections):
    parts = []
    for section in sections:
        if REMEDY_HEADING_RE.search(fold(section.heading)):
            parts.append(list(section.all_paragraphs()))
            continue
        for subsection in section.subsections:
            if REMEDY_HEADING_RE.search(fold(subsection.heading)) and normalise_heading(section.heading) not in (
                "the ombudsman's role and powers", "the ombudsmen's role and powers"
            ):
                parts.append([(subsection.heading, p) for p in subsection.paragraphs])
    return parts


def _units(part) -> list[_Unit]:
    """Paragraphs as units that know their parent item and the intro line before them."""
    units: list[_Unit] = []
    stack: list[tuple[int, _Unit]] = []
    intro = ""
    for _subheading, paragraph in part:
        unit = _Unit(text=paragraph.text)
        while stack and stack[-1][0] >= paragraph.level:
            stack.pop()
        if stack:
            unit.parent = stack[-1][1]
            unit.parent.children.append(unit)
        unit.intro = intro
        if paragraph.text.rstrip().endswith(":") and paragraph.level == 0:
            intro = paragraph.text
        stack.append((paragraph.level, unit))
        units.append(unit)
    return units


def _section_deadline(units: list[_Unit]) -> str | None:
    for unit in units:
        if re.search(r"\b(complete|carry out|take|implement)\b", unit.text, re.I) and not AMOUNT_RE.search(unit.text):
            match = DEADLINE_RE.search(fold(unit.text))
            if match and not APOLOGY_RE.search(unit.text):
                return _deadline_text(match)
    return None


def _deadline_text(match: re.Match) -> str:
    text = match.group(0)
    return text[:1].lower() + text[1:]


def _deadline_for(unit: _Unit, sentence: str, section_deadline: str | None) -> str | None:
    for text in (sentence, unit.text, unit.parent.text if unit.parent else "", unit.intro):
        match = DEADLINE_RE.search(fold(text)) if text else None
        if match:
            return _deadline_text(match)
    return section_deadline


def _remedies_from_unit(unit: _Unit, *, section_deadline: str | None) -> list[Remedy]:
    """The remedies of one paragraph of an agreed or recommended action section."""
    found: list[Remedy] = []
    child_amounts = {a for child in unit.children for a in _amount_values(child.text)}
    child_kinds = {k for child in unit.children for _, k in _kinds(child.text)}
    for sentence in split_sentences(unit.text):
        folded = fold(sentence)
        if NON_REMEDY_SENTENCE_RE.search(folded):
            continue
        if NEGATED_RE.search(folded) and not AMOUNT_RE.search(folded):
            continue
        deadline = _deadline_for(unit, sentence, section_deadline)
        in_sentence: list[tuple[int, Remedy]] = []
        payments = _payments(sentence, unit)
        for position, remedy in payments:
            if remedy.amount is not None and remedy.amount in child_amounts:
                continue
            in_sentence.append((position, remedy))
        kinds = [] if PAST_RE.search(folded) and not FUTURE_RE.search(folded) else _kinds(sentence)
        for position, kind in kinds:
            if kind not in child_kinds:
                in_sentence.append((position, Remedy(kind=kind, text=sentence.strip())))
        only_past = PAST_RE.search(folded) and not FUTURE_RE.search(folded)
        if not payments and "payment" not in child_kinds and _amountless_payment(folded) and not only_past:
            position = (REFUND_RE.search(folded) or PAY_SUM_RE.search(folded)).start()
            in_sentence.append((position, Remedy(kind="payment", text=sentence.strip(),
                                                 purposes=_purposes(folded) or ["financial_loss"])))
        elif not payments and "payment" not in child_kinds and not only_past and (named := _named_payment(folded)):
            in_sentence.append((named.start(), Remedy(kind="payment", text=sentence.strip(),
                                                      purposes=_purposes(folded) or ["other"])))
        for _, remedy in sorted(in_sentence, key=lambda pair: pair[0]):
            remedy.deadline = deadline
            found.append(remedy)
    return found


def _kinds(sentence: str) -> list[tuple[int, str]]:
    """Non-payment remedy kinds in a sentence, with where each is stated."""
    folded = FAULT_CLAUSE_RE.sub(lambda m: " " * len(m.group(0)), fold(sentence))
    kinds: list[tuple[int, str]] = []
    apology = APOLOGY_RE.search(folded)
    if apology:
        kinds.append((apology.start(), "apology"))
    for kind, pattern in KIND_PATTERNS:
        match = pattern.search(folded)
        if not match:
            continue
        names = {name for _, name in kinds}
        if kind == "provide_service" and "reconsider" in names:
            continue
        if kind == "provide_information" and names and not re.search(r"\b(information|copy|copies|records?)\b",
                                                                        folded, re.I):
            continue
        kinds.append((match.start(), kind))
    return kinds


def _named_payment(folded: str) -> re.Match | None:
    """A payment the sentence commits to without its amount (not one merely to be considered)."""
    match = PAY_UNSTATED_RE.search(folded)
    if match and not AMOUNT_RE.search(folded) and not CONSIDER_RE.search(folded[:match.start()]):
        return match
    return None


def _amountless_payment(folded: str) -> bool:
    return bool((REFUND_RE.search(folded) or PAY_SUM_RE.search(folded)) and not AMOUNT_RE.search(folded))


def _amount_values(text: str) -> set[Decimal]:
    return {value for value, _ in _amounts(text)}


def _amounts(text: str):
    for match in AMOUNT_RE.finditer(text):
        whole = match.group(1).replace(",", "")
        try:
            value = Decimal(whole + (match.group(2) or ""))
        except InvalidOperation:
            continue
        scale = (match.group(3) or "").strip().lower()
        if scale == "k":
            value *= 1000
        elif scale in ("m", "million"):
            value *= 1_000_000
        yield value.quantize(Decimal("0.01")), match


def _payments(sentence: str, unit: _Unit) -> list[tuple[int, Remedy]]:
    folded = fold(sentence)
    if GUIDANCE_SENTENCE_RE.search(folded):
        return []
    matches = list(_amounts(folded))
    payments = []
    previous_end = 0
    for index, (value, match) in enumerate(matches):
        prefix = folded[:match.start()]
        local_prefix = folded[previous_end:match.start()]
        following_start = matches[index + 1][1].start() if index + 1 < len(matches) else len(folded)
        window = folded[match.end():following_start]
        previous_end = match.end()
        if BOUND_BEFORE_RE.search(prefix) or RANGE_AFTER_RE.match(folded[match.end():]):
            continue
        if not _is_to_be_paid(prefix, local_prefix):
            continue
        purposes = _purposes(window) or _purposes(local_prefix)
        if not purposes and unit.parent is not None:
            purposes = _purposes(unit.parent.text)
        kind = "payment"
        nearest = _last_trigger(local_prefix, NOT_PAYMENT_RE)
        positive = _last_trigger(local_prefix, POSITIVE_TRIGGER_RE)
        if nearest is not None and nearest > (-1 if positive is None else positive):
            kind = "other"
            purposes = []
        amount, rate = _paid(value, folded[match.end():following_start]) if kind == "payment" else (value, None)
        payments.append((match.start(), Remedy(kind=kind, text=sentence.strip(), amount=amount, rate=rate,
                                               purposes=(purposes or ["other"]) if kind == "payment" else [])))
    return payments


def _last_trigger(text: str, pattern: re.Pattern) -> int | None:
    last = None
    for match in pattern.finditer(text):
        last = match.start()
    return last


def _is_to_be_paid(prefix: str, local_prefix: str) -> bool:
    """In an action section every sentence is a commitment: an amount is paid unless the words
    nearest before it say it was offered, paid already, claimed…"""
    if INCREASE_TO_RE.search(local_prefix):
        return True
    for text in (local_prefix, prefix):
        positive = _last_trigger(text, POSITIVE_TRIGGER_RE)
        negative = _last_trigger(text, NEGATIVE_TRIGGER_RE)
        if positive is None and negative is None:
            continue
        return (-1 if positive is None else positive) > (-1 if negative is None else negative)
    return True


def _purposes(text: str) -> list[str]:
    if not text:
        return []
    return [purpose for purpose, pattern in PURPOSE_PATTERNS if pattern.search(text)]


def _rate_totals(remedies: list[Remedy]) -> list[Remedy]:
    """'£250 a month for six months, a total of £1,500': the total is the rate's amount, not a
    second payment (kept as stated when it differs from rate times periods)."""
    for remedy in [r for r in remedies if r.rate is not None]:
        for other in remedies:
            if (other is remedy or other.kind != "payment" or other.rate is not None or other.amount is None
                    or other.text != remedy.text):
                continue
            written = AMOUNT_RE.pattern
            stated_total = re.search(r"(?:total(?:ling)?(?: of)?|in all|altogether|making|which (?:is|comes to))\s*"
                                     + written + "|" + written + r"\s*(?:in total|in all|altogether)", fold(other.text), re.I)
            if stated_total and _amount_values(stated_total.group(0)) == {other.amount}:
                remedy.amount = other.amount
                remedies = [r for r in remedies if r is not other]
                break
    return remedies


def _tidy(remedies: list[Remedy]) -> list[Remedy]:
    """Drop repeats: one apology, one payment per amount and purpose, and totals of the parts."""
    remedies = _rate_totals(remedies)
    result: list[Remedy] = []
    seen_payments: set[tuple] = set()
    seen_other: set[tuple] = set()
    for remedy in remedies:
        if remedy.kind == "payment" and remedy.amount is not None:
            key = (remedy.amount, tuple(remedy.purposes), remedy.text)
            same_elsewhere = any(
                (r.amount, tuple(r.purposes)) == (remedy.amount, tuple(remedy.purposes)) and r.text != remedy.text
                for r in result if r.kind == "payment"
            )
            if key in seen_payments or same_elsewhere:
                continue
            seen_payments.add(key)
        elif remedy.kind == "apology":
            if any(r.kind == "apology" for r in result):
                continue
        else:
            key = (remedy.kind, remedy.text)
            if key in seen_other:
                continue
            seen_other.add(key)
        result.append(remedy)
    # A sentence that states the total of payments listed separately is not another payment.
    payments = [r for r in result if r.kind == "payment" and r.amount is not None]
    for remedy in payments:
        others = [r.amount for r in payments if r is not remedy]
        if len(others) >= 2 and TOTAL_RE.search(remedy.text) and remedy.amount == sum(others):
            result.remove(remedy)
    return result


# --- Remedies stated in a summary or a closing section ------------------------------------
# A sentence commits to a list of actions ('agreed to apologise, pay £200 and review its
# policy'); each clause of the list after the commitment is one remedy, classified by the
# earliest phrase of a kind. Kinds in the order a tie is settled.
CLAUSE_KIND_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("apology", re.compile(r"\bapologi[sz]\w*|\bapology\b|\bapologies\b", re.I)),
    ("other", re.compile(
        r"\bwaiv\w*|\bwrit(?:e|ing|ten) off|\bcancel\w*|\breduc\w+ (?:[\w']+ ){0,4}(?:balance|debt|fees?|charges?|invoice|arrears"
        r"|bill|amount owed)|\bremov\w* (?:[\w']+ ){0,4}(?:fees?|charges?|debt|penalty|penalties)"
        r"|\bprogress (?:the|his|her|their|its)"
        r" (?:[\w']+ )?(?:case|application|claim|matter)|\bbring (?:[\w']+ ){0,3}to (?:a |its )?conclusion|\bconclude (?:its|the) "
        r"(?:investigation|enforcement)|\bclose (?:the|his|her|their) account|\bdecide (?:[\w']+ ){0,3}(?:application|case|claim)",
        re.I)),
    ("payment", re.compile(
        r"\bpay\b|\bpays\b|\bpaying\b|\bpayments?\b|\bfinancial remedy|\bsymbolic (?:payment|amount|sum)|\brefund\w*"
        r"|\breimburs\w*|\brepay\w*|\bcompensat\w*|\bback-?dat\w*|\bmeet (?:[\w']+ ){0,4}(?:costs?|fees?|expenses?|bills?)"
        r"|\bcover (?:[\w']+ ){0,3}(?:costs?|fees?)|£\s?\d", re.I)),
    ("training", re.compile(
        r"\btrain\w*|\bremind\w*|\bbrief\w* (?:[\w']+ ){0,3}(?:staff|officers|employees|team|workers|managers)"
        r"|\bshare (?:[\w']+ ){0,4}(?:decision"
        r"|learning|lessons|findings|statement|report)|\bfeedback\b|\b(?:staff|officers|employees|workers|team) (?:are|is|were) "
        r"(?:familiar|aware|reminded)|\bguidance (?:note )?(?:to|for) (?:[\w']+ ){0,2}(?:staff|officers|workers|team)"
        r"|\blessons (?:are )?learn\w*|\bcirculate\w*", re.I)),
    ("reconsider", re.compile(
        r"\breconsider\w*|\bre-?assess\w*|\bre-consider\w*|\bconsider (?:[\w']+ ){0,6}again\b|\b(?:fresh|new|further|another"
        r"|second) (?:[\w']+ ){0,2}(?:assessments?|reviews?|decision|hearing|panel|appeal|investigation|consideration|look)"
        r"|\breview (?:of )?(?:the |his |her |their |its |[\w']+'s )(?:[\w']+ ){0,3}(?:decision|assessments?|eligibility"
        r"|application|case|charges|care plan|needs|banding"
        r"|award|refusal|entitlement|priority|claim|support plan|package)|\b(?:carry out|complete|undertake|do|arrange|offer)"
        r" (?:a |an |the |new |fresh |his |her |their )?(?:[\w']+ ){0,5}assessments?|\b(?:respond|reply) to (?:[\w']+ ){0,3}appeal"
        r"|\bchance to appeal|\bappeal rights?\b|\bretake|\bre-?determin\w*|\bre-?decide|\bassess (?:[\w']+ ){0,4}(?:needs"
        r"|eligibility|application)|\bre-?investigat\w*|\breopen", re.I)),
    ("procedure_change", re.compile(
        r"\b(?:review|revise|amend|update|change|improve|strengthen|introduce|implement|develop|create|adopt|tighten|address"
        r"|consider how)\w* (?:[\w']+ ){0,6}?(?:polic(?:y|ies)|procedures?|process(?:es)?|practices?|protocols?|arrangements"
        r"|systems?|guidance|forms?|templates?|letters?|website|checklists?|information|services?|planning|commissioning"
        r"|controls?|delays?|approach|recording|record keeping|communications?|ways?|how)\b|\bservice improvements?\b"
        r"|\bimprov\w+\b|\b(?:prevent|avoid|stop|reduce)\w* (?:[\w']+ ){0,5}(?:recurrence|reoccurrence|happening again|repeat"
        r"|faults?|problems?|delays?|errors?|issues?|in (?:the )?future|again)\b|\baction plan\b|\btighter\b"
        r"|\bensure (?!(?:[\w']+ ){0,4}(?:trained|aware|familiar|reminded))(?:[\w']+ ){0,8}?(?:polic(?:y|ies)|procedures?"
        r"|website|process(?:es)?|available|consistent|in future|future"
        r"|does not happen|do not happen)\b|\bsteps to (?:reduce|address|improve|prevent)|\b(?:address|fill|close) (?:a |the )?gap"
        r"|\bchanges? to (?:its|the|their)", re.I)),
    ("provide_service", re.compile(
        r"\b(?:provide|arrange|offer|put in place|secure|commission|make available|fund|deliver|identify|start|find|ensure"
        r"|carry out|complete)\w* (?:[\w']+ ){0,6}?(?:services?(?! improvements?\b)|support|provision|placement|respite|tuition"
        r"|education|care package"
        r"|care|plan is in place|accommodation|therapy|equipment|adaptations?|works?|repairs?|transport|help|school place"
        r"|visits?|inspections?|collections?)\b|\bmonitor\w*", re.I)),
    ("provide_information", re.compile(
        r"\b(?:provide|send|give|share|disclose|confirm|tell|inform|update)\w* (?:[\w']+ ){0,5}?(?:information|copy|copies"
        r"|records?|explanation|details|reasons?|outcome|breakdown|statement of account|account of|list|written response)\b"
        r"|\bexplain\w*|\bexplanation\b|\bwrite to (?:[\w']+ ){0,4}(?:other|others|famil\w+|residents?|people|those|anyone|all)"
        r"|\banswer (?:[\w']+ ){0,3}(?:query|queries|questions)|\brespond (?:[\w']+ ){0,2}(?:query|queries|questions|concerns)",
        re.I)),
)
CLAUSE_BOUNDARY_RE = re.compile(r",(?!\d{3})|;|:|\band\b|\bas well as\b|\balso\b|\bplus\b|\bthen\b", re.I)
# A commitment that names its remedy before it ('a review … is a suitable remedy', 'Service improvement is recommended').
TRAILING_COMMITMENT_RE = re.compile(
    r"(?:is|are|would be|will be) (?:a |an )?(?:suitable|appropriate|proportionate|fair) remedy|(?:is|are) recommended", re.I)
FUTURE_WORD_RE = re.compile(r"\b(?:will|shall|should|must|agreed?|agrees|recommend\w*)\b", re.I)
ACTOR_RE = re.compile(r"\b(?:council|trust|it|they|organisations?|authorit(?:y|ies)|provider|school|academy|ccg|icb|board)\b",
                      re.I)
MODAL_RE = re.compile(r"(?:will|shall|should|must|needs? to|is to|are to)\b", re.I)
ACTOR_BEFORE_RE = re.compile(
    r"\b(?:council|trust|it|they|organisations?|authorit(?:y|ies)|provider|school|academy|ccg|icb|board|home|both|each|all"
    r"|partnership|collaboration|agency|surgery|department|service|team)(?:'s?)?(?:\s+(?:[\w']+\s+){0,3})?\s*$", re.I)
NOT_A_REMEDY_RE = re.compile(
    r"\b(?:provide|send|give) (?:us|the ombudsm[ae]n) (?:with )?evidence|\breport back\b|evidence (?:of|that) (?:it has )?"
    r"(?:complied|compliance|completed)|\bto (?:us|the ombudsm[ae]n)\b", re.I)


def read_commitments(text: str) -> list[Remedy]:
    """Remedies committed to in running text (a summary, a final decision), clause by clause."""
    remedies: list[Remedy] = []
    for sentence in split_sentences(text):
        folded = fold(sentence).strip()
        if phrases.COMPLAINANT_ACCOUNT.search(folded) or phrases.NEGATED_COMMITMENT.search(folded):
            continue
        commitment = phrases.COMMITMENT.search(folded)
        if not commitment:
            continue
        before = folded[:commitment.start()]
        trailing = bool(TRAILING_COMMITMENT_RE.match(commitment.group(0)))
        # 'a review … is a suitable remedy' names the remedy before the commitment; 'agreed to …' after it.
        action = folded[max(before.rfind(" that ") + 1, 0):commitment.start()] if trailing else folded[commitment.end():]
        already = phrases.ALREADY_DONE.search(action if trailing else before)
        if already and (trailing or not FUTURE_WORD_RE.search(folded[commitment.start():])):
            continue  # what the organisation did before: not a new remedy
        if MODAL_RE.match(commitment.group(0)) and not (
                ACTOR_BEFORE_RE.search(before) or (re.search(r"\b(?:and|but|so)\s*$", before) and ACTOR_RE.search(before))):
            continue  # 'investigations will be subject to approval': no one is committing to anything
        deadline_match = DEADLINE_RE.search(folded)
        deadline = _deadline_text(deadline_match) if deadline_match else None
        remedies.extend(_clause_remedies(action, sentence.strip(), deadline))
    return remedies


def _clause_remedies(action: str, sentence: str, deadline: str | None) -> list[Remedy]:
    clauses = [c.strip() for c in CLAUSE_BOUNDARY_RE.split(action)]
    found: list[Remedy] = []
    previous_kind: str | None = None
    current_payment: list[Remedy] = []
    for clause in clauses:
        if not clause:
            continue
        if NOT_A_REMEDY_RE.search(clause) and not re.search(r"\bpay|£", clause, re.I):
            previous_kind = None
            continue
        if previous_kind == "training" and clause.lower().startswith("to "):
            continue  # 'remind staff to …, to …': what staff are reminded of, not more remedies
        kind = _clause_kind(clause)
        amounts = [(value, match) for value, match in _amounts(clause)
                   if not BOUND_BEFORE_RE.search(clause[:match.start()]) and not RANGE_AFTER_RE.match(clause[match.end():])]
        if kind is None and amounts and previous_kind == "payment":
            kind = "payment"
        if kind is None:
            for remedy in current_payment:  # purposes often follow the payment: 'for her distress and time and trouble'
                for purpose in _purposes(clause):
                    if purpose not in remedy.purposes:
                        remedy.purposes.append(purpose)
            continue
        previous_kind = kind
        if kind == "payment":
            current_payment = [Remedy(kind="payment", text=sentence, purposes=_purposes(clause), deadline=deadline)
                               for _ in amounts]
            for remedy, (value, match) in zip(current_payment, amounts, strict=True):
                remedy.amount, remedy.rate = _paid(value, clause[match.end():])
            if not current_payment:
                current_payment = [Remedy(kind="payment", text=sentence, purposes=_purposes(clause), deadline=deadline)]
            found.extend(current_payment)
            continue
        current_payment = []
        found.append(Remedy(kind=kind, text=sentence, deadline=deadline))
    for remedy in found:
        if remedy.kind == "payment" and not remedy.purposes:
            remedy.purposes = ["other"]
    return found


def _clause_kind(clause: str) -> str | None:
    best: tuple[int, int, str] | None = None
    for order, (kind, pattern) in enumerate(CLAUSE_KIND_PATTERNS):
        match = pattern.search(clause)
        if match and (best is None or (match.start(), order) < best[:2]):
            best = (match.start(), order, kind)
    return best[2] if best else None
