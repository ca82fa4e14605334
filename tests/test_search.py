"""Search behaviour, pinned. The suite runs on SQLite and on PostgreSQL: each expectation here
holds on both, so both engines give the same results for the same queries."""

from datetime import date

import pytest

from decisions import search
from decisions.models import Decision
from decisions.search import postgresql, sqlite
from decisions.search.params import SearchParams
from decisions.search.results import SearchResults
from tests.factories import make_decision
from tests.searching import found

pytestmark = pytest.mark.django_db

DORSET, WILTSHIRE, DERBYSHIRE, STAFFORDSHIRE, HEREFORDSHIRE = (
    "20 003 763", "20 007 812", "18 011 812", "20 007 616", "22 017 902")


def ranked(text):
    """The decisions with every word, in order (best matches are tested on their own)."""
    return [d.reference for d in SearchResults(SearchParams(q=text, match="all")).ranked()]


@pytest.mark.parametrize("text, expected", [
    ("insurers", [DORSET]),
    ("insurer", [DORSET]),  # stemming: 'insurer' finds 'insurers'
    ("harassed", [WILTSHIRE]),
    ("harass", [WILTSHIRE]),
    ('"risk of harm"', sorted([DORSET, DERBYSHIRE])),
    ('"protection child"', []),  # a phrase is words in order
    ("CAFCASS", [DERBYSHIRE]),
    ("insurers OR CAFCASS", sorted([DORSET, DERBYSHIRE])),
    ("Ofsted -insurers", []),
    ("Ofsted", [DORSET]),
    ("confidentiality -court", sorted([DORSET, HEREFORDSHIRE])),  # stems: confidential(ity)
    ('"Information Commissioner" -"data protection"', [HEREFORDSHIRE]),
    ("pregnancy premature", [STAFFORDSHIRE]),
    ("Herefordshire", [HEREFORDSHIRE]),
    ("20 003 763", [DORSET]),
    ("20-003-763", [DORSET]),
    ("20003763", [DORSET]),
    ('"unbalanced quote', []),
    ('"doorstep', [WILTSHIRE]),
    ("zzzyyqx", []),
    ("", [DERBYSHIRE, DORSET, STAFFORDSHIRE, WILTSHIRE, HEREFORDSHIRE]),
    ("(*) AND: NEAR/2 ^ OR", []),
    # words with a phrase, and what is left out: on PostgreSQL each part is read by its own statement
    ('Ofsted "risk of harm"', [DORSET]),
    ('CAFCASS "risk of harm" -insurers', [DERBYSHIRE]),
    ('"risk of harm" -"Ofsted"', [DERBYSHIRE]),
    ("-insurers", sorted([DERBYSHIRE, STAFFORDSHIRE, WILTSHIRE, HEREFORDSHIRE])),
])
def test_query_syntax(seeds, text, expected):
    assert found(text) == sorted(expected)


def test_phrases_keep_their_stop_words_and_their_order(seeds):
    """On PostgreSQL a phrase is found by its word pairs (migration 0016); on both databases a
    phrase of three words, with a stop word, is found only where the words stand that way."""
    apology = make_decision(summary="The Council agreed to apologise to Mr X and pay him £100.").reference
    later = make_decision(summary="The Council agreed it would apologise later.").reference
    wants = make_decision(summary="Mr X wants an apology; the Council has agreed.").reference
    assert apology in found('"agreed to apologise"') and later not in found('"agreed to apologise"')
    assert found('"apologise to Mr X"') == [apology]
    assert not {apology, later, wants} & set(found('"agreed apologise"'))
    assert not {apology, later, wants} & set(found('"apologise agreed to"'))
    assert apology not in found('"agreed to apologise" -"pay him"')


def test_phrase_lexemes_read_postgresql_s_phrase_syntax():
    assert postgresql.phrase_lexemes("'agre' <2> 'apologis' <-> 'pay'") == [("agre", 0), ("apologis", 2), ("pay", 1)]
    assert postgresql.word_pairs([("agre", 0), ("apologis", 2), ("pay", 1)]) == ["agre~apologis~2", "apologis~pay~1"]
    assert postgresql.phrase_lexemes("'council'") == [("council", 0)]
    assert postgresql.phrase_lexemes("") == []
    assert postgresql.phrase_lexemes("'it''s' <-> 'x'") == [("it's", 0), ("x", 1)]
    for other in ("'a' & 'b'", "'a' <-> <-> 'b'", "'a' 'b'", "'a' <->", "!'a'", "( 'a' <-> 'b' )"):
        assert postgresql.phrase_lexemes(other) is None, other


def test_ranking_puts_the_organisation_first(seeds):
    assert ranked("Staffordshire")[0] == STAFFORDSHIRE
    assert ranked("Dorset harm")[0] == DORSET


def test_ranked_and_matching_agree(seeds):
    for text in ("complaint", "distress payment", '"child protection"', "court OR tribunal"):
        assert sorted(ranked(text)) == found(text)


def test_new_and_changed_decisions_are_searchable_at_once(seeds):
    decision = make_decision(summary="A complaint about xylophone lessons.")
    assert found("xylophone") == [decision.reference]
    decision.summary = "A complaint about trombone lessons."
    decision.save()
    assert found("xylophone") == []
    assert found("trombone") == [decision.reference]
    decision.delete()
    assert found("trombone") == []


def test_text_changed_by_a_bulk_update_is_searched_at_once(seeds):
    """A queryset .update() (no save, no signal) is seen too: the database keeps the index in step."""
    decision = make_decision(summary="A complaint about lessons.")
    Decision.objects.filter(pk=decision.pk).update(full_text="The bassoon teacher was late for every lesson.")
    assert found("bassoon") == [decision.reference]
    assert found('"bassoon teacher was late"') == [decision.reference]
    Decision.objects.filter(pk=decision.pk).update(is_published=False)  # no searched text changed
    assert found('"bassoon teacher was late"') == [decision.reference]
    Decision.objects.filter(pk=decision.pk).delete()
    assert found("bassoon") == []


def test_snippets_mark_terms_and_escape_html(seeds):
    decision = make_decision(complaint="Potholes <script>alert('x')</script> potholes & <b>kerbs</b>.")
    snippet = search.snippets([decision], "potholes")[decision.pk]
    assert "<mark>Potholes</mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet or "script" not in snippet


def test_a_result_shows_its_summary_marked_and_an_extract_from_the_statement(client, seeds):
    make_decision(summary="The Council failed to repair <b>potholes</b>. It will apologise. It will also pay £100. "
                          "A fourth sentence.", complaint="Mr X says the potholes on his road were never repaired.")
    html = client.get("/decisions/?q=potholes").content.decode()
    lead = html[html.index('class="summary-lead"'):]
    lead = lead[:lead.index("</p>")]
    assert "<mark>potholes</mark>" in lead and "&lt;b&gt;" in lead and "It will apologise." in lead
    assert "A fourth sentence" not in lead and "pay £100" not in lead  # two sentences
    assert 'In the statement:</span>' in html and 'Mr X says the <mark>potholes</mark>' in html


def test_snippets_only_for_the_given_decisions(seeds):
    decisions = list(Decision.objects.filter(reference__in=[DORSET, WILTSHIRE]))
    result = search.snippets(decisions, "distress")
    assert set(result) == {d.pk for d in decisions}
    assert all("<mark>" in s.lower() for s in result.values())


def test_query_parsing():
    query = search.parse_query('care "home fees" OR charges -court')
    assert sqlite.fts5_expression(query) == '("care" AND ("home fees" OR "charges")) NOT ("court")'
    assert query.to_websearch() == 'care "home fees" OR charges -court'
    long = search.parse_query("word " * 500)
    assert len(long.groups) <= search.MAX_TERMS
    assert sqlite.fts5_expression(search.parse_query('"quoted "" nonsense')) is not None


def test_highlight_marks_inflections_and_escapes():
    query = search.parse_query("assessment delayed")
    html = search.highlight("Her assessments <b>were</b> delayed; the delay grew.", query)
    assert "<mark>assessments</mark>" in html
    assert "<mark>delayed</mark>" in html and "<mark>delay</mark>" in html
    assert "&lt;b&gt;" in html


def test_a_word_in_most_decisions_lists_newest_first(seeds):
    """'complaint' is in every seed decision: its IDF is about zero, so relevance would be noise."""
    results = SearchResults(SearchParams(q="complaint"))
    assert search.ubiquitous(results.query, matches=5, archive=5)
    assert [d.reference for d in results.ranked()] == [HEREFORDSHIRE, DORSET, STAFFORDSHIRE, WILTSHIRE, DERBYSHIRE]
    assert not results.selection.score.any()  # no text score was computed
    assert not search.ubiquitous(search.parse_query("Staffordshire"), matches=1, archive=5)
    assert search.ubiquitous(search.parse_query('"the complaint"'), matches=5, archive=5)  # a phrase too
    assert not search.ubiquitous(search.parse_query("complaint"), matches=2, archive=5)


@pytest.fixture
def ferrets(seeds):
    """A word in under half of the decisions: in some summaries (ranked first), in others only in the body."""
    made = []
    for n in range(60):
        decided = date(2015 + n % 9, 1 + n % 12, 1 + n % 27)
        if n % 4 == 0:
            made.append(make_decision(summary=f"The Council kept ferrets {'and ferrets ' * (n % 4)}badly.",
                                      decided=decided))
        elif n % 4 == 1:
            complaint = "Mr X complains about the ferret enclosure next door." + (" It had a moat." if n % 8 == 1 else "")
            made.append(make_decision(complaint=complaint, decided=decided))
        else:
            made.append(make_decision(decided=decided))
    return made


def _page_references(client, url):
    import re

    html = client.get(url).content.decode()
    return re.findall(r'href="/decisions/([0-9]{2}-[0-9]{3}-[0-9]{3}[A-Z]?)/', html)


def test_result_pages_follow_the_ranked_order(client, ferrets):
    """Page after page, a listing gives exactly the search's whole order."""
    expected = [d.reference.replace(" ", "-") for d in SearchResults(SearchParams(q="ferret")).ranked()]
    assert len(expected) == 30
    pages = _page_references(client, "/decisions/?q=ferret") + _page_references(client, "/decisions/?q=ferret&page=2")
    assert pages == expected


@pytest.mark.parametrize("text", ["ferret", "ferret -moat", '"ferret enclosure" OR ferrets'])
def test_relevance_ranks_weighted_field_matches_then_the_rest_newest_first(ferrets, text):
    """The one definition of relevance, on both databases: decisions matched in the weighted
    fields (here the summary) by their text score, then those matched in the body alone,
    newest first; any slice of a page is a slice of that order."""
    results = SearchResults(SearchParams(q=text))
    order = results.ranked()
    in_summary = [d for d in order if "ferret" in d.summary.lower()]
    body_only = [d for d in order if "ferret" not in d.summary.lower()]
    assert in_summary and body_only
    assert order == in_summary + body_only
    assert body_only == sorted(body_only, key=lambda d: (d.decision_date, d.pk), reverse=True)
    assert all("moat" not in d.full_text for d in order) or "-moat" not in text
    score = dict(zip(results.selection.columns.ids.tolist(), results.selection.score.tolist(), strict=True))
    assert [score[d.pk] for d in in_summary] == sorted((score[d.pk] for d in in_summary), reverse=True)
    assert all(score[d.pk] > 0 for d in in_summary) and all(score[d.pk] == 0 for d in body_only)
    for start, stop in [(0, 7), (5, 25), (18, 31), (25, 60)]:
        assert [d.pk for d in results._ordered()[start:stop]] == [d.pk for d in order[start:stop]], (start, stop)


def test_a_narrowing_filter_keeps_the_relevance_order(ferrets):
    """Few of the matches in a year: their text scores are asked for them alone (results.NARROWED_SHARE),
    and the order is the unfiltered order restricted to that year."""
    everything = SearchResults(SearchParams(q="ferret")).ranked()
    year = everything[0].decision_date.year
    narrowed = SearchResults(SearchParams(q="ferret", date_from=date(year, 1, 1), date_to=date(year, 12, 31)))
    assert narrowed.selection.count < 0.25 * narrowed.selection.masks["q"].sum()
    assert narrowed.ranked() == [d for d in everything if d.decision_date.year == year]
    assert narrowed.selection.score[narrowed.selection.selected].max() > 0  # scored, not just by date


def test_text_snippets_cut_around_the_query_words_and_escape():
    text = ("Opening words. " * 40 + "The <b>ferret</b> escaped. " + "Filler text here. " * 30
            + "A ferret and its cage and the cage door were lost. " + "More words. " * 40)
    snippet = search.text_snippet(text, search.parse_query("ferret cage"))
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>ferret</mark> and its <mark>cage</mark>" in snippet  # the run with both words
    assert "&lt;b&gt;" not in snippet or "<b>" not in snippet
    assert len(snippet.split()) < 60
    marked = search.text_snippet("The <b>ferret</b> ran.", search.parse_query("ferret"))
    assert marked == "The &lt;b&gt;<mark>ferret</mark>&lt;/b&gt; ran."
    assert search.text_snippet("Nothing to see.", search.parse_query("ferret")) is None
    phrase = search.text_snippet("Time passed. We paid for time and trouble.", search.parse_query('"time and trouble"'))
    assert "<mark>time and trouble</mark>" in phrase


def test_api_pages_follow_the_ranked_order(client, ferrets):
    expected = [d.reference for d in SearchResults(SearchParams(q="ferret")).ranked()]
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/decisions/?q=ferret&page_size=10&page={page}").json()
        assert body["count"] == 30
        seen += [row["reference"] for row in body["results"]]
    assert seen == expected


def test_an_or_group_binds_before_the_words_around_it_on_both_databases(db):
    """'court OR tribunal fees' is (court or tribunal) and fees: PostgreSQL's websearch syntax alone
    would read it as court, or tribunal and fees."""
    with_fees = make_decision(summary="The court fees were not refunded.")
    court_only = make_decision(summary="The court heard the appeal.")
    tribunal_fees = make_decision(summary="The tribunal fees were high.")
    assert found("court OR tribunal fees") == sorted([with_fees.reference, tribunal_fees.reference])
    assert court_only.reference not in ranked("court OR tribunal fees")
