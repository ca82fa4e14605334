"""The parser against the hand-checked facts of the seed files and their variants."""

import json
import re
from decimal import Decimal

import pytest

from decisions.statements.parser import ParseError, normalise_reference, parse_decision, parse_decision_bytes
from decisions.statements.vocabulary import PAYMENT_PURPOSES
from tests.conftest import EXPECTED, seed_path, seed_text

BY_FILE = {item["file"]: item for item in EXPECTED}


def payments(parsed):
    return [(r.kind, f"{r.amount:.2f}" if r.amount is not None else None, r.purposes) for r in parsed.remedies]


def assert_matches_expected(parsed, expected):
    assert parsed.reference == expected["reference"]
    assert parsed.organisation == expected["organisation"]
    assert parsed.category == expected["category"]
    assert parsed.subcategory == expected["subcategory"]
    assert parsed.outcome == expected["outcome"]
    assert parsed.decision_date.isoformat() == expected["decision_date"]
    assert parsed.summary == expected["summary"]
    assert [s.heading for s in parsed.sections] == expected["sections"]
    got = [(r.kind, f"{r.amount:.2f}" if r.amount is not None else None) for r in parsed.remedies]
    assert got == [(r["kind"], r["amount"]) for r in expected["remedies"]]
    for remedy, wanted in zip(parsed.remedies, expected["remedies"], strict=True):
        if "purposes" in wanted:
            assert remedy.purposes == wanted["purposes"]
    assert parsed.total_payment == Decimal(expected["total_payment"])
    kinds = {f.kind for f in parsed.findings}
    assert set(expected["findings_required"]) <= kinds
    assert not kinds & set(expected["findings_forbidden"])
    if "not_investigated_reasons" in expected:
        reasons = {f.reason for f in parsed.findings if f.kind == "not_investigated"}
        assert reasons == set(expected["not_investigated_reasons"])


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_seed_matches_expected_facts(name):
    parsed = parse_decision_bytes(seed_path(name).read_bytes())
    assert_matches_expected(parsed, BY_FILE[name])
    assert parsed.warnings == []


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_nothing_of_the_statement_is_lost_and_no_furniture_kept(name):
    text = seed_text(name)
    parsed = parse_decision(text)
    body = parsed.body_text()
    furniture = ("Back to top", "Print this page", "LGO logogram", "Privacy settings", "cookies")
    for word in furniture:
        assert word not in body
    # Every substantive line of the file is in the result somewhere.
    everything = "\n".join([parsed.summary, body, parsed.decided_by])
    for line in text.splitlines():
        stripped = re.sub(r"^\s*(\d+\.|•|-)\s+", "", line.replace("\xa0", " ")).strip()
        if not stripped or any(word.lower() in stripped.lower() for word in furniture + ("Google", "ON'")):
            continue
        if re.match(r"^(Category|Decision|Decision date) :|^The Ombudsman's final decision:|^Summary:", stripped):
            continue
        if re.search(r"\(\d\d \d\d\d \d\d\d\)$", stripped):
            continue
        assert stripped in everything, stripped


def test_paragraph_numbers_levels_and_unnumbered_paragraphs():
    parsed = parse_decision(seed_text("001_d4f4acd28a890d02.txt"))
    complaint = parsed.sections[0]
    numbers = [(p.number, p.level, p.style) for p in complaint.paragraphs]
    assert numbers == [("1", 0, "numbered"), ("1", 1, "numbered"), ("2", 1, "numbered"), ("3", 1, "numbered"),
                       ("4", 1, "numbered"), (None, 0, "text")]
    assert complaint.paragraphs[-1].text == "She says these faults caused her considerable stress."
    found = parsed.sections[4]
    assert found.heading == "What I found"
    assert [s.heading for s in found.subsections][:3] == [
        "Children in Need", "What happened", "Communications around the Child in Need Plans"]


def test_bullets_are_kept_as_nested_items():
    parsed = parse_decision(seed_text("000_22a7e19c90128e70.txt"))
    happened = parsed.sections[3].subsections[0]
    assert happened.heading == "What happened"
    bullets = [p for p in happened.paragraphs if p.style == "bullet"]
    assert len(bullets) == 4 and all(p.level == 1 for p in bullets)
    assert parsed.decided_by == "Investigator's decision on behalf of the Ombudsman"


def test_compact_layout_paragraphs():
    parsed = parse_decision(seed_text("004_e0fd80e6ea1f22fe.txt"))
    assessment = parsed.sections[3]
    assert assessment.heading == "My assessment"
    assert len(assessment.paragraphs) == 6
    assert assessment.paragraphs[0].text.startswith("X’s child, who I will refer to as Y")


def test_remedy_sentences_and_deadlines():
    parsed = parse_decision(seed_text("003_10efd45c4424b1c0.txt"))
    first = parsed.remedies[0]
    assert first.text.startswith("£300 to compensate for the distress")
    assert first.deadline == "within one month of my final decision"


# --- Layout variants made from the seeds ---------------------------------------------

def to_crlf(text):
    return text.replace("\n", "\r\n")


def with_bom(text):
    return "\ufeff" + text


def with_trailing_spaces(text):
    return "\n".join(line + "   " for line in text.split("\n"))


def straight_apostrophes(text):
    return text.replace("’", "'").replace("‘", "'")


def curly_apostrophes(text):
    return text.replace("'", "’")


def to_compact(text):
    """The compact layout: no blank lines, '- ' paragraphs, no 'Back to top'."""
    lines = []
    for line in text.split("\n"):
        if not line.strip() or line.strip() == "Back to top":
            continue
        lines.append(re.sub(r"^  \d+\. ", "- ", line))
    return "\n".join(lines)


VARIANTS = [to_crlf, with_bom, with_trailing_spaces, straight_apostrophes, curly_apostrophes, to_compact]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_layout_variants_give_the_same_facts(name, variant):
    text = variant(seed_text(name))
    expected = dict(BY_FILE[name])
    parsed = parse_decision_bytes(text.encode("utf-8"))
    if variant in (straight_apostrophes, curly_apostrophes):
        fix = (lambda s: s.replace("’", "'")) if variant is straight_apostrophes else (lambda s: s.replace("'", "’"))
        expected = {**expected, "organisation": fix(expected["organisation"]), "summary": fix(expected["summary"]),
                    "sections": [fix(s) for s in expected["sections"]],
                    "category": fix(expected["category"])}
    if variant is to_compact:
        # Without blank lines or 'Back to top' a file cannot show which headings were top-level
        # on the page: the expected headings must still all be there, in order.
        headings = [h for s in parsed.sections for h in [s.heading] + [sub.heading for sub in s.subsections]]
        positions = [headings.index(h) for h in expected["sections"]]
        assert positions == sorted(positions)
        expected = {**expected, "sections": [s.heading for s in parsed.sections]}
    assert_matches_expected(parsed, expected)


@pytest.mark.parametrize("written, amount", [
    ("£1,000", "1000.00"), ("£1000", "1000.00"), ("£ 1,000.50", "1000.50"), ("£1,000.5", "1000.50"),
])
def test_amount_spellings(written, amount):
    text = seed_text("000_22a7e19c90128e70.txt").replace(
        "    • £1000 to recognise the severity", f"    • {written} to recognise the severity")
    parsed = parse_decision(text)
    assert [f"{r.amount:.2f}" for r in parsed.remedies if r.kind == "payment"][0] == amount


def test_windows_1252_file_is_read():
    data = seed_text("003_10efd45c4424b1c0.txt").encode("cp1252")
    parsed = parse_decision_bytes(data)
    assert parsed.reference == "20 007 616"
    assert "Council’s response" in parsed.summary


# --- What real decisions also contain ---------------------------------------------------

MINIMAL = """{title}

{header}The Ombudsman's final decision:

Summary: {summary}

The complaint

  1. Mr X complains the Council delayed.

Back to top

Final decision

  1. {final}

Back to top
"""


def minimal(title="Kent County Council (19 012 345)", header="Category : Planning > Enforcement\n\nDecision : "
            "Not upheld\n\nDecision date : 01 Feb 2020\n\n", summary="We found no fault.", final="There was no fault."):
    return MINIMAL.format(title=title, header=header, summary=summary, final=final)


def test_no_header_labels_at_all_gives_warnings_not_errors():
    parsed = parse_decision(minimal(header=""))
    assert parsed.category == parsed.subcategory == parsed.outcome == ""
    assert parsed.decision_date is None
    assert {"no category line", "no decision (outcome) line", "no decision date"} <= set(parsed.warnings)
    assert [s.heading for s in parsed.sections] == ["The complaint", "Final decision"]


def test_unreadable_date_is_a_warning():
    parsed = parse_decision(minimal(header="Decision date : sometime\n\n"))
    assert parsed.decision_date is None
    assert any("sometime" in w for w in parsed.warnings)


def test_organisation_name_with_brackets_and_reference_with_suffix():
    parsed = parse_decision(minimal(title="Something Care (Cheltenham) Limited (23 013 400)"))
    assert parsed.organisation == "Something Care (Cheltenham) Limited"
    assert parsed.reference == "23 013 400"
    joint = parse_decision(minimal(title="Somerset NHS Foundation Trust (16 010 636c)"))
    assert joint.reference == "16 010 636c"


@pytest.mark.parametrize("raw, normal", [
    ("20 003 763", "20 003 763"), ("20-003-763", "20 003 763"), ("20003763", "20 003 763"),
    ("20 003 763 ", "20 003 763"), ("16 010 636C", "16 010 636c"), ("20 – 003 – 763", "20 003 763"),
])
def test_reference_normalisation(raw, normal):
    assert normalise_reference(raw) == normal


def test_title_reference_with_dashes():
    assert parse_decision(minimal(title="Kent County Council (19-012-345)")).reference == "19 012 345"


def test_lower_case_summary_and_ombudsmen_heading():
    text = minimal(summary="there was no fault by the Council.").replace("Summary:", "summary:")
    text = text.replace("The Ombudsman's final decision:", "The Ombudsmen's final decision:")
    parsed = parse_decision(text)
    assert parsed.summary == "there was no fault by the Council."


def test_section_list_before_the_summary_is_not_the_body():
    header = ("Category : Planning > Enforcement\n\nDecision : Not upheld\n\nDecision date : 01 Feb 2020\n\n"
              "The complaint\n\nFinal decision\n\n")
    parsed = parse_decision(minimal(header=header))
    assert [s.heading for s in parsed.sections] == ["The complaint", "Final decision"]
    assert parsed.sections[0].paragraphs[0].text == "Mr X complains the Council delayed."


def test_section_list_without_summary_is_dropped():
    text = minimal().replace("Summary: We found no fault.\n", "The complaint\n\nFinal decision\n")
    parsed = parse_decision(text)
    assert [s.heading for s in parsed.sections] == ["The complaint", "Final decision"]
    assert "no summary found" in parsed.warnings


def test_numbering_that_restarts_after_an_unnumbered_paragraph():
    text = minimal().replace("  1. Mr X complains the Council delayed.",
                             "  1. Mr X complains.\n  2. He says so.\n\nAn unnumbered paragraph.\n\n  1. Restarted.")
    complaint = parse_decision(text).sections[0]
    assert [(p.number, p.style) for p in complaint.paragraphs] == [
        ("1", "numbered"), ("2", "numbered"), (None, "text"), ("1", "numbered")]


def test_outcome_label_is_kept_as_published_even_when_summary_disagrees():
    header = "Category : Planning > Enforcement\n\nDecision : Upheld\n\nDecision date : 01 Feb 2020\n\n"
    parsed = parse_decision(minimal(header=header, summary="We found no fault."))
    assert parsed.outcome == "Upheld"
    assert "no_fault" in {f.kind for f in parsed.findings}


def test_category_without_subcategory():
    parsed = parse_decision(minimal(header="Category : Other Categories\n\n"))
    assert parsed.category == "Other Categories"
    assert parsed.subcategory == ""


def test_cookie_banner_at_start_and_end_is_dropped():
    banner = seed_text("002_df6b0d72ba06c3f1.txt").split("Derbyshire County Council (18 011 812)")[0]
    parsed = parse_decision(banner + minimal() + "\n" + banner)
    assert parsed.reference == "19 012 345"
    assert "cookies" not in parsed.body_text()


def test_not_investigated_reasons():
    cases = {
        "We will not investigate this complaint because it is late.": "late_complaint",
        "We will not investigate because Mr X could appeal to a tribunal.": "court_or_tribunal",
        "We will not investigate because the Council has not had a chance to respond and it is premature.":
            "premature",
        "We will not investigate because the injustice is not significant enough to warrant it.":
            "no_significant_injustice",
    }
    for summary, reason in cases.items():
        parsed = parse_decision(minimal(summary=summary, final="We will not investigate."))
        assert ("not_investigated", reason) in {(f.kind, f.reason) for f in parsed.findings}, summary


def test_fault_then_injustice_in_the_next_sentence():
    parsed = parse_decision(minimal(summary="The Council was at fault. This caused Mr X avoidable distress.",
                                    final="The Council was at fault."))
    assert "fault_with_injustice" in {f.kind for f in parsed.findings}


def test_complainants_allegations_are_not_findings():
    parsed = parse_decision(minimal(summary="Mr X says the Council was at fault and this caused him injustice.",
                                    final="I have completed my investigation."))
    assert not {f.kind for f in parsed.findings} & {"fault_with_injustice", "fault_no_injustice"}


def test_remedies_from_summary_when_there_is_no_action_section():
    parsed = parse_decision(minimal(
        summary="The Council was at fault. It has agreed to apologise, pay Mr X £250 and review its procedures.",
        final="The Council has agreed to pay Mr X £250 for his distress."))
    kinds = [(r.kind, r.amount) for r in parsed.remedies]
    assert ("apology", None) in kinds
    assert ("payment", Decimal("250.00")) in kinds
    assert ("procedure_change", None) in kinds
    assert parsed.total_payment == Decimal("250.00")


def test_agreed_action_with_all_kinds():
    action = (
        "Agreed action\n\n"
        "  1. Within one month of the final decision, the Council will:\n"
        "      1. apologise to Mrs Y;\n"
        "      2. pay Mrs Y £150 for her time and trouble and £1,200 to refund the care fees she paid;\n"
        "      3. reassess Mrs Y's needs;\n"
        "      4. provide Mrs Y with a copy of her records.\n"
        "  2. Within three months of the final decision, the Council will review its charging policy and "
        "remind staff to record decisions.\n"
        "  3. The Council has previously offered £100, which Mrs Y refused.\n"
        "  4. Our guidance says payments are usually up to £500.\n"
        "  5. The Council should provide us with evidence it has complied with the above actions.\n\n"
        "Back to top\n\n"
    )
    text = minimal().replace("Final decision\n", action + "Final decision\n", 1)
    parsed = parse_decision(text)
    found = [(r.kind, r.amount, tuple(r.purposes), r.deadline) for r in parsed.remedies]
    month = "Within one month of the final decision".lower()
    assert [(k, a) for k, a, _, _ in found] == [
        ("apology", None), ("payment", Decimal("150.00")), ("payment", Decimal("1200.00")), ("reconsider", None),
        ("provide_information", None), ("procedure_change", None), ("training", None)]
    assert found[1][2] == ("time_and_trouble",)
    assert found[2][2] == ("financial_loss",)
    assert (found[0][3] or "").lower() == month
    assert found[5][3] == "within three months of the final decision"


# --- Input that is not a decision ---------------------------------------------------------

@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n\n  ", "empty"),
    (b"\x00\x01\x02\x03binary\x00\xff\xfe" * 50, "binary"),
    (bytes(range(256)) * 20, "binary"),
    (b"Dorset Council (20 003 763)\n\nCategory : Children's care services > Child protection\n", "truncated"),
    (b"Dorset Council\n\nSummary: no reference anywhere.\n\nThe complaint\n\n  1. Text.\n", "reference"),
    (b"Dorset Coun", "reference"),
])
def test_malformed_input_raises_a_clear_parse_error(data, reason):
    with pytest.raises(ParseError) as error:
        parse_decision_bytes(data)
    assert reason in error.value.reason


def test_purpose_words_are_not_substrings_of_each_other():
    """Remedy.purposes is searched with `contains`: that needs a prefix-free vocabulary."""
    for purpose in PAYMENT_PURPOSES:
        assert [p for p in PAYMENT_PURPOSES if purpose in p] == [purpose]


def test_to_dict_is_json_with_stable_keys():
    parsed = parse_decision(seed_text("000_22a7e19c90128e70.txt"))
    data = json.loads(json.dumps(parsed.to_dict()))
    assert {"reference", "organisation", "category", "subcategory", "outcome", "decision_date", "summary",
            "sections", "remedies", "findings", "warnings"} <= set(data)
    assert set(data["sections"][0]) >= {"heading", "paragraphs"}
    assert set(data["sections"][0]["paragraphs"][0]) >= {"number", "level", "text"}
    assert set(data["remedies"][1]) >= {"kind", "amount", "purposes", "text"}
    assert data["remedies"][1]["amount"] == "1000.00"
    assert set(data["findings"][0]) >= {"kind", "reason", "text"}


def test_statements_package_does_not_import_django():
    """Every module of the statement reader loads without Django, so it can be used alone."""
    import subprocess
    import sys

    code = ("import importlib, pkgutil, sys; import decisions.statements as package; "
            "names = [m.name for m in pkgutil.iter_modules(package.__path__, 'decisions.statements.')]; "
            "[importlib.import_module(name) for name in names]; "
            "assert len(names) >= 7, names; "
            "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=str(seed_path("x").parent.parent)).returncode == 0


def test_a_lowered_pattern_matches_as_its_case_insensitive_original():
    import re

    from decisions.statements.text import Lowered

    original = re.compile(r"\bno fault\b|evidence of fault", re.I)
    lowered = Lowered(original)
    for text in ("We found NO FAULT here.", "There is Evidence Of Fault.", "İstanbul: no fault found", "nothing"):
        found, expected = lowered.search(text), original.search(text)
        assert (found and found.span()) == (expected and expected.span()), text
    assert lowered.sub("-", "No Fault at all") == "- at all"  # the text's own letters are kept
    with pytest.raises(ValueError):
        Lowered(re.compile(r"[A-Z]\w+ Council", re.I))  # a capital letter would be lost


# An agreed action that names a payment without its amount: a payment whose sum is unknown (never
# £0, never missing); one merely to be considered is no payment.
@pytest.mark.parametrize("action, expected", [
    ("The Council will make a symbolic payment to Mr Y to acknowledge his distress.", [("payment", None, ["distress"])]),
    ("The Council will pay Ms Z for the education her son lost.", [("payment", None, ["loss_of_service"])]),
    ("The Council has agreed to make Mrs B a further payment in recognition of the time and trouble.",
     [("payment", None, ["time_and_trouble"])]),
    ("The Council should consider whether to make a payment to Mr Y.", []),
    ("The Council will pay Mrs X £300 for her distress.", [("payment", "300.00", ["distress"])]),
])
def test_an_agreed_payment_without_its_amount_is_a_payment_of_unknown_sum(action, expected):
    from tests.factories import statement_text

    parsed = parse_decision(statement_text(reference="81 000 001", organisation="Testshire County Council",
                                           agreed_action=[action]))
    assert [p for p in payments(parsed) if p[0] == "payment"] == expected
