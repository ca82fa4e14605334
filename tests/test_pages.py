"""The public pages built on the foundation."""

import pytest

from decisions.models import Decision
from decisions.reading import similar_decisions

pytestmark = pytest.mark.django_db


def test_home_lists_the_imported_decisions(client, seeds):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    for decision in Decision.objects.all():
        assert decision.reference in content


def test_decision_page_and_unpublished_404(client, seeds):
    response = client.get("/decisions/20-003-763/")
    assert response.status_code == 200
    assert "Dorset Council (20 003 763)" in response.content.decode()
    Decision.objects.filter(reference="20 003 763").update(is_published=False)
    assert client.get("/decisions/20-003-763/").status_code == 404
    assert "20 003 763" not in client.get("/").content.decode()


def test_similar_decisions_share_the_most_words_within_the_subcategory():
    from tests.factories import make_decision

    mine = make_decision(subcategory="Enforcement", summary="Mrs Q complained about scaffolding and hoardings "
                                                            "blocking the pavement outside her shop.")
    close = make_decision(subcategory="Enforcement", summary="Scaffolding and hoardings blocked a pavement "
                                                             "beside a shop for months.")
    partial = make_decision(subcategory="Enforcement", summary="The Council left scaffolding up too long.")
    unrelated = make_decision(subcategory="Enforcement", summary="A dispute about a hedge height notice.")
    elsewhere = make_decision(subcategory="Trees", summary="Scaffolding and hoardings blocking the pavement "
                                                           "outside a shop.")
    hidden = make_decision(subcategory="Enforcement", summary="Scaffolding and hoardings blocking the pavement "
                                                              "outside her shop, again.")
    Decision.objects.filter(pk=hidden.pk).update(is_published=False)
    related = [d.pk for d in similar_decisions(mine, limit=5)]
    assert related[:2] == [close.pk, partial.pk]
    assert unrelated.pk in related
    assert mine.pk not in related and elsewhere.pk not in related and hidden.pk not in related
    newer = make_decision(subcategory="Enforcement", summary="Scaffolding, hoardings, a blocked pavement and "
                                                             "a shop: Mrs R complained too.")
    assert similar_decisions(mine, limit=1) == [Decision.objects.get(pk=newer.pk)]  # a write refreshes the cached choice


def test_a_changed_decision_shows_its_new_statement_at_once(client):
    """A re-import shows its new statement on the next request (pages are not served from a stale copy)."""
    from tests.factories import make_decision

    decision = make_decision(complaint="Mr X complains about a leaking culvert.")
    url = decision.get_absolute_url()
    assert "leaking culvert" in client.get(url).content.decode()
    from decisions.services import DecisionImporter
    from tests.factories import statement_text

    text = statement_text(reference=decision.reference, organisation="Testshire County Council",
                          complaint="Mr X complains about a blocked culvert.")
    assert DecisionImporter().import_bytes(text.encode(), source_name="again.txt").status == "updated"
    page = client.get(url).content.decode()
    assert "blocked culvert" in page and "leaking culvert" not in page
    marked = client.get(url + "?q=culvert").content.decode()
    assert "<mark>culvert</mark>" in marked


def _long_statement(sections: int, paragraphs: int = 40) -> str:
    sentence = "The Council delayed its response to Mrs X and this caused her distress and uncertainty. " * 3
    lines = ["Northshire County Council (99 123 456)", "", "Category : Adult care services > Charging", "",
             "Decision : Upheld", "", "Decision date : 3 Mar 2024", "",
             "Summary: The Council was at fault. It has agreed to apologise and pay Mrs X £300.", ""]
    for number in range(1, sections + 1):
        lines += ["", f"What I found part {number}", ""]
        lines += [f"  {n}. {sentence}" for n in range(1, paragraphs + 1)]
        lines += ["", "Back to top"]
    lines += ["", "Agreed action", "", "  1. Within one month the Council will pay Mrs X £300 for her distress.", ""]
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_a_long_statement_is_read_in_parts_with_links_that_find_each_part(client):
    from decisions.reading import PART_CHARS
    from decisions.services import DecisionImporter

    text = _long_statement(sections=20)
    assert len(text) > 3 * PART_CHARS
    assert DecisionImporter().import_bytes(text.encode(), source_name="long.txt").status == "created"
    first = client.get("/decisions/99-123-456/")
    statement = first.context["statement"]
    assert statement.parts >= 4 and statement.part == 1
    html = first.content.decode()
    assert f"part 1 of {statement.parts}" in html and 'rel="next"' in html and 'rel="prev"' not in html
    assert len(html) < 2 * PART_CHARS + 60_000  # one part, not the whole statement
    # The contents and the remedies table link to the part that holds their anchor.
    last_section = statement.contents[-1]
    assert last_section["href"] == f"/decisions/99-123-456/?part={statement.parts}#{last_section['id']}"
    payment = next(r for r in first.context["remedies"] if r.kind == "payment")
    assert payment.href in (f"/decisions/99-123-456/?part={statement.parts}#{payment.anchor}", "#summary")
    last = client.get(last_section["href"].split("#")[0])
    assert f'id="{last_section["id"]}"' in last.content.decode() and 'rel="next"' not in last.content.decode()
    # A part past the end is the last part; nonsense is the first.
    assert client.get("/decisions/99-123-456/?part=999").context["statement"].part == statement.parts
    assert client.get("/decisions/99-123-456/?part=abc").context["statement"].part == 1
    # A search carried into the statement is kept by the links between parts.
    searched = client.get("/decisions/99-123-456/?q=distress").context["statement"]
    assert searched.next_url == "/decisions/99-123-456/?q=distress&part=2"
    middle = client.get("/decisions/99-123-456/?part=2").content.decode()
    assert "(continued)" in middle or "What I found part" in middle


@pytest.mark.django_db
def test_a_real_sized_statement_is_one_part(client, seeds):
    response = client.get("/decisions/20-003-763/")
    assert response.context["statement"].parts == 1
    assert "statement-parts" not in response.content.decode()


@pytest.mark.django_db
def test_a_statement_larger_than_a_real_one_is_refused():
    from decisions.services import MAX_FILE_BYTES, DecisionImporter

    text = _long_statement(sections=1 + MAX_FILE_BYTES // 10_000)
    assert len(text.encode()) > MAX_FILE_BYTES
    result = DecisionImporter().import_bytes(text.encode(), source_name="huge.txt")
    assert result.status == "failed" and "larger than 1 MB" in result.reason
