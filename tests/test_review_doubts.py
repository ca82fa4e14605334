"""Why a reading may be wrong, from the statement's own words (decisions/statements/review.py):
each case in this project's own wording, with the doubt it should raise, or none."""

import pytest

from decisions.statements.parser import parse_decision
from tests.factories import statement_text

CASES = [
    # (outcome, summary, a doubt that must be raised, or None for a reading with nothing to check)
    ("Upheld", "The Council delayed the review. It has agreed to apologise and pay Ms A £250.", None),
    ("Upheld", "We found fault in the Council's handling of the repairs, which caused Mr B distress. A payment and "
               "service improvements remedy that injustice.", "the summary mentions"),
    ("Closed after initial enquiries", "We will not investigate this complaint about a parking fine. Mr C could have "
               "appealed to the traffic tribunal and the events are too old for us to consider now.",
     "the summary gives a reason"),
    ("Closed after initial enquiries", "We will not investigate this complaint about school transport. There is not "
               "enough evidence of fault to justify an investigation.", None),
    ("Upheld", "The Council was at fault in how it told Mrs D about the fees. Only one of those faults caused injustice, "
               "and the Council has agreed to apologise.", None),  # read as both kinds: nothing to check
    ("Not upheld", "We found no fault in how the Council assessed Mr E. It had already apologised for a delay in "
               "replying to him.", None),
    ("Upheld", "The Council failed to carry out the agreed works, causing Mr F distress. It has agreed to apologise. "
               "Mr F turned down the £450 it offered in response to his complaint.", "the summary states £450"),
]


@pytest.mark.parametrize("outcome, summary, doubt", CASES)
def test_the_reading_says_what_to_check(outcome, summary, doubt):
    parsed = parse_decision(statement_text(reference="92 000 001", organisation="Testshire County Council",
                                           outcome=outcome, summary=summary, final="This is my final decision."))
    if doubt is None:
        assert parsed.review_reasons == [], parsed.review_reasons
    else:
        assert any(reason.startswith(doubt) for reason in parsed.review_reasons), parsed.review_reasons


def test_a_doubt_names_what_the_summary_says_and_the_reading_lacks():
    """review.doubts on a reading that missed a kind (built here: the rules now read these sentences)."""
    from types import SimpleNamespace

    from decisions.statements.review import doubts

    finding = SimpleNamespace(kind="fault_with_injustice", reason=None, text="")
    reading = SimpleNamespace(summary="The Council was at fault, but its fault did not cause Mr V any injustice.",
                              findings=[finding], remedies=[])
    assert any(d.startswith("the summary finds fault without injustice") for d in doubts(reading))
    reading.findings.append(SimpleNamespace(kind="fault_no_injustice", reason=None, text=""))
    assert not any(d.startswith("the summary finds fault without injustice") for d in doubts(reading))
