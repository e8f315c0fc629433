"""Disk full or permission denied while exporting: no partial file, the old file untouched, a clear reason."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from kzannotate import cli
from kzannotate.formats import atomic
from kzannotate.formats.atomic import ExportError, atomic_output
from kzannotate.formats.exports import FORMATS, run_export
from kzannotate.store import Project

OLD = b"the previous export, which must survive\n"


class FullDisk:
    """A file object whose writes fail with ENOSPC after ``budget`` bytes (the disk filled up)."""

    def __init__(self, fh, budget: int) -> None:
        self._fh = fh
        self._budget = budget

    def write(self, data):
        self._budget -= len(data)
        if self._budget < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._fh.__exit__(*exc)

    def __iter__(self):
        return iter(self._fh)


def fill_disk_after(monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    real_fdopen = os.fdopen
    monkeypatch.setattr(atomic.os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k), budget))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith("."))


def test_atomic_output_disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "annotations.csv"
    target.write_bytes(OLD)
    fill_disk_after(monkeypatch, 100)
    with pytest.raises(ExportError) as info, atomic_output(target, "w", encoding="utf-8") as fh:
        for _ in range(1000):
            fh.write("Almaty,protest,A1\n")
    message = str(info.value)
    assert "annotations.csv" in message and "No space left on device" in message
    assert "Nothing was saved" in message
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_disk_full(seeds_project: Project, tmp_path: Path, fmt: str,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    source_id = seeds_project.source_ids()[0]
    for i in range(30):
        seeds_project.add_annotation(source_id, i * 10, i * 10 + 8, note="x" * 200)
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    target = out_dir / f"annotations{FORMATS[fmt].suffix}"
    target.write_bytes(OLD)
    fill_disk_after(monkeypatch, 64)
    real_connect = __import__("sqlite3").connect  # the sqlite copy writes through SQLite, not fdopen

    def full_connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        if str(args[0]).endswith(".part") or ".part" in str(args[0]):
            conn.close()
            raise __import__("sqlite3").OperationalError("database or disk is full")
        return conn

    monkeypatch.setattr("sqlite3.connect", full_connect)
    with pytest.raises(ExportError) as info:
        run_export(seeds_project, fmt, target)
    message = str(info.value)
    assert target.name in message, message
    assert "space" in message.lower() or "full" in message.lower(), message
    assert target.read_bytes() == OLD
    assert leftovers(out_dir) == [], "the partial file must be removed"


def test_permission_denied_folder(seeds_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    target = tmp_path / "out.csv"
    with pytest.raises(ExportError) as info:
        run_export(seeds_project, "csv", target)
    assert "Permission denied" in str(info.value) and str(tmp_path) in str(info.value)
    assert not target.exists()
    path = seeds_project.path
    seeds_project.close()
    assert cli.main(["export", str(path), "--format", "csv", "-o", str(target)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Permission denied" in err
    assert len(err.strip().splitlines()) == 1
