"""The status bar's counts follow every edit without counting all annotations again each time."""

from __future__ import annotations

import pytest

from .annotating_helpers import annotate, open_window

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


def _counts(window) -> str:
    return window.status_label.text().split(" · kzannotate")[0]


def _db_counts(project) -> str:
    n_src = project.conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    n_ann = project.conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
    return f"{n_src} sources · {n_ann} annotations"


def test_status_counts_follow_annotating_and_undo_without_a_full_count(qtbot, seeds_project, monkeypatch) -> None:
    window = open_window(qtbot, seeds_project, monkeypatch)
    project = window.project
    src = project.list_sources()[0].id
    window.show_source(src)
    assert _counts(window) == _db_counts(project) == "5 sources · 0 annotations"
    statements: list[str] = []
    project.conn.set_trace_callback(statements.append)
    try:
        actor = project.list_actors()[0].id
        annotate(qtbot, window, 10, 30, actors=[actor])
        annotate(qtbot, window, 40, 60, actors=[actor])
    finally:
        project.conn.set_trace_callback(None)
    assert _counts(window) == _db_counts(project) == "5 sources · 2 annotations"
    full_counts = [s for s in statements if "count(*) from annotations" in " ".join(s.lower().split())
                   and "where" not in s.lower()]
    assert full_counts == [], "an edit must not count every annotation in the project"
    window.undo_stack.undo()
    assert _counts(window) == _db_counts(project) == "5 sources · 1 annotations"
    window.undo_stack.redo()
    assert _counts(window) == "5 sources · 2 annotations"
