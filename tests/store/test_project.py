"""The project file: creation, reopening, migration, refusals, typed errors, integrity and transactions."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from kzannotate.store import Project, errors
from kzannotate.store import project as project_module
from kzannotate.store.schema import APPLICATION_ID, SCHEMA_VERSION

DATA = Path(__file__).parent.parent / "data"
TEXT = "Protests began in Zhanaozen. Tokayev called in the CSTO.\nRussian troops arrived on 6 January."


def pragma(path: Path, name: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def build_v0(path: Path) -> None:
    """The v0 prototype file: the SQL fixture, our application_id and user_version 0."""
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "v0_prototype.sql").read_text(encoding="utf-8"))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()


# ------------------------------------------------------------------ create / reopen
def test_create_sets_pragmas_and_meta(tmp_path: Path) -> None:
    path = tmp_path / "new.kza"
    with Project.create(path, name="My study") as p:
        assert p.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert p.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert p.schema_version == SCHEMA_VERSION
        assert p.name == "My study"
        assert p.get_meta("created_at", "").endswith("Z")
    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "user_version") == SCHEMA_VERSION
    assert pragma(path, "journal_mode") == "wal"  # WAL is persistent in the file
    assert not Path(f"{path}-wal").exists(), "close() checkpoints, so the .kza alone is complete"
    assert not Path(f"{path}-lock").exists()


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "p.kza"
    with Project.create(path) as p:
        s = p.add_source(TEXT, "Unrest", author="A. Author", reliability="b")
        actor = p.add_actor("Kassym-Jomart Tokayev", aliases=["Tokaev"])
        theory = p.add_theory("Palace coup")
        ann = p.add_annotation(s.id, 29, 36, quote="Tokayev", actor_ids=[actor.id],
                               theories={theory.id: "contradicts"}, credibility=2, note="n")
    with Project.open(path) as p:
        assert p.get_source(s.id).reliability == "B"
        assert p.get_source(s.id).author == "A. Author"
        again = p.get_annotation(ann.id)
        assert again == ann
        assert again.theories == ((theory.id, "contradicts"),)
        assert p.get_meta("app_version")
        info = p.info()
        assert (info["sources"], info["actors"], info["theories"], info["annotations"]) == (1, 1, 1, 1)


def test_create_refuses_existing_file_and_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "p.kza"
    Project.create(path).close()
    before = path.read_bytes()
    with pytest.raises(errors.ProjectExistsError, match="already exists"):
        Project.create(path)
    assert path.read_bytes() == before
    with pytest.raises(errors.ProjectExistsError, match="folder"):
        Project.create(tmp_path)
    with pytest.raises(errors.ProjectNotFoundError, match="does not exist"):
        Project.create(tmp_path / "no" / "such" / "p.kza")


def test_non_ascii_path_with_spaces(tmp_path: Path) -> None:
    folder = tmp_path / "Анализ 2022 #1 ?%41 ü"
    folder.mkdir()
    path = folder / "Қаңтар оқиғалары 100%.kza"
    with Project.create(path) as p:
        p.add_source("Алматы, январь.", "Алматы")
    assert path.exists()
    assert not (folder / "Қаңтар оқиғалары 100A.kza").exists()  # %41 was not decoded by the URI
    with Project.open(path) as p:
        assert [s.title for s in p.list_sources()] == ["Алматы"]


# ------------------------------------------------------------------------ migration
def test_migration_from_v0_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "old.kza"
    build_v0(path)
    with Project.open(path) as p:
        assert p.schema_version == SCHEMA_VERSION
        assert p.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = set(p.db.table_names())
        assert not {t for t in tables if t.startswith("_v0_")}
        sources = {s.id: p.get_source(s.id) for s in p.list_sources()}
        # src-3 had the same text as src-1: merged, its annotation moved over
        assert set(sources) == {"src-1", "src-2"}
        s1, s2 = sources["src-1"], sources["src-2"]
        assert s1.title == "Unrest in Almaty" and s1.url == "https://example.org/a"
        assert s2.title == "Токаев обратился к ОДКБ."  # no title in v0: the first line
        for s in (s1, s2):
            assert s.sha256 == hashlib.sha256(s.text.encode("utf-8")).hexdigest()
            assert s.created_at.endswith("Z")
        anns = {a.id: a for a in p.annotations_for_source("src-1") + p.annotations_for_source("src-2")}
        assert set(anns) == {"ann-1", "ann-2", "ann-3", "ann-4", "ann-5"}
        assert (anns["ann-1"].start, anns["ann-1"].end, anns["ann-1"].note) == (0, 8, "where it started")
        assert anns["ann-3"].quote == "Токаев"
        # a drifted quote is moved to where the text says it
        assert (anns["ann-4"].start, anns["ann-4"].end) == (18, 27)
        assert anns["ann-4"].quote == "Zhanaozen"
        assert anns["ann-5"].source_id == "src-1" and anns["ann-5"].quote == "CSTO"
        for a in anns.values():
            assert p.get_source(a.source_id).text[a.start:a.end] == a.quote
            assert a.credibility == 6 and a.reliability is None
        assert sorted(a.name for a in p.list_actors()) == ["CSTO", "Kassym-Jomart Tokayev", "csto (2)"]
        assert sorted(t.name for t in p.list_theories()) == ["Palace coup", "Socio-economic protest"]
        # full-text search covers the migrated texts
        hits = p.query("SELECT s.id FROM sources_fts JOIN sources s ON s.rowid = sources_fts.rowid "
                       "WHERE sources_fts MATCH 'ОДКБ'")
        assert [h["id"] for h in hits] == ["src-2"]
        assert p.get_meta("app_version")
    assert pragma(path, "user_version") == SCHEMA_VERSION


def test_failed_migration_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.kza"
    build_v0(path)
    real = project_module.MIGRATIONS[0]

    def broken(conn: sqlite3.Connection) -> None:
        real(conn)  # does all the work ...
        raise sqlite3.OperationalError("disk I/O error")  # ... then fails before the commit

    monkeypatch.setattr(project_module, "MIGRATIONS", [broken])
    with pytest.raises(errors.ProjectError):
        Project.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == {"sources", "annotations", "actors", "theories"}
    assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 3
    assert [r[1] for r in conn.execute("PRAGMA table_info(sources)")] == ["id", "title", "text", "url"]
    conn.close()
    monkeypatch.undo()
    with Project.open(path) as p:  # and a working upgrade still succeeds afterwards
        assert p.info()["annotations"] == 5


def test_newer_file_is_refused_and_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "future.kza"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(errors.NewerVersionError, match="newer version") as info:
        Project.open(path)
    assert "99" in str(info.value)
    with pytest.raises(errors.NewerVersionError):
        Project.open(path, read_only=True)
    assert path.read_bytes() == before
    assert not Path(f"{path}-lock").exists()


# ---------------------------------------------------------------------- typed errors
def test_random_bytes_are_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "noise.kza"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(errors.NotAProjectError, match="noise.kza is not a kzannotate project"):
        Project.open(path)


def test_text_file_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes.\n", encoding="utf-8")
    with pytest.raises(errors.NotAProjectError, match="not a SQLite file"):
        Project.open(path)


def test_foreign_sqlite_database_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    db = sqlite_utils.Database(path)
    db["people"].insert({"id": 1, "name": "x"})
    db.close()
    before = path.read_bytes()
    with pytest.raises(errors.NotAProjectError, match="SQLite database, but not a kzannotate project"):
        Project.open(path)
    assert path.read_bytes() == before, "another program's database is never converted to WAL"


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.kza"
    path.touch()
    with pytest.raises(errors.NotAProjectError, match="empty file"):
        Project.open(path)


@pytest.mark.parametrize("keep", [0.5, 0.9, 60])
def test_truncated_file(tmp_path: Path, keep: float) -> None:
    good = tmp_path / "good.kza"
    with Project.create(good) as p:
        for i in range(20):
            p.add_source(f"Source number {i}. " + "Words of the text. " * 200, f"S{i}")
    data = good.read_bytes()
    path = tmp_path / "cut.kza"
    path.write_bytes(data[: int(len(data) * keep)] if keep < 1 else data[: int(keep)])
    with pytest.raises((errors.CorruptProjectError, errors.NotAProjectError)) as info:
        Project.open(path)
    message = str(info.value)
    assert "cut.kza" in message and ("damaged" in message or "not a" in message)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(errors.ProjectNotFoundError, match="does not exist"):
        Project.open(tmp_path / "gone.kza")
    with pytest.raises(errors.NotAProjectError, match="is a folder"):
        Project.open(tmp_path)


def test_project_with_a_missing_table_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "p.kza"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE annotation_theories")
    conn.close()
    with pytest.raises(errors.CorruptProjectError, match="annotation_theories"):
        Project.open(path)


HOLDER = """
import sys
from kzannotate.store import Project
p = Project.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
p.close()
"""


def test_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "shared.kza"
    Project.create(path).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(errors.ProjectLockedError, match="open in another") as info:
            Project.open(path)
        assert str(holder.pid) in str(info.value)
        with Project.open(path, read_only=True) as viewer:  # reading alongside is fine
            assert viewer.info()["sources"] == 0
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0
    with Project.open(path) as p:  # released when the other program closed it
        p.add_source("Now it is ours.", "Ours")


def test_locked_lock_survives_holder_crash(tmp_path: Path) -> None:
    path = tmp_path / "crash.kza"
    Project.create(path).close()
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        holder.kill()
        holder.wait(timeout=30)
    with Project.open(path) as p:  # the OS dropped the dead process's lock: no stale lock
        assert p.schema_version == SCHEMA_VERSION


def test_second_open_in_the_same_process(tmp_path: Path) -> None:
    path = tmp_path / "twice.kza"
    first = Project.create(path)
    try:
        with pytest.raises(errors.ProjectLockedError, match="already open"):
            Project.open(path)
        with pytest.raises(errors.ProjectLockedError):
            Project.open(tmp_path / "." / "twice.kza")  # same file, other spelling
    finally:
        first.close()
    Project.open(path).close()


def test_read_only_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ro.kza"
    with Project.create(path) as p:
        p.add_source("Read me.", "R")
    real = project_module._connect
    monkeypatch.setattr(project_module, "_connect", lambda uri: real(uri.replace("mode=rw", "mode=ro")))
    with pytest.raises(errors.ReadOnlyError, match="cannot be written"):
        Project.open(path)
    assert not Path(f"{path}-lock").exists(), "a refused open releases its lock"


def test_read_only_open_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "ro.kza"
    with Project.create(path) as p:
        s = p.add_source("Read me, do not change me.", "R")
    before = path.read_bytes()
    with Project.open(path, read_only=True) as p:
        assert p.read_only
        assert p.get_source(s.id).title == "R"
        with pytest.raises(errors.ReadOnlyError, match="read-only"):
            p.add_source("Other text.", "O")
        with pytest.raises(errors.ReadOnlyError):
            p.update_source(s.id, title="New")
        with pytest.raises(errors.ReadOnlyError):
            p.add_annotation(s.id, 0, 4)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            p.conn.execute("INSERT INTO meta VALUES ('x', 'y')")  # even raw SQL cannot write
    assert path.read_bytes() == before


def test_read_only_directory_refuses_open_for_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only folder: the lock file cannot be created. (chmod does not bind root, so simulate it.)"""
    path = tmp_path / "p.kza"
    Project.create(path).close()
    real_open = os.open

    def refuse_lock(file, flags, mode=0o777, **kw):
        if str(file).endswith("-lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, flags, mode, **kw)

    monkeypatch.setattr(project_module.os, "open", refuse_lock)
    with pytest.raises(errors.ReadOnlyError, match="read-only"):
        Project.open(path)


# ------------------------------------------------------------------ integrity rules
@pytest.fixture
def src(project: Project):
    return project.add_source(TEXT, "Unrest", reliability="C")


def test_quote_must_match_the_text(project: Project, src) -> None:
    with pytest.raises(errors.QuoteMismatchError, match="does not match"):
        project.add_annotation(src.id, 29, 36, quote="Tokaev")
    assert project.annotation_count() == 0
    ann = project.add_annotation(src.id, 29, 36, quote="Tokayev")
    assert ann.quote == "Tokayev"
    without = project.add_annotation(src.id, 0, 8)  # no quote given: the store takes the slice
    assert without.quote == "Protests"


@pytest.mark.parametrize("start,end", [(-1, 3), (0, len(TEXT) + 1), (50, 500), (200, 210), (10, 10), (12, 5)])
def test_offsets_outside_the_text_or_empty(project: Project, src, start: int, end: int) -> None:
    with pytest.raises(errors.ValidationError):
        project.add_annotation(src.id, start, end)
    assert project.annotation_count() == 0


def test_last_character_is_a_valid_span(project: Project, src) -> None:
    ann = project.add_annotation(src.id, len(TEXT) - 1, len(TEXT))
    assert ann.quote == "."


def test_schema_checks_hold_even_for_raw_sql(project: Project, src) -> None:
    bad = [
        ("INSERT INTO annotations (id, source_id, start_offset, end_offset, quote, created_at, updated_at) "
         "VALUES ('x', ?, 5, 5, '', 't', 't')", (src.id,)),
        ("INSERT INTO annotations (id, source_id, start_offset, end_offset, quote, credibility, created_at, "
         "updated_at) VALUES ('x', ?, 0, 1, 'P', 7, 't', 't')", (src.id,)),
        ("INSERT INTO annotations (id, source_id, start_offset, end_offset, quote, created_at, updated_at) "
         "VALUES ('x', 'no-such-source', 0, 1, 'P', 't', 't')", ()),
        ("UPDATE sources SET reliability = 'G' WHERE id = ?", (src.id,)),
        ("INSERT INTO actors (id, name, kind) VALUES ('a', 'X', 'alien')", ()),
        ("INSERT INTO actors (id, name, aliases) VALUES ('a', 'X', 'not json')", ()),
        ("INSERT INTO theories (id, name, color) VALUES ('t', 'T', 'red')", ()),
    ]
    for sql, params in bad:
        with pytest.raises(errors.ValidationError), project.transaction() as conn:
            conn.execute(sql, params)
    assert project.annotation_count() == 0


@pytest.mark.parametrize("given,stored", [
    ("2022-01-06", "2022-01-06"), ("2022-01", "2022-01"), ("2022", "2022"), ("January 6, 2022", "2022-01-06"),
    ("06.01.2022", "2022-01-06"), ("2022-01-07T09:30:00+06:00", "2022-01-07"), ("", None)])
def test_publication_dates_are_stored_as_iso(project: Project, src, given: str, stored: str | None) -> None:
    project.update_source(src.id, published=given)
    assert project.get_source(src.id).published == stored


def test_unreadable_dates(project: Project, src) -> None:
    with pytest.raises(errors.ValidationError, match="YYYY-MM-DD"):
        project.update_source(src.id, published="last Tuesday")
    with pytest.raises(errors.ValidationError):
        project.update_source(src.id, published="2022-02-30")
    assert project.get_source(src.id).published is None
    # an import from another tool keeps a date it cannot read rather than losing it
    other = project.add_source("Imported elsewhere.", "Other", published="Winter 2022")
    assert other.published == "Winter 2022"


def test_source_metadata_is_cleaned(project: Project, src) -> None:
    project.update_source(src.id, author="  ", reliability="d", title="  New title  ")
    s = project.get_source(src.id)
    assert (s.author, s.reliability, s.title) == (None, "D", "New title")
    with pytest.raises(errors.ValidationError, match="A–F"):
        project.update_source(src.id, reliability="Q")
    with pytest.raises(errors.ValidationError, match="title"):
        project.update_source(src.id, title=" ")
    with pytest.raises(errors.ValidationError, match="cannot be edited"):
        project.update_source(src.id, text="Changed text")


def test_duplicate_text_is_refused(project: Project, src) -> None:
    with pytest.raises(errors.DuplicateSourceError, match="Already in the project") as info:
        project.add_source(TEXT, "Another title")
    assert info.value.existing_id == src.id


# ------------------------------------------------------------------ cascade deletes
def _link_counts(p: Project) -> tuple[int, int, int]:
    one = p.conn.execute
    return (one("SELECT count(*) FROM annotations").fetchone()[0],
            one("SELECT count(*) FROM annotation_actors").fetchone()[0],
            one("SELECT count(*) FROM annotation_theories").fetchone()[0])


def test_deleting_a_source_deletes_its_annotations_and_links(project: Project, src) -> None:
    other = project.add_source("Another text about Tokayev.", "Other")
    actor = project.add_actor("Tokayev")
    theory = project.add_theory("Palace coup")
    project.add_annotation(src.id, 29, 36, actor_ids=[actor.id], theories={theory.id: "supports"})
    project.add_annotation(src.id, 0, 8, theories={theory.id: "neutral"})
    kept = project.add_annotation(other.id, 19, 26, actor_ids=[actor.id])
    assert _link_counts(project) == (3, 2, 2)
    snapshot = project.delete_source(src.id)
    assert _link_counts(project) == (1, 1, 0)
    assert project.get_annotation(kept.id).actor_ids == (actor.id,)
    assert len(snapshot.annotations) == 2
    project.restore_source(snapshot)  # undo brings all of it back
    assert _link_counts(project) == (3, 2, 2)


def test_deleting_an_actor_or_theory_removes_links_not_annotations(project: Project, src) -> None:
    actor = project.add_actor("Tokayev")
    theory = project.add_theory("Palace coup")
    child = project.add_theory("Masimov's coup", parent_id=theory.id)
    ann = project.add_annotation(src.id, 29, 36, actor_ids=[actor.id], theories={theory.id: "supports"})
    project.delete_actor(actor.id)
    assert project.get_annotation(ann.id).actor_ids == ()
    project.delete_theory(theory.id)
    assert project.get_annotation(ann.id).theories == ()
    assert project.get_theory(child.id).parent_id is None
    assert _link_counts(project) == (1, 0, 0)


# ----------------------------------------------------------------- view and search
def test_annotations_view_columns_and_rating(project: Project, src) -> None:
    unrated = project.add_source("Nobody rated this source.", "Unrated")
    a1 = project.add_actor("Kassym-Jomart Tokayev")
    a2 = project.add_actor("CSTO", kind="organisation")
    t1 = project.add_theory("Palace coup")
    t2 = project.add_theory("Russian intervention")
    own = project.add_annotation(src.id, 29, 36, actor_ids=[a2.id, a1.id],
                                 theories={t1.id: "contradicts", t2.id: "supports"}, reliability="B",
                                 credibility=2)
    inherited = project.add_annotation(src.id, 0, 8, credibility=3)
    neither = project.add_annotation(unrated.id, 0, 6)
    cols = [r[1] for r in project.conn.execute("PRAGMA table_info(annotations_view)")]
    assert cols == ["id", "source_id", "source_title", "start_offset", "end_offset", "quote", "actors",
                    "theories", "own_reliability", "source_reliability", "reliability", "credibility", "rating",
                    "note", "annotator", "created_at", "updated_at"]
    rows = {r["id"]: r for r in project.query("SELECT * FROM annotations_view")}
    assert rows[own.id]["rating"] == "B2"
    assert rows[own.id]["actors"] == "CSTO; Kassym-Jomart Tokayev"
    assert rows[own.id]["theories"] == "Palace coup (contradicts); Russian intervention (supports)"
    assert rows[own.id]["source_title"] == "Unrest" and rows[own.id]["quote"] == "Tokayev"
    assert (rows[inherited.id]["reliability"], rows[inherited.id]["rating"]) == ("C", "C3")
    assert rows[inherited.id]["own_reliability"] is None
    assert rows[neither.id]["rating"] == "F6"
    assert rows[neither.id]["actors"] is None
    project.update_source(src.id, reliability="A")  # the view follows the source's letter
    assert project.query("SELECT rating FROM annotations_view WHERE id = ?", (inherited.id,)) == [
        {"rating": "A3"}]


def fts_ids(p: Project, query: str) -> list[str]:
    return [r["id"] for r in p.query(
        "SELECT s.id FROM sources_fts JOIN sources s ON s.rowid = sources_fts.rowid "
        "WHERE sources_fts MATCH ? ORDER BY s.title", (query,))]


def test_full_text_search_follows_changes(project: Project, src) -> None:
    assert project.db["sources"].detect_fts() == "sources_fts"
    other = project.add_source("Масимов арестован по подозрению в государственной измене.", "Арест")
    assert fts_ids(project, "Zhanaozen") == [src.id]
    assert fts_ids(project, "арестован") == [other.id]
    assert fts_ids(project, "Unrest") == [src.id]  # titles are indexed too
    project.update_source(src.id, title="Bloodshed in Almaty")
    assert fts_ids(project, "Unrest") == []
    assert fts_ids(project, "Bloodshed") == [src.id]
    project.delete_source(other.id)
    assert fts_ids(project, "арестован") == []
    found = list(project.db["sources"].search("CSTO"))
    assert [r["id"] for r in found] == [src.id]


# --------------------------------------------------------------------- transactions
def test_failure_in_a_transaction_rolls_back_everything(project: Project) -> None:
    heard = []
    project.subscribe(heard.append)
    with pytest.raises(RuntimeError), project.transaction():
        s = project.add_source("First text.", "One")
        project.add_actor("Someone")
        project.add_annotation(s.id, 0, 5)
        raise RuntimeError("boom")
    assert project.info()["sources"] == project.info()["actors"] == project.annotation_count() == 0
    assert heard == [], "listeners hear only of committed changes"
    project.add_source("Second text.", "Two")
    assert [c.kind for c in heard] == ["source"]


def test_nested_savepoints(project: Project) -> None:
    heard = []
    project.subscribe(heard.append)
    with project.transaction():
        project.add_source("Outer text.", "Outer")
        try:
            with project.transaction():
                project.add_source("Inner text.", "Inner")
                with project.transaction():
                    project.add_actor("Deepest")
                raise ValueError("inner fails")
        except ValueError:
            pass
        project.add_theory("Kept theory")
        assert heard == []  # nothing announced before the outer commit
    assert [s.title for s in project.list_sources()] == ["Outer"]
    assert project.list_actors() == []
    assert [t.name for t in project.list_theories()] == ["Kept theory"]
    assert [c.kind for c in heard] == ["source", "theory"]


def test_outer_failure_undoes_committed_savepoints(project: Project) -> None:
    with pytest.raises(KeyError), project.transaction():
        with project.transaction():
            project.add_source("Saved in a savepoint.", "Inner")
        raise KeyError("outer fails")
    assert project.list_sources() == []


def test_migration_runs_on_a_fresh_file_created_by_sqlite(tmp_path: Path) -> None:
    """An empty SQLite file carrying our id (e.g. created by a script) is upgraded to the full schema."""
    path = tmp_path / "blank.kza"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.close()
    with Project.open(path) as p:
        assert p.schema_version == SCHEMA_VERSION
        assert "annotations_view" in p.db.view_names()


def test_read_only_open_on_read_only_media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a CD or a read-only share SQLite cannot create the -shm file of a WAL database ("unable to
    open"); a read-only open then reads the file as immutable instead of failing."""
    path = tmp_path / "cd.kza"
    with Project.create(path) as p:
        p.add_source("Burned to a disc.", "Disc")
    real = project_module._connect
    seen = []

    def media(uri: str) -> sqlite3.Connection:
        seen.append(uri)
        if "immutable=1" not in uri:
            raise sqlite3.OperationalError("unable to open database file")
        return real(uri)

    monkeypatch.setattr(project_module, "_connect", media)
    with Project.open(path, read_only=True) as p:
        assert [s.title for s in p.list_sources()] == ["Disc"]
    assert seen[-1].endswith("mode=ro&immutable=1")
