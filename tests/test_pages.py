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
    """The statement's HTML is cached per decision version: a re-import replaces it."""
    from tests.factories import make_decision

    decision = make_decision(complaint="Mr X complains about a leaking culvert.")
    url = decision.get_absolute_url()
    assert "leaking culvert" in client.get(url).content.decode()
    assert "leaking culvert" in client.get(url).content.decode()  # now from the cache
    from decisions.services import DecisionImporter
    from tests.factories import statement_text

    text = statement_text(reference=decision.reference, organisation="Testshire County Council",
                          complaint="Mr X complains about a blocked culvert.")
    assert DecisionImporter().import_bytes(text.encode(), source_name="again.txt").status == "updated"
    page = client.get(url).content.decode()
    assert "blocked culvert" in page and "leaking culvert" not in page
    marked = client.get(url + "?q=culvert").content.decode()
    assert "<mark>culvert</mark>" in marked
