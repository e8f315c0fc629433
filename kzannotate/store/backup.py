"""Rolling backups of project files, and restoring them without ever destroying data.

Each project gets a folder ``paths.backups_dir()/<stem>-<hash of its path>/`` holding consistent copies
named ``YYYY-MM-DDTHH-MM-SS.kza`` (local time). Copies are made with the SQLite online backup API from a
separate read-only connection, so they are consistent even while the window keeps writing, and they are
written under a temporary name and renamed, so a crash never leaves half a backup.

Kept: every backup of the last 24 hours (at most ``KEEP_RECENT``), plus, before that, the newest of each
of the last ``KEEP_DAYS`` days. Restoring copies a backup to a new file, or replaces the project after first backing up
its current state.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kzannotate import paths
from kzannotate.store import errors

STAMP_FORMAT = "%Y-%m-%dT%H-%M-%S"
SUFFIX = ".kza"
KEEP_RECENT = 10  # backups kept from the last 24 hours
KEEP_DAYS = 7  # then one per day for this many days
RECENT_WINDOW = timedelta(hours=24)
# Copying a large file takes seconds of disk time: skip it when a backup this young already exists.
LARGE_FILE_BYTES = 64 * 1024 * 1024
LARGE_FILE_MIN_AGE = timedelta(minutes=30)
SMALL_FILE_MIN_AGE = timedelta(minutes=1)


@dataclass(frozen=True)
class BackupInfo:
    """One backup file, as the restore dialog lists it."""

    path: Path
    created: datetime
    size: int
    annotation_count: int | None  # None when the copy cannot be read (damaged)

    @property
    def label(self) -> str:
        return self.created.strftime("%Y-%m-%d %H:%M:%S")


def _canonical(project_path: str | os.PathLike[str]) -> Path:
    return Path(project_path).expanduser().resolve()


def backup_folder(project_path: str | os.PathLike[str]) -> Path:
    """The folder for one project's backups; the hash keeps same-named projects apart."""
    path = _canonical(project_path)
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:12]
    stem = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in path.stem)[:60] or "project"
    return paths.backups_dir() / f"{stem}-{digest}"


def _stamp_of(path: Path) -> datetime | None:
    name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
    try:
        return datetime.strptime(name[:19], STAMP_FORMAT)
    except ValueError:
        return None


def _backup_files(folder: Path) -> list[tuple[datetime, Path]]:
    """Backups in a folder, newest first (temporary and foreign files ignored)."""
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        if entry.name.startswith(".") or not entry.name.endswith(SUFFIX):
            continue
        stamp = _stamp_of(entry)
        if stamp is not None:
            found.append((stamp, entry))
    found.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    return found


def _count_annotations(path: Path) -> int | None:
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro&immutable=1", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def list_backups(project_path: str | os.PathLike[str]) -> list[BackupInfo]:
    """All backups of a project, newest first, with size and annotation count."""
    out = []
    for stamp, path in _backup_files(backup_folder(project_path)):
        try:
            size = path.stat().st_size
        except OSError:
            continue
        out.append(BackupInfo(path, stamp, size, _count_annotations(path)))
    return out


def newest_backup_age(project_path: str | os.PathLike[str], now: datetime | None = None) -> timedelta | None:
    files = _backup_files(backup_folder(project_path))
    if not files:
        return None
    return (now or datetime.now()) - files[0][0]


def prune_backups(project_path: str | os.PathLike[str], now: datetime | None = None) -> list[Path]:
    """Apply the keeping policy; returns the files removed."""
    now = now or datetime.now()
    files = _backup_files(backup_folder(project_path))
    keep: set[Path] = set()
    recent = [p for stamp, p in files if now - stamp <= RECENT_WINDOW]
    keep.update(recent[:KEEP_RECENT])
    days_seen: set[object] = set()
    for stamp, p in files:  # newest first: the first seen of each day is that day's newest
        day = stamp.date()
        if now - stamp <= RECENT_WINDOW or day in days_seen or (now.date() - day).days >= KEEP_DAYS:
            continue
        days_seen.add(day)
        keep.add(p)
    if files:
        keep.add(files[0][1])  # never remove the newest, whatever the clock says
    removed = []
    for _stamp, p in files:
        if p not in keep:
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def _open_for_reading(path: Path) -> sqlite3.Connection:
    """A connection that only reads ``path``; WAL content of a project open elsewhere is included."""
    uri = f"file:{path.as_posix().replace('?', '%3f').replace('#', '%23')}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=5)


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Write a consistent, self-contained copy (rollback journal, no -wal) of ``source`` to ``target``.

    The copy goes to a temporary file beside ``target`` first, so ``target`` either appears whole or not.
    """
    tmp = target.with_name(f".{target.name}.part")
    with contextlib.suppress(OSError):
        tmp.unlink()
    try:
        dest = sqlite3.connect(tmp)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
            check = dest.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise errors.CorruptProjectError(f"The copy failed its integrity check ({check}).")
        finally:
            dest.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _target_name(folder: Path, now: datetime) -> Path:
    base = now.strftime(STAMP_FORMAT)
    target = folder / f"{base}{SUFFIX}"
    n = 2
    while target.exists():
        target = folder / f"{base}-{n}{SUFFIX}"
        n += 1
    return target


def create_backup(project_path: str | os.PathLike[str], *, now: datetime | None = None,
                  min_age: timedelta | None = None) -> Path | None:
    """Back up a project file (open or not) and prune old copies.

    Returns the new backup, or None when skipped because a backup younger than ``min_age`` exists.
    Raises ``ProjectError`` with a readable message if the copy cannot be made.
    """
    path = _canonical(project_path)
    now = now or datetime.now()
    if min_age is not None:
        age = newest_backup_age(path, now)
        if age is not None and timedelta(0) <= age < min_age:
            return None
    folder = backup_folder(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _target_name(folder, now)
        conn = _open_for_reading(path)
        try:
            copy_database(conn, target)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise errors.ProjectError(f"Could not back up {path.name}: {exc}.") from exc
    except OSError as exc:
        raise errors.ProjectError(f"Could not back up {path.name} to {folder}: {exc.strerror or exc}.") from exc
    prune_backups(path, now)
    return target


def backup_min_age(project_path: str | os.PathLike[str]) -> timedelta:
    """How young a backup may be before opening the project again skips making another."""
    try:
        size = Path(project_path).stat().st_size
    except OSError:
        size = 0
    return LARGE_FILE_MIN_AGE if size >= LARGE_FILE_BYTES else SMALL_FILE_MIN_AGE


def backup_if_due(project_path: str | os.PathLike[str]) -> Path | None:
    """Back up now unless a young enough backup exists (the policy used whenever a project is opened).

    Synchronous: the command line calls it before changing a project; the window uses the thread below.
    """
    return create_backup(project_path, min_age=backup_min_age(project_path))


def backup_in_background(project_path: str | os.PathLike[str],
                         done: Callable[[Path | None, BaseException | None], None] | None = None
                         ) -> threading.Thread:
    """Back up on a worker thread (its own connection), so opening a large project never waits for it."""
    path = _canonical(project_path)

    def work() -> None:
        result: Path | None = None
        error: BaseException | None = None
        try:
            result = backup_if_due(path)
        except Exception as exc:  # reported to ``done``; a failed backup must never break opening
            error = exc
        if done is not None:
            done(result, error)

    thread = threading.Thread(target=work, name=f"backup {path.name}", daemon=True)
    thread.start()
    return thread


def _check_backup(backup: Path) -> None:
    from kzannotate.store.schema import APPLICATION_ID

    if not backup.is_file():
        raise errors.ProjectNotFoundError(f"The backup {backup.name} no longer exists.")
    try:
        conn = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro&immutable=1", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise errors.CorruptProjectError(f"The backup {backup.name} cannot be read ({exc}).") from exc
    if app_id != APPLICATION_ID or ok != "ok":
        raise errors.CorruptProjectError(f"The backup {backup.name} is damaged and cannot be restored.")


def restore_to_new_file(backup: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Copy a backup to a new project file; refuses to overwrite anything."""
    backup, target = Path(backup), Path(target)
    _check_backup(backup)
    if target.exists():
        raise errors.ProjectExistsError(f"{target} already exists; choose a new name for the restored copy.")
    if not target.parent.is_dir():
        raise errors.ProjectNotFoundError(f"The folder {target.parent} does not exist.")
    try:
        src = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro&immutable=1", uri=True)
        try:
            copy_database(src, target)
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        raise errors.ProjectError(f"Could not write {target.name}: {exc}.") from exc
    return target


def restore_in_place(backup: str | os.PathLike[str], project_path: str | os.PathLike[str]) -> Path:
    """Replace a project's content with a backup, after backing up its current state.

    The project must not be open for writing elsewhere (its lock is taken). Returns the safety backup of
    the state that was replaced, so even this can be undone from the restore dialog.
    """
    from kzannotate.store.project import Project, translate_error

    backup, project_path = Path(backup), _canonical(project_path)
    _check_backup(backup)
    project = Project.open(project_path)  # takes the lock: nobody else writes while we replace
    try:
        safety = create_backup(project_path)
        if safety is None:  # pragma: no cover - min_age is not given, so a copy is always made
            raise errors.ProjectError("Could not back up the current state; nothing was changed.")
        try:
            src = sqlite3.connect(f"file:{backup.as_posix()}?mode=ro&immutable=1", uri=True)
            try:
                src.backup(project.conn)
            finally:
                src.close()
        except sqlite3.Error as exc:
            raise translate_error(exc, project_path) from exc
    finally:
        project.close()
    return safety

