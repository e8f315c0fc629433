"""Sources by reliability letter and date, with diverging stacked bars of the theories each one
contradicts (left of the axis) and supports (right). Clicking a source opens it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kzannotate.analysis.data import Dataset
from kzannotate.analysis.sources_overview import Overview, sources_overview
from kzannotate.analysis.weights import Weights
from kzannotate.store.models import RELIABILITY_NAMES
from kzannotate.ui import charts

ROW_H = 30
TITLE_W = 300
DATE_W = 92
HALF_W = 230  # pixels for the largest side of a bar
PAD = 12


class OverviewCanvas(QWidget):
    source_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sourcesOverviewCanvas")
        self.overview: Overview | None = None
        self.colors: dict[str, QColor] = {}
        self._rows: list[tuple[QRectF, str]] = []  # clickable rows
        self._lines: list[tuple[str, object]] = []  # ("group", letter) / ("source", SourceRow)
        self.setMouseTracking(True)
        self.hover: str | None = None

    def set_overview(self, overview: Overview, colors: dict[str, QColor]) -> None:
        self.overview = overview
        self.colors = colors
        self._lines = []
        last = object()
        for row in overview.rows:
            if row.reliability != last:
                self._lines.append(("group", row.reliability))
                last = row.reliability
            self._lines.append(("source", row))
        fm = QFontMetricsF(self.font())
        legend_h = self._legend_height(fm)
        self._header_y = PAD + fm.height() * 1.6
        self._rows = []
        y = self._header_y
        for kind, value in self._lines:
            if kind == "source":
                self._rows.append((QRectF(PAD, y, PAD * 2 + TITLE_W + DATE_W + 2 * HALF_W + 80 - 2 * PAD, ROW_H),
                                   value.source_id))
            y += ROW_H
        self.setFixedSize(QSize(int(PAD * 2 + TITLE_W + DATE_W + 2 * HALF_W + 80),
                                int(PAD + fm.height() * 2 + len(self._lines) * ROW_H + legend_h + PAD * 2)))
        self.update()

    def _legend_height(self, fm: QFontMetricsF) -> float:
        if self.overview is None:
            return 0
        width = PAD * 2 + TITLE_W + DATE_W + 2 * HALF_W
        x, lines = 0.0, 1
        for _, name in self.overview.theories:
            w = 18 + fm.horizontalAdvance(name) + 18
            if x + w > width:
                lines += 1
                x = 0
            x += w
        return lines * (fm.height() + 6) + fm.height()

    def _scale(self) -> float:
        ov = self.overview
        top = max([max(r.total_supports, r.total_contradicts) for r in ov.rows] or [0])
        return HALF_W / top if top else 0

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), QColor("#ffffff"))
        if self.overview is None:
            return
        fm = QFontMetricsF(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        axis_x = PAD + TITLE_W + DATE_W + HALF_W + 20
        y = PAD
        p.setPen(QColor("#555555"))
        p.drawText(QRectF(PAD, y, TITLE_W, fm.height()), Qt.AlignmentFlag.AlignLeft, "Source")
        p.drawText(QRectF(PAD + TITLE_W, y, DATE_W, fm.height()), Qt.AlignmentFlag.AlignLeft, "Published")
        p.drawText(QRectF(axis_x - HALF_W, y, HALF_W - 8, fm.height()), Qt.AlignmentFlag.AlignRight,
                   "◀ contradicts")
        p.drawText(QRectF(axis_x + 8, y, HALF_W, fm.height()), Qt.AlignmentFlag.AlignLeft, "supports ▶")
        y = self._header_y
        scale = self._scale()
        top_y = y
        for kind, value in self._lines:
            if kind == "group":
                p.setFont(bold)
                p.setPen(QColor("#222222"))
                label = f"{value} – {RELIABILITY_NAMES[value]}" if value else "Not rated"
                p.drawText(QRectF(PAD, y, TITLE_W + DATE_W, ROW_H), Qt.AlignmentFlag.AlignLeft |
                           Qt.AlignmentFlag.AlignBottom, label)
                p.setFont(self.font())
                y += ROW_H
                continue
            row = value
            rect = QRectF(PAD, y, self.width() - 2 * PAD, ROW_H)
            if self.hover == row.source_id:
                p.fillRect(rect, QColor("#eef3fb"))
            p.setPen(QColor("#1a1a1a"))
            title = fm.elidedText(row.title, Qt.TextElideMode.ElideRight, TITLE_W - 24)
            p.drawText(QRectF(PAD + 14, y, TITLE_W - 14, ROW_H), Qt.AlignmentFlag.AlignVCenter, title)
            p.setPen(QColor("#555555"))
            p.drawText(QRectF(PAD + TITLE_W, y, DATE_W, ROW_H), Qt.AlignmentFlag.AlignVCenter,
                       row.published or "undated")
            bar_y = y + 7
            bar_h = ROW_H - 14
            x = axis_x
            for t_id, _ in self.overview.theories:
                w = row.supports.get(t_id, 0) * scale
                if w > 0:
                    p.fillRect(QRectF(x, bar_y, w, bar_h), self.colors[t_id])
                    x += w
            x = axis_x
            for t_id, _ in self.overview.theories:
                w = row.contradicts.get(t_id, 0) * scale
                if w > 0:
                    r = QRectF(x - w, bar_y, w, bar_h)
                    p.fillRect(r, self.colors[t_id])
                    p.fillRect(r, QBrush(QColor(255, 255, 255, 170), Qt.BrushStyle.BDiagPattern))
                    x -= w
            if not row.supports and not row.contradicts:
                p.setPen(QColor("#999999"))
                note = "no theory links" if row.annotations else "not annotated"
                p.drawText(QRectF(axis_x + 8, y, HALF_W, ROW_H), Qt.AlignmentFlag.AlignVCenter, note)
            else:
                p.setPen(QColor("#444444"))
                n_s = charts.fmt_number(row.total_supports, self.overview.weighted)
                n_c = charts.fmt_number(row.total_contradicts, self.overview.weighted)
                p.drawText(QRectF(axis_x + HALF_W + 6, y, 60, ROW_H), Qt.AlignmentFlag.AlignVCenter, n_s)
                p.drawText(QRectF(axis_x - HALF_W - 66, y, 60, ROW_H),
                           Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, n_c)
            y += ROW_H
        p.setPen(QPen(QColor("#444444"), 1))
        p.drawLine(QPointF(axis_x, top_y), QPointF(axis_x, y))
        # legend
        y += PAD
        x = PAD
        width = self.width() - 2 * PAD
        for t_id, name in self.overview.theories:
            w = 18 + fm.horizontalAdvance(name) + 18
            if x + w > PAD + width:
                x = PAD
                y += fm.height() + 6
            p.fillRect(QRectF(x, y + 2, 12, fm.height() - 4), self.colors[t_id])
            p.setPen(QColor("#222222"))
            p.drawText(QRectF(x + 16, y, w, fm.height()), Qt.AlignmentFlag.AlignVCenter, name)
            x += w
        y += fm.height() + 6
        p.setPen(QColor("#666666"))
        what = "weighted sums" if self.overview.weighted else "annotations"
        p.drawText(QRectF(PAD, y, width, fm.height()), Qt.AlignmentFlag.AlignLeft,
                   f"Bar length: {what}; hatched segments (left) contradict. Click a source to open it.")

    def _row_at(self, pos) -> str | None:
        for rect, sid in self._rows:
            if rect.contains(pos):
                return sid
        return None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        sid = self._row_at(event.position())
        if sid != self.hover:
            self.hover = sid
            self.setCursor(Qt.CursorShape.PointingHandCursor if sid else Qt.CursorShape.ArrowCursor)
            self.update()
        if sid and self.overview:
            row = next(r for r in self.overview.rows if r.source_id == sid)
            names = dict(self.overview.theories)
            lines = [f"<b>{row.title}</b>", f"{row.outlet or ''} {row.published or 'undated'}".strip()]
            for label, d in (("supports", row.supports), ("contradicts", row.contradicts)):
                for t, v in sorted(d.items(), key=lambda kv: -kv[1]):
                    lines.append(f"{label} {names[t]}: {charts.fmt_number(v, self.overview.weighted)}")
            self.setToolTip("<br>".join(lines))

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hover = None
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        sid = self._row_at(event.position())
        if sid:
            self.source_clicked.emit(sid)


class SourcesOverview(QWidget):
    source_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sourcesOverview")
        self.data: Dataset | None = None
        self.weights = Weights()
        self.overview: Overview | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Bar length:", self))
        self.raw_button, self.weighted_button = charts.add_weight_toggle(self, bar, "Annotations", "overview")
        bar.addStretch(1)
        outer.addLayout(bar)
        self.canvas = OverviewCanvas()
        scroll = QScrollArea(self)
        scroll.setObjectName("sourcesOverviewScroll")
        scroll.setWidget(self.canvas)
        scroll.setStyleSheet("QScrollArea { background: white; }")
        outer.addWidget(scroll, 1)
        self.raw_button.toggled.connect(lambda _: self._rebuild())
        self.canvas.source_clicked.connect(self.source_requested)

    def set_data(self, data: Dataset, weights: Weights) -> None:
        self.data = data
        self.weights = weights
        self._rebuild()

    def _rebuild(self) -> None:
        if self.data is None:
            return
        self.overview = sources_overview(self.data, self.weights, weighted=self.weighted_button.isChecked())
        ids = [t for t, _ in self.overview.theories]
        self.canvas.set_overview(self.overview, charts.theory_colors(ids, self.data.theory_colors))


