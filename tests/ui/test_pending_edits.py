"""A note still being typed is saved before the project is closed, replaced, copied or exported."""

from __future__ import annotations

import pytest

from kzannotate.setup_project import create_project
from kzannotate.store import Project
from kzannotate.ui import annotating, file_menu

from .annotating_helpers import annotate, open_window

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def warnings_shown(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(annotating, "warn", lambda parent, title, text: shown.append(f"{title}: {text}"))
    return shown


def _type_note(qtbot, window, text: str) -> str:
    """Annotate the first line, then type ``text`` into the note box (the save timer still waiting)."""
    source_text = window.source_view.text
    ann_id = annotate(qtbot, window, 0, source_text.index("\n"))
    panel = window.annotating.panel
    panel.note_edit.setFocus()
    qtbot.keyClicks(panel.note_edit, text)
    assert panel._note_timer.isActive(), "the note is still pending (not saved yet)"
    assert window.project.get_annotation(ann_id).note is None
    return ann_id


def test_closing_the_window_right_after_typing_keeps_the_note(qtbot, seeds_project, monkeypatch,
                                                              warnings_shown) -> None:
    window = open_window(qtbot, seeds_project, monkeypatch)
    path = seeds_project.path
    ann_id = _type_note(qtbot, window, "Typed just before closing")
    window.close()
    with Project.open(path) as again:
        assert again.get_annotation(ann_id).note == "Typed just before closing"
    assert warnings_shown == []


def test_opening_another_project_saves_the_note_in_the_first_one_only(qtbot, seeds_project, monkeypatch,
                                                                       tmp_path, warnings_shown) -> None:
    window = open_window(qtbot, seeds_project, monkeypatch)
    path = seeds_project.path
    ann_id = _type_note(qtbot, window, "Half a thought")
    other = create_project(tmp_path / "other.kza", seeds=True)
    changes_before = other.conn.total_changes
    window.set_project(other)
    qtbot.wait(900)  # past the note timer: nothing pending may fire into the new project
    assert other.conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    assert other.conn.total_changes == changes_before, "nothing was written to the second project"
    assert warnings_shown == []
    window.set_project(None)
    with Project.open(path) as first:
        assert first.get_annotation(ann_id).note == "Half a thought"


def test_a_pending_edit_is_never_written_to_a_project_it_does_not_belong_to(qtbot, seeds_project,
                                                                             monkeypatch, tmp_path,
                                                                             warnings_shown) -> None:
    """Even without the flush (a feature that forgot it), the panel refuses to write across projects."""
    window = open_window(qtbot, seeds_project, monkeypatch)
    _type_note(qtbot, window, "Stray")
    panel = window.annotating.panel
    other = Project.create(tmp_path / "empty.kza")
    changes_before = other.conn.total_changes
    # the new project is current while the panel still shows the old selection
    window.project.unsubscribe(window._on_change)
    window.project.close()
    window.project = other
    panel.flush_note()
    assert other.conn.total_changes == changes_before
    assert warnings_shown == []
    window.project = None
    other.close()


def test_save_a_copy_includes_the_note_being_typed(qtbot, seeds_project, monkeypatch, tmp_path,
                                                   warnings_shown) -> None:
    window = open_window(qtbot, seeds_project, monkeypatch)
    ann_id = _type_note(qtbot, window, "In the copy too")
    target = tmp_path / "copy.kza"
    monkeypatch.setattr(file_menu, "ask_save_path", lambda *a: str(target))
    window.actions["save_copy"].trigger()
    with Project.open(target, read_only=True) as copy:
        assert copy.get_annotation(ann_id).note == "In the copy too"
