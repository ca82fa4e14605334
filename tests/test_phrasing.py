"""What each remedy and finding rule is for: sentences worded as statements word them, with what they must give.

The wording is ours, modelled on how the Ombudsman's summaries phrase things (the dev set's
README defines every kind). A row that fails says which phrasing a rule no longer reads.
"""

from decimal import Decimal

import pytest

from decisions.statements.findings import read_summary
from decisions.statements.remedies import _tidy, read_commitments


def remedy_kinds(text: str) -> set[str]:
    return {remedy.kind for remedy in read_commitments(text)}


def payment_total(text: str) -> Decimal | None:
    payments = [r for r in read_commitments(text) if r.kind == "payment"]
    if any(r.amount is None for r in payments):
        return None
    return sum((r.amount for r in payments), Decimal("0.00"))


def finding_kinds(text: str, outcome: str = "") -> set[str]:
    return {f.kind for f in read_summary(text, outcome, remedy_kinds(text))}


def reasons(text: str) -> set[str]:
    return {f.reason for f in read_summary(text, "", remedy_kinds(text)) if f.kind == "not_investigated"}


REMEDIES = [
    # apology
    ("The Council has agreed to apologise to Mrs B.", {"apology"}),
    ("The Council will apologise to Mr D for the distress caused.", {"apology"}),
    # a service improvement changes how the organisation works; it is not a service to the complainant
    ("The care home has agreed to apologise to Mrs P and carry out a service improvement.", {"apology", "procedure_change"}),
    ("The Council needs to apologise to Miss C for the delay.", {"apology"}),
    ("We have recommended the Trust apologises to Ms F.", {"apology"}),
    ("The Council accepted our recommendation of a written apology.", {"apology"}),
    ("The care provider should send Mr K a written apology within one month.", {"apology"}),
    ("The organisations will jointly apologise to Mrs L.", {"apology"}),
    ("The Council agrees to apologise for failing to respond to her letters.", {"apology"}),
    # payment, with and without an amount
    ("The Council has agreed to make a symbolic payment to Mrs X.", {"payment"}),
    ("The Trust will pay a financial remedy to Mr Y.", {"payment"}),
    ("The Council agreed to pay Ms Z £300.", {"payment"}),
    ("The Council will refund the fees Mrs A paid for the extra care.", {"payment"}),
    ("It agreed to reimburse Mr H's travel costs.", {"payment"}),
    ("The Council should backdate the allowance to the date of the application.", {"payment"}),
    ("The Council has agreed to meet the outstanding costs of the removal.", {"payment"}),
    ("The Council agreed to make payments to Mr and Mrs W to reflect their distress.", {"payment"}),
    ("The Council accepted our recommendation of a financial remedy for Miss R.", {"payment"}),
    ("The school will compensate Mrs T for the lost tuition.", {"payment"}),
    ("The Council agreed to pay Mrs E a further £150.", {"payment"}),
    # several kinds in one sentence
    ("The Council agreed to provide Ms B with an apology, an explanation and a payment.",
     {"apology", "provide_information", "payment"}),
    ("The Council has agreed to apologise, pay Mr J £250 and review its procedures.",
     {"apology", "payment", "procedure_change"}),
    ("The Council will apologise, make a payment to Mrs C and remind its staff of the guidance.",
     {"apology", "payment", "training"}),
    ("The Trust and the Council have agreed to apologise, make a payment and improve discharge planning.",
     {"apology", "payment", "procedure_change"}),
    ("The Council agreed to apologise, reassess Mr P's needs and pay him £200.", {"apology", "reconsider", "payment"}),
    ("The Council has agreed to apologise to Mrs N and arrange a new care package for her son.",
     {"apology", "provide_service"}),
    ("The Council has agreed to our recommendations to apologise, make a payment and share the learning with its staff.",
     {"apology", "payment", "training"}),
    # procedure changes, in other words
    ("The Council will make the service improvements we recommended.", {"procedure_change"}),
    ("The Council has agreed to take steps to stop this happening again.", {"procedure_change"}),
    ("The Council agreed to take action to prevent a recurrence of the faults we found.", {"procedure_change"}),
    ("The Council should review its policy on home to school transport.", {"procedure_change"}),
    ("The Council will update the information on its website about direct payments.", {"procedure_change"}),
    ("Service improvements are recommended.", {"procedure_change"}),
    ("The Council has agreed to introduce a checklist for officers handling applications.", {"procedure_change"}),
    ("The Council agreed to take steps to reduce delays in its assessments.", {"procedure_change"}),
    ("The Council will create an action plan to deal with the backlog.", {"procedure_change"}),
    ("It has agreed to change how it records telephone calls.", {"procedure_change"}),
    ("The Council should amend its standard letters so they explain appeal rights.", {"procedure_change"}),
    # training
    ("The Council will remind its officers to keep proper records.", {"training"}),
    ("The Council has agreed to provide training to its housing staff.", {"training"}),
    ("It will share this decision with relevant staff.", {"training"}),
    ("The Council agreed to issue guidance to staff on handling complaints.", {"training"}),
    ("The Council will ensure its officers are aware of the statutory timescales.", {"training"}),
    ("The Council has agreed to brief its social workers on the findings.", {"training"}),
    # reconsider
    ("The Council should carry out a fresh investigation of Mrs D's complaint.", {"reconsider"}),
    ("The School has agreed to give the family another chance to appeal.", {"reconsider"}),
    ("The Council has agreed to reconsider Mr Q's application.", {"reconsider"}),
    ("The Council will reassess Mrs V's contribution to her care costs.", {"reconsider"}),
    ("The Council agreed to arrange a fresh appeal hearing for Ms M.", {"reconsider"}),
    ("The Council has agreed to review its decision on Mr B's housing priority.", {"reconsider"}),
    ("The Council should carry out a new carer's assessment for Mrs S.", {"reconsider"}),
    ("The Council agreed to respond to Mr X's appeal.", {"reconsider"}),
    ("The Council will consider his request again.", {"reconsider"}),
    ("The Council has agreed to take a new decision on the application.", {"reconsider"}),
    # provide a service
    ("The Council has agreed to arrange suitable alternative accommodation for Mr X.", {"provide_service"}),
    ("The Council will provide the support set out in the plan.", {"provide_service"}),
    ("The Council has agreed to secure a suitable school place for C.", {"provide_service"}),
    ("The Council will monitor Mrs G's bin collections for six weeks.", {"provide_service"}),
    ("The Council agreed to carry out the outstanding repairs to the property.", {"provide_service"}),
    ("The Council should arrange respite care for Mr O's mother.", {"provide_service"}),
    # provide information
    ("The Council will provide Mr U with a breakdown of the charges.", {"provide_information"}),
    ("The Council agreed to write to other families who may have been affected.", {"provide_information"}),
    ("The Council will explain to Mrs I how it calculated the charge.", {"provide_information"}),
    ("The Council agreed to send Ms E a copy of the assessment.", {"provide_information"}),
    # other: write-offs, waivers, progressing a case
    ("The Council has agreed to waive the outstanding fees.", {"other"}),
    ("The Council will write off the arrears.", {"other"}),
    ("The Council agreed to cancel the penalty charge notice.", {"other"}),
    ("The Council agreed to progress the case without further delay.", {"other"}),
    ("The Council agreed to reduce the outstanding balance by £400.", {"other"}),
    # not remedies: the complaint, what was done before, offers, evidence to the Ombudsman, nothing described
    ("Mr X complained the Council failed to provide a school place for his son.", set()),
    ("Mrs Y says the Council should have apologised to her.", set()),
    ("Ms W wants the Council to pay her compensation.", set()),
    ("The Council has already apologised to Mr X.", set()),
    ("The Council had previously offered Mrs F £200.", set()),
    ("The Council has already revised its procedure for medical assessments.", set()),
    ("The Council should provide us with evidence it has done this.", set()),
    ("We have made recommendations to remedy this injustice.", set()),
    ("At the end of this statement we set out the action the Council has agreed.", set()),
    ("The Council refused to pay for the repairs.", set()),
    ("We do not recommend any further remedy.", set()),
    ("No further action is needed.", set()),
    ("The Council should have reviewed the care plan sooner.", set()),
    ("The Council's policy says reviews will be completed within six weeks.", set()),
    ("The investigation will be subject to senior approval.", set()),
    ("The Council has already provided training to its staff.", set()),
    ("It has already apologised for this which is a suitable remedy.", set()),
    ("Mr R complained about the Council's refusal to provide transport for his son.", set()),
    # lists, colons and 'by' clauses
    ("Within one month of the final decision, the Council will: apologise to Mr S; pay him £300.", {"apology", "payment"}),
    ("The Council has agreed to remedy the injustice by apologising and paying Mrs T £200.", {"apology", "payment"}),
    ("We recommended the Council should apologise and reconsider the request.", {"apology", "reconsider"}),
    ("To remedy the injustice, the Council will apologise and review its procedures so this does not happen again.",
     {"apology", "procedure_change"}),
    ("The Council agreed to our recommendation to make a payment of £250 for her time and trouble in pursuing the "
     "complaint.", {"payment"}),
    ("The Council has agreed to carry out the agreed action set out at the end of this statement.", set()),
    # more wording of the same kinds
    ("The Council has agreed to pay Mrs X £150 to acknowledge her time and trouble.", {"payment"}),
    ("The Council should pay £200 to recognise the uncertainty caused.", {"payment"}),
    ("We recommended the Council pays Ms Y £400.", {"payment"}),
    ("The Council will apologise in writing.", {"apology"}),
    ("It has agreed to write to Mr Z to apologise.", {"apology"}),
    ("The Council agreed to issue a formal apology.", {"apology"}),
    ("The Council has agreed to reimburse the cost of the private assessment.", {"payment"}),
    ("The Council agreed to repay the overpaid council tax.", {"payment"}),
    ("The care provider will refund the charges for missed visits.", {"payment"}),
    ("The Council will review how it handles applications.", {"procedure_change"}),
    ("The Council will remind staff to record telephone calls.", {"training"}),
    ("The Council has agreed to hold a training session for its officers.", {"training"}),
    ("The Council agreed to reassess Mr A's housing priority.", {"reconsider"}),
    ("The Council should reconsider the appeal with a new panel.", {"reconsider"}),
    ("The Council will carry out a new needs assessment.", {"reconsider"}),
    ("The School has agreed to offer a fresh appeal hearing.", {"reconsider"}),
    ("The Council has agreed to provide the missed tuition.", {"provide_service"}),
    ("The Council will arrange for the repairs to be completed.", {"provide_service"}),
    ("The Council has agreed to put in place a support plan for Mrs B's son.", {"provide_service"}),
    ("The Council will send Mrs B the records she asked for.", {"provide_information"}),
    ("The Council agreed to explain its decision to Mr C in writing.", {"provide_information"}),
    ("The Council has agreed to cancel the debt.", {"other"}),
    ("The Council agreed to remove the late payment charges.", {"other"}),
    ("The Council will pay Mrs D £250 and apologise.", {"payment", "apology"}),
    ("Within four weeks the Council should apologise, pay £500 and review its procedure.",
     {"apology", "payment", "procedure_change"}),
    ("Mrs F asked the Council to pay her £1,000.", set()),
    ("The Council offered Mr G £150, which he refused.", set()),
    ("The Council had agreed to review the plan but did not.", set()),
    ("We do not consider the Council needs to do anything further.", set()),
    ("The Council says it has apologised.", set()),
]


@pytest.mark.parametrize(("sentence", "kinds"), REMEDIES, ids=[row[0][:60] for row in REMEDIES])
def test_remedy_kinds(sentence, kinds):
    assert remedy_kinds(sentence) == kinds


PAYMENTS = [
    ("The Council agreed to pay Ms Z £300.", Decimal("300")),
    ("The Council agreed to pay £100 for Mrs X's time and trouble and £100 for her lost opportunity.", Decimal("200")),
    ("It agreed to pay Mr X £500, and Mr and Mrs L £3,000 to recognise their distress.", Decimal("3500")),
    ("The Council will pay him £1,000 for his distress and £150 for his time and trouble.", Decimal("1150")),
    ("It has agreed to remedy this by paying Mrs Y £2,870 to reimburse her costs.", Decimal("2870")),
    ("The Council agreed to make a symbolic payment to Mrs X.", None),
    ("The Council will apologise and pay Mr B a financial remedy.", None),
    ("The Council agreed to refund the £45.50 charge.", Decimal("45.50")),
    ("The Council has agreed to pay £1.2k to Mrs P.", Decimal("1200")),
    ("The Council will pay Miss D £250 within one month.", Decimal("250")),
    ("The Council agreed to reduce the outstanding balance by £400.", Decimal("0")),
    ("The Council agreed to waive £600 of the charges.", Decimal("0")),
    ("The Council had offered £100 but has now agreed to pay £350.", Decimal("350")),
    ("Our guidance suggests a payment of up to £500, and the Council agreed to pay £300.", Decimal("300")),
]


@pytest.mark.parametrize(("sentence", "total"), PAYMENTS, ids=[row[0][:60] for row in PAYMENTS])
def test_payment_totals(sentence, total):
    assert payment_total(sentence) == total


FINDINGS = [
    # second round: what the Ombudsman finds caused injustice, without the word fault
    ("Mr T complained about his father's care. We find the provider's care planning and its record keeping both "
     "caused injustice to Mr T.", {"fault_with_injustice"}),
    # two faults, only one of which caused injustice
    ("We found fault in how the school recorded the hearing and in its late decision on priority. Only the latter "
     "fault caused injustice, and the Council will arrange a new hearing.", {"fault_with_injustice", "fault_no_injustice"}),
    # evidence of fault not seen is not fault
    ("We will not investigate this complaint about a planning decision. We have not seen enough evidence of fault "
     "in how the Council reached it to justify an investigation.", {"not_investigated"}),
    # the remedy sought already given, the matter already remedied
    ("We will not investigate this complaint about a blue badge because the Council has remedied the matter.",
     {"not_investigated", "remedied_by_organisation"}),
    ("We will not investigate Ms U's complaint about her allowance. This is because the Council has provided the remedy "
     "she was seeking.", {"not_investigated", "remedied_by_organisation"}),
    # fault that caused injustice, in many words
    ("We found the Council at fault. This caused Mrs X distress.", {"fault_with_injustice"}),
    ("The Council was at fault for delay, causing Mr B uncertainty.", {"fault_with_injustice"}),
    ("The Council took too long to assess Ms C's needs, which left her anxious and uncertain.", {"fault_with_injustice"}),
    ("There were shortcomings in the care provided to Mr D. This caused him avoidable distress.",
     {"fault_with_injustice"}),
    ("We find fault with the Council's handling of the review and this meant the family lost schooling.",
     {"fault_with_injustice"}),
    ("There was service failure because the school place was not provided for two terms.",
     {"fault_with_injustice"}),
    ("The Council delayed issuing the plan. This was fault and it caused Mrs E frustration.",
     {"fault_with_injustice"}),
    ("The Council failed to carry out a carer's assessment. Mrs F missed out on support as a result.",
     {"fault_with_injustice"}),
    ("The Council accepts it mishandled her concerns, causing upset.", {"fault_with_injustice"}),
    ("There was fault by the Council. It has agreed to apologise and pay Mr G £200.", {"fault_with_injustice"}),
    ("We uphold the complaint. The Council gave wrong advice which caused Ms H to lose her chance to appeal.",
     {"fault_with_injustice"}),
    ("The Council was at fault. The Council will apologise and make a payment.", {"fault_with_injustice"}),
    ("There were delays by the Council in completing the review. The Council has agreed to pay Mrs I £300.",
     {"fault_with_injustice"}),
    # fault without injustice
    ("The Council was at fault but this did not cause Mr J a significant injustice.", {"fault_no_injustice"}),
    ("There was fault in the way the Council recorded the visit, but it did not affect the outcome.",
     {"fault_no_injustice"}),
    ("The Council delayed sending the notice. This was fault. However, it did not cause any injustice to Mrs K.",
     {"fault_no_injustice"}),
    ("The Council failed to keep a record of the meeting, but this made no difference to the decision.",
     {"fault_no_injustice"}),
    # no fault
    ("We have not found the Council at fault.", {"no_fault"}),
    ("We did not find fault in how the Council assessed Mr L's priority.", {"no_fault"}),
    ("The Council was not at fault.", {"no_fault"}),
    ("There was no fault in the way the Council reached its decision.", {"no_fault"}),
    ("The Council acted in line with its policy.", {"no_fault"}),
    ("The Ombudsman does not uphold Mrs M's complaint.", {"no_fault"}),
    ("We found no fault in the Council's actions.", {"no_fault"}),
    ("There is insufficient evidence of fault by the Council in its recovery of the debt.", {"no_fault"}),
    ("We have completed our investigation having not made a finding of fault.", {"no_fault"}),
    ("I do not find the Council at fault.", {"no_fault"}),
    ("We found no evidence of fault in the way the Council made its decision.", {"no_fault"}),
    ("The Council followed the correct procedure.", {"no_fault"}),
    ("We have found the Council acted properly.", {"no_fault"}),
    ("We found fault in the Council's handling of the review, which caused Mrs X distress.", {"fault_with_injustice"}),
    ("The Council failed to follow its own policy. This caused Mr Y uncertainty.", {"fault_with_injustice"}),
    ("There were delays in the Council's response which put Ms Z to time and trouble.", {"fault_with_injustice"}),
    ("The Council's delay was fault, but it did not change the outcome.", {"fault_no_injustice"}),
    ("The Council was at fault but Mr A suffered no injustice as a result.", {"fault_no_injustice"}),
    ("The Council has already apologised and paid Ms B £100, which is a suitable remedy.", {"remedied_by_organisation"}),
    ("The Council was at fault. Its offer of £250 was a proportionate remedy.", {"remedied_by_organisation"}),
    ("We will not investigate Mr C's complaint about the library because it is late.", {"not_investigated"}),
    ("The Council's actions were not fault.", {"no_fault"}),
    ("The Ombudsman has found no evidence of fault in how the Council dealt with the application.", {"no_fault"}),
    ("The Ombudsman finds fault with the Council's delay, which caused Miss A distress.", {"fault_with_injustice"}),
    ("We have found fault causing injustice.", {"fault_with_injustice"}),
    # mixed
    ("The Council was not at fault for the banding decision. It was at fault for delay, which caused Mr N frustration.",
     {"no_fault", "fault_with_injustice"}),
    ("There is no fault in how the Council decided the application but it failed to reply to Ms O's complaint and "
     "will apologise for this.", {"no_fault", "fault_with_injustice"}),
    ("We have not found fault by the surgery. There were some faults by the care home. We have recommended the "
     "Council apologises to Ms P.", {"no_fault", "fault_with_injustice"}),
    # remedied by the organisation
    ("The Council was at fault for the delay. It has already apologised, which is a suitable remedy.",
     {"remedied_by_organisation"}),
    ("The Council has taken appropriate action to remedy the injustice Mr Q experienced.", {"remedied_by_organisation"}),
    ("The Council has already refunded the charge and apologised.", {"remedied_by_organisation"}),
    ("The fault was corrected in the Council's final complaint response.", {"remedied_by_organisation"}),
    ("The Council was at fault. It has already apologised. It has agreed to pay Mr R £250 for his time and trouble.",
     {"fault_with_injustice", "remedied_by_organisation"}),
    # not investigated
    ("We will not investigate this complaint because there is not enough evidence of fault.", {"not_investigated"}),
    ("We have ended our investigation as we cannot achieve the outcome Mr S wants.", {"not_investigated"}),
    ("The Ombudsman has stopped investigating the complaint.", {"not_investigated"}),
    ("We will not consider Mrs T's complaint about the school transport decision because she can appeal.",
     {"not_investigated"}),
    ("We will not investigate this complaint. This is because there is no evidence of fault by the Council.",
     {"not_investigated"}),
    ("We will not investigate further because it is unlikely we would find fault.", {"not_investigated"}),
    ("We have discontinued our investigation because nothing worthwhile would be gained.", {"not_investigated"}),
    ("We do not find fault on the first part of the complaint. We will not investigate the second because it is late.",
     {"no_fault", "not_investigated"}),
    # outside jurisdiction, and both
    ("We cannot investigate this complaint because it concerns the management of council housing.",
     {"outside_jurisdiction"}),
    ("We have no power to investigate what happens in schools.", {"outside_jurisdiction"}),
    ("The complaint is outside our jurisdiction.", {"outside_jurisdiction"}),
    ("We no longer have power to investigate this complaint because Mr U has taken the matter to court.",
     {"outside_jurisdiction"}),
    ("We will not investigate this complaint. The law prevents us from investigating matters that have been before "
     "the courts, and we could not achieve the outcome Ms V wants.", {"not_investigated", "outside_jurisdiction"}),
    # A legal bar alone is outside jurisdiction, even when the summary says 'will not investigate'.
    ("We will not investigate this complaint about care proceedings. Those matters were considered in court.",
     {"outside_jurisdiction"}),
    # statements of the law and reason clauses are not findings
    ("We cannot investigate late complaints unless we decide there are good reasons.", set()),
    ("We usually expect people to use their appeal rights.", set()),
    ("Mr W complained the Council was at fault and caused him distress.", set()),
    ("Mrs Y says the Council failed to act on her reports.", set()),
]


@pytest.mark.parametrize(("summary", "kinds"), FINDINGS, ids=[row[0][:60] for row in FINDINGS])
def test_finding_kinds(summary, kinds):
    assert finding_kinds(summary) == kinds


def test_fault_without_injustice_words_is_read_from_the_remedy():
    assert finding_kinds("The Council took too long. It will pay Mrs Z £100.") == {"fault_with_injustice"}


REASONS = [
    ("We will not investigate this complaint because there is not enough evidence of fault to warrant an investigation.",
     {"unlikely_to_find_fault"}),
    ("We will not investigate. It is unlikely we would find fault with the Council's decision.",
     {"unlikely_to_find_fault"}),
    ("We will not investigate this complaint. We have not seen evidence of fault which would justify investigating.",
     {"unlikely_to_find_fault"}),
    ("We will not investigate because there is insufficient evidence of injustice to warrant an investigation.",
     {"no_significant_injustice"}),
    ("We will not investigate. The delay has not caused Mr A a significant enough injustice.",
     {"no_significant_injustice"}),
    ("We will not investigate this complaint because it is late.", {"late_complaint"}),
    ("We will not investigate this complaint about events in 2015 as they are historical.", {"late_complaint"}),
    ("We will not investigate because Mrs B complained more than 12 months after she knew of the matter.",
     {"late_complaint"}),
    ("We will not investigate this complaint because Mr C has appeal rights to a tribunal.", {"court_or_tribunal"}),
    ("We will not investigate. It was reasonable for Ms D to ask for a statutory review of the decision.",
     {"court_or_tribunal"}),
    ("We will not investigate this complaint. It would be reasonable for Mr E to go to court.", {"court_or_tribunal"}),
    ("We will not investigate because Mrs F could make a claim on the Council's insurance.", {"court_or_tribunal"}),
    ("We will not investigate this complaint about a parking fine because Mr G can appeal to the traffic tribunal.",
     {"court_or_tribunal"}),
    ("We will not investigate because the complaint is premature.", {"premature"}),
    ("We will not investigate yet because the Council has not had the chance to respond through its complaints procedure.",
     {"premature"}),
    ("We will not investigate this complaint because the Information Commissioner is better placed to consider it.",
     {"another_body_better_placed"}),
    ("We will not investigate this complaint. The Housing Ombudsman is the appropriate body to consider it.",
     {"another_body_better_placed"}),
    ("We will not investigate this complaint because we cannot achieve the outcome Mr H wants.", {"other"}),
    ("We have ended our investigation because further investigation would not achieve anything more.", {"other"}),
    ("We will not investigate because nothing worthwhile would be gained.", {"other"}),
    ("We will not investigate. The Council has already offered a suitable remedy.", {"other"}),
    ("We will not investigate because an investigation is unlikely to lead to a different outcome.", {"other"}),
    ("We will not consider Mrs I's complaint because she is not entitled to the outcome she wants.", {"other"}),
    ("We will not investigate this complaint. This is because the complaint does not meet the tests in our Assessment "
     "Code. There is not enough evidence of fault.", {"unlikely_to_find_fault"}),
    ("We will not investigate this complaint about the Council's tribunal appeal process because it is late.",
     {"late_complaint"}),
    ("We will not investigate this complaint about her late mother's care because the care provider has given a "
     "suitable response.", {"other"}),
    ("We will not investigate this complaint because there is insufficient evidence of fault, and Mr J can appeal "
     "to the Valuation Tribunal.", {"unlikely_to_find_fault", "court_or_tribunal"}),
    ("We will not investigate. The complaint is late and we could not add to the Council's response.",
     {"late_complaint", "other"}),
    ("We will not investigate because the matter is premature and the courts are better placed to decide it.",
     {"premature", "court_or_tribunal"}),
    ("We will not investigate. There is not enough evidence he suffered any injustice.", {"no_significant_injustice"}),
    ("We will not investigate. Mr K could have appealed to the tribunal.", {"court_or_tribunal"}),
    ("We will not investigate this complaint because it is a matter for the courts.", {"court_or_tribunal"}),
    ("We will not investigate because Mrs L has not yet complained to the Council.", {"premature"}),
    ("We will not investigate. It would be more appropriate for the ICO to consider this.",
     {"another_body_better_placed"}),
    ("We will not investigate because the Council has offered to reassess Mr M's needs.", {"other"}),
    ("We will not investigate because the complaint was made too late.", {"late_complaint"}),
    ("We will not investigate because the events happened more than two years ago.", {"late_complaint"}),
    ("We will not investigate because Mrs E has not yet completed the Council's complaints procedure.", {"premature"}),
    ("We will not investigate because the police are better placed to investigate.", {"another_body_better_placed"}),
    ("We will not investigate because it would be reasonable for Ms F to appeal to the First-tier Tribunal.",
     {"court_or_tribunal"}),
    ("We will not investigate as there is no worthwhile outcome we could achieve.", {"other"}),
    ("We will not investigate because any injustice is not significant enough to warrant our involvement.",
     {"no_significant_injustice"}),
    ("We will not investigate because the Council has agreed to pay Mr G £200, which is a suitable remedy.", {"other"}),
    # Two reasons in one sentence, or a second added with 'nor' or 'also'.
    ("We will not investigate this complaint about a closed footpath. We have seen no evidence of fault in the Council's "
     "decision, nor can we achieve the change Mr H wants.", {"unlikely_to_find_fault", "other"}),
    ("We will not investigate this complaint about noise. There is too little evidence of fault by the Council or of "
     "significant injustice to Ms J.", {"unlikely_to_find_fault", "no_significant_injustice"}),
    ("We will not investigate the delay in answering Mr K's letters. We do not think it would be a good use of public "
     "resources to look at the delay alone.", {"other"}),
    ("We will not investigate this complaint about the Council's charges. There is not enough evidence that the increase "
     "has caused Mrs L injustice warranting an investigation.", {"no_significant_injustice"}),
    # Time gone by, a statutory review, and a misspelt word.
    ("We will not investigate the care Mr M's father received in 2019, because of the time that has passed since.",
     {"late_complaint"}),
    ("We will not investigate this complaint about temporary accommodation because Ms N can ask for a suitability "
     "review of the offer.", {"court_or_tribunal"}),
    ("We will not investigate this complaint about a safeguarding enquiry. We have not seen enough evidence of faut to "
     "justify our involvement.", {"unlikely_to_find_fault"}),
]


@pytest.mark.parametrize(("summary", "expected"), REASONS, ids=[row[0][:60] for row in REASONS])
def test_not_investigated_reasons(summary, expected):
    assert reasons(summary) == expected


def test_outcome_label_is_used_only_when_the_text_states_nothing():
    from decisions.statements.findings import extract_findings

    warnings: list[str] = []
    found = extract_findings([], "Mr X complained about the Council.", "Upheld", warnings)
    assert [(f.kind, f.basis) for f in found] == [("fault_with_injustice", "outcome")]
    assert "inferred from the outcome label" in warnings[0]
    assert [f.kind for f in extract_findings([], "We found no fault.", "Upheld", [])] == ["no_fault"]


def test_an_action_section_with_nothing_readable_falls_back_to_the_summary():
    from decisions.statements.parser import parse_decision
    from tests.factories import statement_text

    parsed = parse_decision(statement_text(reference="91 000 001", organisation="Testshire County Council",
                                           summary="We found fault. The Council will apologise and pay Mr X £100.",
                                           agreed_action=["The Council has agreed the action described above."]))
    assert [(r.kind, r.basis) for r in parsed.remedies] == [("apology", "summary"), ("payment", "summary")]
    assert parsed.total_payment == 100
    assert parsed.review_reasons == []  # reading the summary is ordinary, not a reason to check


# Payments stated as a rate: the amount a period, the period, the number of periods when said,
# and the total (stated, or the rate times the periods; unknown when neither is said).
@pytest.mark.parametrize("sentence, per, period, periods, total", [
    ("The Council has agreed to pay Mrs A £250 a month for six months, a total of £1,500, for the education her son lost.",
     "250.00", "month", 6, "1500.00"),
    ("The Council should pay Ms B £1,600 per term for the two terms her daughter was without a school place.",
     "1600.00", "term", 2, "3200.00"),
    ("The Council will pay Mr C £50 for each week he went without the care he was assessed as needing.",
     "50.00", "week", None, None),
    ("The Council agreed to pay Mrs D £200 monthly until the provision in the plan is in place.",
     "200.00", "month", None, None),
    ("The Council has agreed to pay Mr E £900 a term for 3 terms of missed education.", "900.00", "term", 3, "2700.00"),
    ("The Trust will pay Ms F £20 per day for the 14 days she was left without support.", "20.00", "day", 14, "280.00"),
    ("The Council agreed to pay Mr G £1,200 for each school term he was out of education, £2,400 in total.",
     "1200.00", "term", None, "2400.00"),
])
def test_a_payment_stated_as_a_rate_keeps_its_rate_and_total(sentence, per, period, periods, total):
    payments = [r for r in _tidy(read_commitments(sentence)) if r.kind == "payment"]
    assert len(payments) == 1, payments
    (payment,) = payments
    assert (f"{payment.rate.per:.2f}", payment.rate.period, payment.rate.periods) == (per, period, periods)
    assert (None if payment.amount is None else f"{payment.amount:.2f}") == total


@pytest.mark.parametrize("sentence", [
    "The Council will pay Mrs H £300 for her distress.",
    "Mr J was repaying the debt at £15 a week before the Council agreed to pause recovery.",  # not a new payment
    "The Council will pay £250 to Ms K within a month of this decision.",  # 'within a month' is a deadline
])
def test_an_amount_not_stated_as_a_rate_has_none(sentence):
    assert all(r.rate is None for r in read_commitments(sentence))
