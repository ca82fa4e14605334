"""The public pages built on the foundation."""

import pytest

from decisions.models import Decision

pytestmark = pytest.mark.django_db


def test_home_lists_the_imported_decisions(client, seeds):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    for decision in Decision.objects.all():
        assert decision.reference in content


def test_decision_page_and_unpublished_404(client, seeds):
    response = client.get("/decisions/20-003-763/")
    assert response.status_code == 200
    assert "Dorset Council (20 003 763)" in response.content.decode()
    Decision.objects.filter(reference="20 003 763").update(is_published=False)
    assert client.get("/decisions/20-003-763/").status_code == 404
    assert "20 003 763" not in client.get("/").content.decode()
