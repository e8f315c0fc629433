"""Rolling backups: consistent copies, the keeping policy, and restores that never destroy data."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kzannotate import paths
from kzannotate.store import Project, backup
from kzannotate.store.errors import ProjectExistsError, ProjectLockedError


def _with_annotations(project: Project, n: int) -> str:
    text = "Protesters gathered in Almaty on the fifth of January. " * 4
    source = project.add_source(text, "Almaty report")
    for i in range(n):
        project.add_annotation(source.id, i, i + 5)
    return source.id


def test_backup_of_open_project_is_consistent_and_listed(project: Project) -> None:
    _with_annotations(project, 3)
    made = backup.create_backup(project.path)
    assert made is not None and made.is_file()
    assert made.parent.parent == paths.backups_dir()
    assert made.parent.name.startswith("test-")
    # A self-contained file: readable on its own, no WAL needed.
    conn = sqlite3.connect(made)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    listed = backup.list_backups(project.path)
    assert [b.path for b in listed] == [made]
    assert listed[0].annotation_count == 3
    assert listed[0].size == made.stat().st_size
    # The project itself stays open and writable.
    project.set_meta("name", "still writable")


def test_backup_includes_uncheckpointed_wal_content(project: Project) -> None:
    _with_annotations(project, 5)  # these commits live in the -wal file until a checkpoint
    made = backup.create_backup(project.path)
    assert backup.list_backups(project.path)[0].annotation_count == 5
    assert made is not None


def test_same_named_projects_get_separate_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert backup.backup_folder(tmp_path / "a" / "p.kza") != backup.backup_folder(tmp_path / "b" / "p.kza")


def test_min_age_skips_a_second_backup(project: Project) -> None:
    now = datetime(2024, 3, 1, 12, 0, 0)
    assert backup.create_backup(project.path, now=now) is not None
    assert backup.create_backup(project.path, now=now + timedelta(seconds=30),
                                min_age=timedelta(minutes=1)) is None
    assert backup.create_backup(project.path, now=now + timedelta(minutes=2),
                                min_age=timedelta(minutes=1)) is not None
    assert len(backup.list_backups(project.path)) == 2


def test_two_backups_in_one_second_do_not_collide(project: Project) -> None:
    now = datetime(2024, 3, 1, 12, 0, 0)
    first = backup.create_backup(project.path, now=now)
    second = backup.create_backup(project.path, now=now)
    assert first != second and first.is_file() and second.is_file()


def test_keeping_policy(project: Project) -> None:
    now = datetime(2024, 3, 20, 12, 0, 0)
    # 15 backups in the last 24 h, and 3 a day for the 10 days before.
    stamps = [now - timedelta(hours=h) for h in range(15)]
    stamps += [now - timedelta(days=d, hours=h) for d in range(2, 12) for h in (1, 3, 5)]
    for stamp in sorted(stamps):
        backup.create_backup(project.path, now=stamp)
    backup.prune_backups(project.path, now=now)
    kept = [b.created for b in backup.list_backups(project.path)]
    recent = [k for k in kept if now - k <= timedelta(hours=24)]
    assert len(recent) == backup.KEEP_RECENT
    assert recent == sorted(stamps, reverse=True)[: backup.KEEP_RECENT]
    older = [k for k in kept if now - k > timedelta(hours=24)]
    days = [k.date() for k in older]
    assert len(days) == len(set(days)), "one per day"
    assert all((now.date() - d).days < backup.KEEP_DAYS for d in days)
    for day in days:  # the newest of that day is the one kept
        assert max(s for s in stamps if s.date() == day) in older


def test_restore_to_new_file_never_overwrites(project: Project, tmp_path: Path) -> None:
    _with_annotations(project, 2)
    made = backup.create_backup(project.path)
    target = tmp_path / "restored copy é.kza"
    backup.restore_to_new_file(made, target)
    with Project.open(target) as restored:
        assert restored.annotation_count() == 2
    before = target.read_bytes()
    with pytest.raises(ProjectExistsError, match="already exists"):
        backup.restore_to_new_file(made, target)
    assert target.read_bytes() == before


def test_restore_in_place_backs_up_current_state_first(project: Project) -> None:
    source_id = _with_annotations(project, 2)
    old = backup.create_backup(project.path, now=datetime.now() - timedelta(hours=1))
    project.add_annotation(source_id, 10, 20)
    path = project.path
    with pytest.raises(ProjectLockedError):  # the window must close it first
        backup.restore_in_place(old, path)
    project.close()
    safety = backup.restore_in_place(old, path)
    with Project.open(path) as restored:
        assert restored.annotation_count() == 2
        assert restored.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert restored.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The replaced state (3 annotations) is itself a backup now.
    counts = {b.path: b.annotation_count for b in backup.list_backups(path)}
    assert counts[safety] == 3


def test_damaged_backup_is_refused(project: Project, tmp_path: Path) -> None:
    made = backup.create_backup(project.path)
    made.write_bytes(made.read_bytes()[:1000])
    assert backup.list_backups(project.path)[0].annotation_count is None
    with pytest.raises(Exception, match="damaged|cannot be read"):
        backup.restore_to_new_file(made, tmp_path / "x.kza")
    assert not (tmp_path / "x.kza").exists()


def test_background_backup_reports_back(project: Project) -> None:
    results = []
    thread = backup.backup_in_background(project.path, lambda path, err: results.append((path, err)))
    thread.join(10)
    assert results and results[0][1] is None and results[0][0].is_file()
