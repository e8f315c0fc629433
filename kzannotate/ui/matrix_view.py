"""The actor × theory matrix as a heatmap: net support per cell, split supports / contradicts / neutral."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kzannotate.analysis.data import Dataset
from kzannotate.analysis.matrix import Matrix, actor_theory_matrix
from kzannotate.analysis.weights import Weights
from kzannotate.formats.atomic import ExportError, atomic_write_text
from kzannotate.store.errors import UserError
from kzannotate.ui import charts

CELL_W = 92
CELL_H = 46
ROW_LABEL_MAX = 230
COL_LABEL_MAX = 250
ANGLE = 40.0  # column labels are tilted so long theory names fit
PAD = 12


class MatrixLayout:
    """Where everything goes; shared by the on-screen widget and the PNG/SVG export."""

    def __init__(self, matrix: Matrix, font: QFont, title: bool) -> None:
        self.matrix = matrix
        self.font = QFont(font)
        self.small = QFont(font)
        self.small.setPointSizeF(max(7.0, font.pointSizeF() * 0.82))
        self.bold = QFont(font)
        self.bold.setBold(True)
        fm = QFontMetricsF(self.font)
        self.fm = fm
        self.title_h = fm.height() * 1.8 if title else 0.0
        self.row_label_w = min(ROW_LABEL_MAX, max([fm.horizontalAdvance(n) for _, n in matrix.actors] or [60]))\
            + PAD
        col_w = min(COL_LABEL_MAX, max([fm.horizontalAdvance(n) for _, n in matrix.theories] or [60]))
        rad = math.radians(ANGLE)
        self.col_label_h = col_w * math.sin(rad) + fm.height() + 6
        overhang = col_w * math.cos(rad)
        self.left = PAD + self.row_label_w
        self.top = self.title_h + self.col_label_h
        self.grid_w = CELL_W * len(matrix.theories)
        self.grid_h = CELL_H * len(matrix.actors)
        self.legend_h = fm.height() * 4.2
        self.width = self.left + max(self.grid_w + overhang, 420) + PAD
        self.height = self.top + self.grid_h + PAD + self.legend_h

    def cell_rect(self, row: int, col: int) -> QRectF:
        return QRectF(self.left + col * CELL_W, self.top + row * CELL_H, CELL_W, CELL_H)

    def hit(self, x: float, y: float) -> tuple[int, int] | None:
        col = math.floor((x - self.left) / CELL_W)
        row = math.floor((y - self.top) / CELL_H)
        if 0 <= row < len(self.matrix.actors) and 0 <= col < len(self.matrix.theories):
            return row, col
        return None


def paint_matrix(p: QPainter, layout: MatrixLayout, weighted: bool, *, title: str = "",
                 selected: tuple[int, int] | None = None) -> None:
    m = layout.matrix
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    p.fillRect(QRectF(0, 0, layout.width, layout.height), QColor("#ffffff"))
    fm = layout.fm
    if title:
        p.setFont(layout.bold)
        p.setPen(QColor("#222222"))
        p.drawText(QRectF(PAD, 4, layout.width - 2 * PAD, layout.title_h), Qt.AlignmentFlag.AlignVCenter, title)
    scale = m.max_abs_net(weighted) or 1.0
    # column labels, tilted
    p.setFont(layout.font)
    for col, (_, name) in enumerate(m.theories):
        text = fm.elidedText(name, Qt.TextElideMode.ElideRight, COL_LABEL_MAX)
        p.save()
        p.translate(layout.left + col * CELL_W + CELL_W / 2 + fm.height() / 3, layout.top - 6)
        p.rotate(-ANGLE)
        p.setPen(QColor("#222222"))
        p.drawText(QPointF(0, 0), text)
        p.restore()
    # row labels
    for row, (_, name) in enumerate(m.actors):
        r = QRectF(PAD, layout.top + row * CELL_H, layout.row_label_w - PAD / 2, CELL_H)
        p.setPen(QColor("#222222"))
        p.drawText(r, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(name, Qt.TextElideMode.ElideRight, ROW_LABEL_MAX))
    # cells
    small_fm = QFontMetricsF(layout.small)
    for row, (a_id, _) in enumerate(m.actors):
        for col, (t_id, _) in enumerate(m.theories):
            rect = layout.cell_rect(row, col)
            cell = m.cells.get((a_id, t_id))
            if cell is None:
                p.fillRect(rect, QColor(charts.EMPTY_CELL))
                continue
            net = cell.net(weighted)
            bg = charts.diverging(net / scale)
            p.fillRect(rect, bg)
            fg = charts.text_on(bg)
            p.setPen(fg)
            p.setFont(layout.bold)
            p.drawText(QRectF(rect.x(), rect.y() + 2, rect.width(), rect.height() * 0.55),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, charts.fmt_signed(net, weighted))
            s, c, n = cell.values(weighted)
            p.setFont(layout.small)
            label = " / ".join(charts.fmt_number(v, weighted) for v in (s, c, n))
            p.drawText(QRectF(rect.x(), rect.y() + rect.height() * 0.55, rect.width(), small_fm.height() + 1),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
            # split bar along the bottom edge: supports | contradicts | neutral
            total = s + c + n
            if total > 0:
                x = rect.x() + 1
                bar_w = rect.width() - 2
                y = rect.bottom() - 5
                for value, color in ((s, charts.SUPPORTS_COLOR), (c, charts.CONTRADICTS_COLOR),
                                     (n, charts.NEUTRAL_COLOR)):
                    w = bar_w * value / total
                    if w > 0:
                        p.fillRect(QRectF(x, y, w, 4), QColor(color))
                        x += w
    # grid lines
    p.setPen(QPen(QColor("#ffffff"), 1.5))
    for col in range(len(m.theories) + 1):
        x = layout.left + col * CELL_W
        p.drawLine(QPointF(x, layout.top), QPointF(x, layout.top + layout.grid_h))
    for row in range(len(m.actors) + 1):
        y = layout.top + row * CELL_H
        p.drawLine(QPointF(layout.left, y), QPointF(layout.left + layout.grid_w, y))
    if selected is not None:
        p.setPen(QPen(QColor("#111111"), 2.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(layout.cell_rect(*selected).adjusted(1, 1, -1, -1))
    _paint_legend(p, layout, weighted, scale)


def _paint_legend(p: QPainter, layout: MatrixLayout, weighted: bool, scale: float) -> None:
    fm = layout.fm
    y = layout.top + layout.grid_h + PAD
    x = layout.left
    bar = QRectF(x, y, 220, fm.height() * 0.8)
    grad = QLinearGradient(bar.topLeft(), bar.topRight())
    for i, c in enumerate(charts.DIVERGING):
        grad.setColorAt(i / (len(charts.DIVERGING) - 1), QColor(c))
    p.fillRect(bar, grad)
    p.setPen(QColor("#999999"))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(bar)
    p.setFont(layout.small)
    p.setPen(QColor("#333333"))
    lab_y = bar.bottom() + 2
    lab_h = QFontMetricsF(layout.small).height() + 2
    p.drawText(QRectF(bar.left(), lab_y, 110, lab_h), Qt.AlignmentFlag.AlignLeft,
               f"−{charts.fmt_number(scale, weighted)} contradicts")
    p.drawText(QRectF(bar.center().x() - 20, lab_y, 40, lab_h), Qt.AlignmentFlag.AlignHCenter, "0")
    p.drawText(QRectF(bar.right() - 110, lab_y, 110, lab_h), Qt.AlignmentFlag.AlignRight,
               f"supports +{charts.fmt_number(scale, weighted)}")
    what = "reliability × credibility weighted sums" if weighted else "counts of annotations"
    note = (f"Big number: net support (supports − contradicts), {what}. "
            "Small: supports / contradicts / neutral; bar: their shares.")
    p.drawText(QRectF(bar.right() + 16, y - 2, max(200.0, layout.width - bar.right() - 16 - PAD),
                      layout.legend_h), Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft, note)


class MatrixCanvas(QWidget):
    cell_clicked = Signal(str, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("matrixCanvas")
        self.matrix: Matrix | None = None
        self.layout_: MatrixLayout | None = None
        self.weighted = False
        self.selected: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_matrix(self, matrix: Matrix, weighted: bool) -> None:
        self.matrix = matrix
        self.weighted = weighted
        self.layout_ = MatrixLayout(matrix, self.font(), title=False)
        if self.selected and (self.selected[0] >= len(matrix.actors) or self.selected[1] >= len(matrix.theories)):
            self.selected = None
        self.setFixedSize(QSize(math.ceil(self.layout_.width), math.ceil(self.layout_.height)))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        if self.layout_ is None or not self.matrix or not self.matrix.actors:
            p.fillRect(self.rect(), QColor("#ffffff"))
            p.setPen(QColor("#666666"))
            p.drawText(self.rect().adjusted(12, 12, -12, -12), Qt.TextFlag.TextWordWrap,
                       "No annotation links an actor to a theory yet. Annotate a passage with both an actor "
                       "and a theory (and a stance) and the matrix fills in.")
            return
        paint_matrix(p, self.layout_, self.weighted, selected=self.selected)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        hit = self.layout_.hit(event.position().x(), event.position().y()) if self.layout_ else None
        if hit is None or self.matrix is None:
            self.setToolTip("")
            return
        a_id, a_name = self.matrix.actors[hit[0]]
        t_id, t_name = self.matrix.theories[hit[1]]
        cell = self.matrix.cell(a_id, t_id)
        self.setToolTip(f"<b>{a_name}</b> × <b>{t_name}</b><br>supports {cell.supports} "
                        f"({cell.weighted_supports:.2f} weighted)<br>contradicts {cell.contradicts} "
                        f"({cell.weighted_contradicts:.2f})<br>neutral {cell.neutral}<br><i>Click to list</i>")

    def mousePressEvent(self, event) -> None:  # noqa: N802
        hit = self.layout_.hit(event.position().x(), event.position().y()) if self.layout_ else None
        if hit is None or self.matrix is None:
            return
        self.selected = hit
        self.update()
        self.cell_clicked.emit(self.matrix.actors[hit[0]][0], self.matrix.theories[hit[1]][0])


class MatrixView(QWidget):
    """Heatmap above, the clicked cell's annotations below (double-click opens one)."""

    open_requested = Signal(str, int, int, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("matrixView")
        self.data: Dataset | None = None
        self.matrix: Matrix | None = None
        self.weights = Weights()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:", self))
        self.raw_button, self.weighted_button = charts.add_weight_toggle(self, bar, "Raw counts", "matrix")
        bar.addStretch(1)
        for label, name, slot in (("PNG…", "matrixExportPng", lambda: self._export_dialog("png")),
                                  ("SVG…", "matrixExportSvg", lambda: self._export_dialog("svg")),
                                  ("CSV…", "matrixExportCsv", lambda: self._export_dialog("csv"))):
            b = QPushButton(f"Export {label}", self)
            b.setObjectName(name)
            b.clicked.connect(slot)
            bar.addWidget(b)
        outer.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical, self)
        self.canvas = MatrixCanvas()
        scroll = QScrollArea(split)
        scroll.setObjectName("matrixScroll")
        scroll.setWidget(self.canvas)
        scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll.setStyleSheet("QScrollArea { background: white; }")
        split.addWidget(scroll)
        lower = QWidget(split)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        self.cell_label = QLabel("Click a cell to list its annotations.", lower)
        self.cell_label.setObjectName("matrixCellLabel")
        lower_layout.addWidget(self.cell_label)
        self.cell_table = QTableWidget(0, 4, lower)
        self.cell_table.setObjectName("matrixCellAnnotations")
        self.cell_table.setHorizontalHeaderLabels(["Stance", "Rating", "Source", "Quote"])
        self.cell_table.verticalHeader().hide()
        self.cell_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cell_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cell_table.setWordWrap(False)
        h = self.cell_table.horizontalHeader()
        h.resizeSection(0, 90)
        h.resizeSection(1, 60)
        h.resizeSection(2, 220)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        lower_layout.addWidget(self.cell_table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setCollapsible(0, False)
        split.setSizes([600, 200])
        self.splitter = split
        outer.addWidget(split, 1)
        self.raw_button.toggled.connect(lambda _: self._rebuild())
        self.canvas.cell_clicked.connect(self.show_cell)
        self.cell_table.cellDoubleClicked.connect(self._open_row)
        self._cell: tuple[str, str] | None = None

    @property
    def weighted(self) -> bool:
        return self.weighted_button.isChecked()

    def set_data(self, data: Dataset, weights: Weights) -> None:
        self.data = data
        self.weights = weights
        self._rebuild()

    def _rebuild(self) -> None:
        if self.data is None:
            return
        self.matrix = actor_theory_matrix(self.data, self.weights)
        self.canvas.set_matrix(self.matrix, self.weighted)
        if self._cell:
            self.show_cell(*self._cell)

    def show_cell(self, actor_id: str, theory_id: str) -> None:
        if self.matrix is None or self.data is None:
            return
        self._cell = (actor_id, theory_id)
        cell = self.matrix.cell(actor_id, theory_id)
        items = {i.id: i for i in self.data.items}
        self.cell_table.setRowCount(0)
        a_name = self.data.actors.get(actor_id, "?")
        t_name = self.data.theories.get(theory_id, "?")
        self.cell_label.setText(f"{a_name} × {t_name}: {cell.total} annotation{'s' if cell.total != 1 else ''} "
                                "(double-click to open)")
        for ann_id in cell.annotation_ids:
            item = items.get(ann_id)
            if item is None:
                continue
            r = self.cell_table.rowCount()
            self.cell_table.insertRow(r)
            stance = item.stances.get(theory_id, "")
            values = (stance, item.rating, item.source_title, " ".join(item.quote.split()))
            for c, v in enumerate(values):
                w = QTableWidgetItem(v)
                w.setData(Qt.ItemDataRole.UserRole, ann_id)
                if c == 0:
                    color = {"supports": charts.SUPPORTS_COLOR, "contradicts": charts.CONTRADICTS_COLOR}.get(stance)
                    if color:
                        w.setForeground(QColor(color))
                if c == 3:
                    w.setToolTip(item.quote[:800])
                self.cell_table.setItem(r, c, w)

    def _open_row(self, row: int, _col: int) -> None:
        ann_id = self.cell_table.item(row, 0).data(Qt.ItemDataRole.UserRole)
        item = next((i for i in self.data.items if i.id == ann_id), None) if self.data else None
        if item is not None:
            self.open_requested.emit(item.source_id, item.start, item.end, item.id)

    # ------------------------------------------------------------ exports
    def title(self) -> str:
        what = "weighted by reliability × credibility" if self.weighted else "raw counts"
        return f"Actors × theories: net support ({what})"

    def render_image(self, scale: float = 2.0) -> QImage:
        layout = MatrixLayout(self.matrix, self.font(), title=True)
        image = QImage(math.ceil(layout.width * scale), math.ceil(layout.height * scale),
                       QImage.Format.Format_ARGB32)
        image.fill(QColor("#ffffff"))
        p = QPainter(image)
        p.scale(scale, scale)
        paint_matrix(p, layout, self.weighted, title=self.title())
        p.end()
        return image

    def export(self, path: str, kind: str) -> None:
        if self.matrix is None:
            raise ExportError("There is no matrix to export yet.")
        if kind == "csv":
            atomic_write_text(path, self.matrix.to_csv(self.weighted))
        elif kind == "png":
            # Encode in memory, then write all-or-nothing: QImage.save(path) would leave a truncated PNG
            # behind on a full disk, and its bare False gives no reason.
            from PySide6.QtCore import QBuffer, QByteArray, QIODevice

            from kzannotate.formats.atomic import atomic_output

            data = QByteArray()
            buffer = QBuffer(data)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            encoded = self.render_image().save(buffer, "PNG")
            buffer.close()
            if not encoded:
                raise ExportError("Could not encode the matrix as a PNG image. Nothing was saved.")
            with atomic_output(path, "wb") as fh:
                fh.write(bytes(data.data()))
        else:
            atomic_write_text(path, self.svg_text())

    def svg_text(self) -> str:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice
        from PySide6.QtSvg import QSvgGenerator

        layout = MatrixLayout(self.matrix, self.font(), title=True)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        gen = QSvgGenerator()
        gen.setOutputDevice(buffer)
        gen.setSize(QSize(math.ceil(layout.width), math.ceil(layout.height)))
        gen.setViewBox(QRectF(0, 0, layout.width, layout.height))
        gen.setTitle(self.title())
        gen.setDescription("kzannotate actor × theory matrix")
        p = QPainter(gen)
        paint_matrix(p, layout, self.weighted, title=self.title())
        p.end()
        buffer.close()
        return bytes(data.data()).decode("utf-8")

    def _export_dialog(self, kind: str) -> None:
        filters = {"png": "PNG images (*.png)", "svg": "SVG drawings (*.svg)", "csv": "CSV files (*.csv)"}
        path, _ = QFileDialog.getSaveFileName(self, "Export the matrix", f"actor-theory-matrix.{kind}",
                                              filters[kind])
        if not path:
            return
        try:
            self.export(path, kind)
        except UserError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
