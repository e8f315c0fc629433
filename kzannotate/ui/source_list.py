"""The source list: title, outlet, date, reliability letter, annotation count; sortable and filterable."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.models import RELIABILITY_NAMES, SourceSummary
from kzannotate.ui.table_helpers import install_column_menu, paint_hint

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Title", "Outlet", "Date", "Rel.", "Ann.")
SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2  # the grey second line under the title: outlet · date · length
# Outlet and date are on the title's second line already; their own columns are there for sorting and
# can be shown from the header's context menu.
HIDDEN_BY_DEFAULT = (1, 2)
EMPTY_HINT = "No sources yet.\n\nImport sources with File › Import Sources… (Ctrl+I)."
NO_PROJECT_HINT = "No project is open.\n\nFile › Open Project… (Ctrl+O) or File › New Project… (Ctrl+N)."


def _length(n: int) -> str:
    if n < 1000:
        return f"{n} characters"
    return f"{n / 1000:.1f}k characters" if n < 10_000 else f"{n // 1000:,}k characters"


def detail_line(s: SourceSummary) -> str:
    """What the second line under a title says: outlet · date · author, or that the date is unknown."""
    parts = [p for p in (s.outlet, s.published or "undated", s.author) if p]
    return " · ".join([*parts, _length(s.length)])


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
                letter = s.reliability or ""
                return f"{letter} — {RELIABILITY_NAMES[letter]}" if letter in RELIABILITY_NAMES \
                    else "Reliability not set"
            if col == 4:
                return f"{s.annotation_count} annotations"
            parts = [s.title, " · ".join(p for p in (s.author, s.outlet, s.published) if p)]
            return "\n".join(p for p in parts if p)
        if role == DETAIL_ROLE:
            return detail_line(s)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 4):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == SOURCE_ID_ROLE:
            return s.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{s.title}, {detail_line(s)}, reliability {s.reliability or 'not set'}, " \
                   f"{s.annotation_count} annotations"
        return None


class TitleDelegate(QStyledItemDelegate):
    """The title on the first line, outlet · date · length in grey below: long titles get the whole width
    of the list and the metadata stays visible without three cramped columns."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        detail = QFont(option.font)
        detail.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        return title, detail

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802 (Qt override)
        title, detail = self._fonts(option)
        height = QFontMetrics(title).lineSpacing() + QFontMetrics(detail).lineSpacing() + 12
        return QSize(120, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title_text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active if opt.state & QStyle.StateFlag.State_Active \
            else QPalette.ColorGroup.Inactive
        main = opt.palette.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        grey = main if selected else opt.palette.color(group, QPalette.ColorRole.PlaceholderText)
        title_font, detail_font = self._fonts(opt)
        rect = opt.rect.adjusted(8, 6, -6, -6)
        tm, dm = QFontMetrics(title_font), QFontMetrics(detail_font)
        painter.save()
        painter.setFont(title_font)
        painter.setPen(main)
        top = QRect(rect.left(), rect.top(), rect.width(), tm.lineSpacing())
        painter.drawText(top, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         tm.elidedText(title_text, Qt.TextElideMode.ElideRight, rect.width()))
        painter.setFont(detail_font)
        painter.setPen(grey)
        bottom = QRect(rect.left(), top.bottom() + 1, rect.width(), dm.lineSpacing())
        painter.drawText(bottom, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         dm.elidedText(str(index.data(DETAIL_ROLE) or ""), Qt.TextElideMode.ElideRight,
                                       rect.width()))
        painter.restore()


class SourceTable(QTableView):
    """The table, with a hint drawn in it while it has no rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = NO_PROJECT_HINT

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            paint_hint(self, self.hint)


class SourceListPanel(QWidget):
    """The filter box and the table; emits ``source_activated`` with the source id."""

    source_selected = Signal(str)
    source_edit_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._has_project = False
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
        self.filter.setAccessibleName("Filter sources")
        self.filter.setToolTip("Show only sources whose title, outlet, date or letter contains this text")
        self.filter.textChanged.connect(self._filter_changed)
        self.view = SourceTable(self)
        self.view.setObjectName("sourceList")
        self.view.setAccessibleName("Sources")
        self.view.setAccessibleDescription("Title, outlet and date, reliability letter and number of annotations "
                                           "of each source. Enter or double-click edits the details.")
        self.view.setItemDelegateForColumn(0, TitleDelegate(self.view))
        self.view.setShowGrid(False)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        rows = self.view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one height for all: cheap with many sources
        rows.setDefaultSectionSize(TitleDelegate().sizeHint(self._option(), QModelIndex()).height())
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        metrics = self.view.fontMetrics()
        header.setMinimumSectionSize(metrics.horizontalAdvance("Rel.") + 16)
        self.view.setColumnWidth(1, metrics.horizontalAdvance("Strategic Culture") + 12)
        self.view.setColumnWidth(2, metrics.horizontalAdvance("2022-01-06") + 16)
        self.view.setColumnWidth(3, metrics.horizontalAdvance("Rel.") + 18)
        self.view.setColumnWidth(4, metrics.horizontalAdvance("Ann.") + 18)
        for column in HIDDEN_BY_DEFAULT:
            header.setSectionHidden(column, True)
        self._default_header = header.saveState()
        install_column_menu(header, [("Default Columns", self.reset_columns)])
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.doubleClicked.connect(self._double_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def _option(self) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        option.initFrom(self.view)
        option.font = self.view.font()
        return option

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_hint()

    def _update_hint(self) -> None:
        if self.filter.text() and self.model.rowCount():
            self.view.hint = f"No source matches “{self.filter.text()}”."
        elif self._has_project:
            self.view.hint = EMPTY_HINT
        else:
            self.view.hint = NO_PROJECT_HINT
        self.view.viewport().update()

    # ------------------------------------------------------------- columns
    def reset_columns(self) -> None:
        self.view.horizontalHeader().restoreState(self._default_header)

    def header_state(self) -> QByteArray:
        return self.view.horizontalHeader().saveState()

    def restore_header(self, state: object) -> None:
        """Restore hidden columns and widths saved by ``header_state`` (ignores anything unusable)."""
        if isinstance(state, QByteArray | bytes) and state:
            header = self.view.horizontalHeader()
            if not header.restoreState(QByteArray(state)):
                self.reset_columns()
            header.setSectionHidden(0, False)  # never lose the titles
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    # ------------------------------------------------------------- content
    def set_project_open(self, is_open: bool) -> None:
        """The empty list says what to do next: open a project, or import sources into this one."""
        self._has_project = is_open
        self._update_hint()

    def set_sources(self, rows: list[SourceSummary], keep: str | None = None) -> None:
        blocker = self.view.selectionModel().blockSignals(True)
        self.model.set_sources(rows)
        self.view.selectionModel().blockSignals(blocker)
        self._update_hint()
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
