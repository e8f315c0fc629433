"""The first window: it opens on the default project (made on first run) and shows the five seeds."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QPlainTextEdit

from kzannotate import paths
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow

SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def open_window(qtbot) -> MainWindow:
    window = MainWindow(make_settings())
    qtbot.addWidget(window)
    window.open_initial(None)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_window_opens_on_the_default_project(qtbot, kza_home: Path) -> None:
    assert not paths.default_project_path().exists()
    window = open_window(qtbot)
    assert window.objectName() == "mainWindow"
    assert window.project is not None
    assert window.project.path == paths.default_project_path()
    assert paths.default_project_path().parent == kza_home
    assert "Kazakhstan" in window.windowTitle()

    source_list = window.findChild(QAbstractItemView, "sourceList")
    assert source_list is not None and source_list.isVisible()
    model = source_list.model()
    assert model.rowCount() == 5
    titles = {model.index(r, 0).data() for r in range(5)}
    assert "Steppe on Fire: Kazakhstan’s Color Revolution" in titles

    view = window.findChild(QPlainTextEdit, "sourceView")
    assert view is not None and view.isVisible() and view.isReadOnly()
    first_id = model.index(0, 0).data(SOURCE_ID_ROLE)
    first = window.project.get_source(first_id)
    assert window.current_source_id == first_id
    assert source_list.currentIndex().row() == 0
    assert view.toPlainText() == first.text
    assert view.font().pointSizeF() >= 10  # a readable size, not a tiny default
    window.close()


def test_selecting_another_source_shows_its_text(qtbot) -> None:
    window = open_window(qtbot)
    source_list = window.findChild(QAbstractItemView, "sourceList")
    view = window.findChild(QPlainTextEdit, "sourceView")
    model = source_list.model()
    third = model.index(2, 0)
    source_list.setCurrentIndex(third)
    qtbot.waitUntil(lambda: window.current_source_id == third.data(SOURCE_ID_ROLE))
    assert view.toPlainText() == window.project.get_source(third.data(SOURCE_ID_ROLE)).text
    window.close()


def test_second_start_reuses_the_default_project(qtbot) -> None:
    first = open_window(qtbot)
    first.project.add_source("A note added in the first session.", "Session note")
    first.close()
    assert first.project is None  # closing the window closes (and unlocks) the project
    second = open_window(qtbot)
    assert second.findChild(QAbstractItemView, "sourceList").model().rowCount() == 6
    second.close()
