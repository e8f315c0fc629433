"""Edit › Preferences…: annotator name and the window's import size limit (QSettings import/max_mb)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit

from kzannotate.text import importer
from kzannotate.ui import file_menu, preferences

from .annotating_helpers import open_window, rows

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, project, monkeypatch):
    return open_window(qtbot, project, monkeypatch)


@pytest.fixture
def messages(monkeypatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(file_menu, "show_message", lambda parent, title, text, details="": shown.append(
        (text, details)))
    return shown


def _big_file(tmp_path: Path, mb: float) -> Path:
    path = tmp_path / "long report.txt"
    line = "Protesters gathered in Zhanaozen and Almaty; the CSTO was called in.\n"
    path.write_text(line * int(mb * 1024 * 1024 / len(line) + 1), encoding="utf-8")
    return path


def test_window_import_refuses_a_file_over_the_lowered_limit(qtbot, window, tmp_path, messages) -> None:
    big = _big_file(tmp_path, 1.5)
    window.file_menu.import_paths([str(big)])  # the default 50 MB: accepted
    assert rows(window.project, "SELECT count(*) FROM sources") == [(1,)]
    window.undo_stack.undo()
    assert rows(window.project, "SELECT count(*) FROM sources") == [(0,)]

    window.settings.setValue("import/max_mb", 1)
    results = window.file_menu.import_paths([str(big)])
    assert rows(window.project, "SELECT count(*) FROM sources") == [(0,)]
    assert not results[0].ok
    text, details = messages[-1]
    assert "not imported" in text
    assert "over the 1 MB limit" in details and "long report.txt" in details


def test_preferences_dialog_sets_name_and_limit(qtbot, window, monkeypatch, tmp_path) -> None:
    assert preferences.import_limit_mb(window.settings) == 50

    def fill(dialog: preferences.PreferencesDialog) -> bool:
        assert dialog.objectName() == "preferencesDialog"
        dialog.findChild(QLineEdit, "annotatorEdit").setText("  Aigerim  Sadykova ")
        dialog.findChild(QDoubleSpinBox, "importLimitSpin").setValue(3)
        return True

    monkeypatch.setattr(preferences, "exec_dialog", fill)
    window.actions["preferences"].trigger()
    assert window.settings.value("annotator") == "Aigerim Sadykova"
    assert preferences.import_limit_mb(window.settings) == 3
    assert window.annotating.panel.annotator_label.text() == "Annotator: Aigerim Sadykova"
    assert preferences.import_limit_bytes(window.settings) == 3 * 1024 * 1024


def test_cancel_changes_nothing_and_bad_values_fall_back(window, monkeypatch) -> None:
    monkeypatch.setattr(preferences, "exec_dialog", lambda dialog: False)
    window.actions["preferences"].trigger()
    assert window.settings.value("import/max_mb") is None
    for bad in ("lots", -4, 0, "nan"):
        window.settings.setValue("import/max_mb", bad)
        assert preferences.import_limit_mb(window.settings) == 50


def test_a_failure_mid_import_still_leaves_one_truthful_undo_step(qtbot, window, tmp_path, monkeypatch,
                                                                 messages) -> None:
    files = []
    for n in range(3):
        path = tmp_path / f"report {n}.txt"
        path.write_text(f"Report number {n} on the January events.\n", encoding="utf-8")
        files.append(str(path))
    real = importer.read_source_file

    def fail_on_the_third(path, **kw):
        if Path(path).name == "report 2.txt":
            raise RuntimeError("disk vanished")
        return real(path, **kw)

    monkeypatch.setattr(importer, "read_source_file", fail_on_the_third)
    with pytest.raises(RuntimeError):
        window.file_menu.import_paths(files)
    assert rows(window.project, "SELECT count(*) FROM sources") == [(2,)]
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert rows(window.project, "SELECT count(*) FROM sources") == [(0,)]
    window.undo_stack.redo()
    assert rows(window.project, "SELECT count(*) FROM sources") == [(2,)]
