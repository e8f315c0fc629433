"""Undoing a source-metadata edit puts back exactly what was there, even values an edit could not set."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from kzannotate.store import Project
from kzannotate.ui.undo_commands import EditSourceCommand

TEXT = "Protests began in Zhanaozen.\nTokayev called in the CSTO."


def test_undo_restores_a_non_iso_date_kept_from_an_import(qtbot, project: Project) -> None:
    src = project.add_source(TEXT, "Unrest", published="Winter 2022", outlet="Vlast")
    reported = []
    stack = QUndoStack()
    command = EditSourceCommand(project, src.id, {"published": "2022-01-05", "outlet": "Vlast.kz"},
                                report=reported.append)
    command.apply()
    stack.push(command)
    assert (project.get_source(src.id).published, project.get_source(src.id).outlet) == ("2022-01-05", "Vlast.kz")

    stack.undo()
    assert reported == []
    assert not command.isObsolete()
    restored = project.get_source(src.id)
    assert (restored.published, restored.outlet) == ("Winter 2022", "Vlast")
    stack.redo()
    assert project.get_source(src.id).published == "2022-01-05"
    stack.undo()
    assert project.get_source(src.id).published == "Winter 2022"
