"""`info` on an older-format file, and numeric options: a bad value is a usage error (exit 2)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kzannotate.cli import main
from kzannotate.store import Project
from kzannotate.store.errors import ReadOnlyError
from kzannotate.store.schema import APPLICATION_ID, SCHEMA_VERSION

DATA = Path(__file__).parent / "data"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def build_v0(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "v0_prototype.sql").read_text(encoding="utf-8"))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    return path


# ----------------------------------------------------------------- older files
def test_info_reports_an_older_file_without_changing_it(capsys, tmp_path: Path) -> None:
    path = build_v0(tmp_path / "old-v0.kza")
    before = path.read_bytes()
    code, out, err = run(capsys, "info", path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "name: old-v0", "schema_version: 0",
        "older format: open it in kzannotate (or run any command that changes it) to upgrade",
        "sources: 3", "actors: 3", "theories: 2", "annotations: 5"]
    code, out, err = run(capsys, "info", path, "--json")
    data = json.loads(out)
    assert (code, err) == (0, "")
    assert {k: data[k] for k in ("schema_version", "needs_upgrade", "sources", "annotations")} == {
        "schema_version": 0, "needs_upgrade": True, "sources": 3, "annotations": 5}
    assert path.read_bytes() == before, "info never upgrades"
    with Project.open(path) as upgraded:  # a writable open upgrades it
        assert upgraded.schema_version == SCHEMA_VERSION
    code, out, _ = run(capsys, "info", path)
    assert code == 0 and "older format" not in out and f"schema_version: {SCHEMA_VERSION}" in out


def test_info_counts_what_an_older_file_has(capsys, tmp_path: Path) -> None:
    path = tmp_path / "older.kza"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE sources (id TEXT PRIMARY KEY, title TEXT, text TEXT)")
    conn.execute("INSERT INTO sources VALUES ('s', 't', 'x')")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "info", path)
    assert code == 0
    assert "sources: 1" in out and "actors" not in out


def test_other_read_only_opens_still_refuse_and_say_how_to_upgrade(tmp_path: Path) -> None:
    path = build_v0(tmp_path / "old.kza")
    with pytest.raises(ReadOnlyError) as caught:
        Project.open(path, read_only=True)
    message = str(caught.value)
    assert "older format" in message and "open it in kzannotate" in message


# ------------------------------------------------------------- numeric options
@pytest.mark.parametrize("argv,option", [
    (["duplicates", "p.kza", "--min-chars", "5"], "--min-chars"),
    (["duplicates", "p.kza", "--min-chars", "lots"], "--min-chars"),
    (["import", "p.kza", "f.txt", "--max-mb", "0"], "--max-mb"),
    (["import", "p.kza", "f.txt", "--max-mb", "-3"], "--max-mb"),
    (["import", "p.kza", "f.txt", "--max-mb", "nan"], "--max-mb"),
    (["import", "p.kza", "f.txt", "--max-mb", "inf"], "--max-mb"),
])
def test_bad_numbers_are_usage_errors(capsys, tmp_path: Path, argv: list[str], option: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2, err
    assert "usage:" in err and f"argument {option}" in err and "Traceback" not in err
    assert out == ""


def test_good_numbers_still_work(capsys, seeds_project: Project) -> None:
    path = seeds_project.path
    seeds_project.close()
    code, out, _ = run(capsys, "duplicates", path, "--min-chars", "20")
    assert code == 0 and "repeated passage" in out
