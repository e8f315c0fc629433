"""File › Export…, Import REFI-QDA Project…, Merge Project… in the window."""

from __future__ import annotations

import shutil
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QPlainTextEdit, QProgressDialog

from kzannotate.formats import common
from kzannotate.formats.exports import run_export
from kzannotate.ui import exchange
from kzannotate.ui.app import make_settings
from kzannotate.ui.exchange import Exchange, ExportDialog
from kzannotate.ui.main_window import MainWindow
from tests.formats.conftest import build, ids

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, tmp_path):
    project = build(tmp_path / "g.kza")
    win = MainWindow(make_settings())
    qtbot.addWidget(win)
    win.set_project(project)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def feature(window) -> Exchange:
    return next(f for f in window.features if isinstance(f, Exchange))


def open_dialog(window, qtbot) -> ExportDialog:
    window.actions["export"].trigger()
    dialog = window.findChild(QDialog, "exportDialog")
    assert isinstance(dialog, ExportDialog)
    qtbot.waitExposed(dialog)
    return dialog


def test_export_dialog_writes_the_chosen_format_and_scope(window, qtbot, tmp_path):
    dialog = open_dialog(window, qtbot)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
    assert dialog.path_edit.text().endswith(".jsonl") and not dialog.bom.isEnabled()
    dialog.scope_sources.setChecked(True)
    for i in range(dialog.source_list.count()):
        item = dialog.source_list.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) == ids(22)
                           else Qt.CheckState.Unchecked)
    target = tmp_path / "chosen.jsonl"
    dialog.path_edit.setText(str(target))
    dialog.grab().save(str(tmp_path / "dialog.png"))
    dialog.export_button.click()
    assert target.exists() and len(target.read_text(encoding="utf-8").splitlines()) == 2
    assert not dialog.isVisible()
    assert "chosen.jsonl" in window.statusBar().currentMessage()


def test_no_ticked_source_disables_export(window, qtbot):
    dialog = open_dialog(window, qtbot)
    dialog.scope_sources.setChecked(True)
    for i in range(dialog.source_list.count()):
        dialog.source_list.item(i).setCheckState(Qt.CheckState.Unchecked)
    assert not dialog.export_button.isEnabled() and "Tick at least one source" in dialog.hint.text()
    dialog.reject()


def test_cancelled_progress_leaves_no_file(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(common, "PROGRESS_EVERY", 1)
    slow = exchange.ExportJob._progress

    def crawl(self, done, total):
        time.sleep(0.4)
        return slow(self, done, total)

    monkeypatch.setattr(exchange.ExportJob, "_progress", crawl)
    dialog = open_dialog(window, qtbot)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("csv"))
    target = tmp_path / "out" / "cancelled.csv"
    target.parent.mkdir()
    dialog.path_edit.setText(str(target))
    seen = {}

    def cancel_when_shown():
        progress = dialog.findChild(QProgressDialog, "exportProgress")
        if progress is not None and progress.isVisible():
            seen["visible"] = True
            progress.grab().save(str(tmp_path / "progress.png"))
            progress.cancel()
        else:
            QTimer.singleShot(50, cancel_when_shown)

    QTimer.singleShot(100, cancel_when_shown)
    dialog.export_button.click()  # returns when the worker has stopped
    assert seen.get("visible"), "the progress dialog appears for exports longer than half a second"
    assert list(target.parent.iterdir()) == []
    assert dialog.isVisible()  # the user can change something and try again
    dialog.reject()


def test_import_refi_and_merge_are_one_undo_step_each(window, qtbot, tmp_path):
    project = window.project
    qdpx = tmp_path / "g.qdpx"
    other = build(tmp_path / "other.kza")
    s = other.add_source("Completely new text.\n", "New", id=ids(80))
    other.add_annotation(s.id, 0, 10, id=ids(81))
    run_export(other, "qdpx", qdpx)
    other.close()
    shutil.copy(tmp_path / "other.kza", tmp_path / "other2.kza")

    feature(window).import_refi(str(qdpx))
    report = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "importReport")
    assert "1 sources added" in report.findChild(QPlainTextEdit).toPlainText()
    assert project.info()["annotations"] == 7
    window.undo_stack.undo()
    assert project.info()["annotations"] == 6 and project.info()["sources"] == 3
    window.undo_stack.redo()
    assert project.info()["annotations"] == 7
    window.undo_stack.undo()

    feature(window).merge(str(tmp_path / "other2.kza"))
    merge = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mergeReport")
    assert "annotations: 1 added" in merge.findChild(QPlainTextEdit).toPlainText()
    assert project.info()["annotations"] == 7
    window.undo_stack.undo()
    assert project.info()["annotations"] == 6


def test_refused_import_shows_a_message_and_changes_nothing(window, qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip")
    shown = []
    monkeypatch.setattr(exchange.QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    feature(window).import_refi(str(bad))
    assert shown and "not a zip" in shown[0]
    assert window.undo_stack.count() == 0 and window.project.info()["annotations"] == 6
