"""The keys the annotating issue names work from the keyboard: Ctrl+= zooms in, Ctrl+Shift+Z redoes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from kzannotate.ui.actions import shortcut_rows

from .annotating_helpers import annotate, open_window, rows

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot, seeds_project, monkeypatch):
    win = open_window(qtbot, seeds_project, monkeypatch)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def test_ctrl_equals_zooms_in(qtbot, window) -> None:
    view = window.source_view
    view.setFocus()
    before = view.font().pointSizeF()
    qtbot.keyClick(view, Qt.Key.Key_Equal, CTRL)
    assert view.font().pointSizeF() > before
    qtbot.keyClick(view, Qt.Key.Key_Minus, CTRL)
    assert view.font().pointSizeF() == before


def test_ctrl_shift_z_redoes(qtbot, window) -> None:
    project = window.project
    text = window.source_view.text
    annotate(qtbot, window, 0, text.index("\n"))
    view = window.source_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert rows(project, "SELECT count(*) FROM annotations") == [(0,)]
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert rows(project, "SELECT count(*) FROM annotations") == [(1,)]


def test_both_keys_are_listed_with_the_standard_key_first(window) -> None:
    keys = dict(shortcut_rows(window.actions))
    native = QKeySequence.SequenceFormat.NativeText
    redo = QKeySequence(QKeySequence.StandardKey.Redo).toString(native)
    assert keys["Redo"].split(", ")[0] == redo
    assert QKeySequence("Ctrl+Shift+Z").toString(native) in keys["Redo"].split(", ")
    zoom = keys["Zoom In"].split(", ")
    assert zoom[0] == QKeySequence(QKeySequence.StandardKey.ZoomIn).toString(native)
    assert QKeySequence("Ctrl+=").toString(native) in zoom
    # no key is bound to two actions (Qt would then fire neither)
    seen: dict[str, str] = {}
    for name, action in window.actions.items():
        for key in action.shortcuts():
            assert key.toString() not in seen, f"{key.toString()}: {seen.get(key.toString())} and {name}"
            seen[key.toString()] = name
