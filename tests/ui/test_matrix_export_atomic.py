"""Matrix exports are all-or-nothing: a full disk leaves no truncated PNG/SVG/CSV and says why."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from analysis_demo import annotate_demo  # noqa: E402

from kzannotate.analysis import data  # noqa: E402
from kzannotate.analysis.weights import project_weights  # noqa: E402
from kzannotate.formats import atomic  # noqa: E402
from kzannotate.formats.atomic import ExportError  # noqa: E402
from kzannotate.ui import matrix_view  # noqa: E402

OLD = b"the previous export, which must survive\n"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class _FullDisk:
    """Wraps the temporary file: writes fail with ENOSPC once ``budget`` bytes are used up."""

    def __init__(self, fh, budget: int) -> None:
        self._fh, self._budget = fh, budget

    def write(self, chunk):
        self._budget -= len(chunk)
        if self._budget < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._fh.write(chunk)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._fh.__exit__(*exc)


def _fill_disk(monkeypatch, budget: int = 100) -> None:
    real = os.fdopen
    monkeypatch.setattr(atomic.os, "fdopen", lambda *a, **k: _FullDisk(real(*a, **k), budget))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith(".part"))


@pytest.fixture
def view(qtbot, seeds_project):
    annotate_demo(seeds_project)
    v = matrix_view.MatrixView()
    qtbot.addWidget(v)
    v.set_data(data.load(seeds_project), project_weights(seeds_project))
    return v


def test_png_export_is_a_valid_image(view, tmp_path):
    target = tmp_path / "matrix.png"
    view.export(str(target), "png")
    assert target.read_bytes()[:8] == PNG_MAGIC and target.stat().st_size > 1000
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["png", "svg", "csv"])
def test_disk_full_leaves_no_file_and_says_why(view, tmp_path, monkeypatch, kind):
    fresh = tmp_path / f"new.{kind}"
    _fill_disk(monkeypatch)
    with pytest.raises(ExportError) as info:
        view.export(str(fresh), kind)
    assert "No space left on device" in str(info.value) and "Nothing was saved" in str(info.value)
    assert not fresh.exists()
    assert _leftovers(tmp_path) == []


def test_disk_full_keeps_the_previous_png(view, tmp_path, monkeypatch):
    target = tmp_path / "matrix.png"
    target.write_bytes(OLD)
    _fill_disk(monkeypatch, budget=0)
    with pytest.raises(ExportError):
        view.export(str(target), "png")
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_the_dialog_shows_the_reason(view, tmp_path, monkeypatch):
    target = tmp_path / "matrix.png"
    shown: list[str] = []
    monkeypatch.setattr(matrix_view.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(matrix_view.QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    _fill_disk(monkeypatch)
    view._export_dialog("png")
    assert len(shown) == 1 and "No space left on device" in shown[0]
    assert not target.exists()
