"""Searches in everyday words: best matches when no decision has every word, on both databases."""

import csv
import io
import json

import pytest

from decisions import search
from decisions.search.params import SearchParams
from decisions.search.results import MOST_WORDS, SearchResults
from tests.factories import make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(db):
    """Decisions about refuse collection, damp and a school bus, and one that has none of it."""
    made = {
        "bins": make_decision(reference="41 000 001", category="Environment and regulation",
                              subcategory="Refuse and recycling",
                              summary="The Council failed to collect Mrs X's recycling for six weeks.",
                              complaint="Mrs X complains her green wheelie bin was missed every fortnight."),
        "bins2": make_decision(reference="41 000 002", category="Environment and regulation",
                               subcategory="Refuse and recycling",
                               summary="The Council missed Mr Y's garden waste collection repeatedly."),
        "damp": make_decision(reference="41 000 003", category="Housing", subcategory="Private housing",
                              summary="The Council did not act on Ms Z's reports of damp and mould in her flat.",
                              complaint="Ms Z complains her landlord ignored the mould for a year."),
        "transport": make_decision(reference="41 000 004", category="Education", subcategory="School transport",
                                   summary="The Council refused Mr B's son a place on the school bus.",
                                   complaint="Mr B complains the Council would not give his son a bus pass."),
        "other": make_decision(reference="41 000 005", category="Planning", subcategory="Enforcement",
                               summary="The Council properly considered a breach of planning control."),
    }
    return {key: decision.reference for key, decision in made.items()}


def listed(text, **params):
    results = SearchResults(SearchParams(q=text, **params))
    return results.selection, [d.reference for d in results.ranked()]


def test_a_description_with_no_all_words_match_lists_the_decisions_with_most_of_them(housing):
    selection, found = listed("my landlord won't fix the mould in my flat and the walls are wet")
    assert selection.kind == MOST_WORDS
    assert found[0] == housing["damp"]  # landlord, mould and flat: the most telling words
    assert housing["other"] not in found
    assert "walls" in selection.unmatched and "wet" in selection.unmatched
    strict, none = listed("my landlord won't fix the mould in my flat and the walls are wet", match="all")
    assert strict.kind == "all words" and none == []


def test_decisions_with_every_word_come_first(housing):
    make_decision(reference="41 000 006", summary="Ms Q's landlord left damp and mould and a leaking flat roof.")
    selection, found = listed("landlord damp mould leaking roof")
    assert selection.kind == MOST_WORDS and selection.all_words == 1
    assert found[0] == "41 000 006"
    assert housing["damp"] in found


def test_a_quoted_phrase_or_an_excluded_word_never_broadens(housing):
    _, found = listed('"wheelie bin" fortnight zebra giraffe')
    assert found == [housing["bins"]]  # the phrase still holds; only the bare words were optional
    _, found = listed("bin collection mould -landlord")
    assert housing["damp"] not in found
    _, nothing = listed('"purple wheelie bin"')
    assert nothing == []


def test_everyday_words_find_the_topic_they_name(housing):
    _, found = listed("the bin men never come to our street")
    assert set(found[:2]) == {housing["bins"], housing["bins2"]}  # filed under Refuse and recycling
    _, found = listed("council won't give my son a bus pass")
    assert found[0] == housing["transport"]


def test_possessives_and_contractions_are_words_not_phrases():
    query = search.parse_query("my son's plan isn't ready and they won't say why")
    assert [[" ".join(t.words) for t in group][0] for group in query.groups] == ["son", "plan", "ready"]
    assert not any(term.phrase for group in query.groups for term in group)
    assert {"my", "won", "isn"} <= set(query.skipped) or {"my", "won"} <= set(query.skipped)
    assert search.parse_query("council").groups  # an everyday word alone is searched
    assert [t.words for t in search.parse_query('"the council" delay').groups[0]] == [["the", "council"]]


def test_the_page_says_what_it_shows_and_links_to_the_strict_search(client, housing):
    html = client.get("/decisions/", {"q": "my landlord won't fix the mould and the walls are wet"}).content.decode()
    assert "No decision has all of your words; these match most of them" in html
    assert "No decision has “fix”, “walls”, “wet”." in html
    assert "Not searched for, as too common: my, won, the, and, are." in html
    assert 'href="?q=my+landlord+won%27t+fix+the+mould+and+the+walls+are+wet&amp;match=all"' in html
    assert "<mark>mould</mark>" in html  # the words each result matched are marked


def test_the_topic_most_results_share_is_offered(client, housing):
    for n in range(4):
        make_decision(reference=f"41 000 1{n}0", category="Environment and regulation",
                      subcategory="Refuse and recycling", summary=f"The Council missed bin collections {n} times.")
    html = client.get("/decisions/", {"q": "missed bin collections"}).content.decode()
    assert "Most decisions like this are filed under Environment and regulation › Refuse and recycling" in html
    assert "subcategory=environment-and-regulation%2Frefuse-and-recycling" in html


def test_the_api_says_which_kind_of_result_and_exports_hold_the_same_decisions(client, housing):
    text = "my landlord won't fix the mould and the walls are wet"
    data = client.get("/api/decisions/", {"q": text}).json()
    assert data["match"] == "most words" and "walls" in data["unmatched_words"]
    assert client.get("/api/decisions/", {"q": "mould"}).json()["match"] == "all words"
    page = [row["reference"] for row in data["results"]]
    exported = b"".join(client.get("/decisions/export.csv", {"q": text}).streaming_content).decode("utf-8-sig")
    assert [row["reference"] for row in csv.DictReader(io.StringIO(exported))] == page
    as_json = json.loads(b"".join(client.get("/decisions/export.json", {"q": text}).streaming_content))
    assert [row["reference"] for row in as_json["decisions"]] == page
    feed = client.get("/decisions/feed.atom", {"q": text}).content.decode()
    assert all(reference in feed for reference in page)


def test_when_a_few_decisions_have_every_word_the_page_says_they_come_first(client, housing):
    make_decision(reference="41 000 006", summary="Ms Q's landlord left damp and mould and a leaking flat roof.")
    html = client.get("/decisions/", {"q": "landlord damp mould leaking roof"}).content.decode()
    assert "Only 1 decision has all of your words: it comes first, then those that match most of them" in html


def test_a_long_description_is_searched_and_says_it_was_shortened(client, housing):
    story = ("My landlord has left the flat with damp and mould for a year and the council will not act. "
             + " ".join(f"Then on day {n} the boiler{n} failed again and again." for n in range(60)))
    assert len(story) > 1500
    response = client.get("/decisions/", {"q": story[:2000]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your search was long" in html
    assert housing["damp"] in html.replace("-", " ")  # landlord, damp, mould, flat: still found
    data = client.get("/api/decisions/", {"q": story[:2000]}).json()
    assert data["match"] == "most words" and data["results"][0]["reference"] == housing["damp"]
    assert client.get("/api/decisions/", {"q": "x" * 2001}).status_code == 400  # past the limit: said, not cut


@pytest.mark.parametrize("text", ["a " * 400, "the my " * 300, "council " * 500, "a" + " OR a" * 300])
def test_a_long_run_of_everyday_words_is_answered(client, housing, text):
    assert client.get("/decisions/", {"q": text[:2000]}).status_code == 200
    assert client.get("/api/decisions/", {"q": text[:2000]}).status_code == 200
    assert len(search.parse_query(text[:2000]).groups) <= search.MAX_TERMS


def test_no_hint_to_a_topic_called_other(client, housing):
    for n in range(5):
        make_decision(reference=f"41 000 2{n}0", category="Environment and regulation", subcategory="Other",
                      summary=f"The Council's handling of the wombat sanctuary {n}.")
    html = client.get("/decisions/", {"q": "wombat sanctuary"}).content.decode()
    assert "wombat" in html and "Most decisions like this are filed under" not in html



def test_an_extract_is_cut_around_the_run_with_most_different_words():
    from decisions.search.highlight import text_snippet

    filler = "The officer wrote again. " * 40
    text = f"{filler} The landlord ignored it. {filler} The landlord ignored the mould and the damp in the flat. {filler}"
    extract = text_snippet(text, search.parse_query("landlord mould damp flat"), words=12)
    assert "<mark>mould</mark>" in extract and "<mark>damp</mark>" in extract and "<mark>flat</mark>" in extract
    assert text_snippet(text, search.parse_query("zebra")) is None
