"""The reader: the source text, read-only, in a comfortable font and line length."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontDatabase, QTextOption
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from kzannotate.text.offsets import OffsetMap

READING_WIDTH_CHARS = 78


@dataclass(frozen=True)
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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceView")
        self.setAccessibleName("Source text")
        self.setReadOnly(True)
        self.setTextInteractionFlags(self.textInteractionFlags())
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        for family in ("Source Serif 4", "Noto Serif", "DejaVu Serif", "Georgia", "Times New Roman"):
            if family in QFontDatabase.families():
                font = QFont(family)
                break
        font.setPointSizeF(max(font.pointSizeF(), 11.5))
        self.setFont(font)
        self._base_point_size = font.pointSizeF()
        self.text = ""
        self.offsets = OffsetMap("")
        self.source_id: str | None = None
        self.overlays: dict[str, list[OverlaySpan]] = {}
        self.hidden_overlays: set[str] = set()

    def set_overlay(self, name: str, spans: list[OverlaySpan]) -> None:
        """Replace one named layer of marks ("mentions", "duplicates", "find"...) and repaint what changed."""
        self.overlays[name] = sorted(spans, key=lambda s: (s.start, s.end))
        self.overlays_changed(name)

    def set_overlay_visible(self, name: str, visible: bool) -> None:
        (self.hidden_overlays.discard if visible else self.hidden_overlays.add)(name)
        self.overlays_changed(name)

    def overlays_at(self, offset: int) -> list[tuple[str, OverlaySpan]]:
        """Visible overlay spans covering a code-point offset."""
        return [(name, s) for name, spans in self.overlays.items() if name not in self.hidden_overlays
                for s in spans if s.start <= offset < s.end]

    def overlays_changed(self, name: str) -> None:
        """Repaint hook; the highlighter (annotating feature) replaces this."""

    def show_source(self, source_id: str | None, text: str) -> None:
        self.source_id = source_id
        self.text = text
        self.offsets = OffsetMap(text)
        self.overlays.clear()
        self.setPlainText(text)
        self._update_margins()

    def zoom(self, steps: int) -> None:
        font = self.font()
        if steps == 0:
            size = self._base_point_size
        else:
            size = min(40.0, max(7.0, font.pointSizeF() + steps))
        font.setPointSizeF(size)
        self.setFont(font)
        self._update_margins()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._update_margins()

    def _update_margins(self) -> None:
        """Keep lines near a readable measure by centring the text column in wide windows."""
        width = self.fontMetrics().averageCharWidth() * READING_WIDTH_CHARS
        spare = max(0, self.viewport().width() + self.viewportMargins().left() + self.viewportMargins().right()
                    - width)
        side = spare // 2
        if abs(side - self.viewportMargins().left()) > 2:
            self.setViewportMargins(side, 0, side, 0)
