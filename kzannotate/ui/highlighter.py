"""Highlights annotations and overlay marks in the reader, formatting only what is on screen.

A 5 MB source with 20,000 annotations must open in well under half a second and take a new annotation
within a frame, so nothing here walks the whole document. The annotations of the open source live in an
``IntervalIndex``; the highlighter asks it for the spans overlapping the visible text (plus a screen of slack
above and below) and turns them into ``QTextEdit.ExtraSelection`` segments: formats that are painted, not
stored in the document, so applying them never relayouts a block. Scrolling beyond the slack, or an edit
touching the window, rebuilds only that window.

Overlaps: every elementary segment gets one format. One annotation → a light wash of its colour; two or
more → a stronger blend of their colours plus an underline, so nesting stays visible. The selected
annotation is outlined, and "margin" overlays are bars left of the text; both are painted after the text.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from kzannotate.ui.interval_index import IntervalIndex
from kzannotate.ui.source_view import OverlaySpan, SourceView

FIND_COLOR = "#ffe680"
NEUTRAL_COLOR = "#9e9e9e"


def _mix(colors: Sequence[QColor]) -> QColor:
    n = len(colors)
    return QColor(sum(c.red() for c in colors) // n, sum(c.green() for c in colors) // n,
                  sum(c.blue() for c in colors) // n)


class Highlighter(QObject):
    """Draws the annotations in ``index`` (colour from ``color_for(key)``) and the view's overlays."""

    ALPHA = (0, 72, 118, 150)  # background alpha by number of overlapping annotations (capped)

    def __init__(self, view: SourceView, color_for: Callable[[str], str]) -> None:
        super().__init__(view)
        self.view = view
        self.color_for = color_for
        self.index = IntervalIndex()
        self.selected: str | None = None
        self.source_id: str | None = None  # the source ``index`` belongs to; other text is left alone
        self.window: tuple[int, int] | None = None  # code-point range currently formatted
        self._segments: list[tuple[int, int, tuple[str, ...]]] | None = []
        self._rgb: dict[str, tuple[int, int, int]] = {}
        self._built_layers: set[str] = set()  # overlay layers that had marks in the last build
        self._formats: dict[tuple, QTextCharFormat] = {}
        self._overlay_starts: dict[str, tuple[int, list[int]]] = {}
        view.view_changed.connect(self.refresh)
        view.overlays_updated.connect(self._overlays_updated)
        view.decorators.append(self.paint_decorations)

    # ----------------------------------------------------------------- inputs
    def set_spans(self, spans: Sequence[tuple[str, int, int]], keep_selected: bool = False) -> None:
        """Replace every annotation span (a new source was opened)."""
        self.index = IntervalIndex(spans)
        self._rgb.clear()
        if not keep_selected:
            self.selected = None
        self.refresh(force=True)

    def update_spans(self, added: Sequence[tuple[str, int, int]], removed: Sequence[str]) -> None:
        """Apply an edit; repaints only if the edit touches the formatted window."""
        touched: list[tuple[int, int]] = []
        for key in removed:
            self._rgb.pop(key, None)
            if key in self.index:
                touched.append(self.index.span(key))
                self.index.remove(key)
        for key, start, end in added:
            self._rgb.pop(key, None)  # its colour may have changed with it
            if key in self.index:
                touched.append(self.index.span(key))
            self.index.add(key, start, end)
            touched.append((start, end))
        if self.window is None or any(s < self.window[1] and e > self.window[0] for s, e in touched):
            self.refresh(force=True)

    def set_selected(self, key: str | None) -> None:
        if key != self.selected:
            self.selected = key
            self.view.viewport().update()

    def recolor(self) -> None:
        """Colours changed (colour mode, codebook edit): rebuild the visible window."""
        self._formats.clear()
        self._rgb.clear()
        self.refresh(force=True)

    def _overlays_updated(self, name: str) -> None:
        self._overlay_starts.pop(name, None)
        spans = self.view.overlays.get(name, ())
        if name not in self._built_layers and all(s.style == "margin" for s in spans):
            # margin bars are painted by paint_decorations, not formatted: no rebuild needed
            self.view.viewport().update()
            return
        self.refresh(force=True)

    @property
    def segments(self) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, annotation keys) for each elementary piece of the formatted window (worked out on
        demand: the painting itself does not need the key lists)."""
        if self._segments is None:
            self._segments = self._compute_segments()
        return self._segments

    def _compute_segments(self) -> list[tuple[int, int, tuple[str, ...]]]:
        if self.window is None:
            return []
        lo, hi = self.window
        events: list[tuple[int, int, str]] = []
        for key in self.index.overlapping(lo, hi):
            s, e = self.index.span(key)
            events.append((max(s, lo), 1, key))
            events.append((min(e, hi), 0, key))
        events.sort()
        active: dict[str, None] = {}
        out: list[tuple[int, int, tuple[str, ...]]] = []
        prev = None
        for pos, order, key in events:
            if prev is not None and pos > prev and active:
                out.append((prev, pos, tuple(active)))
            prev = pos
            if order:
                active[key] = None
            else:
                active.pop(key, None)
        return out

    # ---------------------------------------------------------------- queries
    def at(self, offset: int) -> list[str]:
        """Annotation keys covering a code point, innermost (shortest) first."""
        keys = self.index.at(offset)
        keys.sort(key=lambda k: (self.index.span(k)[1] - self.index.span(k)[0], k))
        return keys

    def formats_at(self, u16: int) -> list[QTextCharFormat]:
        """Copies of the highlight formats painted at a UTF-16 position (what tests inspect)."""
        out = []
        for sel in self.view.extraSelections():
            cursor = sel.cursor
            if cursor.selectionStart() <= u16 < cursor.selectionEnd():
                out.append(QTextCharFormat(sel.format))
        return out

    # --------------------------------------------------------------- building
    def refresh(self, force: bool = False) -> None:
        view = self.view
        if not view.text or view.source_id != self.source_id:
            if self.window is not None:
                self.window = None
                self._segments = []
                view.setExtraSelections([])
            return
        lo, hi = view.visible_range()
        if not force and self.window is not None and self.window[0] <= lo and hi <= self.window[1]:
            return
        slack = max(2000, hi - lo)
        lo = max(0, lo - slack)
        hi = min(view.offsets.length, hi + slack)
        self.window = (lo, hi)
        view.setExtraSelections(self._build(lo, hi))

    def _visible_overlays(self, lo: int, hi: int) -> list[tuple[str, OverlaySpan]]:
        out: list[tuple[str, OverlaySpan]] = []
        for name, spans in self.view.overlays.items():
            if name in self.view.hidden_overlays or not spans:
                continue
            cached = self._overlay_starts.get(name)
            if cached is None or cached[0] != id(spans):
                cached = (id(spans), [s.start for s in spans])
                self._overlay_starts[name] = cached
            starts = cached[1]
            longest = max(s.end - s.start for s in spans) if len(spans) < 64 else None
            if longest is not None:
                first = bisect_left(starts, lo - longest)
            else:  # long layers: scan from the window start back only as far as needed
                first = bisect_left(starts, lo)
                while first > 0 and spans[first - 1].end > lo:
                    first -= 1
                    if lo - spans[first].start > 200_000:
                        break
            last = bisect_left(starts, hi)
            out.extend((name, s) for s in spans[first:last] if s.end > lo and s.style != "margin")
        return out

    def _build(self, lo: int, hi: int) -> list[QTextEdit.ExtraSelection]:
        """ExtraSelections for ``[lo, hi)``. A sweep over start/end events keeps running colour sums, so
        each piece costs the same however many annotations overlap there (a dense source stacks hundreds);
        neighbouring pieces with the same look become one selection."""
        self._segments = None
        index = self.index
        keys = index.overlapping(lo, hi)
        overlays = self._visible_overlays(lo, hi)
        self._built_layers = {name for name, _ in overlays}
        items: list[object] = []
        events: list[tuple[int, int, int]] = []  # (pos, 0 = end / 1 = start, item number): ends first
        for key in keys:
            s, e = index.span(key)
            events.append((max(s, lo), 1, len(items)))
            events.append((min(e, hi), 0, len(items)))
            items.append(key)
        for entry in overlays:
            span = entry[1]
            events.append((max(span.start, lo), 1, len(items)))
            events.append((min(span.end, hi), 0, len(items)))
            items.append(entry)
        if not events:
            self._segments = []
            return []
        events.sort()
        rgb = self._rgb
        color_for = self.color_for
        n = r = g = b = 0
        marks: dict[int, OverlaySpan] = {}
        out: list[QTextEdit.ExtraSelection] = []
        doc = self.view.document()
        to16 = self.view.offsets.to_utf16
        run_start = run_end = -1
        run_fmt: QTextCharFormat | None = None
        prev = None

        def emit() -> None:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(doc)
            cursor.setPosition(to16(run_start))
            cursor.setPosition(to16(run_end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            sel.format = run_fmt
            out.append(sel)

        for pos, start, number in events:
            if prev is not None and pos > prev and (n or marks):
                fmt = self._format_for(n, r, g, b, marks)
                if fmt is run_fmt and run_end == prev:
                    run_end = pos
                else:
                    if run_fmt is not None:
                        emit()
                    run_start, run_end, run_fmt = prev, pos, fmt
            prev = pos
            item = items[number]
            if isinstance(item, str):
                c = rgb.get(item)
                if c is None:
                    q = QColor(color_for(item))
                    c = rgb[item] = (q.red(), q.green(), q.blue())
                if start:
                    n += 1
                    r += c[0]
                    g += c[1]
                    b += c[2]
                else:
                    n -= 1
                    r -= c[0]
                    g -= c[1]
                    b -= c[2]
            elif start:
                marks[number] = item[1]  # type: ignore[index]
            else:
                marks.pop(number, None)
        if run_fmt is not None:
            emit()
        return out

    def _format_for(self, n: int, r: int, g: int, b: int, marks: dict[int, OverlaySpan]
                    ) -> QTextCharFormat | None:
        find = dotted = None
        for m in marks.values():
            if m.style == "find":
                find = True
            elif m.style == "dotted" and dotted is None:
                dotted = m.color
        cache_key = (min(n, 3), r // n, g // n, b // n, find, dotted) if n else (0, 0, 0, 0, find, dotted)
        fmt = self._formats.get(cache_key, False)
        if fmt is not False:
            return fmt  # type: ignore[return-value]
        fmt = QTextCharFormat()
        if find:
            fmt.setBackground(QBrush(QColor(FIND_COLOR)))
        elif n:
            wash = QColor(r // n, g // n, b // n)
            wash.setAlpha(self.ALPHA[min(n, 3)])
            fmt.setBackground(QBrush(wash))
        if n >= 2:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(r // n, g // n, b // n).darker(160))
        elif dotted is not None:
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(QColor(dotted))
        if not n and not find and dotted is None:
            fmt = None
        self._formats[cache_key] = fmt
        return fmt

    # --------------------------------------------------------------- painting
    def line_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles covering code points ``[start, end)``, one per visible line fragment."""
        view = self.view
        to16 = view.offsets.to_utf16
        a, b = to16(start), to16(end)
        doc = view.document()
        block = doc.findBlock(a)
        offset = view.contentOffset()
        height = view.viewport().height()
        rects: list[QRectF] = []
        first = view.firstVisibleBlock().blockNumber()
        while block.isValid() and block.position() <= b:
            if block.blockNumber() < first:
                block = doc.findBlockByNumber(first)
                continue
            geo = view.blockBoundingGeometry(block).translated(offset)
            if geo.top() > height:
                break
            layout = block.layout()
            base = block.position()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                ls = base + line.textStart()
                le = ls + line.textLength()
                s, e = max(a, ls), min(b, le)
                if s >= e and not (s == e == ls and a < ls < b):
                    continue
                x1 = line.cursorToX(s - base)[0]
                x2 = line.cursorToX(e - base)[0]
                top = geo.top() + line.y()
                rects.append(QRectF(geo.left() + x1, top, max(2.0, x2 - x1), line.height()))
            block = block.next()
        return rects

    def paint_decorations(self, painter: QPainter) -> None:
        view = self.view
        if not view.text or view.source_id != self.source_id:
            return
        lo, hi = view.visible_range()
        # margin bars for "margin" overlays
        for name, spans in view.overlays.items():
            if name in view.hidden_overlays:
                continue
            for span in spans:
                if span.style != "margin" or span.end <= lo or span.start >= hi:
                    continue
                rects = self.line_rects(span.start, span.end)
                if not rects:
                    continue
                top = min(r.top() for r in rects)
                bottom = max(r.bottom() for r in rects)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor(span.color))
                painter.drawRoundedRect(QRectF(3, top + 1, 4, bottom - top - 2), 2, 2)
        # outline of the selected annotation
        if self.selected and self.selected in self.index:
            s, e = self.index.span(self.selected)
            if e > lo and s < hi:
                color = QColor(self.color_for(self.selected)).darker(170)
                pen = QPen(color, 1.6)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                for rect in self.line_rects(s, e):
                    painter.drawRoundedRect(rect.adjusted(-1.5, 0.5, 1.5, -0.5), 3, 3)

    def caret_point(self, offset: int) -> QPointF:
        """Viewport point of a code-point offset (tests click there)."""
        rects = self.line_rects(offset, offset + 1)
        return rects[0].center() if rects else QPointF()
