"""The codebook dock on the seeds project: codes, usage, merge, mentions, aliases, repeats; undo of each."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTableView, QTreeWidget

from kzannotate.store import Project
from kzannotate.text.mentions import unlinked_mentions
from kzannotate.ui import codebook_dialogs, codebook_dock, codebook_scans
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, seeds_project, monkeypatch):
    try:
        from kzannotate.ui import annotating
    except ImportError:  # pragma: no cover - the annotating feature is optional for this dock
        annotating = None
    if annotating is not None:
        monkeypatch.setattr(annotating, "ask_annotator", lambda parent, suggestion: "Tester", raising=False)
    # A message box would block the offscreen test: an unexpected one fails the test instead.
    monkeypatch.setattr(codebook_dock.CodebookFeature, "report", lambda self, exc: pytest.fail(str(exc)))
    w = MainWindow(make_settings())
    qtbot.addWidget(w)
    w.set_project(seeds_project)
    w.resize(1400, 860)
    w.show()
    qtbot.waitExposed(w)
    w.actions["show_codebook"].setChecked(True)  # View › Codebook (hidden in the default layout)
    return w


def _feature(window) -> codebook_dock.CodebookFeature:
    return next(f for f in window.features if isinstance(f, codebook_dock.CodebookFeature))


def _source(project: Project, prefix: str) -> str:
    return next(s.id for s in project.list_sources()
                if project.get_source(s.id).imported_from.startswith(f"seeds/{prefix}"))


def _select_actor_row(window, name: str) -> None:
    feat = _feature(window)
    feat.dock.tabs.setCurrentIndex(0)
    feat._select_actor(window.project.actor_by_name(name).id)


def _dialog_returning(monkeypatch, cls, fill):
    """Replace ``cls.exec``: fill the dialog like a user, then press OK (once)."""
    calls = []

    def exec_(self):
        calls.append(self)
        if len(calls) > 1:
            return 0
        fill(self)
        return 1

    monkeypatch.setattr(cls, "exec", exec_)
    return calls


def test_dock_lists_actors_and_theory_tree_with_usage(qtbot, window):
    project = window.project
    dock = window.findChild(QDockWidget, "codebookDock")
    assert dock is not None and dock.isVisible()
    table = window.findChild(QTableView, "actorTable")
    tree = window.findChild(QTreeWidget, "theoryTree")
    assert table.model().rowCount() == len(project.list_actors())
    theories = project.list_theories()
    assert tree.topLevelItemCount() == len([t for t in theories if not t.parent_id])
    assert sum(tree.topLevelItem(i).childCount() for i in range(tree.topLevelItemCount())) == \
        len([t for t in theories if t.parent_id])
    tokayev = project.actor_by_name("Kassym-Jomart Tokayev")
    src = _source(project, "001")
    project.add_annotation(src, 0, 20, actor_ids=[tokayev.id])
    feat = _feature(window)
    qtbot.waitUntil(lambda: feat.dock.actor_model.actors[feat.dock.actor_model.row_of(tokayev.id)].usage == 1)
    row = feat.dock.actor_model.row_of(tokayev.id)
    assert feat.dock.actor_model.index(row, 2).data() == 1
    # filtering by an alias finds the actor
    feat.dock.actor_filter.setText("tokaev")
    assert table.model().rowCount() == 1


def test_new_edit_recolour_actor_with_undo(qtbot, window, monkeypatch):
    project, stack = window.project, window.undo_stack

    def fill_new(dlg):
        dlg.name.setText("Daniyar Akishev")
        dlg.kind.setCurrentText("person")
        dlg.alias_input.setText("Akishev")
        dlg.add_alias()
        dlg.alias_input.setText("Akyshev")  # typed, not yet added: still counts

    _dialog_returning(monkeypatch, codebook_dialogs.ActorDialog, fill_new)
    window.actions["new_actor"].trigger()
    actor = project.actor_by_name("Daniyar Akishev")
    assert actor.aliases == ("Akishev", "Akyshev")
    assert stack.count() == 1 and "New actor" in stack.undoText()
    stack.undo()
    assert project.actor_by_name("Daniyar Akishev") is None
    stack.redo()
    assert project.get_actor(actor.id).aliases == ("Akishev", "Akyshev")

    monkeypatch.setattr(codebook_dialogs, "pick_color", lambda parent, current, title: "#123456")

    def fill_edit(dlg):
        dlg.name.setText("Daniyar Akishev (KNB)")
        dlg.color.click()

    _dialog_returning(monkeypatch, codebook_dialogs.ActorDialog, fill_edit)
    _select_actor_row(window, "Daniyar Akishev")
    window.actions["edit_code"].trigger()
    edited = project.get_actor(actor.id)
    assert (edited.name, edited.color) == ("Daniyar Akishev (KNB)", "#123456")
    assert stack.count() == 2
    stack.undo()
    assert (project.get_actor(actor.id).name, project.get_actor(actor.id).color) == ("Daniyar Akishev",
                                                                                       actor.color)


def test_delete_used_actor_asks_with_count_and_undo_restores_links(qtbot, window, monkeypatch):
    project, stack = window.project, window.undo_stack
    putin = project.actor_by_name("Vladimir Putin")
    src = _source(project, "002")
    a1 = project.add_annotation(src, 0, 10, actor_ids=[putin.id])
    project.add_annotation(src, 20, 30, actor_ids=[putin.id])
    asked = []
    monkeypatch.setattr(codebook_dialogs, "confirm", lambda parent, title, text: asked.append(text) or False)
    _select_actor_row(window, "Vladimir Putin")
    window.actions["delete_code"].trigger()
    assert asked and "2 annotations use it" in asked[0]
    assert project.actor_by_name("Vladimir Putin") is not None  # cancelled
    monkeypatch.setattr(codebook_dialogs, "confirm", lambda parent, title, text: True)
    window.actions["delete_code"].trigger()
    assert project.actor_by_name("Vladimir Putin") is None
    assert project.get_annotation(a1.id).actor_ids == ()
    stack.undo()
    assert project.get_annotation(a1.id).actor_ids == (putin.id,)


def test_merge_actors_moves_links_unites_aliases_one_undo_step(qtbot, window, monkeypatch):
    project, stack = window.project, window.undo_stack
    dup = project.add_actor("N. Nazarbayev", aliases=["Papa"])
    keep = project.actor_by_name("Nursultan Nazarbayev")
    src = _source(project, "000")
    ann = project.add_annotation(src, 0, 10, actor_ids=[dup.id])

    def fill(dlg):
        dlg.set_checked([keep.id, dup.id])
        dlg.keep.setCurrentIndex(dlg.keep.findData(keep.id))
        assert "will be merged into “Nursultan Nazarbayev”" in dlg.summary.text()

    _dialog_returning(monkeypatch, codebook_dialogs.MergeDialog, fill)
    before = stack.count()
    window.actions["merge_codes"].trigger()
    assert stack.count() == before + 1
    merged = project.get_actor(keep.id)
    assert {"N. Nazarbayev", "Papa"} <= set(merged.aliases)
    assert project.get_annotation(ann.id).actor_ids == (keep.id,)
    stack.undo()
    assert project.get_annotation(ann.id).actor_ids == (dup.id,)
    assert "Papa" not in project.get_actor(keep.id).aliases


def test_theories_new_sub_move_merge_delete_with_undo(qtbot, window, monkeypatch):
    project, stack, feat = window.project, window.undo_stack, _feature(window)
    feat.dock.tabs.setCurrentIndex(1)
    parent = project.theory_by_name("Foreign involvement")
    feat._select_theory(parent.id)

    _dialog_returning(monkeypatch, codebook_dialogs.TheoryDialog, lambda d: d.name.setText("NGO grants"))
    feat.new_theory(sub=True)
    ngo = project.theory_by_name("NGO grants")
    assert ngo.parent_id == parent.id
    qtbot.waitUntil(lambda: any(i.data(0, codebook_dock.ID_ROLE) == ngo.id
                                for i in codebook_dock._iter_items(feat.dock.theory_tree)))

    def move(d):
        d.parent_box.setCurrentIndex(0)  # to the top level
        assert d.parent_box.findData(ngo.id) == -1  # never under itself

    _dialog_returning(monkeypatch, codebook_dialogs.TheoryDialog, move)
    feat._flush()
    feat._select_theory(ngo.id)
    window.actions["edit_code"].trigger()
    assert project.get_theory(ngo.id).parent_id is None
    stack.undo()
    assert project.get_theory(ngo.id).parent_id == parent.id

    colour = project.theory_by_name("Foreign-backed colour revolution")
    src = _source(project, "004")
    ann = project.add_annotation(src, 0, 10, theories={ngo.id: "contradicts"})

    def fill(dlg):
        dlg.set_checked([colour.id, ngo.id])
        dlg.keep.setCurrentIndex(dlg.keep.findData(colour.id))

    _dialog_returning(monkeypatch, codebook_dialogs.MergeDialog, fill)
    feat._flush()
    feat._select_theory(ngo.id)
    window.actions["merge_codes"].trigger()
    assert project.get_annotation(ann.id).theories == ((colour.id, "contradicts"),)
    stack.undo()
    assert project.get_annotation(ann.id).theories == ((ngo.id, "contradicts"),)

    monkeypatch.setattr(codebook_dialogs, "confirm", lambda parent, title, text: "1 annotation uses it" in text)
    feat._flush()
    feat._select_theory(ngo.id)
    window.actions["delete_code"].trigger()
    assert project.theory_by_name("NGO grants") is None
    stack.undo()
    assert project.get_annotation(ann.id).theories == ((ngo.id, "contradicts"),)


def test_double_click_lists_annotations_across_sources_and_opens_one(qtbot, window):
    project, feat = window.project, _feature(window)
    tokayev = project.actor_by_name("Kassym-Jomart Tokayev")
    s1, s2 = _source(project, "001"), _source(project, "003")
    project.add_annotation(s1, 0, 20, actor_ids=[tokayev.id])
    far = project.add_annotation(s2, 30000, 30040, actor_ids=[tokayev.id])
    feat._flush()
    row = feat.dock.actor_model.row_of(tokayev.id)
    index = feat.dock.actor_proxy.mapFromSource(feat.dock.actor_model.index(row, 0))
    feat.dock.actor_table.doubleClicked.emit(index)
    dlg = feat.usage_dialogs[("actor", tokayev.id)]
    assert dlg.isVisible() and dlg.table.rowCount() == 2
    assert "2 annotations in 2 sources" in dlg.label.text()
    row = next(r for r, a in enumerate(dlg.annotations) if a.id == far.id)
    dlg.table.cellClicked.emit(row, 1)
    assert window.current_source_id == s2
    annotating = getattr(window, "annotating", None)
    if annotating is not None:
        assert annotating.selected_id == far.id

    def shown() -> bool:
        lo, hi = window.source_view.visible_range()
        return lo <= far.start < hi

    qtbot.waitUntil(shown)
    dlg.close()


def test_mentions_overlay_and_clicking_one_preselects_span_and_actor(qtbot, window):
    project = window.project
    src = _source(project, "001")
    window.show_source(src)
    view = window.source_view
    qtbot.waitUntil(lambda: "mentions" in view.overlays)  # found between paints, not at once
    spans = view.overlays.get("mentions", [])
    expected = unlinked_mentions(project, src)
    assert [(s.start, s.end) for s in spans] == [(m.start, m.end) for m in expected]
    tokaev = next(s for s in spans if view.text[s.start:s.end] == "Tokaev")
    tokayev = project.actor_by_name("Kassym-Jomart Tokayev")
    assert tokaev.style == "dotted" and tokaev.color == tokayev.color
    assert tokaev.tooltip.startswith("Unlinked mention of Kassym-Jomart Tokayev")
    view.scroll_to_span(tokaev.start, tokaev.end)
    annotating = getattr(window, "annotating", None)
    if annotating is None:
        pytest.skip("the annotating feature is not installed")
    point = annotating.highlighter.caret_point(tokaev.start + 2).toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.selected_span() == (tokaev.start, tokaev.end)
    assert annotating.panel.values().actor_ids == {tokayev.id}
    # annotating it removes the mark
    window.actions["annotate"].trigger()
    qtbot.waitUntil(lambda: all(s.start != tokaev.start for s in view.overlays.get("mentions", [])))
    # the View toggle hides the layer
    window.actions["show_mentions"].setChecked(False)
    assert "mentions" in view.hidden_overlays
    window.actions["show_mentions"].setChecked(True)
    assert "mentions" not in view.hidden_overlays


def test_mention_list_click_and_annotate_all_in_source_one_undo_step(qtbot, window, monkeypatch):
    project, stack, feat = window.project, window.undo_stack, _feature(window)
    src = _source(project, "001")
    window.show_source(src)
    feat._flush()
    tokayev = project.actor_by_name("Kassym-Jomart Tokayev")
    expected = [m for m in unlinked_mentions(project, src) if m.actor_id == tokayev.id]
    panel = feat.dock.mentions
    feat.dock.tabs.setCurrentWidget(panel)
    assert panel.select_actor(tokayev.id)
    top = panel.tree.currentItem()
    assert top.childCount() == len(expected)
    panel.tree.itemClicked.emit(top.child(1), 0)
    assert window.source_view.selected_span() == (expected[1].start, expected[1].end)
    assert f"all {len(expected)} in this source" in panel.annotate_source.text()
    asked = []
    monkeypatch.setattr(codebook_dialogs, "confirm_annotate_all",
                        lambda parent, text, repeated: asked.append(text) or (True, True))
    before = project.annotation_count()
    qtbot.mouseClick(panel.annotate_source, Qt.MouseButton.LeftButton)
    assert asked and f"Create {len(expected)} annotations" in asked[0]
    assert project.annotation_count() == before + len(expected)
    made = [a for a in project.annotations_for_source(src) if a.actor_ids == (tokayev.id,)]
    assert sorted((a.start, a.end) for a in made) == [(m.start, m.end) for m in expected]
    assert all(a.theories == () and a.reliability is None and a.credibility == 6 for a in made)
    assert "Annotate" in stack.undoText()
    stack.undo()
    assert project.annotation_count() == before
    stack.redo()
    assert project.annotation_count() == before + len(expected)


def test_annotate_all_sources_leaves_out_repeated_copies(qtbot, window, monkeypatch):
    project, feat = window.project, _feature(window)
    tokayev = project.actor_by_name("Kassym-Jomart Tokayev")
    every = unlinked_mentions(project, actor_id=tokayev.id)
    asked = []
    monkeypatch.setattr(codebook_dialogs, "confirm_annotate_all",
                        lambda parent, text, repeated: asked.append(repeated) or (True, True))
    made = feat.annotate_all(tokayev.id, True)
    assert asked and asked[0] > 0
    assert made == len(every) - asked[0] == project.annotation_count()
    left = unlinked_mentions(project, actor_id=tokayev.id)
    src3 = _source(project, "003")
    assert len(left) == asked[0] and {m.source_id for m in left} == {src3}


def test_alias_suggestion_added_with_one_click_and_undone(qtbot, window):
    project, stack, feat = window.project, window.undo_stack, _feature(window)
    nazarbayev = project.actor_by_name("Nursultan Nazarbayev")
    project.update_actor(nazarbayev.id, aliases=[a for a in nazarbayev.aliases if a != "Narzabajev"])
    panel = feat.dock.mentions
    feat.dock.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.suggestions.topLevelItemCount() > 0)
    item = next(panel.suggestions.topLevelItem(i) for i in range(panel.suggestions.topLevelItemCount())
                if panel.suggestions.topLevelItem(i).text(0).startswith("Narzabajev"))
    assert "Nursultan Nazarbayev" in item.text(0)
    panel.suggestions.setCurrentItem(item)
    qtbot.mouseClick(panel.add_alias, Qt.MouseButton.LeftButton)
    assert "Narzabajev" in project.get_actor(nazarbayev.id).aliases
    qtbot.waitUntil(lambda: all(not panel.suggestions.topLevelItem(i).text(0).startswith("Narzabajev")
                                for i in range(panel.suggestions.topLevelItemCount())))
    stack.undo()
    assert "Narzabajev" not in project.get_actor(nazarbayev.id).aliases


def test_repeats_marked_and_annotating_a_repeat_warns(qtbot, window, monkeypatch):
    project, feat = window.project, _feature(window)
    src = _source(project, "003")
    window.show_source(src)
    view = window.source_view
    qtbot.waitUntil(lambda: "repeats" in view.overlays)
    marks = view.overlays.get("repeats", [])
    assert len(marks) == 3 and all(m.style == "margin" for m in marks)
    assert "lines 92–174" in marks[0].tooltip
    first = marks[0]
    text = view.text
    start = text.index("Tokayev did issue", first.start)
    project.add_annotation(src, start, start + 40)
    copy = marks[2]
    start3 = text.index("Tokayev did issue", copy.start)
    message = feat.repeat_warning(src, start3, start3 + 40)
    assert message and "repeats line" in message and "annotate there instead?" in message
    assert feat.repeat_warning(src, start, start + 40) is None or "already annotated" in message
    annotating = getattr(window, "annotating", None)
    if annotating is None:
        return
    from kzannotate.ui import annotating as annotating_module

    asked = []
    monkeypatch.setattr(annotating_module, "confirm", lambda parent, title, text: asked.append(text) or False)
    view.select_span(start3, start3 + 40)
    window.actions["annotate"].trigger()
    assert asked and "repeats line" in asked[0]
    assert project.annotation_count() == 1
    other = _source(project, "000")
    assert feat.repeat_warning(other, 0, 50) is None


def test_codebook_import_export_from_the_menu(qtbot, window, monkeypatch, tmp_path):
    project, stack, feat = window.project, window.undo_stack, _feature(window)
    out = tmp_path / "cb"
    monkeypatch.setattr(codebook_dock, "ask_save_file", lambda *a: str(out))
    window.actions["export_codebook"].trigger()
    data = json.loads((tmp_path / "cb.json").read_text(encoding="utf-8"))
    assert len(data["actors"]) == len(project.list_actors())
    incoming = {"format": "kzannotate-codebook", "version": 1,
                "actors": [{"name": "Daniyar Akishev", "aliases": ["Akishev"]},
                           {"name": "Vladimir Putin", "aliases": ["Vladimir Vladimirovich"]}],
                "theories": [{"name": "Counter-coup", "parent": "Elite power struggle"}]}
    path = tmp_path / "in.json"
    path.write_text(json.dumps(incoming), encoding="utf-8")
    monkeypatch.setattr(codebook_dock, "ask_open_file", lambda *a: str(path))
    monkeypatch.setattr(codebook_dock.QMessageBox, "information", lambda *a: None)
    window.actions["import_codebook"].trigger()
    assert project.actor_by_name("Daniyar Akishev") is not None
    assert "Vladimir Vladimirovich" in project.actor_by_name("Vladimir Putin").aliases
    assert project.theory_by_name("Counter-coup").parent_id == project.theory_by_name("Elite power struggle").id
    stack.undo()
    assert project.actor_by_name("Daniyar Akishev") is None and project.theory_by_name("Counter-coup") is None
    assert "Vladimir Vladimirovich" not in project.actor_by_name("Vladimir Putin").aliases
    stack.redo()
    assert project.theory_by_name("Counter-coup") is not None
    feat._flush()


def test_large_projects_look_for_repeats_in_the_background(qtbot, seeds_project, monkeypatch):
    monkeypatch.setattr(codebook_scans, "BACKGROUND_CHARS", 0)
    monkeypatch.setattr(codebook_dock.CodebookFeature, "report", lambda self, exc: pytest.fail(str(exc)))
    w = MainWindow(make_settings())
    qtbot.addWidget(w)
    w.set_project(seeds_project)
    w.show_source(_source(seeds_project, "003"))
    qtbot.waitUntil(lambda: len(w.source_view.overlays.get("repeats", [])) == 3, timeout=10_000)
    assert "3 copies" in w.source_view.overlays["repeats"][0].tooltip
