"""The import command and service against a real database."""

import json
import shutil
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from decisions.models import Category, Council, Decision, Finding, Remedy
from tests.conftest import EXPECTED, FIXTURES, SEED_FILES, seed_text


def run_import(*args):
    """Run the command; return (stdout, stderr, error or None)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_decisions", *[str(a) for a in args], stdout=out, stderr=err)
        error = None
    except CommandError as exc:
        error = exc
    return out.getvalue(), err.getvalue(), error


def snapshot():
    """Everything the import writes, to compare before and after."""
    return (
        list(Decision.objects.order_by("pk").values()),
        list(Remedy.objects.order_by("pk").values()),
        list(Finding.objects.order_by("pk").values()),
        list(Council.objects.order_by("pk").values()),
        list(Category.objects.order_by("pk").values()),
    )


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "decisions"
    (target / "nested").mkdir(parents=True)
    for index, path in enumerate(SEED_FILES):
        shutil.copy(path, (target / "nested" if index % 2 else target) / path.name)
    (target / "notes.md").write_text("not a decision, and not a .txt file")
    return target


@pytest.mark.django_db
def test_import_reads_every_seed_fact(seeds):
    assert Decision.objects.count() == 5
    for expected in EXPECTED:
        decision = Decision.objects.get(reference=expected["reference"])
        assert decision.council.name == expected["organisation"]
        assert decision.category.name == expected["category"]
        assert decision.subcategory.name == expected["subcategory"]
        assert decision.subcategory.parent == decision.category
        assert decision.outcome == expected["outcome"]
        assert decision.decision_date.isoformat() == expected["decision_date"]
        assert decision.summary == expected["summary"]
        assert [s["heading"] for s in decision.body] == expected["sections"]
        remedies = list(decision.remedies.order_by("position"))
        assert [(r.kind, f"{r.amount:.2f}" if r.amount is not None else None) for r in remedies] == [
            (r["kind"], r["amount"]) for r in expected["remedies"]]
        for remedy, wanted in zip(remedies, expected["remedies"], strict=True):
            if "purposes" in wanted:
                assert remedy.purpose_list == wanted["purposes"]
        assert decision.total_payment == Decimal(expected["total_payment"])
        stored = (decision.total_payment, decision.remedy_kinds, decision.finding_kinds, decision.payment_purposes)
        decision.refresh_derived(save=False)  # the same figures, recomputed from the rows
        assert (decision.total_payment, decision.remedy_kinds, decision.finding_kinds,
                decision.payment_purposes) == stored
        assert decision.remedy_kinds > 0 or not expected["remedies"]
        kinds = set(decision.findings.values_list("kind", flat=True))
        assert set(expected["findings_required"]) <= kinds
        assert not kinds & set(expected["findings_forbidden"])
        assert decision.is_published and not decision.is_curated
        assert decision.source_text and len(decision.content_hash) == 64


@pytest.mark.django_db
def test_councils_get_a_kind_and_a_slug(seeds):
    dorset = Council.objects.get(name="Dorset Council")
    assert dorset.slug == "dorset-council"
    assert dorset.kind == Council.Kind.UNITARY_COUNCIL


# Names in the style the Ombudsman publishes them (made up where a real one would do as well).
@pytest.mark.parametrize("name, kind", [
    ("Norfolk County Council", "county_council"),
    ("West Sussex County Council", "county_council"),
    ("Durham County Council", "unitary_council"),  # unitary since 2009, whatever its name says
    ("Mid Suffolk District Council", "district_council"),
    ("North West Leicestershire District Council", "district_council"),
    ("Swindon Borough Council", "unitary_council"),
    ("Bristol City Council", "unitary_council"),
    ("Cornwall Council", "unitary_council"),
    ("Royal Borough of Windsor and Maidenhead", "unitary_council"),  # a royal borough outside London
    ("Brighton & Hove City Council", "unitary_council"),
    ("Council of the Isles of Scilly", "unitary_council"),
    ("London Borough of Camden", "london_borough"),
    ("London Borough of Hammersmith & Fulham", "london_borough"),
    ("Royal Borough of Kensington and Chelsea", "london_borough"),
    ("Westminster City Council", "london_borough"),
    ("City of London Corporation", "london_borough"),
    ("Wigan Metropolitan Borough Council", "metropolitan_borough"),
    ("City of Bradford Metropolitan District Council", "metropolitan_borough"),
    ("Leeds City Council", "metropolitan_borough"),
    ("Newcastle upon Tyne City Council", "metropolitan_borough"),
    ("St. Helens Council", "metropolitan_borough"),
    ("Newcastle-under-Lyme Borough Council", "unitary_council"),  # not Newcastle upon Tyne
    ("Greater Manchester Combined Authority", "other_authority"),
    ("Peak District National Park Authority", "other_authority"),
    ("Greater London Authority", "other_authority"),
    ("Something Care (Cheltenham) Limited", "care_provider"),
    ("Barchester Healthcare Homes Limited", "care_provider"),
    ("Leeds Teaching Hospitals NHS Trust", "nhs_body"),
    ("NHS Lincolnshire ICB", "nhs_body"),
    ("Governing Body of St Mary's School", "school"),
    ("Fullhurst Community College", "school"),
    ("Anytown Parish Council", "other"),
    ("Environment Agency", "other"),
])
def test_council_kind_from_name(name, kind):
    assert Council.kind_for_name(name) == kind


@pytest.mark.django_db
def test_second_run_reports_unchanged_and_writes_nothing(folder):
    out, err, error = run_import(folder)
    assert error is None
    assert "5 files: 5 created, 0 updated, 0 unchanged, 0 skipped, 0 failed" in out
    before = snapshot()
    out, err, error = run_import(folder)
    assert error is None
    assert "5 files: 0 created, 0 updated, 5 unchanged, 0 skipped, 0 failed" in out
    assert snapshot() == before


@pytest.mark.django_db
def test_changed_file_updates_its_decision(folder):
    run_import(folder)
    path = next(folder.rglob("000_*.txt"))
    original = Decision.objects.get(reference="20 003 763")
    path.write_text(path.read_text(encoding="utf-8").replace("Decision : Upheld", "Decision : Not upheld"),
                    encoding="utf-8")
    out, _, error = run_import(folder)
    assert error is None
    assert "0 created, 1 updated, 4 unchanged" in out
    updated = Decision.objects.get(reference="20 003 763")
    assert updated.pk == original.pk
    assert updated.outcome == "Not upheld"
    assert updated.remedies.count() == 4  # replaced, not duplicated
    assert Decision.objects.count() == 5


@pytest.mark.django_db
def test_curated_decision_is_skipped_unless_forced(folder):
    run_import(folder)
    decision = Decision.objects.get(reference="20 003 763")
    decision.summary = "Corrected by staff."
    decision.is_curated = True
    decision.save()
    path = next(folder.rglob("000_*.txt"))
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    out, _, error = run_import(folder)
    assert error is None
    assert "skipped" in out and "20 003 763" in out
    assert "0 created, 0 updated, 4 unchanged, 1 skipped" in out
    assert Decision.objects.get(reference="20 003 763").summary == "Corrected by staff."
    out, _, error = run_import(folder, "--force")
    assert "1 updated" in out
    forced = Decision.objects.get(reference="20 003 763")
    assert forced.summary.startswith("Dorset Council had already accepted")
    assert not forced.is_curated


@pytest.mark.django_db
@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"\x00\x01binary\x00" * 100, "binary"),
    (b"Dorset Council (20 003 763)\n\nCategory : Children's care services > Child protection\n", "truncated"),
    (b"A letter with no reference line.\n\nDear Sir,\n", "reference"),
])
def test_bad_file_fails_alone_and_changes_nothing(folder, content, reason):
    run_import(folder)
    before = snapshot()
    bad = folder / "zz_bad.txt"
    bad.write_bytes(content)
    out, err, error = run_import(folder)
    assert isinstance(error, CommandError)  # exits non-zero
    assert f"FAILED {bad}" in err and reason in err
    assert "0 created, 0 updated, 5 unchanged, 0 skipped, 1 failed" in out
    assert snapshot() == before


@pytest.mark.django_db
def test_a_truncated_copy_of_a_known_decision_leaves_it_intact(folder):
    run_import(folder)
    before = snapshot()
    text = seed_text("003_10efd45c4424b1c0.txt")
    (folder / "003_truncated.txt").write_text(text[: text.index("Decision :")], encoding="utf-8")
    _, err, error = run_import(folder)
    assert error is not None and "truncated" in err
    assert snapshot() == before


@pytest.mark.django_db
def test_failures_do_not_stop_the_others(tmp_path):
    (tmp_path / "a_bad.txt").write_bytes(b"")
    shutil.copy(SEED_FILES[0], tmp_path / SEED_FILES[0].name)
    (tmp_path / "z_bad.txt").write_bytes(b"no reference here")
    out, err, error = run_import(tmp_path)
    assert error is not None and "2 of 3 files failed" in str(error)
    assert "1 created" in out and "2 failed" in out
    assert Decision.objects.count() == 1


@pytest.mark.django_db
def test_missing_path_is_reported(tmp_path):
    out, err, error = run_import(tmp_path / "does-not-exist.txt")
    assert error is not None
    assert "cannot read the file" in err


@pytest.mark.django_db
def test_dry_run_writes_nothing(folder):
    out, _, error = run_import(folder, "--dry-run")
    assert error is None
    assert "Dry run, nothing written: 5 files: 5 created" in out
    assert Decision.objects.count() == Council.objects.count() == Category.objects.count() == 0


@pytest.mark.django_db
def test_default_path_is_the_fixtures_folder():
    out, _, error = run_import()
    assert error is None
    assert "5 files: 5 created" in out
    assert Decision.objects.count() == 5


@pytest.mark.django_db
def test_progress_is_reported(folder):
    _, err, _ = run_import(folder, "--progress-every", "2")
    assert "… 2 files" in err and "… 4 files" in err


def test_parse_decision_command_prints_json_matching_expected(capsys):
    for expected in EXPECTED:
        call_command("parse_decision", str(FIXTURES / expected["file"]), "--json")
        data = json.loads(capsys.readouterr().out)
        for key in ("reference", "organisation", "category", "subcategory", "outcome", "decision_date", "summary"):
            assert data[key] == expected[key]
        assert [s["heading"] for s in data["sections"]] == expected["sections"]
        assert [(r["kind"], r["amount"]) for r in data["remedies"]] == [
            (r["kind"], r["amount"]) for r in expected["remedies"]]
        assert data["warnings"] == []


def test_parse_decision_command_reports_bad_input(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    with pytest.raises(CommandError, match="not a decision statement: the file is empty"):
        call_command("parse_decision", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("parse_decision", str(tmp_path / "missing.txt"))


@pytest.mark.django_db(transaction=True)
def test_parallel_import_with_worker_processes(folder):
    """Workers parse and write in parallel; the outcome is the same as one process's."""
    bad = folder / "zz_bad.txt"
    bad.write_bytes(b"")
    out, err, error = run_import(folder, "--jobs", "2")
    assert isinstance(error, CommandError)
    assert "5 created" in out and "1 failed" in out and f"FAILED {bad}" in err
    assert Decision.objects.count() == 5
    assert Remedy.objects.count() == sum(len(e["remedies"]) for e in EXPECTED)
    bad.unlink()
    out, _, error = run_import(folder, "--jobs", "2")
    assert error is None and "0 created, 0 updated, 5 unchanged" in out


def _statement(reference: str, summary: str = "The Council was at fault and has agreed to apologise.") -> bytes:
    from tests.factories import statement_text

    return statement_text(reference=reference, organisation="Batchshire Council", summary=summary,
                          agreed_action=["Within one month, the Council will pay Mr X £250."]).encode()


@pytest.mark.django_db
def test_a_batch_writes_new_decisions_together_and_everything_else_file_by_file():
    from decisions.services import DecisionImporter, read_and_parse

    importer = DecisionImporter()
    importer.import_bytes(_statement("91 000 003"), source_name="old-unchanged.txt")
    importer.import_bytes(_statement("91 000 004"), source_name="old-changed.txt")
    items = [read_and_parse(name, data) for name, data in [
        ("new-1.txt", _statement("91 000 001")),
        ("new-1-again.txt", _statement("91 000 001", summary="A second version of the same decision.")),
        ("broken.txt", b""),
        ("old-unchanged.txt", _statement("91 000 003")),
        ("old-changed.txt", _statement("91 000 004", summary="The Council has now agreed to pay.")),
        ("new-2.txt", _statement("91 000 002")),
    ]]
    results = importer.import_batch(items)
    assert [(r.source, r.status) for r in results] == [
        ("new-1.txt", "created"), ("new-1-again.txt", "updated"), ("broken.txt", "failed"),
        ("old-unchanged.txt", "unchanged"), ("old-changed.txt", "updated"), ("new-2.txt", "created")]
    assert Decision.objects.get(reference="91 000 001").summary == "A second version of the same decision."
    assert Decision.objects.get(reference="91 000 004").summary == "The Council has now agreed to pay."
    for decision in Decision.objects.filter(reference__startswith="91 000"):
        assert [(r.kind, r.amount) for r in decision.remedies.all()] == [("payment", Decimal("250.00"))]
        assert decision.total_payment == Decimal("250.00") and decision.remedy_kinds > 0
    assert Decision.objects.filter(reference__startswith="91 000").count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_is_written_file_by_file(tmp_path):
    """A real refusal, by a trigger on the table: the batch rolls back whole, then each file is
    written alone, so only the refused one fails and the others are complete."""
    from django.db import connection

    if connection.vendor == "postgresql":
        refuse = ["CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN "
                  "IF NEW.reference = '92 000 002' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ "
                  "LANGUAGE plpgsql",
                  "CREATE TRIGGER refuse_one BEFORE INSERT ON decisions_decision FOR EACH ROW "
                  "EXECUTE FUNCTION refuse_one()"]
        cleanup = ["DROP TRIGGER refuse_one ON decisions_decision", "DROP FUNCTION refuse_one()"]
    else:
        refuse = ["CREATE TRIGGER refuse_one BEFORE INSERT ON decisions_decision "
                  "WHEN NEW.reference = '92 000 002' BEGIN SELECT RAISE(ABORT, 'refused'); END"]
        cleanup = ["DROP TRIGGER refuse_one"]
    for number in (1, 2, 3):
        (tmp_path / f"{number}.txt").write_bytes(_statement(f"92 000 00{number}"))
    with connection.cursor() as cursor:
        for statement in refuse:
            cursor.execute(statement)
    try:
        out, err, error = run_import(tmp_path)
    finally:
        with connection.cursor() as cursor:
            for statement in cleanup:
                cursor.execute(statement)
    assert error is not None and "1 of 3 files failed" in str(error)
    assert "2.txt" in err and "refused" in err
    assert sorted(Decision.objects.values_list("reference", flat=True)) == ["92 000 001", "92 000 003"]
    assert Remedy.objects.filter(decision__reference__startswith="92 000").count() == 2
    assert not Council.objects.filter(decisions__isnull=True).exclude(name="Batchshire Council").exists()


# --- Hostile import folders -------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)  # worker processes need committed data and their own connections
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_name_that_is_not_utf8_is_reported_and_the_others_are_imported(tmp_path, jobs):
    import os

    shutil.copy(SEED_FILES[0], tmp_path / SEED_FILES[0].name)
    shutil.copy(SEED_FILES[1], os.path.join(os.fsencode(tmp_path), b"bad-\xff\xfe-name.txt"))
    out, err, error = run_import(tmp_path, "--jobs", jobs)
    assert error is not None and "1 of 2 files failed" in str(error)
    assert "bad-\ufffd\ufffd-name.txt: the file name is not valid UTF-8" in err
    assert Decision.objects.count() == 1 and "1 created" in out


@pytest.mark.django_db
def test_fifos_devices_and_symbolic_links_are_not_read(tmp_path):
    import os

    shutil.copy(SEED_FILES[0], tmp_path / SEED_FILES[0].name)
    os.mkfifo(tmp_path / "waiting.txt")  # reading it would wait for a writer forever
    (tmp_path / "zeros.txt").symlink_to("/dev/zero")  # reading it would never end
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    shutil.copy(SEED_FILES[1], outside / "elsewhere.txt")
    (tmp_path / "linked.txt").symlink_to(outside / "elsewhere.txt")
    out, err, error = run_import(tmp_path)
    assert error is not None and "3 of 4 files failed" in str(error)
    assert "waiting.txt: not a regular file" in err
    assert "zeros.txt: a symbolic link: not followed (use --follow-symlinks)" in err
    assert "linked.txt: a symbolic link" in err
    assert Decision.objects.count() == 1
    # Asked to, the importer follows links: a regular file is read, a device still is not.
    out, err, error = run_import(tmp_path, "--follow-symlinks")
    assert "zeros.txt: not a regular file" in err and "waiting.txt: not a regular file" in err
    assert Decision.objects.count() == 2


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(tmp_path):
    from decisions.services import MAX_FILE_BYTES

    text = seed_text(SEED_FILES[0].name)
    (tmp_path / "huge.txt").write_text(text + "x" * (MAX_FILE_BYTES + 1 - len(text.encode())), encoding="utf-8")
    _, err, error = run_import(tmp_path)
    assert error is not None and "huge.txt: file is larger than 1 MB" in err
    assert Decision.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_two_files_with_one_reference_and_different_content_are_a_conflict(tmp_path, jobs):
    text = seed_text(SEED_FILES[0].name)
    (tmp_path / "a_first.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b_second.txt").write_text(text.replace("Decision : Upheld", "Decision : Not upheld"),
                                           encoding="utf-8")
    (tmp_path / "c_same.txt").write_text(text, encoding="utf-8")  # the same content again is no conflict
    out, err, error = run_import(tmp_path, "--jobs", jobs)
    assert error is not None and "1 of 3 files failed" in str(error)
    assert "b_second.txt: conflict:" in err and "a_first.txt holds the same reference" in err
    decision = Decision.objects.get()
    assert decision.outcome == "Upheld" and decision.source_name.endswith("a_first.txt")
    # A later run may change the decision: the conflict is only within one run.
    (tmp_path / "a_first.txt").unlink()
    (tmp_path / "c_same.txt").unlink()
    out, err, error = run_import(tmp_path)
    assert error is None and "1 updated" in out
    assert Decision.objects.get().outcome == "Not upheld"


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside a transaction
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="VACUUM ANALYZE after a large import is PostgreSQL's")
def test_a_large_import_refreshes_postgresql_statistics(tmp_path, capsys):
    from tests.test_reliability import generate

    generate(tmp_path, 1000)
    call_command("import_decisions", str(tmp_path), "--progress-every", "0")
    assert "VACUUM ANALYZE" in capsys.readouterr().err
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                       "WHERE relname = 'decisions_decision'")
        assert cursor.fetchone() == (True, True)


@pytest.mark.django_db
def test_a_kind_staff_corrected_survives_a_new_import_of_the_organisations_decisions(seeds):
    from decisions.services import DecisionImporter
    from tests.conftest import seed_text

    dorset = Council.objects.get(name="Dorset Council")
    dorset.kind = Council.Kind.OTHER_AUTHORITY  # a curator's correction
    dorset.save()
    changed = seed_text("000_22a7e19c90128e70.txt").replace("Summary:", "Summary: Revised.", 1).encode()
    assert DecisionImporter().import_bytes(changed, source_name="revised.txt").status == "updated"
    dorset.refresh_from_db()
    assert dorset.kind == "other_authority"
