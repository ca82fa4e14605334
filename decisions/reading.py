"""The decision page: the statement laid out with anchors (and the reader's search marked),
where each remedy and finding was read from, and similar decisions."""

from __future__ import annotations

import re

from django.utils.text import slugify

from decisions.caching import cached
from decisions.models import Decision
from decisions.search import Query, highlight

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


def statement_sections(decision: Decision, query: Query | None = None) -> list[dict]:
    """Sections ready for the page: anchors for every heading and paragraph, text escaped
    (and marked where it matches the reader's search)."""
    used: set[str] = set()

    def anchor(text: str, fallback: str) -> str:
        base = slugify(text)[:60] or fallback
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        return candidate

    def paragraphs(items, section_id, counter):
        rendered = []
        for item in items:
            counter[0] += 1
            text = item.get("text", "")
            rendered.append({
                "id": f"{section_id}-{counter[0]}",
                "text": text,
                "number": item.get("number"),
                "level": min(int(item.get("level") or 0), 3),
                "style": item.get("style", "text"),
                "html": highlight(text, query) if query is not None else text,
            })
        return rendered

    sections = []
    for index, section in enumerate(decision.body or [], start=1):
        section_id = anchor(section.get("heading", ""), f"section-{index}")
        counter = [0]
        sections.append({
            "id": section_id,
            "heading": section.get("heading", ""),
            "paragraphs": paragraphs(section.get("paragraphs", []), section_id, counter),
            "subsections": [
                {"id": anchor(sub.get("heading", ""), f"{section_id}-part"), "heading": sub.get("heading", ""),
                 "paragraphs": paragraphs(sub.get("paragraphs", []), section_id, counter)}
                for sub in section.get("subsections", [])
            ],
        })
    return sections

def locate_evidence(decision: Decision, items, body: list[dict]) -> None:
    """Give each remedy or finding an ``anchor``: where on the page its sentence is (summary, a paragraph)."""
    paragraphs = [(p["id"], p["text"]) for section in body
                  for p in section["paragraphs"] + [q for sub in section["subsections"] for q in sub["paragraphs"]]]
    for item in items:
        sentence = (item.text or "").strip()
        if getattr(item, "basis", "") == "outcome":
            item.anchor = "outcome"
        elif sentence and sentence in decision.summary:
            item.anchor = "summary"
        else:
            item.anchor = next((pid for pid, text in paragraphs if sentence and sentence in text), "")

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
        found = {d.pk: d for d in Decision.objects.filter(pk__in=ids).select_related("council").only(
            "reference", "decision_date", "outcome", "council__name")}
        return [found[pk] for pk in ids if pk in found]

    return cached(("related", decision.pk, limit), chosen)
