"""Help › About and Help › Keyboard Shortcuts, as a user sees them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton

from kzannotate import __version__, paths
from kzannotate.setup_project import create_project
from kzannotate.ui.main_window import MainWindow

# Showing and raising a top-level dialog on the offscreen platform logs "This plugin does not support
# propagateSizeHints()/raise()": a limitation of the test platform, not of the dialogs.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.set_project(create_project(tmp_path / "Almaty notes.kza", seeds=True))
    yield win
    win.close()


def _label(dialog: QDialog, name: str) -> QLabel:
    label = dialog.findChild(QLabel, name)
    assert label is not None, name
    return label


def _native(key: QKeySequence.StandardKey | str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def test_about_shows_version_licence_and_locations(window, qtbot):
    window.actions["about"].trigger()
    dialog = window.findChild(QDialog, "aboutDialog")
    assert dialog is not None and dialog.isVisible()
    assert __version__ in _label(dialog, "about_version").text()
    assert "MIT" in _label(dialog, "about_licence").text()
    assert str(window.project.path) in _label(dialog, "about_project").text()
    assert str(paths.backups_dir()) in _label(dialog, "about_backups").text()
    assert str(paths.log_dir()) in _label(dialog, "about_logs").text()
    assert window.settings.fileName() in _label(dialog, "about_settings").text()
    # People copy these into bug reports: the text must be selectable.
    flags = _label(dialog, "about_logs").textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse


def test_about_copy_puts_everything_on_the_clipboard(window, qtbot):
    window.actions["about"].trigger()
    dialog = window.findChild(QDialog, "aboutDialog")
    qtbot.mouseClick(dialog.findChild(QPushButton, "aboutCopy"), Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert f"kzannotate {__version__}" in text
    assert str(paths.log_dir()) in text
    assert str(window.project.path) in text


def test_about_follows_the_open_project(window, qtbot, tmp_path):
    window.actions["about"].trigger()
    dialog = window.findChild(QDialog, "aboutDialog")
    window.set_project(create_project(tmp_path / "second.kza"))
    assert "second.kza" in _label(dialog, "about_project").text()
    window.set_project(None)
    assert _label(dialog, "about_project").text() == "no project open"


def test_shortcuts_lists_the_keys_that_work(window, qtbot):
    window.actions["shortcuts"].trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    rows = dict(dialog.rows())
    assert rows["Undo"] == _native(QKeySequence.StandardKey.Undo)
    assert rows["Quit"] == "Ctrl+Q"
    assert rows["Keyboard Shortcuts"] == _native(QKeySequence.StandardKey.HelpContents)
    # Every action that has a shortcut is listed, with that shortcut.
    for action in window.actions.values():
        if not action.shortcut().isEmpty():
            name = action.text().replace("&", "").rstrip("…")
            assert rows[name].startswith(action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
    assert "About kzannotate" not in rows  # no shortcut, not listed


def test_shortcuts_never_go_stale(window, qtbot):
    window.actions["zoom_reset"].setShortcut(QKeySequence("Ctrl+9"))
    window.actions["shortcuts"].trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    assert dict(dialog.rows())["Reset Zoom"] == "Ctrl+9"


def test_shortcuts_filter(window, qtbot):
    window.actions["shortcuts"].trigger()
    dialog = window.findChild(QDialog, "shortcutsDialog")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "shortcutsFilter"), "zoom")
    names = [name for name, _ in dialog.rows()]
    assert names and all("Zoom" in name for name in names)
    assert "Zoom In" in names
