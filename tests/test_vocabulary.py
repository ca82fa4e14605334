"""The vocabularies' order is the on-disk format of the decision's bit sets: pinned here."""

import subprocess
import sys

import pytest

from decisions.statements.vocabulary import (
    FINDING_KINDS,
    NOT_INVESTIGATED_REASONS,
    PAYMENT_PURPOSES,
    REMEDY_KINDS,
    bits,
    label,
    words_in,
)
from tests.conftest import ROOT


def test_the_order_of_every_vocabulary_is_fixed():
    # Changing these changes what every stored bit set means: add new words at the end only,
    # with a data migration if a word's meaning moves.
    assert REMEDY_KINDS == ("apology", "payment", "procedure_change", "training", "reconsider", "provide_service",
                            "provide_information", "other")
    assert PAYMENT_PURPOSES == ("distress", "time_and_trouble", "risk_of_harm", "loss_of_service", "financial_loss",
                                "other")
    assert FINDING_KINDS == ("fault_with_injustice", "fault_no_injustice", "no_fault", "remedied_by_organisation",
                             "not_investigated", "outside_jurisdiction")
    assert NOT_INVESTIGATED_REASONS == ("another_body_better_placed", "unlikely_to_find_fault",
                                        "no_significant_injustice", "late_complaint", "court_or_tribunal", "premature",
                                        "other")


def test_bit_sets_encode_and_decode():
    assert bits(REMEDY_KINDS, ["apology"]) == 0b1
    assert bits(REMEDY_KINDS, ["payment", "training", "unknown"]) == 0b1010
    assert bits(FINDING_KINDS, ["outside_jurisdiction"]) == 1 << 5
    assert words_in(0b1010, REMEDY_KINDS) == ["payment", "training"]
    assert words_in(bits(PAYMENT_PURPOSES, PAYMENT_PURPOSES), PAYMENT_PURPOSES) == list(PAYMENT_PURPOSES)
    assert label("time_and_trouble") == "Time and trouble"


@pytest.mark.django_db
def test_a_stored_decision_holds_the_bits_of_its_kinds(seeds):
    from decisions.models import Decision

    decision = Decision.objects.get(reference="20 003 763")  # an apology and three payments
    assert decision.remedy_kinds == 0b11
    assert words_in(decision.payment_purposes, PAYMENT_PURPOSES) == ["distress", "time_and_trouble", "risk_of_harm"]


def test_the_vocabulary_needs_no_django():
    code = "import sys, decisions.statements.vocabulary, decisions.statements.parser; assert 'django' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
