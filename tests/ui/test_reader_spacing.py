"""The reader leaves space after each paragraph; offsets, clicks and scrolling still land on the right text."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from kzannotate.ui.source_view import SourceView

# Paragraphs on consecutive lines (no blank line), with characters outside the BMP (two UTF-16 units each).
PARAS = [f"Paragraph {i} 🇰🇿 says 𝕏 about Tokayev and the events of January, number {i}." for i in range(200)]
TEXT = "\n".join(PARAS)


def _view(qtbot, text: str = TEXT) -> SourceView:
    view = SourceView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show_source("s1", text)
    view.show()
    qtbot.waitExposed(view)
    return view


def _gap_after(view: SourceView, number: int) -> float:
    """Pixels between the last line of block ``number`` and the first line of the next one."""
    doc = view.document()
    block, following = doc.findBlockByNumber(number), doc.findBlockByNumber(number + 1)
    offset = view.contentOffset()
    geo, nxt = view.blockBoundingGeometry(block).translated(offset), view.blockBoundingGeometry(following)
    layout = block.layout()
    last_line = layout.lineAt(layout.lineCount() - 1)
    text_bottom = geo.top() + last_line.rect().bottom()
    return nxt.translated(offset).top() + following.layout().lineAt(0).rect().top() - text_bottom


def _point_of(view: SourceView, cp: int) -> QPoint:
    """Viewport point in the middle of the character at code point ``cp``."""
    u16 = view.offsets.to_utf16(cp)
    block = view.document().findBlock(u16)
    rel = u16 - block.position()
    line = block.layout().lineForTextPosition(rel)
    geo = view.blockBoundingGeometry(block).translated(view.contentOffset())
    x0, x1 = line.cursorToX(rel)[0], line.cursorToX(rel + 1)[0]
    return QPoint(int(geo.left() + (x0 + x1) / 2), int(geo.top() + line.rect().center().y()))


def test_space_after_each_paragraph_is_about_half_a_line(qtbot) -> None:
    view = _view(qtbot)
    line = view.fontMetrics().lineSpacing()
    gap = _gap_after(view, 0)
    assert 0.35 * line <= gap <= 0.65 * line


def test_a_blank_line_already_separates_paragraphs_so_no_extra_space(qtbot) -> None:
    view = _view(qtbot, "First paragraph.\n\nSecond paragraph.")
    line = view.fontMetrics().lineSpacing()
    assert _gap_after(view, 0) < 0.1 * line  # the first block: its own height only
    assert _gap_after(view, 1) < 1.1 * line  # the blank line itself: one line, not one and a half


def test_space_follows_the_zoom(qtbot) -> None:
    view = _view(qtbot)
    before = _gap_after(view, 0)
    view.zoom(6)
    qtbot.wait(10)
    assert _gap_after(view, 0) > before * 1.2


def test_selection_and_clicks_map_to_code_points_in_later_paragraphs(qtbot) -> None:
    view = _view(qtbot)
    start = TEXT.index("Paragraph 5 ") + len("Paragraph 5 ")
    end = start + len("🇰🇿 says 𝕏")
    view.select_span(start, end)
    assert view.selected_span() == (start, end)
    assert view.selected_text() == TEXT[start:end]
    target = TEXT.index("Tokayev", start)
    assert view.offset_at(_point_of(view, target)) == target
    assert view.offset_at(_point_of(view, target + 3)) == target + 3


def test_a_click_in_the_space_between_paragraphs_hits_no_character(qtbot) -> None:
    view = _view(qtbot)
    doc = view.document()
    block = doc.findBlockByNumber(2)
    geo = view.blockBoundingGeometry(block).translated(view.contentOffset())
    layout = block.layout()
    text_bottom = geo.top() + layout.lineAt(layout.lineCount() - 1).rect().bottom()
    in_gap = QPoint(int(geo.left() + 40), int((text_bottom + geo.bottom()) / 2))
    assert geo.bottom() - text_bottom > 3
    assert view.offset_at(in_gap) is None


def test_scrolling_to_the_last_paragraph_shows_it(qtbot) -> None:
    view = _view(qtbot)
    start = TEXT.index(PARAS[-1])
    view.scroll_to_span(start, len(TEXT))
    lo, hi = view.visible_range()
    assert lo <= start and hi == len(TEXT)
    point = _point_of(view, len(TEXT) - 2)
    assert 0 <= point.y() < view.viewport().height()
    assert view.offset_at(point) == len(TEXT) - 2
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    qtbot.wait(10)
    point = _point_of(view, len(TEXT) - 2)
    assert point.y() < view.viewport().height(), "the end of the text must be reachable by scrolling"
