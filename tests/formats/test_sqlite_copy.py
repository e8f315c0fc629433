"""The database copy: consistent while the project is open, filterable, opens in kzannotate, Datasette docs."""

from __future__ import annotations

import json
import sqlite3

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
