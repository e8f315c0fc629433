"""The database copy: consistent while the project is open, filterable, opens in kzannotate, Datasette docs."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from pathlib import Path

import pytest

from kzannotate.formats import sqlite_copy
from kzannotate.formats.atomic import ExportError
from kzannotate.formats.common import Scope
from kzannotate.formats.exports import run_export
from kzannotate.formats.sqlite_copy import TABLE_DOCS
from kzannotate.store import Project
from tests.formats.conftest import ids


def test_full_copy_while_the_project_is_open(golden, tmp_path):
    out = tmp_path / "copy.sqlite"
    result = run_export(golden, "sqlite", out)  # golden holds the write lock, as the window does
    assert result.count == 6 and result.extra == (tmp_path / "metadata.json",)
    with Project.open(out) as copy:
        assert copy.info()["annotations"] == 6 and copy.name == "Golden"
        assert copy.annotations_for_source(ids(21)) == golden.annotations_for_source(ids(21))
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_filtered_copy_keeps_only_the_scope(golden, tmp_path):
    out = tmp_path / "ann.sqlite"
    assert run_export(golden, "sqlite", out, scope=Scope(annotator="ann")).count == 3
    out2 = tmp_path / "one.sqlite"
    assert run_export(golden, "sqlite", out2, scope=Scope(source_ids=(ids(22),))).count == 2
    conn = sqlite3.connect(out2)
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sources_fts WHERE sources_fts MATCH 'Zhanaozen'").fetchone()[0] == 0
    assert b"Zhanaozen" not in out2.read_bytes()  # deleted text does not linger in free pages
    conn.close()


def test_datasette_metadata_describes_tables_and_columns(golden, tmp_path):
    run_export(golden, "sqlite", tmp_path / "a.sqlite")
    run_export(golden, "sqlite", tmp_path / "b.sqlite")
    meta = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert set(meta["databases"]) == {"a", "b"}  # a second export keeps the first one's entry
    tables = meta["databases"]["a"]["tables"]
    for name in ("sources", "annotations", "actors", "theories", "annotation_theories", "annotations_view"):
        assert tables[name]["description"] == TABLE_DOCS[name][0]
        assert tables[name]["columns"]
    assert tables["annotations"]["columns"]["start_offset"].startswith("Start, in Unicode code points")
    assert tables["sources_fts"]["hidden"] is True


# ------------------------------------------------------------------ a user's metadata.json is never lost
def test_a_foreign_metadata_json_is_left_alone(golden, tmp_path, capsys):
    theirs = '{"name": "my-package", "version": "1.0"}\n'
    (tmp_path / "metadata.json").write_text(theirs, encoding="utf-8")
    result = run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    assert (tmp_path / "metadata.json").read_text(encoding="utf-8") == theirs
    own = tmp_path / "copy.metadata.json"
    assert result.extra == (own,)
    assert set(json.loads(own.read_text(encoding="utf-8"))["databases"]) == {"copy"}
    assert "metadata.json in that folder is not Datasette metadata, so it was left as it is" in result.summary()
    assert "datasette copy.sqlite -m copy.metadata.json" in result.summary()
    # the command line says so too
    from kzannotate.cli import main

    golden.close()
    assert main(["export", str(golden.path), "-f", "sqlite", "-o", str(tmp_path / "cli.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "cli.metadata.json" in out and "not Datasette metadata" in out
    assert (tmp_path / "metadata.json").read_text(encoding="utf-8") == theirs


def test_a_text_file_called_metadata_json_is_left_alone(golden, tmp_path):
    (tmp_path / "metadata.json").write_text("my notes, not JSON", encoding="utf-8")
    result = run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    assert (tmp_path / "metadata.json").read_text(encoding="utf-8") == "my notes, not JSON"
    assert result.extra == (tmp_path / "copy.metadata.json",)


def test_datasette_metadata_without_databases_is_merged(golden, tmp_path):
    (tmp_path / "metadata.json").write_text('{"title": "Our data", "license": "CC-BY-4.0"}', encoding="utf-8")
    result = run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    meta = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["title"], meta["license"]) == ("Our data", "CC-BY-4.0")
    assert set(meta["databases"]) == {"copy"} and not result.notes
    assert not (tmp_path / "copy.metadata.json").exists()


def test_when_both_names_are_taken_nothing_is_written(golden, tmp_path):
    (tmp_path / "metadata.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "copy.metadata.json").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="not Datasette metadata.*Nothing was saved"):
        run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    assert folder(tmp_path) == {"copy.metadata.json": b"mine", "metadata.json": b"[1, 2]"}


# ------------------------------------------------------------------ failures leave the folder as it was
@pytest.fixture
def previous(tmp_path):
    """An older copy.sqlite and a Datasette metadata.json describing another database."""
    (tmp_path / "copy.sqlite").write_bytes(b"the previous export")
    meta = '{"databases": {"other": {"title": "Other"}}}\n'
    (tmp_path / "metadata.json").write_text(meta, encoding="utf-8")
    return {"copy.sqlite": b"the previous export", "metadata.json": meta.encode()}


def folder(tmp_path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(("copy", "metadata", ".c", ".m"))}


def test_a_full_disk_while_writing_the_metadata_saves_nothing(golden, tmp_path, previous, monkeypatch):
    def full(target, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sqlite_copy, "_staged_text", full)
    with pytest.raises(ExportError) as err:
        run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    assert str(err.value) == ("Could not write metadata.json: No space left on device. Nothing was saved "
                              "(copy.sqlite was not written either).")
    assert folder(tmp_path) == previous  # the old export is still there, no temporary files are left


def test_a_full_disk_during_the_copy_saves_nothing(golden, tmp_path, previous, monkeypatch):
    class FullDisk:
        """The project connection, except that VACUUM INTO runs out of space."""

        def __init__(self, conn):
            self._conn = conn

        def __getattr__(self, name):
            return getattr(self._conn, name)

        def execute(self, sql, *args):
            if sql.startswith("VACUUM INTO"):
                raise sqlite3.OperationalError("database or disk is full")
            return self._conn.execute(sql, *args)

    monkeypatch.setattr(golden, "conn", FullDisk(golden.conn))
    with pytest.raises(ExportError) as err:
        run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    assert str(err.value) == "Could not write copy.sqlite: database or disk is full. Nothing was saved."
    assert folder(tmp_path) == previous


def test_if_the_database_cannot_be_moved_into_place_the_metadata_is_put_back(golden, tmp_path, previous,
                                                                             monkeypatch):
    real = sqlite_copy._replace

    def replace(src, dst):
        if Path(dst).name == "copy.sqlite":
            raise OSError(errno.EACCES, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(sqlite_copy, "_replace", replace)
    with pytest.raises(ExportError, match="Could not write copy.sqlite: Permission denied. Nothing was saved."):
        run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    assert folder(tmp_path) == previous


def test_a_new_metadata_json_is_removed_again_when_the_database_fails(golden, tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_copy, "_replace", lambda src, dst: (_ for _ in ()).throw(
        OSError(errno.EACCES, "Permission denied")) if str(dst).endswith(".sqlite") else os.replace(src, dst))
    with pytest.raises(ExportError):
        run_export(golden, "sqlite", tmp_path / "copy.sqlite")
    assert folder(tmp_path) == {}
