"""Curation in Django admin."""

from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from decisions.models import Decision

pytestmark = pytest.mark.django_db


def test_changelist_with_filters_and_search(admin_client, seeds):
    url = reverse("admin:decisions_decision_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"20 003 763") >= 1
    for params, expected in [
        ({"q": "Dorset"}, ["20 003 763"]),
        ({"q": "20 007 812"}, ["20 007 812"]),
        ({"q": "Information Commissioner"}, ["18 011 812", "22 017 902"]),
        ({"outcome": "Closed after initial enquiries"}, ["22 017 902"]),
        ({"year": "2021"}, ["20 007 616", "20 007 812"]),
        ({"is_published__exact": "1"}, ["18 011 812", "20 003 763", "20 007 616", "20 007 812", "22 017 902"]),
        ({"is_curated__exact": "1"}, []),
    ]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        shown = sorted(d.reference for d in response.context["cl"].result_list)
        assert shown == expected, params
    response = admin_client.get(url, {"organisation": "Dorset"})
    assert [d.reference for d in response.context["cl"].result_list] == ["20 003 763"]


def test_change_page_has_inlines_and_autocomplete(admin_client, seeds):
    decision = Decision.objects.get(reference="20 003 763")
    response = admin_client.get(reverse("admin:decisions_decision_change", args=[decision.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "remedies-TOTAL_FORMS" in content and "findings-TOTAL_FORMS" in content
    assert "admin-autocomplete" in content
    autocomplete = admin_client.get(reverse("admin:autocomplete"), {
        "term": "Dors", "app_label": "decisions", "model_name": "decision", "field_name": "council"})
    assert autocomplete.json()["results"][0]["text"] == "Dorset Council"


def _form_values(form):
    values = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(field, forms.MultiValueField):  # posted as name_0, name_1, … as its widget writes it
            parts = value if isinstance(value, list | tuple) else field.widget.decompress(value)
            values.update({f"{form.add_prefix(name)}_{n}": part for n, part in enumerate(parts) if part is not None})
            continue
        values[form.add_prefix(name)] = "on" if value is True else value
    return values


def _post_data(admin_client, decision):
    """The change form's own data, as a browser would post it back."""
    response = admin_client.get(reverse("admin:decisions_decision_change", args=[decision.pk]))
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_values(formset.management_form))
        for form in formset.forms:
            data.update(_form_values(form))
    return data


def test_saving_in_admin_marks_curated_and_recomputes_total(admin_client, seeds):
    decision = Decision.objects.get(reference="20 003 763")
    data = _post_data(admin_client, decision)
    data["summary"] = "Edited by staff."
    # Change the first payment (£1000) to £1200.
    index = next(i for i in range(10) if data.get(f"remedies-{i}-amount") in (Decimal("1000.00"), "1000.00"))
    data[f"remedies-{index}-amount"] = "1200.00"
    response = admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    decision.refresh_from_db()
    assert decision.is_curated
    assert decision.summary == "Edited by staff."
    assert decision.total_payment == Decimal("1950.00")


def test_publish_unpublish_and_reparse_actions(admin_client, seeds):
    url = reverse("admin:decisions_decision_changelist")
    decision = Decision.objects.get(reference="20 007 616")
    response = admin_client.post(url, {"action": "unpublish", "_selected_action": [decision.pk]})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert not decision.is_published
    admin_client.post(url, {"action": "publish", "_selected_action": [decision.pk]})
    decision.refresh_from_db()
    assert decision.is_published

    decision.remedies.all().delete()
    Decision.objects.filter(pk=decision.pk).update(summary="Damaged", is_curated=True, total_payment=0)
    # Re-parsing discards staff edits: it asks first, and nothing changes until confirmed.
    asked = admin_client.post(url, {"action": "reparse", "_selected_action": [decision.pk]})
    assert asked.status_code == 200
    assert "1 of them has been edited or checked by staff: those edits will be lost" in asked.content.decode()
    decision.refresh_from_db()
    assert decision.summary == "Damaged"
    admin_client.post(url, {"action": "reparse", "_selected_action": [decision.pk], "confirmed": "yes"})
    decision.refresh_from_db()
    assert decision.summary.startswith("Miss X complains")
    assert decision.remedies.count() == 2
    assert decision.total_payment == Decimal("500.00")
    assert not decision.is_curated


def test_reparse_reports_a_broken_source(admin_client, seeds):
    decision = Decision.objects.get(reference="20 007 616")
    Decision.objects.filter(pk=decision.pk).update(source_text="")
    response = admin_client.post(reverse("admin:decisions_decision_changelist"),
                                 {"action": "reparse", "_selected_action": [decision.pk], "confirmed": "yes"},
                                 follow=True)
    assert "Could not re-parse 20 007 616: the file is empty" in response.content.decode()


def test_admin_needs_staff(client, seeds):
    response = client.get(reverse("admin:decisions_decision_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_other_models_are_registered(admin_client, seeds):
    for name in ("council", "category", "remedy", "finding"):
        response = admin_client.get(reverse(f"admin:decisions_{name}_changelist"))
        assert response.status_code == 200
        assert response.context["cl"].result_count > 0


def test_the_database_refuses_words_outside_the_vocabulary(seeds):
    from django.db import IntegrityError, transaction

    from decisions.models import Finding, Remedy

    remedy = Remedy.objects.filter(kind="payment").first()
    for field, value in (("purposes", "distres"), ("kind", "compensation"), ("purposes", "other,distress")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Remedy.objects.filter(pk=remedy.pk).update(**{field: value})  # .update() skips save(): the database checks
    finding = Finding.objects.first()
    for field, value in (("kind", "fault"), ("reason", "too late")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Finding.objects.filter(pk=finding.pk).update(**{field: value})


def test_admin_ticks_purposes_and_refuses_an_unknown_outcome(admin_client, seeds):
    decision = Decision.objects.get(reference="20 003 763")
    url = reverse("admin:decisions_decision_change", args=[decision.pk])
    page = admin_client.get(url).content.decode()
    assert "Total of the stated payments: £1,750" in page and "read automatically" in page
    assert 'type="checkbox" name="remedies-1-purposes" value="time_and_trouble"' in page
    data = _post_data(admin_client, decision)
    data["outcome"] = "Sort of upheld-ish"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "is not an outcome the archive knows" in response.content.decode()
    data["outcome"] = "Upheld: maladministration and injustice"
    index = next(i for i in range(10) if data.get(f"remedies-{i}-kind") == "payment")
    data[f"remedies-{index}-purposes"] = ["time_and_trouble", "distress"]
    assert admin_client.post(url, data).status_code == 302
    remedy = decision.remedies.get(position=int(data[f"remedies-{index}-position"]))
    assert remedy.purposes == "distress,time_and_trouble"  # vocabulary order
    assert Decision.objects.get(pk=decision.pk).outcome_group == "upheld"


def test_admin_refuses_a_subcategory_of_another_category(admin_client, seeds):
    """The topic a search finds a decision by is its category and subcategory as a pair."""
    from decisions.models import Category

    decision = Decision.objects.filter(subcategory__isnull=False).select_related("subcategory").first()
    elsewhere = Category.objects.create(name="Somewhere else", slug="somewhere-else")
    data = _post_data(admin_client, decision)
    data["category"] = str(elsewhere.pk)
    response = admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), data)
    assert response.status_code == 200
    assert "is not a subcategory of" in response.content.decode()
    decision.refresh_from_db()
    assert decision.category_id != elsewhere.pk
    data["category"] = str(decision.subcategory.pk)
    response = admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), data)
    assert "is a subcategory: choose its category" in response.content.decode()
    data["category"], data["subcategory"] = str(decision.subcategory.parent_id), str(decision.subcategory.pk)
    assert admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), data).status_code == 302


@pytest.fixture
def view_only_client(client, db):
    """A staff member who may look at decisions, remedies and findings but change none of them."""
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("viewer", password="a long enough password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_decision", "view_remedy", "view_finding"]))
    client.force_login(user)
    return client


def _decision_state(decision):
    decision.refresh_from_db()
    return (decision.is_published, decision.is_curated, decision.summary, decision.updated_at)


@pytest.mark.parametrize("action", ["unpublish", "publish", "confirm", "reparse"])
def test_view_only_staff_can_run_no_action(view_only_client, seeds, action):
    url = reverse("admin:decisions_decision_changelist")
    decision = Decision.objects.get(reference="20 007 616")
    Decision.objects.filter(pk=decision.pk).update(summary="Edited by staff", is_curated=True,
                                                   is_published=action != "publish")
    before = _decision_state(decision)
    page = view_only_client.get(url)
    assert page.status_code == 200
    assert f'value="{action}"'.encode() not in page.content  # not offered
    for data in ({"action": action, "_selected_action": [decision.pk]},
                 {"action": action, "_selected_action": [decision.pk], "confirmed": "yes"}):
        response = view_only_client.post(url, data)
        assert response.status_code in (200, 302, 403)  # the list again, or refused
        assert _decision_state(decision) == before


def test_view_only_staff_cannot_change_any_form(view_only_client, seeds):
    decision = Decision.objects.get(reference="20 007 616")
    before = _decision_state(decision)
    change = reverse("admin:decisions_decision_change", args=[decision.pk])
    assert view_only_client.get(change).status_code == 200  # they may look
    data = _post_data_for(decision)
    assert view_only_client.post(change, data).status_code == 403
    assert _decision_state(decision) == before
    remedy = decision.remedies.first()
    remedy_change = reverse("admin:decisions_remedy_change", args=[remedy.pk])
    assert view_only_client.post(remedy_change, {"kind": "apology", "decision": decision.pk}).status_code == 403
    assert view_only_client.post(reverse("admin:decisions_decision_delete", args=[decision.pk]),
                                 {"post": "yes"}).status_code == 403
    assert Decision.objects.filter(pk=decision.pk).exists()


def _post_data_for(decision):
    return {"reference": decision.reference, "council": decision.council_id, "outcome": decision.outcome,
            "summary": "Changed by someone who may only look", "is_published": "on", "is_curated": "on",
            "remedies-TOTAL_FORMS": "0", "remedies-INITIAL_FORMS": "0",
            "findings-TOTAL_FORMS": "0", "findings-INITIAL_FORMS": "0"}


@pytest.mark.parametrize("lookup", ["full_text__regex", "summary__icontains", "source_text__startswith",
                                    "council__name__regex", "reference__gt"])
def test_the_changelist_accepts_only_the_filters_it_declares(admin_client, seeds, lookup):
    url = reverse("admin:decisions_decision_changelist")
    response = admin_client.get(url, {lookup: r"^(.+)+\1$"})
    assert response.status_code == 400
    # The declared filters, the year and the date hierarchy still work.
    for params in ({"is_published__exact": "1"}, {"year": "2021"}, {"review": "needs"},
                   {"decision_date__year": "2021"}, {"outcome_group__exact": "upheld"}):
        assert admin_client.get(url, params).status_code == 200, params


def test_admin_search_reads_a_bounded_number_of_words(admin_client, seeds):
    url = reverse("admin:decisions_decision_changelist")
    response = admin_client.get(url, {"q": "Dorset " + " ".join(["zzz"] * 40)}, follow=True)
    assert response.status_code == 200
    assert "Searched for the first 6 words only" in response.content.decode()


def test_a_save_over_a_decision_an_import_replaced_meanwhile_says_so(admin_client, seeds):
    from decisions.services import DecisionImporter
    from tests.conftest import seed_text

    decision = Decision.objects.get(reference="20 003 763")
    data = _post_data(admin_client, decision)  # the form as staff opened it
    data["summary"] = "Edited by staff."
    # Meanwhile an import writes a new version of the statement, replacing its remedies and findings.
    changed = seed_text("000_22a7e19c90128e70.txt").replace("Summary:", "Summary: Revised.", 1).encode()
    assert DecisionImporter().import_bytes(changed, source_name="revised.txt").status == "updated"
    response = admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), data)
    assert response.status_code == 200
    assert "changed by an import or by someone else while you were editing it" in response.content.decode()
    decision.refresh_from_db()
    assert decision.summary != "Edited by staff." and not decision.is_curated
    # Opened again, it saves.
    fresh = _post_data(admin_client, decision)
    fresh["summary"] = "Edited by staff."
    assert admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), fresh).status_code == 302


def test_admin_pages_use_the_admin_stylesheet_not_inline_styles(admin_client, seeds):
    """The site's Content-Security-Policy allows no inline style: what the admin adds is in css/admin.css."""
    decision = Decision.objects.get(reference="20 003 763")
    page = admin_client.get(reverse("admin:decisions_decision_change", args=[decision.pk])).content.decode()
    assert 'class="narrow-number"' in page and 'style="width' not in page
    assert "css/admin.css" in page


def test_the_organisation_filter_is_a_search_box_that_keeps_the_other_filters(client, seeds):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("boxer", "b@example.org", "a long test password 123"))
    html = client.get("/admin/decisions/decision/", {"outcome_group__exact": "upheld"}).content.decode()
    box = html[html.index('class="organisation-filter"'):html.index("</form>", html.index('class="organisation-filter"'))]
    assert 'type="search"' in box and 'name="outcome_group__exact" value="upheld"' in box
    assert "Dorset Council</a>" not in box  # no list of organisations
    found = client.get("/admin/decisions/decision/", {"organisation": "dorset"}).content.decode()
    assert "20 003 763" in found and "20 007 812" not in found
    assert "checked by staff" in found or "read automatically" in found  # the review state in the list


def test_a_curator_sets_a_payments_rate_in_one_cell(admin_client, seeds):
    decision = Decision.objects.get(reference="20 003 763")
    url = reverse("admin:decisions_decision_change", args=[decision.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="remedies-0-rate_0"' in page and 'aria-label="Rate: period"' in page
    data = _post_data(admin_client, decision)
    index = next(i for i in range(10) if data.get(f"remedies-{i}-amount") in (Decimal("1000.00"), "1000.00"))
    data.update({f"remedies-{index}-rate_0": "250", f"remedies-{index}-rate_1": "month",
                 f"remedies-{index}-rate_2": "4"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    remedy = decision.remedies.get(position=int(data[f"remedies-{index}-position"]))
    assert (remedy.rate_per, remedy.rate_period, remedy.rate_periods, remedy.amount) == (250, "month", 4, 1000)
    assert "£250 a month for 4 months" in admin_client.get("/decisions/20-003-763/").content.decode()
    data = _post_data(admin_client, decision)  # the rate is shown again as it was saved
    assert (data[f"remedies-{index}-rate_0"], data[f"remedies-{index}-rate_1"]) in ((Decimal("250.00"), "month"),
                                                                                    ("250.00", "month"))
    data[f"remedies-{index}-rate_1"] = ""  # an amount a period without its period is refused; nothing saved
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "A rate needs both" in response.content.decode(), response.context["errors"]
    remedy.refresh_from_db()
    assert remedy.rate_period == "month"
