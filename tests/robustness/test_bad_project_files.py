"""Bad project files: refused with a message naming the file, never a traceback, never changed.

Each case through the store API, ``kzannotate info``/``import`` and the window (``MainWindow.open_initial``).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kzannotate import cli
from kzannotate.store import Project, errors
from kzannotate.store import project as project_module
from kzannotate.store.schema import SCHEMA_VERSION
from kzannotate.ui import robustness
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zero(tmp: Path, seeds: Path) -> Path:
    path = tmp / "zero.kza"
    path.write_bytes(b"")
    return path


def _truncated(tmp: Path, seeds: Path) -> Path:
    path = tmp / "truncated.kza"
    data = seeds.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _random(tmp: Path, seeds: Path) -> Path:
    path = tmp / "random.kza"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(50_000)))
    return path


def _foreign(tmp: Path, seeds: Path) -> Path:
    path = tmp / "firefox places.kza"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT);"
                       "INSERT INTO moz_places (url) VALUES ('https://example.org');")
    conn.close()
    return path


def _newer(tmp: Path, seeds: Path) -> Path:
    path = tmp / "from the future.kza"
    shutil.copy(seeds, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    return path


def _missing(tmp: Path, seeds: Path) -> Path:
    return tmp / "never saved.kza"


def _folder(tmp: Path, seeds: Path) -> Path:
    path = tmp / "folder.kza"
    path.mkdir()
    return path


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path, Path], Path]
    words: tuple[str, ...]


CASES = [
    Case("zero-bytes", _zero, ("empty",)),
    Case("truncated", _truncated, ("damaged", "truncated", "incomplete", "cut")),
    Case("random-bytes", _random, ("not a kzannotate project",)),
    Case("foreign-sqlite", _foreign, ("not a kzannotate project",)),
    Case("newer-schema", _newer, ("newer version",)),
    Case("missing", _missing, ("does not exist",)),
    Case("folder", _folder, ("folder",)),
]


@pytest.fixture
def seeds_file(tmp_path: Path, seeds_project: Project) -> Path:
    """A real, closed project with sources and an annotation."""
    seeds_project.add_annotation(seeds_project.source_ids()[0], 0, 12)
    seeds_project.close()
    path = tmp_path / "real.kza"
    shutil.copy(seeds_project.path, path)
    return path


def _state(path: Path) -> tuple[str | None, set[str]]:
    """The file's hash and which files are beside it: both must be unchanged by a refusal."""
    digest = sha256(path) if path.is_file() else None
    return digest, {p.name for p in path.parent.iterdir()}


def check_message(message: str, path: Path, words: tuple[str, ...]) -> None:
    assert path.name in message, f"the message must name the file: {message!r}"
    assert any(w.lower() in message.lower() for w in words), message
    assert "Traceback" not in message


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_project_file_via_store(tmp_path: Path, seeds_file: Path, case: Case) -> None:
    path = case.make(tmp_path, seeds_file)
    before = _state(path)
    for read_only in (False, True):
        with pytest.raises(errors.ProjectError) as info:
            Project.open(path, read_only=read_only)
        check_message(str(info.value), path, case.words)
        # Opening for writing leaves nothing behind; a read-only SQLite connection cannot remove the
        # -wal/-shm it creates for a WAL file, so there only the file itself is compared.
        assert (_state(path) if not read_only else _state(path)[0]) == (before if not read_only else before[0])
    if case.id == "newer-schema":
        assert "not changed" in str(info.value)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_project_file_via_cli(tmp_path: Path, seeds_file: Path, case: Case,
                              capsys: pytest.CaptureFixture[str]) -> None:
    path = case.make(tmp_path, seeds_file)
    before = _state(path)
    text = tmp_path / "source.txt"
    text.write_text("Protesters gathered in Almaty.\n", encoding="utf-8")
    for argv in (["info", str(path)], ["import", str(path), str(text)]):
        assert cli.main(argv) == 1
        out, err = capsys.readouterr()
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert "Traceback" not in out + err
        assert lines[0].startswith("kzannotate: ")
        check_message(lines[0], path, case.words)
        assert _state(path)[0] == before[0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_project_file_via_window(qtbot, tmp_path: Path, seeds_file: Path, case: Case,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = case.make(tmp_path, seeds_file)
    before = _state(path)
    shown: list[tuple] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args))
    window = MainWindow(make_settings())
    qtbot.addWidget(window)
    window.open_initial(path)
    assert len(shown) == 1
    check_message(shown[0][2], path, case.words)
    assert window.project is None
    assert _state(path)[0] == before[0]
    window.close()


# ---------------------------------------------------------------- read-only media
def _readonly_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a read-only file (we run as root, so chmod would not stop writes)."""
    real = project_module._connect

    def connect(uri: str) -> sqlite3.Connection:
        return real(uri.replace("mode=rwc", "mode=ro").replace("mode=rw", "mode=ro"))

    monkeypatch.setattr(project_module, "_connect", connect)


def _readonly_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a read-only folder: the lock file beside the project cannot be created."""
    real = os.open

    def fake_open(path, flags, *args, **kwargs):
        if str(path).endswith(".kza-lock"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)


READ_ONLY = [("read-only-file", _readonly_connect), ("read-only-folder", _readonly_folder)]


@pytest.mark.parametrize(("kind", "simulate"), READ_ONLY, ids=[k for k, _ in READ_ONLY])
def test_read_only_media_via_store(seeds_file: Path, kind: str, simulate,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    before = sha256(seeds_file)
    simulate(monkeypatch)
    with pytest.raises(errors.ReadOnlyError) as info:
        Project.open(seeds_file)
    check_message(str(info.value), seeds_file, ("read-only",))
    with Project.open(seeds_file, read_only=True) as project:  # reading still works
        assert project.annotation_count() == 1
    assert sha256(seeds_file) == before


@pytest.mark.parametrize(("kind", "simulate"), READ_ONLY, ids=[k for k, _ in READ_ONLY])
def test_read_only_media_via_cli(seeds_file: Path, tmp_path: Path, kind: str, simulate,
                                 monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha256(seeds_file)
    simulate(monkeypatch)
    assert cli.main(["info", str(seeds_file)]) == 0  # info only reads
    capsys.readouterr()
    text = tmp_path / "source.txt"
    text.write_text("Protesters gathered in Almaty.\n", encoding="utf-8")
    assert cli.main(["import", str(seeds_file), str(text)]) == 1
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    check_message(err, seeds_file, ("read-only",))
    assert sha256(seeds_file) == before


@pytest.mark.parametrize(("kind", "simulate"), READ_ONLY, ids=[k for k, _ in READ_ONLY])
def test_read_only_media_via_window(qtbot, seeds_file: Path, kind: str, simulate,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    simulate(monkeypatch)
    asked: list[str] = []
    monkeypatch.setattr(robustness, "ask_read_only", lambda parent, message: asked.append(message) or True)
    window = MainWindow(make_settings())
    qtbot.addWidget(window)
    window.open_initial(seeds_file)
    assert len(asked) == 1
    check_message(asked[0], seeds_file, ("read-only",))
    assert window.project is not None and window.project.read_only
    assert "read-only" in window.windowTitle()
    window.close()


def test_writing_to_a_read_only_file_mid_session_is_a_message(seeds_file: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite says "attempt to write a readonly database" (e.g. the medium was remounted)."""
    project = Project.open(seeds_file)
    before = project.annotation_count()
    real_execute = project.conn.execute
    source_id = project.source_ids()[0]

    real_conn = project.conn

    def guarded(sql, *args):
        if sql.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_execute(sql, *args)

    wrapper = type("ReadOnlyConn", (), {
        "execute": staticmethod(guarded),
        "executemany": staticmethod(real_conn.executemany),
        "in_transaction": property(lambda self: real_conn.in_transaction),
        "close": staticmethod(real_conn.close),
    })()
    monkeypatch.setattr(project, "conn", wrapper)
    with pytest.raises(errors.ReadOnlyError) as info:
        project.add_annotation(source_id, 0, 5)
    assert seeds_file.name in str(info.value) and "read-only" in str(info.value)
    monkeypatch.undo()
    assert project.annotation_count() == before
    project.close()


# ------------------------------------------------------------ awkward but fine
def test_non_ascii_path_with_spaces_works(tmp_path: Path, capsys: pytest.CaptureFixture[str], qtbot) -> None:
    folder = tmp_path / "Алматы 2022 — notes #1 ?"
    folder.mkdir()
    path = folder / "Протесты в Казахстане (январь) é.kza"
    with Project.create(path) as project:
        source = project.add_source("Протестующие собрались в Алматы.\n", "Алматы")
        project.add_annotation(source.id, 0, 11)
    with Project.open(path) as project:
        assert project.annotation_count() == 1
    assert cli.main(["info", str(path)]) == 0
    assert "annotations: 1" in capsys.readouterr().out
    window = MainWindow(make_settings())
    qtbot.addWidget(window)
    window.open_initial(path)
    assert window.project is not None and window.project.path == path
    assert not window.project.read_only
    window.close()
