"""The annotating window on the seeds project: create, edit, delete, undo, overlaps, colour modes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import QComboBox, QPushButton, QTableView

from kzannotate.store import Project
from kzannotate.ui import annotating
from kzannotate.ui.annotating import RELIABILITY_COLORS

from .annotating_helpers import annotate, open_window, rows

# The offscreen test platform cannot resize native windows for toolbars and docks; not a product warning.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, seeds_project, monkeypatch):
    return open_window(qtbot, seeds_project, monkeypatch)


def _ids(project: Project) -> tuple[dict[str, str], dict[str, str]]:
    return ({a.name: a.id for a in project.list_actors()}, {t.name: t.id for t in project.list_theories()})


def test_annotate_button_saves_one_row_with_links_and_undo_redo(qtbot, window) -> None:
    project = window.project
    text = window.source_view.text
    phrase = "multi-layered structure"
    start = text.index(phrase)
    end = start + len(phrase)
    actors, theories = _ids(project)
    actor = actors["Kassym-Jomart Tokayev"]
    theory = theories["Elite power struggle"]
    panel = window.findChild(type(window.annotating.panel), "annotationPanel")
    assert panel is window.annotating.panel

    window.source_view.select_span(start, end)
    assert window.source_view.selected_text() == phrase
    panel.check_actor(actor)
    panel.check_theory(theory)
    window.findChild(QComboBox, "reliabilityCombo").setCurrentIndex(2)  # "As source", A, B → B
    window.findChild(QComboBox, "credibilityCombo").setCurrentIndex(1)  # 2 — probably true
    qtbot.mouseClick(window.findChild(QPushButton, "annotateButton"), Qt.MouseButton.LeftButton)

    found = rows(project, "SELECT id, source_id, start_offset, end_offset, quote, reliability, credibility, "
                          "annotator FROM annotations")
    assert len(found) == 1
    ann_id, source_id, s, e, quote, rel, cred, annotator = found[0]
    assert (source_id, s, e, quote, rel, cred, annotator) == (
        window.current_source_id, start, end, phrase, "B", 2, "Tester")
    assert rows(project, "SELECT actor_id FROM annotation_actors") == [(actor,)]
    assert rows(project, "SELECT theory_id, stance FROM annotation_theories") == [(theory, "supports")]
    # highlighted at once, listed in the table, selected in the panel
    assert window.annotating.highlighter.index.span(ann_id) == (start, end)
    table = window.findChild(QTableView, "annotationTable")
    assert table.model().rowCount() == 1
    assert table.model().index(0, 3).data() == "B2"
    assert window.annotating.selected_id == ann_id
    assert window.actions["undo"].text().startswith("&Undo Annotate")

    window.actions["undo"].trigger()
    assert rows(project, "SELECT count(*) FROM annotations") == [(0,)]
    assert rows(project, "SELECT count(*) FROM annotation_actors") == [(0,)]
    assert table.model().rowCount() == 0
    assert ann_id not in window.annotating.highlighter.index
    window.actions["redo"].trigger()
    assert rows(project, "SELECT id, start_offset, end_offset FROM annotations") == [(ann_id, start, end)]
    assert rows(project, "SELECT theory_id, stance FROM annotation_theories") == [(theory, "supports")]
    assert table.model().rowCount() == 1


def test_reopening_the_project_shows_the_highlight(qtbot, window, monkeypatch) -> None:
    project = window.project
    path = project.path
    source_id = window.current_source_id
    text = window.source_view.text
    start = text.index("five related processes")
    ann_id = annotate(qtbot, window, start, start + 22)
    window.close()
    again = open_window(qtbot, Project.open(path), monkeypatch)
    again.show_source(source_id)
    hl = again.annotating.highlighter
    assert hl.index.span(ann_id) == (start, start + 22)
    for u16 in (start, start + 21):
        assert hl.formats_at(u16), f"no highlight at {u16}"
    assert not hl.formats_at(start - 1)
    assert not hl.formats_at(start + 22)


def test_stance_by_click_and_keys(qtbot, window) -> None:
    _, theories = _ids(window.project)
    theory = theories["Staged crisis"]
    text = window.source_view.text
    ann_id = annotate(qtbot, window, 0, text.index("\n"), theories=[theory])
    panel = window.annotating.panel
    item = panel._theory_items[theory]
    tree = panel.theory_list
    rect = tree.visualItemRect(item)
    rect.setLeft(tree.header().sectionPosition(1))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.project.get_annotation(ann_id).theory_stances == {theory: "contradicts"}
    tree.setCurrentItem(item)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_N)
    assert window.project.get_annotation(ann_id).theory_stances == {theory: "neutral"}
    window.actions["undo"].trigger()
    assert window.project.get_annotation(ann_id).theory_stances == {theory: "contradicts"}


def test_editing_saves_at_once_and_note_typing_is_one_undo_step(qtbot, window) -> None:
    project = window.project
    actors, _ = _ids(project)
    text = window.source_view.text
    start = text.index("colour revolution")
    ann_id = annotate(qtbot, window, start, start + 17)
    panel = window.annotating.panel
    steps = window.undo_stack.count()

    panel.credibility_combo.setCurrentIndex(panel.credibility_combo.findData(4))
    assert project.get_annotation(ann_id).credibility == 4
    panel.check_actor(actors["Nursultan Nazarbayev"])
    assert project.get_annotation(ann_id).actor_ids == (actors["Nursultan Nazarbayev"],)
    assert window.undo_stack.count() == steps + 2

    panel.note_edit.setFocus()
    qtbot.keyClicks(panel.note_edit, "First")
    qtbot.waitUntil(lambda: project.get_annotation(ann_id).note == "First", timeout=3000)
    qtbot.keyClicks(panel.note_edit, " thought")
    qtbot.waitUntil(lambda: project.get_annotation(ann_id).note == "First thought", timeout=3000)
    assert window.undo_stack.count() == steps + 3  # both saves merged into one step
    window.actions["undo"].trigger()
    assert project.get_annotation(ann_id).note is None
    assert panel.note_edit.toPlainText() == ""
    window.actions["undo"].trigger()
    assert project.get_annotation(ann_id).actor_ids == ()


def test_delete_button_and_undo(qtbot, window) -> None:
    project = window.project
    ann_id = annotate(qtbot, window, 10, 30)
    delete = window.findChild(QPushButton, "deleteAnnotationButton")
    assert delete.isVisible()
    qtbot.mouseClick(delete, Qt.MouseButton.LeftButton)
    assert rows(project, "SELECT count(*) FROM annotations") == [(0,)]
    assert window.annotating.selected_id is None
    assert window.actions["undo"].text() .startswith("&Undo Delete annotation")
    window.actions["undo"].trigger()
    assert rows(project, "SELECT id FROM annotations") == [(ann_id,)]
    assert window.annotating.selected_id == ann_id


def test_delete_key_in_the_reader(qtbot, window) -> None:
    ann_id = annotate(qtbot, window, 5, 25)
    window.source_view.setFocus()
    qtbot.waitUntil(window.source_view.hasFocus, timeout=2000)
    qtbot.keyClick(window.source_view, Qt.Key.Key_Delete)
    assert rows(window.project, "SELECT count(*) FROM annotations WHERE id = ?", (ann_id,)) == [(0,)]


def test_overlapping_and_nested_annotations(qtbot, window) -> None:
    outer = annotate(qtbot, window, 100, 200)
    inner = annotate(qtbot, window, 120, 140)
    side = annotate(qtbot, window, 190, 230)
    hl = window.annotating.highlighter
    keys_at = {pos: set(keys) for s, e, keys in hl.segments for pos in range(s, e)}
    assert keys_at[110] == {outer}
    assert keys_at[130] == {outer, inner}
    assert keys_at[195] == {outer, side}
    assert keys_at[220] == {side}
    # the overlap is marked with an underline, the single span is not
    single = hl.formats_at(window.source_view.offsets.to_utf16(110))[0]
    double = hl.formats_at(window.source_view.offsets.to_utf16(130))[0]
    assert single.underlineStyle() == QTextCharFormat.UnderlineStyle.NoUnderline
    assert double.underlineStyle() == QTextCharFormat.UnderlineStyle.SingleUnderline
    assert double.background().color().alpha() > single.background().color().alpha()
    # clicking the overlap selects the innermost, clicking again cycles
    window.annotating.deselect()
    view = window.source_view
    point = hl.caret_point(130).toPoint()
    assert view.offset_at(point) in range(129, 132)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.annotating.selected_id == inner
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.annotating.selected_id == outer
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.annotating.selected_id == inner
    assert "Rating:" in window.annotating.tooltip(130)


def test_annotations_at_the_very_start_and_end(qtbot, window) -> None:
    text = window.source_view.text
    hl = window.annotating.highlighter
    first = annotate(qtbot, window, 0, 6)
    assert hl.formats_at(0)
    assert text[len(text) - 8:].strip() == text[len(text) - 8:]
    last = annotate(qtbot, window, len(text) - 8, len(text))
    project = window.project
    assert project.get_annotation(first).quote == text[:6]
    assert project.get_annotation(last).quote == text[-8:]
    window.source_view.scroll_to_span(len(text) - 8, len(text))
    hl.refresh()
    assert hl.formats_at(window.source_view.offsets.to_utf16(len(text) - 1))


def test_paragraph_breaks_are_stored_as_newlines(qtbot, window) -> None:
    text = window.source_view.text
    nl = text.index("\n")
    window.source_view.select_span(nl - 5, nl + 4)
    assert "\u2029" in window.source_view.textCursor().selectedText()
    assert window.source_view.selected_text() == text[nl - 5:nl + 4]
    ann_id = annotate(qtbot, window, nl - 5, nl + 4)
    assert window.project.get_annotation(ann_id).quote == text[nl - 5:nl + 4]
    assert "\n" in text[nl - 5:nl + 4]


def test_colour_mode_switch(qtbot, window) -> None:
    _, theories = _ids(window.project)
    ann_id = annotate(qtbot, window, 40, 60, theories=[theories["Staged crisis"]], reliability="E")
    c = window.annotating
    hl = c.highlighter
    assert c.color_for(ann_id) == window.project.get_theory(theories["Staged crisis"]).color
    combo = window.findChild(QComboBox, "colorModeCombo")
    combo.setCurrentIndex(combo.findData("reliability"))
    assert c.color_mode == "reliability"
    assert window.actions["color_by_reliability"].isChecked()
    assert c.color_for(ann_id) == RELIABILITY_COLORS["E"]
    bg = hl.formats_at(45)[0].background().color()
    assert (bg.red(), bg.green(), bg.blue()) == QColor(RELIABILITY_COLORS["E"]).getRgb()[:3]
    window.actions["color_by_actor"].trigger()
    assert combo.currentData() == "actor"
    assert c.color_for(ann_id) == annotating.NEUTRAL_COLOR  # no actor linked
    assert window.settings.value("annotate/color_mode") == "actor"


def test_create_checks_can_cancel(qtbot, window, monkeypatch) -> None:
    window.annotating.create_checks.append(lambda source_id, s, e: "Already annotated elsewhere.")
    asked = []
    monkeypatch.setattr(annotating, "confirm", lambda parent, title, text: asked.append(text) or False)
    window.source_view.select_span(10, 20)
    window.actions["annotate"].trigger()
    assert asked and "Already annotated elsewhere." in asked[0]
    assert rows(window.project, "SELECT count(*) FROM annotations") == [(0,)]
    monkeypatch.setattr(annotating, "confirm", lambda parent, title, text: True)
    window.actions["annotate"].trigger()
    assert rows(window.project, "SELECT count(*) FROM annotations") == [(1,)]


def test_annotator_is_asked_once(qtbot, window, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(annotating, "ask_annotator", lambda parent, s: calls.append(s) or "Aigerim")
    annotate(qtbot, window, 10, 20)
    annotate(qtbot, window, 30, 40)
    assert len(calls) == 1
    assert {r[0] for r in rows(window.project, "SELECT annotator FROM annotations")} == {"Aigerim"}
    assert window.settings.value("annotator") == "Aigerim"


def test_new_actor_typed_in_the_panel(qtbot, window) -> None:
    panel = window.annotating.panel
    ann_id = annotate(qtbot, window, 10, 20)
    qtbot.keyClicks(panel.actor_filter, "Karim Massimov Jr")
    button = window.findChild(QPushButton, "createActorButton")
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    actor = window.project.actor_by_name("Karim Massimov Jr")
    assert actor is not None
    assert window.project.get_annotation(ann_id).actor_ids == (actor.id,)
    window.actions["undo"].trigger()  # one step: the actor and its link
    assert window.project.actor_by_name("Karim Massimov Jr") is None
    assert window.project.get_annotation(ann_id).actor_ids == ()


def test_table_click_and_next_previous(qtbot, window) -> None:
    text = window.source_view.text
    a = annotate(qtbot, window, 10, 20)
    far = len(text) - 40
    b = annotate(qtbot, window, far, far + 10)
    table = window.findChild(QTableView, "annotationTable")
    window.annotating.deselect()
    rect = table.visualRect(table.model().index(1, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.annotating.selected_id == b
    lo, hi = window.source_view.visible_range()
    assert lo <= far < hi
    window.actions["previous_annotation"].trigger()
    assert window.annotating.selected_id == a
    window.actions["next_annotation"].trigger()
    assert window.annotating.selected_id == b


def test_preselect_and_select_annotation(qtbot, window) -> None:
    actors, theories = _ids(window.project)
    c = window.annotating
    start = window.source_view.text.index("multi-layered")
    c.preselect(start, start + 13, [actors["China"]], [theories["Staged crisis"]])
    assert window.source_view.selected_span() == (start, start + 13)
    values = c.panel.values()
    assert values.actor_ids == {actors["China"]}
    assert values.theories == {theories["Staged crisis"]: "supports"}
    window.actions["annotate"].trigger()
    ann = window.project.annotations_for_source(window.current_source_id)[0]
    assert (ann.start, ann.end, ann.quote, ann.actor_ids) == (start, start + 13, "multi-layered", (actors["China"],))
    other = next(s.id for s in window.project.list_sources() if s.id != window.current_source_id)
    window.show_source(other)
    c.select_annotation(ann.id)
    assert window.current_source_id == ann.source_id
    assert c.selected_id == ann.id


def test_snap_to_words(qtbot, window) -> None:
    text = window.source_view.text
    start = text.index("multi-layered structure")
    window.actions["snap_to_words"].setChecked(True)
    window.source_view.select_span(start + 2, start + 16)  # "lti-layered st"
    window.actions["annotate"].trigger()
    ann = window.project.annotations_for_source(window.current_source_id)[0]
    assert ann.quote == "multi-layered structure"


def test_overlay_click_handler_and_styles(qtbot, window) -> None:
    from kzannotate.ui.source_view import OverlaySpan

    view = window.source_view
    hits = []
    window.annotating.overlay_clicked_handlers["mentions"] = hits.append
    span = OverlaySpan(200, 215, "#d55e00", "dotted", "Mention", data="x")
    view.set_overlay("mentions", [span])
    view.set_overlay("find", [OverlaySpan(300, 305, style="find")])
    view.set_overlay("duplicates", [OverlaySpan(0, 400, "#44aa99", "margin")])
    hl = window.annotating.highlighter
    dotted = hl.formats_at(view.offsets.to_utf16(205))[0]
    assert dotted.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine
    find = hl.formats_at(view.offsets.to_utf16(302))[0]
    assert find.background().color() == QColor("#ffe680")
    window.grab()  # paints margin bars without error
    point = hl.caret_point(207).toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert hits == [span]
