"""Shared helpers for the annotating-window tests: a real MainWindow on a project, dialogs stubbed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kzannotate.store import Project
from kzannotate.ui import annotating
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow


def open_window(qtbot, project: Project, monkeypatch, annotator: str = "Tester") -> MainWindow:
    monkeypatch.setattr(annotating, "ask_annotator", lambda parent, suggestion: annotator)
    window = MainWindow(make_settings())
    qtbot.addWidget(window)
    window.set_project(project)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def rows(project: Project, sql: str, params: tuple = ()) -> list[tuple]:
    return project.conn.execute(sql, params).fetchall()


def annotate(qtbot, window: MainWindow, start: int, end: int, *, actors=(), theories=(), reliability=None,
             credibility=None, note: str = "") -> str:
    """Select ``[start, end)`` in the reader, fill the panel like a user, press Annotate; returns the new id."""
    c = window.annotating
    window.source_view.select_span(start, end)
    panel = c.panel
    for actor_id in actors:
        panel.check_actor(actor_id)
    for theory_id in theories:
        panel.check_theory(theory_id)
    if reliability is not None:
        panel.reliability_combo.setCurrentIndex(panel.reliability_combo.findData(reliability))
    if credibility is not None:
        panel.credibility_combo.setCurrentIndex(panel.credibility_combo.findData(credibility))
    if note:
        panel.note_edit.setPlainText(note)
    assert panel.annotate_button.isEnabled()
    qtbot.mouseClick(panel.annotate_button, Qt.MouseButton.LeftButton)
    assert c.selected_id is not None
    return c.selected_id
