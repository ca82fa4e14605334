"""Outcome groups, the evidence behind each remedy and finding, and the review of uncertain readings."""

import re

import pytest
from django.urls import reverse

from decisions.models import Decision
from decisions.statements.outcomes import outcome_group
from tests.factories import make_decision

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("label", "group"), [
    ("Upheld", "upheld"),
    ("Upheld: maladministration and injustice", "upheld"),
    ("Upheld: maladministration, no injustice", "upheld"),
    ("Upheld: fault and injustice", "upheld"),
    ("Not upheld", "not_upheld"),
    ("Not upheld: no maladministration", "not_upheld"),
    ("Closed after initial enquiries", "not_investigated"),
    ("Closed after initial enquiries - no further action", "not_investigated"),
    ("Closed after initial enquiries - out of jurisdiction", "outside_jurisdiction"),
    ("Outside jurisdiction", "outside_jurisdiction"),
    ("Premature", "premature"),
    ("Referred back for local resolution", "premature"),
    ("Withdrawn", "withdrawn"),
    ("Something new", "other"),
    ("", "not_stated"),
    (None, "not_stated"),
])
def test_published_labels_fall_into_groups(label, group):
    assert outcome_group(label) == group


def test_upheld_filter_finds_every_upheld_label_and_figures_count_groups(client):
    plain = make_decision(outcome="Upheld")
    long_label = make_decision(outcome="Upheld: maladministration and injustice")
    not_upheld = make_decision(outcome="Not upheld: no maladministration")
    closed = make_decision(outcome="Closed after initial enquiries")
    assert (plain.outcome, plain.outcome_group) == ("Upheld", "upheld")
    assert long_label.outcome == "Upheld: maladministration and injustice"  # the published label is kept
    response = client.get("/decisions/", {"outcome": "upheld", "sort": "newest"})
    assert {d.reference for d in response.context["page"].object_list} == {plain.reference, long_label.reference}
    figures = Decision.objects.published().figures()
    assert figures["upheld"] == 2 and figures["investigated"] == 3 and figures["upheld_share"] == 67
    assert dict(figures["by_outcome"]) == {"Upheld": 2, "Not upheld": 1, "Closed after initial enquiries": 1}
    assert closed.outcome_group == "not_investigated" and not_upheld.outcome_group == "not_upheld"


def test_decision_page_shows_each_fact_with_its_sentence_and_a_link_to_it(client, seeds):
    content = client.get("/decisions/20-003-763/").content.decode()
    assert "Read automatically, not checked by staff." in content
    # Each remedy quotes the sentence it was read from and links to the paragraph holding it.
    anchors = re.findall(r'<a class="evidence" href="#([^"]+)">in the statement', content)
    assert anchors, "remedies and findings link to their paragraphs"
    for anchor in anchors:
        assert f'id="{anchor}"' in content
    decision = Decision.objects.get(reference="20 003 763")
    sentence = decision.remedies.get(kind="payment", amount=1000).text
    assert sentence and sentence.split(" ")[0] in content


def test_low_confidence_reading_says_why_and_summary_facts_link_to_the_summary(client):
    decision = make_decision(outcome="Upheld", summary="The Council was at fault. It has agreed to make a symbolic "
                                                         "payment to Mr X for the distress caused and to apologise to "
                                                         "him. The Council had already refunded Mr X's fees.")
    assert decision.confidence == "low"
    assert decision.review_reasons == ["read both as fault causing injustice and as already remedied: check which"]
    content = client.get(decision.get_absolute_url()).content.decode()
    assert "Read automatically, not yet checked by staff." in content
    assert "read both as fault causing injustice and as already remedied" in content
    assert 'href="#summary">in the summary' in content and 'id="summary"' in content
    assert "not stated" in content  # the amount


def test_outcome_label_fallback_is_low_confidence(client):
    decision = make_decision(outcome="Upheld", summary="Mr X complained about the Council's handling of his case.",
                             final="This is my final decision.")
    assert decision.review_reasons == ["findings inferred from the outcome label alone"]
    finding = decision.findings.get()
    assert (finding.kind, finding.basis) == ("fault_with_injustice", "outcome")
    assert 'href="#outcome">from the outcome label' in client.get(decision.get_absolute_url()).content.decode()


def test_review_queue_in_admin_and_confirming_marks_curated(admin_client, client):
    sure = make_decision(summary="We found the Council at fault. It has agreed to pay Mr X £200 for his distress.",
                         agreed_action=["Pay Mr X £200 for his distress."])
    unsure = make_decision(outcome="Upheld", summary="Mr X complained about the Council.", final="My decision.")
    assert (sure.confidence, unsure.confidence) == ("high", "low")
    url = reverse("admin:decisions_decision_changelist")
    response = admin_client.get(url)
    assert "Needs review (1)" in response.content.decode()
    queue = admin_client.get(url, {"review": "needed"}).context["cl"].result_list
    assert [d.reference for d in queue] == [unsure.reference]

    response = admin_client.post(url, {"action": "confirm", "_selected_action": [unsure.pk]}, follow=True)
    assert "1 decision marked as checked by staff." in response.content.decode()
    unsure.refresh_from_db()
    assert unsure.is_curated and not unsure.needs_review
    assert "Needs review (0)" in admin_client.get(url).content.decode()
    assert [d.reference for d in admin_client.get(url, {"review": "checked"}).context["cl"].result_list] == [
        unsure.reference]
    assert "Checked by staff." in client.get(unsure.get_absolute_url()).content.decode()


def test_the_review_queue_puts_the_most_doubtful_first_and_says_why(admin_client):
    one = make_decision(outcome="Upheld", summary="Mr X complained about the Council.", final="My decision.")
    two = make_decision(outcome="Closed after initial enquiries",
                        summary="We will not investigate this complaint about a parking fine. Mr Y could have appealed "
                                "to the traffic tribunal, and the events are too old for us to consider now. The "
                                "Council has already refunded Mr Y's fee.")
    assert two.review_weight > one.review_weight >= 1
    response = admin_client.get(reverse("admin:decisions_decision_changelist"), {"review": "needed"})
    assert [d.reference for d in response.context["cl"].result_list][:2] == [two.reference, one.reference]
    assert "needs review: " + two.review_reasons[0] in response.content.decode().replace("&#x27;", "'")
