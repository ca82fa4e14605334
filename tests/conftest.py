import json
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))["decisions"]
SEED_FILES = sorted(FIXTURES.glob("*.txt"))


def seed_path(name: str) -> Path:
    return FIXTURES / name


def seed_text(name: str) -> str:
    return seed_path(name).read_text(encoding="utf-8")


@pytest.fixture
def seeds(db):
    """The five seed decisions, imported through the real command."""
    call_command("import_decisions", str(FIXTURES), verbosity=0)


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached values and the listing columns are held per process: each test starts without them."""
    from django.core.cache import cache

    from decisions.search import columns, names

    cache.clear()
    columns.forget()
    names.forget()
    yield
    cache.clear()
    columns.forget()
    names.forget()
