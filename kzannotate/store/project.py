"""Opening, creating, locking and transacting on a project file.

One ``Project`` per open file. Every user edit goes through ``transaction()`` (``BEGIN IMMEDIATE`` …
``COMMIT``), so a crash leaves either the whole edit or none of it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kzannotate import __version__
from kzannotate.store import errors
from kzannotate.store.annotations import AnnotationsMixin
from kzannotate.store.codebook import CodebookMixin
from kzannotate.store.models import Change
from kzannotate.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, missing_tables, now_iso
from kzannotate.store.sources import SourcesMixin

if TYPE_CHECKING:
    import sqlite_utils

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
PROJECT_SUFFIX = ".kza"

Listener = Callable[[Change], None]


def _connect(uri: str) -> sqlite3.Connection:
    """The one place a connection is made (tests monkeypatch it to simulate read-only media)."""
    return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)


def _uri(path: Path, mode: str) -> str:
    """A SQLite URI for ``path``; ``%``, ``?`` and ``#`` are the only characters SQLite treats specially."""
    posix = path.resolve().as_posix()
    quoted = posix.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    if not quoted.startswith("/"):  # Windows: file:///C:/...
        quoted = "/" + quoted
    return f"file://{quoted}?mode={mode}"


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open for reading only. On read-only media a WAL file cannot get its ``-shm`` index; then nobody can
    be writing to it either, so SQLite may read it as an immutable file."""
    conn = None
    try:
        conn = _connect(_uri(path, "ro"))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        if conn is not None:
            conn.close()
        if "unable to open" not in str(exc).lower():
            raise
    return _connect(_uri(path, "ro") + "&immutable=1")


def _header_problem(path: Path) -> str | None:
    """Cheap checks on the 100-byte SQLite header that catch truncated copies before SQLite does.

    The header records the database size in pages (valid when the change counter at offset 24 equals
    the version-valid-for number at offset 92); a file shorter than that lost its end.
    """
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
        size = path.stat().st_size
    except OSError:
        return None
    if len(header) < 100:
        return "the file is cut short (it ends inside its header)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "its header is damaged"
    pages = int.from_bytes(header[28:32], "big")
    if pages and header[24:28] == header[92:96] and size < pages * page_size:
        return f"the file is cut short ({size} of {pages * page_size} bytes)"
    if size % page_size:
        return "the file is cut short (it ends in the middle of a page)"
    return None


def _is_readonly_error(exc: BaseException) -> bool:
    msg = str(exc).lower()
    return "readonly" in msg or "read-only" in msg or "unable to open" in msg


def translate_error(exc: sqlite3.Error, path: Path) -> errors.ProjectError:
    """Map a sqlite3 error to the typed error a user can understand."""
    msg = str(exc).lower()
    if "locked" in msg or "busy" in msg:
        return errors.ProjectLockedError(f"{path.name} is busy: another program is writing to it. Try again.")
    if _is_readonly_error(exc):
        return errors.ReadOnlyError(f"{path} cannot be written (read-only file or folder).")
    if "malformed" in msg or "not a database" in msg or "corrupt" in msg:
        return errors.CorruptProjectError(f"{path.name} is damaged and cannot be read ({exc}).")
    if "disk is full" in msg or "disk i/o" in msg:
        return errors.ProjectError(f"Could not write {path.name}: {exc}.")
    return errors.ProjectError(f"{path.name}: {exc}")


class _ProcessLock:
    """An exclusive advisory lock on ``PROJECT.kza-lock`` so two windows never write one file.

    The OS drops it when the process dies, so a crash never leaves a stale lock behind.
    """

    _held: set[str] = set()  # paths locked by this process (flock is per open file, not per process)
    _guard = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = Path(str(path) + "-lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        key = str(self.path.resolve())
        with self._guard:
            if key in self._held:
                raise errors.ProjectLockedError(
                    f"{self.path.name[:-5]} is already open in this program.")
            fd, locked = self._open_and_lock()
            if not locked:
                other = ""
                with contextlib.suppress(OSError):
                    other = os.read(fd, 200).decode("utf-8", "replace").strip()
                os.close(fd)
                who = f" (process {other})" if other.isdigit() else ""
                raise errors.ProjectLockedError(
                    f"{self.path.name[:-5]} is open in another kzannotate window or program{who}. "
                    "Close it there first, or open this project read-only.")
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
            self._fd = fd
            self._held.add(key)

    def _open_and_lock(self) -> tuple[int, bool]:
        """Open the lock file and try to lock it: ``(fd, locked)``.

        A releasing process unlinks the file, so after locking we check that the file we locked is still
        the one at the path; if not, we lost a race with that unlink and try again on the new file.
        """
        for _ in range(50):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise errors.ReadOnlyError(
                    f"Cannot write next to {self.path.name[:-5]} ({exc.strerror}): the folder is read-only. "
                    "Copy the project to a writable folder, or open it read-only.") from exc
            if not _try_lock(fd):
                return fd, False
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except OSError:
                same = False
            if same:
                return fd, True
            os.close(fd)
        raise errors.ProjectLockedError(f"{self.path.name[:-5]} is being opened and closed by another program.")

    def release(self) -> None:
        if self._fd is None:
            return
        with self._guard:
            self._held.discard(str(self.path.resolve()))
            os.close(self._fd)
            self._fd = None
        with contextlib.suppress(OSError):
            self.path.unlink()


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class Project(SourcesMixin, AnnotationsMixin, CodebookMixin):
    """An open project file. Use ``Project.open`` / ``Project.create``; close with ``close()``."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, read_only: bool,
                 lock: _ProcessLock | None) -> None:
        self.path = path
        self.conn = conn
        self.read_only = read_only
        self._lock = lock
        self._depth = 0
        self._stamped = False  # meta.app_version is written with the first commit of a session
        self._pending: list[Change] = []
        self._listeners: list[Listener] = []

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, imported on first use: it pulls in click, dateutil and
        pluggy (60-85 ms), which the window's start-up should not pay for."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # ----------------------------------------------------------------- opening
    @classmethod
    def create(cls, path: str | os.PathLike[str], *, name: str | None = None) -> Project:
        """Create a new, empty project file. Refuses to overwrite an existing non-empty file."""
        path = Path(path)
        if path.is_dir():
            raise errors.ProjectExistsError(f"{path} is a folder, not a project file.")
        if path.exists() and path.stat().st_size > 0:
            raise errors.ProjectExistsError(f"{path} already exists; choose another name.")
        if not path.parent.is_dir():
            raise errors.ProjectNotFoundError(f"The folder {path.parent} does not exist.")
        project = cls._open(path, creating=True, read_only=False)
        with project.transaction():
            project.set_meta("name", name or path.stem)
            project.set_meta("created_at", now_iso())
        return project

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool = False, allow_older: bool = False) -> Project:
        """Open an existing project, upgrading an older schema in place (each step one transaction).

        Read-only, an older file cannot be upgraded and is refused, unless ``allow_older``: then it is opened
        as it is, for ``info()`` only (``needs_upgrade`` is true; the rest of the API expects the current
        schema).
        """
        path = Path(path)
        if not path.exists():
            raise errors.ProjectNotFoundError(f"{path} does not exist.")
        if path.is_dir():
            raise errors.NotAProjectError(f"{path} is a folder, not a kzannotate project.")
        try:
            with open(path, "rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise errors.ProjectError(f"Cannot read {path}: {exc.strerror}.") from exc
        if not header:
            raise errors.NotAProjectError(f"{path.name} is an empty file, not a kzannotate project.")
        if header != SQLITE_HEADER:
            raise errors.NotAProjectError(f"{path.name} is not a kzannotate project (not a SQLite file).")
        problem = _header_problem(path)
        if problem and not Path(str(path) + "-wal").exists():
            raise errors.CorruptProjectError(
                f"{path.name} is damaged and cannot be read: {problem}. Restore it from a backup copy.")
        return cls._open(path, creating=False, read_only=read_only, allow_older=allow_older and read_only)

    @classmethod
    def _open(cls, path: Path, *, creating: bool, read_only: bool, allow_older: bool = False) -> Project:
        lock = None if read_only else _ProcessLock(path)
        if lock:
            lock.acquire()
        conn: sqlite3.Connection | None = None
        try:
            if read_only:
                conn = _connect_read_only(path)
            else:
                try:
                    conn = _connect(_uri(path, "rwc" if creating else "rw"))
                except sqlite3.OperationalError as exc:
                    raise translate_error(exc, path) from exc
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cls._check_identity(conn, path, creating)
            if not read_only:
                try:
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    if mode.lower() != "wal":
                        raise errors.ReadOnlyError(f"{path} cannot be written (read-only file or folder).")
                except sqlite3.Error as exc:
                    raise translate_error(exc, path) from exc
                conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            project = cls(path, conn, read_only=read_only, lock=lock)
            if not read_only:
                project._check_writable()
                project._migrate()
            elif (version := conn.execute("PRAGMA user_version").fetchone()[0]) < SCHEMA_VERSION:
                if allow_older:
                    return project
                raise errors.ReadOnlyError(
                    f"{path.name} uses an older format (version {version}) that must be upgraded before it can "
                    "be read, but it is opened read-only. To upgrade it, open it in kzannotate (or run any "
                    "command that changes it, such as kzannotate import) where the file can be written.")
            missing = missing_tables(conn)
            if missing:
                raise errors.CorruptProjectError(
                    f"{path.name} is damaged: the table(s) {', '.join(missing)} are missing.")
            return project
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if lock:
                lock.release()
            if isinstance(exc, sqlite3.Error):
                raise translate_error(exc, path) from exc
            raise

    @staticmethod
    def _check_identity(conn: sqlite3.Connection, path: Path, creating: bool) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        n_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID:
            if creating and n_tables == 0 and version == 0:
                return
            raise errors.NotAProjectError(
                f"{path.name} is a SQLite database, but not a kzannotate project.")
        if version > SCHEMA_VERSION:
            raise errors.NewerVersionError(
                f"{path.name} was saved by a newer version of kzannotate (format {version}; this version "
                f"reads up to {SCHEMA_VERSION}). Please update kzannotate to open it; the file was not changed.")

    def _check_writable(self) -> None:
        """Refuse at open, not at the first edit, a file SQLite can only read (read-only file or medium).

        ``BEGIN IMMEDIATE`` succeeds on a read-only connection; only a real write fails, so we write the
        application id back unchanged and roll it back.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
                self.conn.execute(f"PRAGMA application_id = {int(app_id)}")
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise translate_error(exc, self.path) from exc

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        while version < SCHEMA_VERSION:
            # Table rebuilds need foreign keys off; they are checked before the commit instead.
            self.conn.execute("PRAGMA foreign_keys = OFF")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    MIGRATIONS[version](self.conn)
                    problems = self.conn.execute("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise errors.CorruptProjectError(
                            f"{self.path.name}: upgrading found {len(problems)} broken references; "
                            "the file was not changed.")
                    self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self.conn.execute(f"PRAGMA user_version = {version + 1}")
                    self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('app_version', ?)",
                                      (__version__,))
                    self.conn.execute("COMMIT")
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            finally:
                self.conn.execute("PRAGMA foreign_keys = ON")
            version += 1

    def close(self) -> None:
        """Close the file; the WAL is checkpointed so the .kza is complete on its own."""
        if self.conn is None:
            return
        if not self.read_only:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
        self.conn = None  # type: ignore[assignment]
        if self._lock:
            self._lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; nested calls become savepoints. Listeners hear of changes after commit."""
        if self.read_only:
            raise errors.ReadOnlyError(f"{self.path.name} is open read-only; changes cannot be saved.")
        outer = self._depth == 0
        name = f"sp{self._depth}"
        queued = len(self._pending)
        try:
            self.conn.execute("BEGIN IMMEDIATE" if outer else f"SAVEPOINT {name}")
        except sqlite3.Error as exc:
            raise translate_error(exc, self.path) from exc
        self._depth += 1
        try:
            yield self.conn
        except BaseException as exc:
            self._depth -= 1
            if self.conn.in_transaction:
                if outer:
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
            del self._pending[queued:]  # changes undone by the rollback are not announced
            if isinstance(exc, sqlite3.IntegrityError):
                raise errors.ValidationError(f"Not saved: {exc}.") from exc
            if isinstance(exc, sqlite3.Error):
                raise translate_error(exc, self.path) from exc
            raise
        else:
            self._depth -= 1
            try:
                if outer:
                    if not self._stamped:
                        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('app_version', ?)",
                                          (__version__,))
                    self.conn.execute("COMMIT")
                    self._stamped = True
                else:
                    self.conn.execute(f"RELEASE {name}")
            except sqlite3.Error as exc:
                if outer and self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                    self._pending.clear()
                raise translate_error(exc, self.path) from exc
            if outer:
                pending, self._pending = self._pending, []
                for change in pending:
                    self._notify(change)

    def _changed(self, change: Change) -> None:
        """Queue a change notice; it is delivered when the outermost transaction commits."""
        if self._depth:
            self._pending.append(change)
        else:
            self._notify(change)

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    # -------------------------------------------------------------------- meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str | None) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        self._changed(Change("project"))

    @property
    def name(self) -> str:
        return self.get_meta("name") or self.path.stem

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def needs_upgrade(self) -> bool:
        """An older file opened read-only with ``allow_older`` (writable opens upgrade at once)."""
        return self.schema_version < SCHEMA_VERSION

    def info(self) -> dict[str, Any]:
        """Schema version and counts: what ``kzannotate info`` prints. An older file (``needs_upgrade``)
        gets the counts its tables allow (None where a table is missing) and no meta it lacks."""
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        count = {t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] if t in tables else None
                 for t in ("sources", "actors", "theories", "annotations")}
        meta = "meta" in tables
        return {"path": str(self.path), "name": self.name if meta else self.path.stem,
                "schema_version": self.schema_version, "needs_upgrade": self.needs_upgrade,
                "app_version": self.get_meta("app_version") if meta else None,
                "created_at": self.get_meta("created_at") if meta else None, **count}

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts (read-only helper for reports and exports)."""
        return list(self.db.query(sql, params))

    def dumps_json(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)
