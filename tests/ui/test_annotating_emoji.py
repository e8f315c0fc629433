"""Characters outside the BMP (two UTF-16 units, one code point) before, inside and after a span."""

from __future__ import annotations

import pytest

from kzannotate.store import Project

from .annotating_helpers import open_window, rows

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")

TEXT = ("🇰🇿 Almaty 😀 before: 𝔸 the crowd 👍🏽 chanted “Shal, ket!” 🎉 inside\n"
        "Second paragraph 🤔 with 𠜎 and more after 🚀 end 🏁")


def _u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


@pytest.fixture
def emoji_project(project: Project) -> Project:
    project.add_source(TEXT, "Emoji test")
    return project


def test_astral_characters_round_trip(qtbot, emoji_project, monkeypatch) -> None:
    window = open_window(qtbot, emoji_project, monkeypatch)
    view = window.source_view
    assert view.text == TEXT
    start = TEXT.index("𝔸")
    end = TEXT.index("🎉") + 1  # the span ends on an astral character
    # a user's selection, made in Qt's UTF-16 positions
    cursor = view.textCursor()
    cursor.setPosition(_u16(TEXT, start))
    cursor.setPosition(_u16(TEXT, end), cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    assert view.selected_span() == (start, end)
    selected = view.selected_text()
    assert selected == TEXT[start:end]
    window.actions["annotate"].trigger()
    stored = rows(emoji_project, "SELECT start_offset, end_offset, quote FROM annotations")
    assert stored == [(start, end, selected)]

    # a second span starting right after an emoji, crossing the paragraph break, ending before one
    s2 = TEXT.index("inside")
    e2 = TEXT.index(" with 𠜎")
    view.select_span(s2, e2)
    assert view.selected_text() == TEXT[s2:e2]
    window.actions["annotate"].trigger()
    assert rows(emoji_project, "SELECT quote FROM annotations WHERE start_offset = ?", (s2,)) == [(TEXT[s2:e2],)]

    path = emoji_project.path
    window.close()
    again = open_window(qtbot, Project.open(path), monkeypatch)
    hl = again.annotating.highlighter
    # exactly the UTF-16 units of the span are highlighted, nothing either side
    u_start, u_end = _u16(TEXT, start), _u16(TEXT, end)
    assert not hl.formats_at(u_start - 1)
    for u in range(u_start, u_end):
        assert hl.formats_at(u), f"UTF-16 position {u} not highlighted"
    assert not hl.formats_at(u_end)  # the space after 🎉
    # and the segment boundaries, in code points, are the stored offsets
    starts = {s for s, _e, _k in hl.segments}
    ends = {e for _s, e, _k in hl.segments}
    assert start in starts and end in ends and s2 in starts and e2 in ends


def test_offset_under_the_mouse_after_emoji(qtbot, emoji_project, monkeypatch) -> None:
    window = open_window(qtbot, emoji_project, monkeypatch)
    target = TEXT.index("crowd")
    point = window.annotating.highlighter.caret_point(target).toPoint()
    assert window.source_view.offset_at(point) == target
