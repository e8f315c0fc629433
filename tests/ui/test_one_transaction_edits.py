"""One user edit = one SQLite transaction and one undo step: an actor created and linked from the panel,
several codebook entries deleted at once (and the confirmation counts each annotation once)."""

from __future__ import annotations

import contextlib

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QPushButton

from kzannotate.ui import codebook_dialogs, codebook_dock

from .annotating_helpers import annotate, open_window

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@contextlib.contextmanager
def transactions(project):
    """Collect the ``BEGIN`` statements run on the project's connection."""
    begins: list[str] = []
    project.conn.set_trace_callback(lambda sql: sql.lstrip().upper().startswith("BEGIN") and begins.append(sql))
    try:
        yield begins
    finally:
        project.conn.set_trace_callback(None)


@pytest.fixture
def window(qtbot, seeds_project, monkeypatch):
    monkeypatch.setattr(codebook_dock.CodebookFeature, "report", lambda self, exc: pytest.fail(str(exc)))
    return open_window(qtbot, seeds_project, monkeypatch)


def test_actor_created_while_editing_is_one_transaction_and_one_step(qtbot, window) -> None:
    project, stack = window.project, window.undo_stack
    panel = window.annotating.panel
    ann_id = annotate(qtbot, window, 10, 20)
    steps = stack.count()
    qtbot.keyClicks(panel.actor_filter, "Karim Massimov Jr")
    with transactions(project) as begins:
        qtbot.mouseClick(window.findChild(QPushButton, "createActorButton"), Qt.MouseButton.LeftButton)
    assert len(begins) == 1
    actor = project.actor_by_name("Karim Massimov Jr")
    assert project.get_annotation(ann_id).actor_ids == (actor.id,)
    assert actor.id in panel.values().actor_ids, "the panel shows the new link"
    assert stack.count() == steps + 1
    assert window.actions["undo"].text() == "&Undo Add actor “Karim Massimov Jr” and link it"
    with transactions(project) as begins:
        stack.undo()
    assert len(begins) == 1
    assert project.actor_by_name("Karim Massimov Jr") is None
    assert project.get_annotation(ann_id).actor_ids == ()
    with transactions(project) as begins:
        stack.redo()
    assert len(begins) == 1
    assert project.get_annotation(ann_id).actor_ids == (actor.id,)
    assert project.get_actor(actor.id).name == "Karim Massimov Jr"


def test_actor_created_in_a_draft_is_only_checked(qtbot, window) -> None:
    project = window.project
    panel = window.annotating.panel
    qtbot.keyClicks(panel.actor_filter, "Someone New")
    with transactions(project) as begins:
        qtbot.mouseClick(window.findChild(QPushButton, "createActorButton"), Qt.MouseButton.LeftButton)
    assert len(begins) == 1
    actor = project.actor_by_name("Someone New")
    assert panel.values().actor_ids == {actor.id}
    assert project.conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0


def _feature(window) -> codebook_dock.CodebookFeature:
    return next(f for f in window.features if isinstance(f, codebook_dock.CodebookFeature))


def _select_actors(window, names: list[str]) -> None:
    feature = _feature(window)
    dock = feature.dock
    dock.tabs.setCurrentIndex(0)
    selection = dock.actor_table.selectionModel()
    selection.clearSelection()
    for name in names:
        row = dock.actor_model.row_of(window.project.actor_by_name(name).id)
        index = dock.actor_proxy.mapFromSource(dock.actor_model.index(row, 0))
        selection.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def test_deleting_several_actors_is_one_transaction_and_counts_annotations_once(qtbot, window,
                                                                                monkeypatch) -> None:
    project, stack = window.project, window.undo_stack
    window.actions["show_codebook"].setChecked(True)
    putin = project.actor_by_name("Vladimir Putin")
    xi = project.actor_by_name("Xi Jinping")
    src = window.current_source_id
    both = project.add_annotation(src, 0, 10, actor_ids=[putin.id, xi.id])
    only = project.add_annotation(src, 20, 30, actor_ids=[xi.id])
    asked: list[str] = []
    monkeypatch.setattr(codebook_dialogs, "confirm", lambda parent, title, text: asked.append(text) or True)
    _select_actors(window, ["Vladimir Putin", "Xi Jinping"])
    steps = stack.count()
    with transactions(project) as begins:
        window.actions["delete_code"].trigger()
    assert asked and "2 annotations use them" in asked[0]  # two annotations, three links
    assert len(begins) == 1
    assert stack.count() == steps + 1
    assert project.actor_by_name("Vladimir Putin") is None and project.actor_by_name("Xi Jinping") is None
    assert window.actions["undo"].text() == "&Undo Delete 2 actors"
    with transactions(project) as begins:
        stack.undo()
    assert len(begins) == 1
    assert set(project.get_annotation(both.id).actor_ids) == {putin.id, xi.id}
    assert project.get_annotation(only.id).actor_ids == (xi.id,)
    with transactions(project) as begins:
        stack.redo()
    assert len(begins) == 1
    assert project.get_annotation(both.id).actor_ids == ()


def test_one_annotation_using_both_deleted_actors_counts_once(qtbot, window, monkeypatch) -> None:
    project = window.project
    window.actions["show_codebook"].setChecked(True)
    putin = project.actor_by_name("Vladimir Putin")
    xi = project.actor_by_name("Xi Jinping")
    project.add_annotation(window.current_source_id, 0, 10, actor_ids=[putin.id, xi.id])
    asked: list[str] = []
    monkeypatch.setattr(codebook_dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    _select_actors(window, ["Vladimir Putin", "Xi Jinping"])
    window.actions["delete_code"].trigger()
    assert asked and "1 annotation uses them" in asked[0]
    assert project.actor_by_name("Xi Jinping") is not None  # cancelled
