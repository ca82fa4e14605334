"""The benchmark corpus generator: deterministic, realistic enough to import and search."""

import importlib.util
from pathlib import Path

import pytest

from decisions.statements.parser import parse_decision

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("generate_corpus", ROOT / "bench" / "generate_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_all(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))}


def test_same_seed_same_files_and_every_file_parses(generator, tmp_path):
    generator.generate(tmp_path / "a", 60, seed=3)
    generator.generate(tmp_path / "b", 60, seed=3)
    generator.generate(tmp_path / "c", 60, seed=4)
    first, second, other = read_all(tmp_path / "a"), read_all(tmp_path / "b"), read_all(tmp_path / "c")
    assert first == second and first != other and len(first) == 60
    parsed = [parse_decision(text) for text in first.values()]
    assert len({p.reference for p in parsed}) == 60
    assert {p.outcome for p in parsed} >= {"Upheld", "Not upheld", "Closed after initial enquiries"}
    assert len({p.category for p in parsed}) >= 6
    assert any("\n\nBack to top\n\n" in text for text in first.values())  # the block layout
    assert any("\n- " in text and "Back to top" not in text for text in first.values())  # the compact one
    assert any(p.total_payment > 0 for p in parsed)
    sizes = sorted(len(text.encode()) for text in first.values())
    assert sizes[0] > 2500 and sizes[-1] < 40_000
