"""Cached results live under an explicit data version that every kind of write moves."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from decisions.caching import cached, data_version
from decisions.models import ArchiveState, Council, Decision, Remedy
from tests.conftest import FIXTURES
from tests.test_admin import _post_data

pytestmark = pytest.mark.django_db


def moved(action) -> bool:
    before = ArchiveState.current()
    action()
    return ArchiveState.current() > before


def test_import_admin_save_delete_and_bulk_update_each_move_the_version(seeds, admin_client):
    assert moved(lambda: Decision.objects.filter(reference="20 003 763").update(summary="Changed in bulk."))
    assert moved(lambda: Remedy.objects.filter(decision__reference="20 003 763").delete())
    assert moved(lambda: Decision.objects.get(reference="20 007 812").delete())
    assert moved(lambda: call_command("import_decisions", str(FIXTURES)))  # re-creates the deleted one
    assert not moved(lambda: call_command("import_decisions", str(FIXTURES)))  # nothing changed, nothing moved
    decision = Decision.objects.get(reference="22 017 902")
    data = _post_data(admin_client, decision)
    data["summary"] = "Edited by staff."
    assert moved(lambda: admin_client.post(reverse("admin:decisions_decision_change", args=[decision.pk]), data))
    url = reverse("admin:decisions_decision_changelist")
    assert moved(lambda: admin_client.post(url, {"action": "unpublish", "_selected_action": [decision.pk]}))
    council = Council.objects.first()
    assert moved(lambda: admin_client.post(reverse("admin:decisions_council_change", args=[council.pk]),
                                           {"name": "Renamed Council", "slug": council.slug, "kind": council.kind}))


def test_a_cached_count_is_not_served_after_a_delete(seeds):
    count = lambda: cached(("published count",), Decision.objects.published().count)  # noqa: E731
    assert count() == 5
    Decision.objects.get(reference="20 003 763").delete()  # Max(updated_at) would not have moved
    assert count() == 4


def test_the_version_is_read_from_one_row(seeds, django_assert_num_queries):
    current = ArchiveState.current()
    with django_assert_num_queries(1):
        assert data_version() == current > 0


def test_an_import_moves_the_version_once_per_transaction(db, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from decisions.services import DecisionImporter
    from tests.factories import statement_text

    before = ArchiveState.current()
    with CaptureQueriesContext(connection) as captured:
        result = DecisionImporter().import_bytes(statement_text(reference="93 000 001", organisation="Oneshire Council",
                                                                agreed_action=["The Council will apologise."]).encode(),
                                                 source_name="one.txt")
    assert result.status == "created"
    bumps = [q for q in captured if "decisions_archivestate" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(bumps) == 1 and ArchiveState.current() == before + 1
    # A batch of new decisions: one move too.
    before = ArchiveState.current()
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(statement_text(reference=f"93 000 01{n}", organisation="Twoshire Council"))
    call_command("import_decisions", str(tmp_path))
    assert ArchiveState.current() == before + 1
