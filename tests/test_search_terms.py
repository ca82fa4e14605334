"""Search in the words of the field: topics, synonyms, spellings, 'did you mean', and why a result matched.

Runs on SQLite and PostgreSQL: each expectation holds on both.
"""

import json
import re
import sys
from pathlib import Path

import pytest

from decisions import search
from decisions.search import suggest
from decisions.search.params import SearchParams
from decisions.search.query import SYNONYMS_FILE, words_of
from decisions.search.results import SearchResults
from tests.factories import make_decision
from tests.searching import found

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def ranked(text):
    return [d.reference for d in SearchResults(SearchParams(q=text)).ranked()]


def test_the_synonyms_file_is_well_formed():
    seen: dict[tuple, int] = {}
    groups = 0
    section = ""
    for number, line in enumerate(SYNONYMS_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("["):
            section = line.strip()
        if not line.strip() or line.startswith("#") or line.startswith("["):
            continue
        groups += 1
        if section == "[synonyms]":  # each group says which topic it belongs to
            topic, equals, line = line.partition(" = ")
            assert equals and topic.strip() and topic.strip()[0].isupper(), f"line {number}: 'Topic = term | …'"
        terms = [tuple(words_of(part)) for part in line.split("|")]
        assert all(terms) and len(terms) >= 2, f"line {number}: a group needs two terms or more"
        for term in terms:
            assert term not in seen, f"line {number}: {' '.join(term)!r} is also on line {seen[term]}"
            seen[term] = number
    assert groups >= 40
    for abbreviation in ("sen", "ehcp", "asb", "dfg", "ctr", "hb", "dols", "chc", "pip", "hmo", "tpo"):
        assert (abbreviation,) in search.synonym_groups(), abbreviation


@pytest.mark.parametrize(("typed", "also"), [
    ("asb", "anti social behaviour"),
    ("ehc plan", "ehcp"),
    ("ehcp", "special educational needs"),
    ("home care", "domiciliary care"),
    ("bins", "refuse collection"),
    ("care home fees", "charging"),
    ("tpo", "tree preservation order"),
    ("council tax reduction", "ctr"),
    ("antisocial", "anti social"),
    ("re-assessment", "reassessment"),
    ("reassessment", "re assessment"),
    ("judgement", "judgment"),
    ("licence", "license"),
])
def test_a_search_also_looks_for_the_other_words(typed, also):
    query = search.parse_query(typed)
    terms = {" ".join(t.words) for group in query.wanted for t in group}
    assert also in terms
    assert query.expansions and query.expansions[0][1]


def test_synonyms_find_the_topic_and_spellings_find_the_text_on_both_databases():
    filed = make_decision(category="Environment and regulation", subcategory="Antisocial behaviour",
                          summary="Mr X complained about his neighbour's behaviour.")
    said = make_decision(summary="Mr Y complained about anti-social behaviour by his neighbour.")
    written = make_decision(summary="Ms Z says the ASB team did not call back.")
    ehcp = make_decision(category="Education", subcategory="Special educational needs",
                         summary="The Council delayed issuing the plan for Y.")
    judgment = make_decision(summary="The Council's professional judgment was not at fault.")
    reassess = make_decision(summary="The Council agreed to a re-assessment of her needs.")
    make_decision(summary="Mrs Z complained about a pothole.")
    # A synonym finds the decisions filed under the topic it names, and the word itself anywhere.
    assert found("asb") == sorted([filed.reference, written.reference])
    assert found("ehcp") == [ehcp.reference]
    # Another spelling finds the same word anywhere in the text.
    assert found("antisocial") == sorted([filed.reference, said.reference])  # the topic holds the word too
    assert found("anti-social behaviour") == sorted([filed.reference, said.reference])
    assert found("judgement") == [judgment.reference]
    assert found("reassessment") == [reassess.reference]
    assert found("-asb pothole") == found("pothole")


def test_a_topic_ranks_the_decisions_filed_under_it_first():
    for _ in range(4):  # words in most decisions are listed newest first, not ranked: keep these rare
        make_decision(summary="Mrs Z complained about a pothole.")
    refused = make_decision(category="Housing", subcategory="Homelessness",
                            summary="The Council refused his application, refused a review and refused to explain. "
                                    "It refused again.")
    refuse = make_decision(category="Environment and regulation", subcategory="Refuse and recycling",
                           summary="Mrs X complained that her collections were missed.")
    assert ranked("refuse")[:2] == [refuse.reference, refused.reference]
    assert ranked("refuse and recycling")[0] == refuse.reference
    charging = make_decision(category="Adult care services", subcategory="Charging",
                             summary="Mr Y complained about the fees for his mother's care.")
    make_decision(category="Transport and highways", subcategory="Parking and other penalties",
                  summary="The Council was charging for parking without signs. Charging continued for months.")
    assert ranked("charging")[0] == charging.reference
    assert ranked("care home fees")[0] == charging.reference


def test_did_you_mean_offers_the_archive_s_own_spelling(client):
    make_decision(category="Housing", subcategory="Homelessness",
                  summary="The Council failed to deal with his homelessness application for months.")
    make_decision(category="Housing", subcategory="Homelessness",
                  summary="The Council did not secure accommodation: her homelessness duty was not met.")
    assert suggest.did_you_mean(search.parse_query("homelesness delays"), 0) == "homelessness delays"
    assert suggest.did_you_mean(search.parse_query("homelessness"), 2) is None  # every word is known
    assert suggest.did_you_mean(search.parse_query("homelesness"), 10) is None  # enough results
    content = client.get("/decisions/", {"q": "homelesness", "sort": "newest"}).content.decode()
    assert "these are the results for <strong>homelessness</strong>" in content  # corrected at once
    content = client.get("/decisions/", {"q": "homelesness", "sort": "newest", "match": "all"}).content.decode()
    assert re.search(r'Did you mean <a href="\?q=homelessness&amp;[^"]*sort=newest[^"]*">homelessness</a>\?', content)


def test_results_say_why_they_matched(client):
    make_decision(category="Environment and regulation", subcategory="Antisocial behaviour",
                  summary="Mr X complained the Council ignored his reports about his neighbour.")
    content = client.get("/decisions/", {"q": "asb"}).content.decode()
    assert "Filed under Antisocial behaviour, a topic you searched for." in content
    assert re.search(r"Also searched for words that mean the same:\s*<span class=\"expansion\">antisocial behaviour, "
                     r"anti-social behaviour", content)
    # The extract comes from the statement, never from the topic line the result shows already.
    assert "Environment and regulation › <mark>" not in content


DEVSET = ROOT.parent / "shared" / "devset"
# Mean precision of the first five for the dev set's topic searches (bench/relevance.py) when this
# floor was last raised: 0.98 on both databases.
RELEVANCE_FLOOR = 0.95
PLAIN_FLOOR = 0.85  # dev set, plain words: 0.86 on SQLite, 0.89 on PostgreSQL when set


def test_dev_set_topic_searches_do_not_get_worse(client, django_assert_max_num_queries):
    if not (DEVSET / "manifest.json").exists():
        pytest.skip(f"no dev set at {DEVSET}")
    from django.core.management import call_command

    sys.path.insert(0, str(ROOT / "bench"))
    import relevance

    call_command("import_decisions", str(DEVSET), verbosity=0)
    done = relevance.run(DEVSET, client)
    named = [s for s in done if s.kind != "plain"]
    assert len(named) >= 60
    worst = sorted(named, key=lambda s: s.precision)[:5]
    assert relevance.mean(named) >= RELEVANCE_FLOOR, [(s.text, s.precision, s.got) for s in worst]
    assert relevance.mean(done, "topic") >= RELEVANCE_FLOOR
    # Searches in complainants' own words: best matches, never nothing.
    plain = [s for s in done if s.kind == "plain"]
    assert len(plain) >= 30
    worst = sorted(plain, key=lambda s: s.precision)[:5]
    assert relevance.mean(plain) >= PLAIN_FLOOR, [(s.text, s.precision, s.got) for s in worst]
    assert all(s.got for s in plain), [s.text for s in plain if not s.got]
    manifest = json.loads((DEVSET / "manifest.json").read_text())
    assert len(relevance.topics(manifest)) >= 26


def test_a_misspelt_search_that_finds_nothing_shows_the_corrected_search(client, seeds):
    from tests.factories import make_decision

    make_decision(summary="The Council delayed Mr Z's homelessness application and has agreed to apologise.",
                  category="Housing", subcategory="Homelessness")
    html = client.get("/decisions/", {"q": "homelesness"}).content.decode()
    assert "No decision has “homelesness”, so these are the results for <strong>homelessness</strong>" in html
    assert 'class="result"' in html and 'href="?q=homelesness&amp;match=all">Search for “homelesness” as typed' in html
    as_typed = client.get("/decisions/", {"q": "homelesness", "match": "all"}).content.decode()
    assert 'class="result"' not in as_typed and "Did you mean" in as_typed  # exactly as typed, with the offer
