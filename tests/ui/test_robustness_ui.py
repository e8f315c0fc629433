"""Backups on open, File › Restore from Backup…, and the read-only offer for a project in use."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QTableWidget

from kzannotate.store import Project, backup
from kzannotate.ui import robustness
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def feature_of(window: MainWindow) -> robustness.Robustness:
    return next(f for f in window.features if isinstance(f, robustness.Robustness))


def make_window(qtbot) -> MainWindow:
    window = MainWindow(make_settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_in(qtbot, window: MainWindow, path: Path) -> robustness.Robustness:
    window.open_initial(path)
    feature = feature_of(window)
    feature.wait_for_backup()
    qtbot.waitUntil(lambda: feature.last_backup is not None or feature.last_error is not None)
    assert feature.last_error is None
    return feature


@pytest.fixture
def seeds_file(tmp_path: Path, seeds_project: Project) -> Path:
    """A closed copy of the seeds project with two annotations."""
    source_id = seeds_project.source_ids()[0]
    seeds_project.add_annotation(source_id, 0, 10)
    seeds_project.add_annotation(source_id, 20, 30)
    path = tmp_path / "Almaty notes é.kza"
    seeds_project.close()
    shutil.copy(seeds_project.path, path)
    return path


def test_opening_a_project_backs_it_up(qtbot, seeds_file: Path) -> None:
    window = make_window(qtbot)
    feature = open_in(qtbot, window, seeds_file)
    listed = backup.list_backups(seeds_file)
    assert [b.path for b in listed] == [feature.last_backup]
    assert listed[0].annotation_count == 2
    assert window.actions["restore_backup"].isEnabled()
    window.close()


def test_restore_dialog_lists_backups_with_date_size_and_count(qtbot, seeds_file: Path) -> None:
    backup.create_backup(seeds_file, now=datetime.now() - timedelta(hours=3))
    window = make_window(qtbot)
    open_in(qtbot, window, seeds_file)
    assert window.actions["restore_backup"] in window.menus["file"].actions()
    window.actions["restore_backup"].trigger()
    dialog = window.findChild(robustness.RestoreBackupDialog, "restoreBackupDialog")
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTableWidget, "backupTable")
    assert table.rowCount() == 2
    newest = backup.list_backups(seeds_file)[0]
    assert table.item(0, 0).text() == newest.label
    assert table.item(0, 1).text().endswith("KB")
    assert table.item(0, 2).text() == "2"
    assert dialog.findChild(QPushButton, "restoreAsNewButton").isEnabled()
    if os.environ.get("KZA_SCREENSHOTS"):  # refresh docs/screenshots only when asked
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(SCREENSHOTS / "restore_backup.png"))
    dialog.close()
    window.close()


def test_restore_as_new_project_opens_the_copy(qtbot, seeds_file: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot)
    open_in(qtbot, window, seeds_file)
    source_id = window.project.source_ids()[0]
    window.project.add_annotation(source_id, 40, 50)  # after the backup: not in the restored copy
    target = tmp_path / "restored"
    monkeypatch.setattr(robustness, "ask_restore_target", lambda parent, suggested: str(target))
    dialog = feature_of(window).show_restore_dialog()
    dialog.findChild(QPushButton, "restoreAsNewButton").click()
    assert window.project.path == target.with_suffix(".kza")
    assert window.project.annotation_count() == 2
    with Project.open(seeds_file, read_only=True) as original:
        assert original.annotation_count() == 3  # untouched
    window.close()


def test_replace_current_backs_up_the_present_state_first(qtbot, seeds_file: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot)
    open_in(qtbot, window, seeds_file)
    source_id = window.project.source_ids()[0]
    window.project.add_annotation(source_id, 40, 50)
    asked = []
    monkeypatch.setattr(robustness, "confirm_replace", lambda parent, text: asked.append(text) or True)
    dialog = feature_of(window).show_restore_dialog()
    dialog.findChild(QPushButton, "restoreReplaceButton").click()
    assert asked and "backed up first" in asked[0]
    assert window.project is not None and window.project.path == seeds_file
    assert not window.project.read_only
    assert window.project.annotation_count() == 2
    counts = sorted(b.annotation_count for b in backup.list_backups(seeds_file))
    assert 3 in counts, "the replaced state is kept as a backup"
    window.close()


def test_declining_replace_changes_nothing(qtbot, seeds_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot)
    open_in(qtbot, window, seeds_file)
    window.project.add_annotation(window.project.source_ids()[0], 40, 50)
    monkeypatch.setattr(robustness, "confirm_replace", lambda parent, text: False)
    dialog = feature_of(window).show_restore_dialog()
    dialog.findChild(QPushButton, "restoreReplaceButton").click()
    assert window.project.annotation_count() == 3
    window.close()


def test_project_in_use_offers_read_only(qtbot, seeds_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Project.open(seeds_file)  # another window has it
    asked = []
    monkeypatch.setattr(robustness, "ask_read_only", lambda parent, message: asked.append(message) or True)
    window = make_window(qtbot)
    window.open_initial(seeds_file)
    assert asked and "already open" in asked[0]
    assert window.project is not None and window.project.read_only
    assert "read-only" in window.windowTitle()
    assert other.annotation_count() == 2
    window.close()
    other.close()


def test_project_in_use_cancel_opens_nothing(qtbot, seeds_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Project.open(seeds_file)
    warnings = []
    monkeypatch.setattr(robustness, "ask_read_only", lambda parent, message: False)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a))
    window = make_window(qtbot)
    window.open_initial(seeds_file)
    assert window.project is None and warnings == []
    window.close()
    other.close()


def test_read_only_question_has_an_open_read_only_button(qtbot) -> None:
    def click() -> None:
        box = QApplication.activeModalWidget()
        assert box is not None and box.objectName() == "projectInUseBox"
        box.findChild(QPushButton, "openReadOnlyButton").click()

    QTimer.singleShot(0, click)
    assert robustness.ask_read_only(None, "x.kza is open in another kzannotate window") is True

    def cancel() -> None:
        QApplication.activeModalWidget().reject()

    QTimer.singleShot(0, cancel)
    assert robustness.ask_read_only(None, "x.kza is open in another kzannotate window") is False
