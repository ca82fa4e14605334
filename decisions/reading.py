"""The decision page: the statement laid out with anchors (and the reader's search marked),
where each remedy and finding was read from, and similar decisions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.text import slugify

from decisions.caching import cached
from decisions.models import Decision
from decisions.search import Query, highlight, marks
from decisions.statements.text import split_sentences

RELATED_POOL = 300
# Words too common in statements to say what a decision is about.
COMMON_WORDS = frozenset({
    "about", "above", "after", "again", "against", "also", "although", "among", "because", "before", "being",
    "below", "between", "both", "cannot", "complaint", "complaints", "complained", "complains", "council",
    "councils", "could", "decision", "decisions", "during", "every", "fault", "from", "further", "have",
    "having", "into", "investigate", "investigation", "made", "make", "more", "most", "much", "other", "over",
    "should", "since", "some", "such", "than", "that", "their", "them", "then", "there", "these", "they",
    "this", "those", "through", "under", "until", "upon", "what", "when", "where", "which", "while", "will",
    "with", "would", "ombudsman", "found", "find", "finding", "caused", "cause", "injustice", "agreed",
    "remedy", "asked", "said", "says",
})


def distinctive_words(text: str, limit: int = 8) -> list[str]:
    """A few telling words of a text, for finding similar decisions."""
    words: list[str] = []
    for word in re.findall(r"[A-Za-z]{5,}", text or ""):
        lowered = word.lower()
        if lowered not in COMMON_WORDS and lowered not in words:
            words.append(lowered)
    return sorted(words, key=len, reverse=True)[:limit]


# A real statement (3–60 KB) is one part; a longer one is read in parts of about this many
# characters, so no page renders more than this (a 1 MB statement: 17 parts).
PART_CHARS = 60_000


@dataclass
class Statement:
    """One part of a statement, laid out for the page, with links that find any anchor's part."""

    sections: list[dict]  # this part's sections, each with this part's paragraphs and subsections
    contents: list[dict]  # every section: id, heading, href
    part: int
    parts: int
    part_of: dict[str, int] = field(default_factory=dict)  # anchor id -> its part
    keep: dict[str, str] = field(default_factory=dict)  # parameters links to other parts carry (the search)

    path: str = ""
    paragraph_texts: list[tuple[str, str]] = field(default_factory=list)  # every paragraph: (anchor, text)
    matches: list[str] = field(default_factory=list)  # anchors of the paragraphs the reader's search marks

    @property
    def first_match_href(self) -> str:
        return self.href(self.matches[0]) if self.matches else ""

    def href(self, anchor: str) -> str:
        """A link to an anchor: within this page, or to the part that holds it."""
        part = self.part_of.get(anchor, self.part)
        return f"#{anchor}" if part == self.part else f"{self.part_url(part)}#{anchor}"

    def part_url(self, part: int) -> str:
        params = {**self.keep, **({"part": part} if part > 1 else {})}
        return f"{self.path}?{urlencode(params)}" if params else self.path

    @property
    def previous_url(self) -> str | None:
        return self.part_url(self.part - 1) if self.part > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.part_url(self.part + 1) if self.part < self.parts else None


def statement_part(decision: Decision, query: Query | None = None, part: int = 1,
                   keep: dict[str, str] | None = None) -> Statement:
    """The statement's part ``part`` (clamped to the parts there are): anchors for every heading
    and paragraph, text escaped, and marked where it matches the reader's search. Only this
    part's paragraphs are rendered, however long the statement."""
    used: set[str] = set()

    def anchor(text: str, fallback: str) -> str:
        base = slugify(text)[:60] or fallback
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        return candidate

    # First pass: every anchor and the part it falls in, by the characters before it.
    # Top-level numbered paragraphs are numbered once through the statement, as the Ombudsman's
    # printed statements are (saved text restarts at 1 in each section): #para-14 shows "14.".
    # Anything else (a sub-item, a bullet, an unnumbered paragraph) is anchored under the
    # paragraph before it: #para-14-1, #para-14-2 (before the first: #intro-1).
    part_of: dict[str, int] = {}
    current, filled = 1, 0
    para, under = 0, 0
    layout = []
    for index, section in enumerate(decision.body or [], start=1):
        section_id = anchor(section.get("heading", ""), f"section-{index}")
        groups = [(None, section.get("paragraphs", []))] + [
            (anchor(sub.get("heading", ""), f"{section_id}-part"), sub.get("paragraphs", []), sub.get("heading", ""))
            for sub in section.get("subsections", [])]
        laid = {"id": section_id, "heading": section.get("heading", ""), "groups": [], "first": para + 1}
        for group in groups:
            sub_id, items = group[0], group[1]
            paragraphs = []
            for item in items:
                text = item.get("text", "")
                if filled and filled + len(text) > PART_CHARS:
                    current, filled = current + 1, 0
                filled += len(text)
                if item.get("style") == "numbered" and not int(item.get("level") or 0):
                    para, under = para + 1, 0
                    paragraph_id, number, name = f"para-{para}", str(para), f"paragraph {para}"
                else:
                    under += 1
                    paragraph_id, number = (f"para-{para}-{under}" if para else f"intro-{under}"), item.get("number")
                    name = f"part {under} of paragraph {para}" if para else "this paragraph"
                part_of[paragraph_id] = current
                paragraphs.append((current, paragraph_id, {**item, "number": number, "name": name}, text))
            first_part = paragraphs[0][0] if paragraphs else current
            if sub_id:
                part_of[sub_id] = first_part
            else:
                part_of[section_id] = first_part
            laid["groups"].append((sub_id, group[2] if sub_id else "", paragraphs))
        laid["paragraphs"] = (laid["first"], para) if para >= laid["first"] else None
        layout.append(laid)
    parts = current
    part = min(max(part, 1), parts)

    # Second pass: this part's sections, rendered.
    sections = []
    for laid in layout:
        own = {"id": laid["id"], "heading": laid["heading"], "continued": part_of[laid["id"]] < part,
               "paragraphs": [], "subsections": []}
        for sub_id, sub_heading, paragraphs in laid["groups"]:
            rendered = [{"id": paragraph_id, "text": text, "number": item.get("number"), "name": item["name"],
                         "level": min(int(item.get("level") or 0), 3), "style": item.get("style", "text"),
                         "html": highlight(text, query) if query is not None else text}
                        for in_part, paragraph_id, item, text in paragraphs if in_part == part]
            if sub_id is None:
                own["paragraphs"] = rendered
            elif rendered or part_of[sub_id] == part:
                own["subsections"].append({"id": sub_id, "heading": sub_heading, "paragraphs": rendered,
                                           "continued": part_of[sub_id] < part})
        if own["paragraphs"] or own["subsections"] or part_of[laid["id"]] == part:
            sections.append(own)
    statement = Statement(sections=sections, contents=[], part=part, parts=parts, part_of=part_of, keep=keep or {},
                          path=decision.get_absolute_url(),
                          paragraph_texts=[(paragraph_id, text) for laid in layout for _, _, paragraphs in laid["groups"]
                                           for _, paragraph_id, _, text in paragraphs])
    if query is not None:
        statement.matches = [paragraph_id for paragraph_id, text in statement.paragraph_texts if marks(text, query)]
        places = {paragraph_id: index for index, paragraph_id in enumerate(statement.matches)}
        for section in sections:
            for paragraph in section["paragraphs"] + [p for sub in section["subsections"] for p in sub["paragraphs"]]:
                if (index := places.get(paragraph["id"])) is not None:
                    paragraph["match"] = {
                        "number": index + 1,
                        "previous": statement.href(statement.matches[index - 1]) if index else "",
                        "next": statement.href(statement.matches[index + 1]) if index + 1 < len(places) else ""}
    statement.contents = [{"id": laid["id"], "heading": laid["heading"], "href": statement.href(laid["id"]),
                           "paragraphs": laid["paragraphs"]} for laid in layout]
    return statement


def locate_evidence(decision: Decision, items, statement: Statement) -> None:
    """Give each remedy or finding an ``anchor`` (where its sentence is: the summary, the outcome,
    a paragraph) and an ``href`` to it, in whichever part of the statement holds it."""
    for item in items:
        sentence = (item.text or "").strip()
        if getattr(item, "basis", "") == "outcome":
            item.anchor = "outcome"
        elif sentence and sentence in decision.summary:
            item.anchor = "summary"
        else:
            item.anchor = next((pid for pid, text in statement.paragraph_texts if sentence and sentence in text), "")
        item.href = statement.href(item.anchor) if item.anchor not in ("", "summary", "outcome") else f"#{item.anchor}"


def similar_decisions(decision: Decision, limit: int = 5) -> list[Decision]:
    """The most similar decisions: the same subcategory, ordered by words shared with this summary.

    Scored among the subcategory's newest RELATED_POOL decisions, so the cost does not
    grow with the archive (and needs no full-text query). The pool's words are cached per
    subcategory and each decision's choice per decision, until the data changes.
    """
    if decision.subcategory_id:
        group = ("subcategory_id", decision.subcategory_id)
    elif decision.category_id:
        group = ("category_id", decision.category_id)
    else:
        group = ("council_id", decision.council_id)

    def pool() -> list[tuple[int, frozenset]]:
        rows = (Decision.objects.published().filter(**{group[0]: group[1]}).order_by("-decision_date", "-pk")
                .values_list("pk", "summary")[:RELATED_POOL + 1])
        return [(pk, frozenset(distinctive_words(summary, limit=50))) for pk, summary in rows]

    def compute() -> list[int]:
        candidates = [(pk, words) for pk, words in cached(("related pool", group), pool) if pk != decision.pk]
        mine = frozenset(distinctive_words(decision.summary, limit=50))
        ranked = sorted(candidates[:RELATED_POOL], key=lambda row: -len(mine & row[1]))  # stable: newest first
        return [pk for pk, _ in ranked[:limit]]

    def chosen() -> list[Decision]:
        ids = compute()
        found = {d.pk: d for d in Decision.objects.filter(pk__in=ids).select_related(
            "council", "category", "subcategory").only(
            "reference", "decision_date", "outcome", "summary", "council__name", "category__name", "subcategory__name")}
        for other in found.values():
            other.lead = " ".join(split_sentences(other.summary or "")[:1])
        return [found[pk] for pk in ids if pk in found]

    return cached(("related", decision.pk, limit), chosen)
