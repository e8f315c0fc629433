"""The source list: title, outlet, date, reliability letter, annotation count; sortable and filterable."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from kzannotate.store.models import RELIABILITY_NAMES, SourceSummary

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Title", "Outlet", "Date", "Rel.", "Ann.")
SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class SourceListModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SourceSummary] = []

    def set_sources(self, rows: list[SourceSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_of(self, source_id: str) -> int:
        for i, row in enumerate(self._rows):
            if row.id == source_id:
                return i
        return -1

    def update_counts(self, project: Any, source_ids: tuple[str, ...]) -> None:
        """Refresh only the annotation counts of some sources (after annotation edits)."""
        for source_id in source_ids:
            row = self.row_of(source_id)
            if row < 0:
                continue
            count = project.conn.execute("SELECT count(*) FROM annotations WHERE source_id = ?",
                                         (source_id,)).fetchone()[0]
            if count != self._rows[row].annotation_count:
                self._rows[row] = replace(self._rows[row], annotation_count=count)
                index = self.index(row, len(COLUMNS) - 1)
                self.dataChanged.emit(index, index)

    def summary(self, row: int) -> SourceSummary:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("Title", "Outlet", "Publication date", "Source reliability (Admiralty A–F)",
                    "Number of annotations")[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (s.title, s.outlet or "", s.published or "", s.reliability or "", s.annotation_count)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 3:
                return RELIABILITY_NAMES.get(s.reliability or "", "Reliability not set")
            parts = [s.title, " · ".join(p for p in (s.author, s.outlet, s.published) if p)]
            return "\n".join(p for p in parts if p)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 4):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == SOURCE_ID_ROLE:
            return s.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{s.title}, {s.annotation_count} annotations"
        return None


class SourceListPanel(QWidget):
    """The filter box and the table; emits ``source_activated`` with the source id."""

    source_selected = Signal(str)
    source_edit_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SourceListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("sourceFilter")
        self.filter.setPlaceholderText("Filter sources…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTableView(self)
        self.view.setObjectName("sourceList")
        self.view.setAccessibleName("Sources")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        header.setMinimumSectionSize(30)
        self.view.setColumnWidth(1, 78)
        self.view.setColumnWidth(3, 34)
        self.view.setColumnWidth(4, 40)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.doubleClicked.connect(self._double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def set_sources(self, rows: list[SourceSummary], keep: str | None = None) -> None:
        blocker = self.view.selectionModel().blockSignals(True)
        self.model.set_sources(rows)
        self.view.selectionModel().blockSignals(blocker)
        if keep:
            self.select(keep, emit=False)

    def select(self, source_id: str, emit: bool = True) -> None:
        row = self.model.row_of(source_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # hidden by the filter: clear it so the open source is visible
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        sm = self.view.selectionModel()
        blocked = sm.blockSignals(not emit)
        self.view.setCurrentIndex(index)
        sm.blockSignals(blocked)
        self.view.scrollTo(index)

    def current_id(self) -> str | None:
        index = self.view.currentIndex()
        return index.data(SOURCE_ID_ROLE) if index.isValid() else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.source_selected.emit(current.data(SOURCE_ID_ROLE))

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.source_edit_requested.emit(index.data(SOURCE_ID_ROLE))
