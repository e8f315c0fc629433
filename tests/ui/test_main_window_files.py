"""The window frame: title, Edit › Undo text, File menu, source details dialog, layout restored."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit, QMenu, QPlainTextEdit

from kzannotate.store import Project
from kzannotate.ui import annotating, file_menu
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow

from .annotating_helpers import annotate, open_window, rows

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, seeds_project, monkeypatch):
    return open_window(qtbot, seeds_project, monkeypatch)


def test_title_and_undo_text(qtbot, window) -> None:
    assert window.windowTitle().startswith(window.project.name)
    assert not window.actions["undo"].isEnabled()
    annotate(qtbot, window, 0, 6)
    assert window.actions["undo"].isEnabled()
    assert window.actions["undo"].text().startswith("&Undo Annotate “")
    assert window.actions["undo"].shortcut().toString() == "Ctrl+Z"
    window.actions["undo"].trigger()
    assert window.actions["redo"].text().startswith("&Redo Annotate")


def test_save_a_copy_is_consistent(qtbot, window, monkeypatch, tmp_path: Path) -> None:
    annotate(qtbot, window, 0, 6)
    annotate(qtbot, window, 10, 20)
    target = tmp_path / "copy.kza"
    monkeypatch.setattr(file_menu, "ask_save_path", lambda parent, title, start: str(target))
    window.actions["save_copy"].trigger()
    assert target.exists()
    with Project.open(target, read_only=True) as copy:
        assert copy.annotation_count() == 2
        assert len(copy.list_sources()) == 5
    assert window.project.path != target  # still working on the original


def test_source_dialog_edit_is_one_undo_step(qtbot, window, monkeypatch) -> None:
    project = window.project
    source_id = window.current_source_id
    ann_id = annotate(qtbot, window, 0, 6)  # takes its letter from the source
    before = project.get_source(source_id)

    def fill(dialog: QDialog) -> bool:
        assert dialog.objectName() == "sourceDialog"
        dialog.findChild(QLineEdit, "source_outlet").setText("Telegram channel")
        combo = dialog.findChild(QComboBox, "sourceReliabilityCombo")
        combo.setCurrentIndex(combo.findData("E"))
        assert "invalid information" in dialog.reliability_help.text()
        dialog.findChild(QPlainTextEdit, "source_notes").setPlainText("Pro-government framing.")
        return True

    monkeypatch.setattr(annotating, "exec_dialog", fill)
    index = window.source_panel.proxy.mapFromSource(
        window.source_panel.model.index(window.source_panel.model.row_of(source_id), 0))
    rect = window.source_panel.view.visualRect(index)
    viewport = window.source_panel.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    after = project.get_source(source_id)
    assert (after.outlet, after.reliability, after.notes) == ("Telegram channel", "E",
                                                              "Pro-government framing.")
    assert project.get_annotation(ann_id).rating(after.reliability) == "E6"
    assert window.annotating.table.table_model.index(0, 3).data() == "E6"
    assert "As source (E)" == window.annotating.panel.reliability_combo.itemText(0)
    steps = window.undo_stack.count()
    window.actions["undo"].trigger()
    restored = project.get_source(source_id)
    assert (restored.outlet, restored.reliability, restored.notes) == (before.outlet, before.reliability,
                                                                       before.notes)
    assert window.undo_stack.index() == steps - 1


def test_new_open_and_recent_projects(qtbot, window, monkeypatch, tmp_path: Path) -> None:
    first = window.project.path
    new_path = tmp_path / "fresh"
    monkeypatch.setattr(file_menu, "ask_save_path", lambda parent, title, start: str(new_path))
    window.actions["new_project"].trigger()
    assert window.project.path == new_path.with_suffix(".kza")
    assert window.windowTitle().startswith("fresh")
    assert window.source_view.text == ""
    monkeypatch.setattr(file_menu, "ask_open_path", lambda parent, title, start: str(first))
    window.actions["open_project"].trigger()
    assert window.project.path == first
    recent = window.findChild(QMenu, "recentMenu")
    recent.aboutToShow.emit()
    labels = [a.text() for a in recent.actions()]
    assert any("fresh.kza" in label for label in labels)


def test_open_refuses_a_non_project_with_a_message(qtbot, window, monkeypatch, tmp_path: Path) -> None:
    bad = tmp_path / "notes.kza"
    bad.write_text("not a database")
    shown = []
    monkeypatch.setattr(file_menu.QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(file_menu, "ask_open_path", lambda parent, title, start: str(bad))
    before = window.project
    window.actions["open_project"].trigger()
    assert shown and "not a kzannotate project" in shown[0]
    assert window.project is before


def test_import_sources_summary_and_undo(qtbot, window, monkeypatch, tmp_path: Path) -> None:
    files = []
    for n in range(5):
        f = tmp_path / f"note{n}.txt"
        f.write_text(f"Report number {n}\nAlmaty, January {n + 2}.\n", encoding="utf-8")
        files.append(str(f))
    empty = tmp_path / "empty.txt"
    empty.write_text("   ")
    files.append(str(empty))
    summaries = []
    monkeypatch.setattr(file_menu, "ask_import_paths", lambda parent, start: files)
    monkeypatch.setattr(file_menu, "show_message",
                        lambda parent, title, text, details="": summaries.append((text, details)))
    window.actions["import_sources"].trigger()
    assert len(summaries) == 1
    text, details = summaries[0]
    assert "Added 5 sources" in text and "1 file was not imported" in text
    assert "empty.txt" in details
    assert rows(window.project, "SELECT count(*) FROM sources") == [(10,)]
    window.actions["undo"].trigger()
    assert rows(window.project, "SELECT count(*) FROM sources") == [(5,)]
    window.actions["redo"].trigger()
    assert rows(window.project, "SELECT count(*) FROM sources") == [(10,)]


def test_geometry_and_splitters_are_restored(qtbot, seeds_project, monkeypatch) -> None:
    window = open_window(qtbot, seeds_project, monkeypatch)
    window.resize(760, 560)  # inside the offscreen test screen
    window.actions["show_sources"].setChecked(False)  # the sources dock is closed: room for the splitter
    qtbot.waitUntil(lambda: sum(window.splitter.sizes()) > 600)
    total = sum(window.splitter.sizes())
    window.splitter.setSizes([total - 360, 360])  # reader column | annotation panel
    window.annotating.reader_splitter.setSizes([400, 150])
    sizes = window.splitter.sizes()
    reader = window.annotating.reader_splitter.sizes()
    size = (window.width(), window.height())
    window.close()
    again = MainWindow(make_settings())
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert (again.width(), again.height()) == size
    assert again.splitter.sizes() == sizes
    assert not again.sources_dock.isVisible() and not again.actions["show_sources"].isChecked()
    assert again.annotating.reader_splitter.sizes() == reader
