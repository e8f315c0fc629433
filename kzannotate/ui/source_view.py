"""The reader: the source text, read-only, in a comfortable font and line length.

Public interface (other features rely on it):

- ``set_overlay(name, spans)`` replaces one named layer of ``OverlaySpan`` marks. Styles: ``"dotted"``
  (dotted underline in the span's colour, e.g. actor mentions), ``"margin"`` (a coloured bar in the left
  margin beside the lines of the span, e.g. repeated passages), ``"find"`` (a yellowish find-hit background).
  Clicks on an overlay span (where no annotation is under the mouse) reach the handler registered in
  ``window.annotating.overlay_clicked_handlers[name]``.
- ``set_overlay_visible(name, visible)``, ``overlays_at(offset)``.
- Offsets in and out are code points: ``select_span``, ``selected_span``, ``scroll_to_span``,
  ``visible_range``, ``offset_at(pos)``.

Drawing of highlights lives in ``kzannotate.ui.highlighter``; this widget only offers the hooks
(``overlays_updated``, ``view_changed`` signals, ``decorators`` painted after the text, ``tooltip_provider``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit, QToolTip, QWidget

from kzannotate.text.offsets import OffsetMap, qt_selection_to_text

READING_WIDTH_CHARS = 78
DOCUMENT_MARGIN = 14  # room for the margin bars ("margin" overlays) left of the text
PARAGRAPH_SPACING_LINES = 0.5  # space after a paragraph, in lines of the current font


class ParagraphSpacingLayout(QPlainTextDocumentLayout):
    """Adds space after each paragraph that is followed directly by another (no blank line between).

    QPlainTextEdit ignores block margins and line height, but it paints, hit-tests and scrolls by each
    block's bounding rectangle, so growing that rectangle is enough. A blank line already separates
    paragraphs, so blocks next to an empty block get nothing extra.
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.spacing = 0.0

    def set_font(self, font: QFont) -> None:
        self.spacing = round(QFontMetricsF(font).lineSpacing() * PARAGRAPH_SPACING_LINES)

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:  # noqa: N802 (Qt override)
        rect = super().blockBoundingRect(block)
        if self.spacing and block.length() > 1:
            following = block.next()
            if following.isValid() and following.length() > 1:
                rect.setHeight(rect.height() + self.spacing)
        return rect


@dataclass(frozen=True, slots=True)
class OverlaySpan:
    """A non-annotation mark drawn over the text (mentions, repeated passages, find hits).

    ``style``: "dotted" (dotted underline in ``color``), "margin" (a bar in the left margin beside the
    lines), "find" (a find-hit background). ``data`` is returned to whoever handles a click on it.
    """

    start: int  # code points, end exclusive
    end: int
    color: str = "#0072b2"
    style: str = "dotted"
    tooltip: str = ""
    data: object = None


class SourceView(QPlainTextEdit):
    """Shows one source. Offsets in and out are code points; Qt's UTF-16 positions stay inside."""

    overlays_updated = Signal(str)
    view_changed = Signal()  # scrolled, resized, zoomed or new text: the visible range may differ
    span_clicked = Signal(int)  # a plain click (no drag) at a code-point offset
    selection_finished = Signal()  # the mouse was released after selecting text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceView")
        self.setAccessibleName("Source text")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setFrameShape(QPlainTextEdit.Shape.NoFrame)
        document = QTextDocument(self)
        self._layout = ParagraphSpacingLayout(document)
        document.setDocumentLayout(self._layout)
        self.setDocument(document)
        self.document().setDocumentMargin(DOCUMENT_MARGIN)
        self.document().setUndoRedoEnabled(False)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        for family in ("Source Serif 4", "Noto Serif", "DejaVu Serif", "Georgia", "Times New Roman"):
            if family in QFontDatabase.families():
                font = QFont(family)
                break
        font.setPointSizeF(max(font.pointSizeF(), 11.5))
        self._layout.set_font(font)
        self.setFont(font)
        self._base_point_size = font.pointSizeF()
        self.text = ""
        self.offsets = OffsetMap("")
        self.source_id: str | None = None
        self.overlays: dict[str, list[OverlaySpan]] = {}
        self.hidden_overlays: set[str] = set()
        self.decorators: list[Callable[[QPainter], None]] = []
        self.tooltip_provider: Callable[[int], str] | None = None
        self._press_pos: QPoint | None = None
        self.verticalScrollBar().valueChanged.connect(self.view_changed)
        self.horizontalScrollBar().valueChanged.connect(self.view_changed)

    # --------------------------------------------------------------- overlays
    def set_overlay(self, name: str, spans: list[OverlaySpan], in_order: bool = False) -> None:
        """Replace one named layer of marks ("mentions", "duplicates", "find"...) and repaint what changed.
        ``in_order``: the spans already come sorted by (start, end) (saves sorting 30,000 mentions)."""
        self.overlays[name] = list(spans) if in_order else sorted(spans, key=lambda s: (s.start, s.end))
        self.overlays_changed(name)

    def set_overlay_visible(self, name: str, visible: bool) -> None:
        (self.hidden_overlays.discard if visible else self.hidden_overlays.add)(name)
        self.overlays_changed(name)

    def overlays_at(self, offset: int) -> list[tuple[str, OverlaySpan]]:
        """Visible overlay spans covering a code-point offset."""
        return [(name, s) for name, spans in self.overlays.items() if name not in self.hidden_overlays
                for s in spans if s.start <= offset < s.end]

    def overlays_changed(self, name: str) -> None:
        """Tell the highlighter a layer changed (it repaints only the visible part)."""
        self.overlays_updated.emit(name)

    # ------------------------------------------------------------------- text
    def show_source(self, source_id: str | None, text: str) -> None:
        self.source_id = source_id
        self.text = text
        self.offsets = OffsetMap(text)
        self.overlays.clear()
        self.setPlainText(text)
        self._update_margins()
        self.view_changed.emit()

    def selected_span(self) -> tuple[int, int] | None:
        """The current text selection as code points, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self.offsets.to_cp(cursor.selectionStart())
        end = self.offsets.to_cp(cursor.selectionEnd())
        if end <= start:
            return None
        return start, end

    def selected_text(self) -> str:
        """The selection as stored text (paragraph separators become ``\\n``)."""
        return qt_selection_to_text(self.textCursor().selectedText())

    def select_span(self, start: int, end: int) -> None:
        """Select code points ``[start, end)`` and bring them into view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.offsets.to_utf16(max(0, min(start, self.offsets.length))))
        cursor.setPosition(self.offsets.to_utf16(max(0, min(end, self.offsets.length))),
                           QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.scroll_to_span(start, end)

    def scroll_to_span(self, start: int, end: int) -> None:
        """Scroll so the span is visible, centring it when it is off screen."""
        lo, hi = self.visible_range()
        if lo <= start and end <= hi and self.isVisible():
            return
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.offsets.to_utf16(max(0, min(start, self.offsets.length))))
        keep = self.textCursor()
        self.setTextCursor(cursor)
        self.centerCursor()
        # Putting the old cursor (or selection) back must not scroll back to it: setTextCursor makes the
        # cursor visible, so the centred position is restored afterwards.
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        v, h = vbar.value(), hbar.value()
        self.setTextCursor(keep)
        vbar.setValue(v)
        hbar.setValue(h)
        self.view_changed.emit()

    def visible_range(self) -> tuple[int, int]:
        """Code points from the first to the last block on screen (whole blocks)."""
        block = self.firstVisibleBlock()
        if not block.isValid():
            return 0, 0
        start = block.position()
        offset = self.contentOffset()
        height = self.viewport().height()
        end = block.position() + block.length()
        while block.isValid():
            top = self.blockBoundingGeometry(block).translated(offset).top()
            if top > height:
                break
            end = block.position() + block.length()
            block = block.next()
        return self.offsets.to_cp(start), min(self.offsets.length, self.offsets.to_cp(end))

    def offset_at(self, pos: QPoint) -> int | None:
        """The code point under a viewport position, or None when the point is not over text."""
        cursor = self.cursorForPosition(pos)
        u16 = cursor.position()
        block = cursor.block()
        layout = block.layout()
        rel = u16 - block.position()
        line = layout.lineForTextPosition(rel)
        if not line.isValid():
            return None
        geo = self.blockBoundingGeometry(block).translated(self.contentOffset())
        x = pos.x() - geo.left()
        if not line.rect().top() <= pos.y() - geo.top() < line.rect().bottom():
            return None  # in the space after a paragraph, not on a line
        # cursorForPosition picks the nearest gap; the character under the mouse is the one whose
        # box contains x.
        left = line.cursorToX(rel)[0]
        if x < left and rel > line.textStart():
            rel -= 1
            # Inside a surrogate pair: step back to its first half (block.text() counts code points, so
            # it cannot be indexed with a UTF-16 position).
            rel = self.offsets.to_utf16(self.offsets.to_cp(block.position() + rel)) - block.position()
        if rel >= line.textStart() + line.textLength():
            return None
        if x > line.x() + line.naturalTextWidth() + 2 or x < 0:  # line.x(): the document margin
            return None
        cp = self.offsets.to_cp(block.position() + rel)
        return cp if cp < self.offsets.length else None

    # ------------------------------------------------------------------- zoom
    def zoom(self, steps: int) -> None:
        font = self.font()
        if steps == 0:
            size = self._base_point_size
        else:
            size = min(40.0, max(7.0, font.pointSizeF() + steps))
        font.setPointSizeF(size)
        self._layout.set_font(font)
        self.setFont(font)
        self._update_margins()
        self.view_changed.emit()

    # ----------------------------------------------------------------- events
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if self.decorators:
            painter = QPainter(self.viewport())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for paint in self.decorators:
                painter.save()
                paint(painter)
                painter.restore()
            painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self._press_pos = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        super().mouseReleaseEvent(event)
        pos = event.position().toPoint()
        press, self._press_pos = self._press_pos, None
        if event.button() != Qt.MouseButton.LeftButton or press is None:
            return
        if self.textCursor().hasSelection():
            self.selection_finished.emit()
        elif (pos - press).manhattanLength() < 4:
            offset = self.offset_at(pos)
            if offset is not None:
                self.span_clicked.emit(offset)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ToolTip and self.tooltip_provider is not None:
            pos = event.pos()  # type: ignore[attr-defined]
            offset = self.offset_at(pos)
            tip = self.tooltip_provider(offset) if offset is not None else ""
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._update_margins()
        self.view_changed.emit()

    def _update_margins(self) -> None:
        """Keep lines near a readable measure by centring the text column in wide windows."""
        width = self.fontMetrics().averageCharWidth() * READING_WIDTH_CHARS + 2 * DOCUMENT_MARGIN
        spare = max(0, self.viewport().width() + self.viewportMargins().left() + self.viewportMargins().right()
                    - width)
        side = spare // 2
        if abs(side - self.viewportMargins().left()) > 2:
            self.setViewportMargins(side, 0, side, 0)
