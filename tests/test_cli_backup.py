"""Commands that change a project back it up first (issue 7), like opening it in the window does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kzannotate.cli import main
from kzannotate.setup_project import create_project
from kzannotate.store import Project, backup


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def empty_kza(tmp_path: Path) -> Path:
    path = tmp_path / "work.kza"
    Project.create(path).close()
    return path


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    f = tmp_path / "statement.txt"
    f.write_text("Tokayev said the order was restored.\n", encoding="utf-8")
    return f


def test_import_backs_up_the_state_before_the_change(empty_kza, text_file, kza_home, capsys):
    assert backup.list_backups(empty_kza) == []
    assert main(["import", str(empty_kza), str(text_file)]) == 0
    backups = backup.list_backups(empty_kza)
    assert len(backups) == 1
    copy = backups[0].path
    assert copy.is_relative_to(kza_home / "backups")
    assert _count(copy, "sources") == 0  # the copy is the project as it was before the import
    assert _count(empty_kza, "sources") == 1
    assert "warning" not in capsys.readouterr().err


def test_merge_backs_up_first(tmp_path, empty_kza):
    other = tmp_path / "other.kza"
    with Project.create(other) as p:
        s = p.add_source("Fresh text.\n", "Fresh")
        p.add_annotation(s.id, 0, 5)
    assert main(["merge", str(empty_kza), str(other)]) == 0
    backups = backup.list_backups(empty_kza)
    assert len(backups) == 1 and backups[0].annotation_count == 0
    assert backup.list_backups(other) == []  # the other analyst's file is only read
    assert _count(empty_kza, "annotations") == 1


def test_codebook_import_backs_up_first(tmp_path, empty_kza):
    seeded = tmp_path / "seeded.kza"
    create_project(seeded, seeds=True).close()
    book = tmp_path / "codebook.json"
    assert main(["codebook", "export", str(seeded), str(book)]) == 0
    assert main(["codebook", "import", str(empty_kza), str(book)]) == 0
    backups = backup.list_backups(empty_kza)
    assert len(backups) == 1 and _count(backups[0].path, "actors") == 0
    assert _count(empty_kza, "actors") > 0
    assert backup.list_backups(seeded) == []  # exporting is read-only: no backup


def test_read_only_commands_make_no_backup(empty_kza, tmp_path):
    assert main(["info", str(empty_kza)]) == 0
    assert main(["search", str(empty_kza), "anything"]) == 0
    assert main(["export", str(empty_kza), "-f", "csv", "-o", str(tmp_path / "a.csv")]) == 0
    assert backup.list_backups(empty_kza) == []


def test_a_young_backup_is_not_repeated(empty_kza, text_file, tmp_path):
    """The window's policy: reopening within the minimum age makes no new copy."""
    assert main(["import", str(empty_kza), str(text_file)]) == 0
    second = tmp_path / "second.txt"
    second.write_text("Another statement.\n", encoding="utf-8")
    assert main(["import", str(empty_kza), str(second)]) == 0
    assert len(backup.list_backups(empty_kza)) == 1
    assert _count(empty_kza, "sources") == 2


def test_a_failed_backup_warns_but_the_command_runs(empty_kza, text_file, kza_home, capsys):
    (kza_home / "backups").write_text("a file where the backups folder should be")
    assert main(["import", str(empty_kza), str(text_file)]) == 0
    captured = capsys.readouterr()
    assert _count(empty_kza, "sources") == 1
    err = captured.err
    assert err.count("\n") == 1 and err.startswith("kzannotate: warning: no backup was made")
    assert "backups folder" in err and "Traceback" not in err
    assert "added" in captured.out


def test_an_unexpected_backup_error_also_only_warns(empty_kza, text_file, monkeypatch, capsys):
    def broken(_path):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(backup, "backup_if_due", broken)
    assert main(["import", str(empty_kza), str(text_file)]) == 0
    assert "RuntimeError: simulated bug" in capsys.readouterr().err
    assert _count(empty_kza, "sources") == 1
