"""The annotation browser: every annotation across sources, filtered, sorted, exported as shown."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kzannotate.analysis.browser import COLUMNS, BrowserRow, Filters, annotators, browser_rows, rows_to_csv
from kzannotate.analysis.data import Dataset
from kzannotate.formats.atomic import atomic_write_text
from kzannotate.store.errors import UserError
from kzannotate.store.models import CREDIBILITY_NAMES, RELIABILITY_LETTERS, RELIABILITY_NAMES, STANCES

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_ROOT = QModelIndex()


class BrowserModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[BrowserRow] = []
        self._cells: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[BrowserRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._cells = [r.cells() for r in rows]
        self.endResetModel()

    def rowCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        text = self._cells[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text if len(text) <= 160 else text[:159] + "…"
        if role == Qt.ItemDataRole.ToolTipRole:
            if COLUMNS[index.column()] == "Rating":
                return (f"{RELIABILITY_NAMES.get(row.item.reliability, '')}; "
                        f"{CREDIBILITY_NAMES.get(row.item.credibility, '')}")
            return text if len(text) > 40 else None
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            if COLUMNS[index.column()] == "Source":
                return (row.item.source_title.casefold(), row.item.start)
            return text.casefold()
        return None


class BrowserProxy(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.filters = Filters()
        self.setSortRole(SORT_ROLE)

    def set_filters(self, filters: Filters) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10; invalidateFilter is deprecated there
            self.beginFilterChange()
            self.filters = filters
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.filters = filters
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:  # noqa: N802
        model: BrowserModel = self.sourceModel()  # type: ignore[assignment]
        return self.filters.accepts(model.rows[source_row].item)

    def lessThan(self, left, right) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


class AnnotationBrowser(QWidget):
    """Double-click (or Enter) opens the annotation's span in the reader."""

    open_requested = Signal(str, int, int, str)  # source_id, start, end, annotation_id

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationBrowser")
        self.data: Dataset | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.source_box = self._combo("filterSource", "Source")
        self.actor_box = self._combo("filterActor", "Actor")
        self.theory_box = self._combo("filterTheory", "Theory")
        self.stance_box = self._combo("filterStance", "Stance")
        self.reliability_box = self._combo("filterReliability", "Reliability")
        self.credibility_box = self._combo("filterCredibility", "Credibility")
        self.annotator_box = self._combo("filterAnnotator", "Annotator")
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("filterText")
        self.text_edit.setPlaceholderText("Quote or note contains…")
        self.text_edit.setClearButtonEnabled(True)
        cells = [("Source", self.source_box), ("Actor", self.actor_box), ("Theory", self.theory_box),
                 ("Stance", self.stance_box), ("Reliability", self.reliability_box),
                 ("Credibility", self.credibility_box), ("Annotator", self.annotator_box),
                 ("Text", self.text_edit)]
        for n, (label, widget) in enumerate(cells):
            r, c = divmod(n, 4)
            lab = QLabel(label + ":", self)
            lab.setBuddy(widget)
            grid.addWidget(lab, r, c * 2, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(widget, r, c * 2 + 1)
            grid.setColumnStretch(c * 2 + 1, 1)
        outer.addLayout(grid)
        self.model = BrowserModel(self)
        self.proxy = BrowserProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("annotationTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in zip(range(len(COLUMNS)), (170, 390, 160, 230, 56, 76, 110, 86), strict=True):
            header.resizeSection(col, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        outer.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("browserCount")
        bottom.addWidget(self.count_label, 1)
        clear = QPushButton("Clear Filters", self)
        clear.setObjectName("browserClearFilters")
        clear.clicked.connect(self.clear_filters)
        bottom.addWidget(clear)
        self.export_button = QPushButton("Export View as CSV…", self)
        self.export_button.setObjectName("browserExportCsv")
        self.export_button.clicked.connect(self.export_csv_dialog)
        bottom.addWidget(self.export_button)
        outer.addLayout(bottom)
        for box in (self.source_box, self.actor_box, self.theory_box, self.stance_box, self.reliability_box,
                    self.credibility_box, self.annotator_box):
            box.currentIndexChanged.connect(self.apply_filters)
        self.text_edit.textChanged.connect(self.apply_filters)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)

    def _combo(self, name: str, what: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(name)
        box.setAccessibleName(f"Filter by {what.lower()}")
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(10)
        return box

    @staticmethod
    def _fill(box: QComboBox, items: list[tuple[str, object]], all_label: str) -> None:
        keep = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(all_label, None)
        for label, value in items:
            box.addItem(label, value)
            if isinstance(label, str) and len(label) > 30:
                box.setItemData(box.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        i = box.findData(keep) if keep is not None else 0
        box.setCurrentIndex(max(i, 0))
        box.blockSignals(False)

    def set_data(self, data: Dataset) -> None:
        self.data = data
        self._fill(self.source_box, sorted(((s.title, s.id) for s in data.sources.values()),
                                           key=lambda x: x[0].casefold()), "All sources")
        self._fill(self.actor_box, [(data.actors[a], a) for a in data.actor_order()], "All actors")
        self._fill(self.theory_box, [(data.theories[t], t) for t in data.theory_order()], "All theories")
        self._fill(self.stance_box, [(s, s) for s in STANCES], "Any stance")
        self._fill(self.reliability_box, [(f"{k} – {RELIABILITY_NAMES[k]}", k) for k in RELIABILITY_LETTERS],
                   "Any reliability")
        self._fill(self.credibility_box, [(f"{k} – {v}", k) for k, v in CREDIBILITY_NAMES.items()],
                   "Any credibility")
        self._fill(self.annotator_box, [(a, a) for a in annotators(data)], "Any annotator")
        self.model.set_rows(browser_rows(data))
        self.apply_filters()

    def current_filters(self) -> Filters:
        return Filters(source_id=self.source_box.currentData(), actor_id=self.actor_box.currentData(),
                       theory_id=self.theory_box.currentData(), stance=self.stance_box.currentData(),
                       reliability=self.reliability_box.currentData(),
                       credibility=self.credibility_box.currentData(),
                       annotator=self.annotator_box.currentData(), text=self.text_edit.text().strip())

    def apply_filters(self) -> None:
        self.proxy.set_filters(self.current_filters())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {total} annotations" if shown != total else
                                 f"{total} annotation{'s' if total != 1 else ''}")

    def clear_filters(self) -> None:
        for box in (self.source_box, self.actor_box, self.theory_box, self.stance_box, self.reliability_box,
                    self.credibility_box, self.annotator_box):
            box.setCurrentIndex(0)
        self.text_edit.clear()

    def visible_rows(self) -> list[BrowserRow]:
        """The rows in the order and with the filters currently shown."""
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in range(self.proxy.rowCount())]

    def export_csv(self, path: str) -> int:
        rows = self.visible_rows()
        atomic_write_text(path, rows_to_csv(rows))
        return len(rows)

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export annotations as CSV", "annotations.csv",
                                              "CSV files (*.csv)")
        if not path:
            return
        try:
            n = self.export_csv(path)
        except UserError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        self.count_label.setText(f"Exported {n} annotations to {path}")

    def _open(self, index) -> None:
        row: BrowserRow | None = index.data(ROW_ROLE)
        if row is not None:
            self.open_requested.emit(row.item.source_id, row.item.start, row.item.end, row.item.id)
