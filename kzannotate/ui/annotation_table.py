"""The open source's annotations in text order, below the reader (``annotationTable``).

The model is updated row by row from store changes (insert, replace, remove), never rebuilt for one edit:
a source may carry tens of thousands of annotations.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTableView, QWidget

from kzannotate.store.models import Annotation
from kzannotate.ui.annotation_panel import swatch
from kzannotate.ui.table_helpers import install_column_menu, paint_hint

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Quote", "Actors", "Theories", "Rating", "Note", "Annotator")
ANNOTATION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STANCE_MARK = {"supports": "+", "contradicts": "−", "neutral": "○"}
# Share of the width each column gets until the user drags a column edge: the quote is what one scans.
COLUMN_WEIGHTS = (5.0, 2.0, 3.0, 0.0, 1.6, 0.6)  # rating: just its heading, wide enough for "C3"
EMPTY_HINT = ("No annotations in this source yet. Select a passage in the text, tick actors and theories "
              "on the right, and press Annotate (Ctrl+Return).")


def _one_line(text: str | None, n: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


class AnnotationTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Annotation] = []
        self._keys: list[tuple[int, int, str]] = []
        self._by_id: dict[str, tuple[int, int, str]] = {}
        self.actor_names: dict[str, str] = {}
        self.theory_names: dict[str, str] = {}
        self.source_letter: str | None = None
        self.color_for: Callable[[str], str] | None = None

    @staticmethod
    def _key(ann: Annotation) -> tuple[int, int, str]:
        return (ann.start, ann.end, ann.id)

    def set_annotations(self, rows: list[Annotation]) -> None:
        self.beginResetModel()
        self.rows = sorted(rows, key=self._key)
        self._keys = [self._key(a) for a in self.rows]
        self._by_id = {a.id: k for a, k in zip(self.rows, self._keys, strict=True)}
        self.endResetModel()

    def row_of(self, annotation_id: str) -> int:
        key = self._by_id.get(annotation_id)
        if key is None:
            return -1
        i = bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else -1

    def apply(self, changed: list[Annotation], removed: list[str]) -> None:
        """Insert or replace ``changed`` and drop ``removed`` (ids), keeping text order (bisect, no scan)."""
        for ann_id in [*removed, *(a.id for a in changed)]:
            i = self.row_of(ann_id)
            if i < 0:
                continue
            self.beginRemoveRows(QModelIndex(), i, i)
            del self.rows[i]
            del self._keys[i]
            del self._by_id[ann_id]
            self.endRemoveRows()
        for ann in changed:
            key = self._key(ann)
            i = bisect_left(self._keys, key)
            self.beginInsertRows(QModelIndex(), i, i)
            self.rows.insert(i, ann)
            self._keys.insert(i, key)
            self._by_id[ann.id] = key
            self.endInsertRows()

    def names_changed(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("The annotated passage", "Actors linked", "Theories with stance (+ supports, − contradicts, "
                    "○ neutral)", "Admiralty rating: reliability letter and credibility digit", "Note",
                    "Who made the annotation")[section]
        return None

    def _actors(self, ann: Annotation) -> str:
        return "; ".join(sorted(self.actor_names.get(a, "?") for a in ann.actor_ids))

    def _theories(self, ann: Annotation) -> str:
        return "; ".join(sorted(f"{self.theory_names.get(t, '?')} {STANCE_MARK.get(s, '')}"
                                for t, s in ann.theories))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        ann = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return _one_line(ann.quote, 120)
            if col == 1:
                return self._actors(ann)
            if col == 2:
                return self._theories(ann)
            if col == 3:
                return ann.rating(self.source_letter)
            if col == 4:
                return _one_line(ann.note, 120)
            return ann.annotator or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 0:
                return ann.quote if len(ann.quote) < 1500 else ann.quote[:1500] + "…"
            if col == 3:
                own = "own letter" if ann.reliability else "letter from the source"
                return f"Reliability {ann.effective_reliability(self.source_letter)} ({own}), " \
                       f"credibility {ann.credibility}"
            if col == 4:
                return ann.note or None
            if col in (1, 2):
                return self.data(index, Qt.ItemDataRole.DisplayRole) or None
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and self.color_for is not None:
            return swatch(self.color_for(ann.id), 10)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == ANNOTATION_ID_ROLE:
            return ann.id
        return None


class AnnotationTable(QTableView):
    annotation_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationTable")
        self.setAccessibleName("Annotations of this source")
        self.table_model = AnnotationTableModel(self)
        self.setModel(self.table_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # cheap with 20,000 rows
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # columns share the width (fit_columns): a horizontal scroll bar would only hide the last one
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Rating") + 14)
        self._fitting = False
        self._user_sized = False  # once the user drags a column edge, widths are theirs
        header.sectionResized.connect(self._section_resized)
        self._fitted_width = -1
        self._default_header = header.saveState()
        install_column_menu(header, [("Default Columns", self.reset_columns)], self.fit_columns)
        self.hint = ""
        self.clicked.connect(self._activated)
        self.activated.connect(self._activated)

    # ------------------------------------------------------------ columns
    def fit_columns(self) -> None:
        """Share the width among the visible columns: each gets room for its heading, the rest goes by
        COLUMN_WEIGHTS (the quote most), so nothing needs a horizontal scroll bar."""
        header = self.horizontalHeader()
        width = self.viewport().width()
        if width <= 0:
            return
        metrics = header.fontMetrics()
        shown = [c for c in range(len(COLUMNS)) if not header.isSectionHidden(c)]
        least = {c: metrics.horizontalAdvance(COLUMNS[c]) + 24 for c in shown}
        total = sum(COLUMN_WEIGHTS[c] for c in shown) or 1.0
        extra = max(0, width - sum(least.values()))
        sizes = {c: least[c] + int(extra * COLUMN_WEIGHTS[c] / total) for c in shown}
        if shown:
            sizes[shown[-1]] += max(0, width - sum(sizes.values()))  # rounding leftovers
        self._fitting = True
        self._fitted_width = width
        try:
            for c in shown:
                self.setColumnWidth(c, sizes[c])
        finally:
            self._fitting = False

    def _section_resized(self, _index: int, _old: int, _new: int) -> None:
        # a drag on a column edge (mouse held on the header): from now on the widths are the user's
        if (not self._fitting and self.isVisible() and self.horizontalHeader().underMouse()
                and QApplication.mouseButtons() & Qt.MouseButton.LeftButton):
            self._user_sized = True

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if not self._user_sized:
            self.fit_columns()

    def updateGeometries(self) -> None:  # noqa: N802 (Qt override)
        """Rows arriving or leaving may show or hide the vertical scroll bar: refit to the new width."""
        super().updateGeometries()
        if getattr(self, "_fitted_width", None) is None:
            return  # still being built
        if not self._user_sized and not self._fitting and self.viewport().width() != self._fitted_width:
            self.fit_columns()

    def reset_columns(self) -> None:
        self.horizontalHeader().restoreState(self._default_header)
        self._user_sized = False
        self.fit_columns()

    def header_state(self) -> str:
        """The hidden columns, e.g. "4,5" (widths are not kept: they follow the width of the table)."""
        header = self.horizontalHeader()
        return ",".join(str(c) for c in range(1, len(COLUMNS)) if header.isSectionHidden(c))

    def restore_header(self, state: object) -> None:
        if not isinstance(state, str):
            return
        hidden = {int(p) for p in state.split(",") if p.strip().isdigit()}
        header = self.horizontalHeader()
        for c in range(1, len(COLUMNS)):
            header.setSectionHidden(c, c in hidden)
        self.fit_columns()

    # ------------------------------------------------------------ empty state
    def set_source_open(self, is_open: bool) -> None:
        """With a source open and no annotations yet, the empty table says how to make one."""
        self.hint = EMPTY_HINT if is_open else ""
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if self.hint and self.table_model.rowCount() == 0:
            paint_hint(self, self.hint)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.annotation_activated.emit(index.data(ANNOTATION_ID_ROLE))

    def select_annotation(self, annotation_id: str | None) -> None:
        """Highlight the row without emitting ``annotation_activated``."""
        sm = self.selectionModel()
        blocked = sm.blockSignals(True)
        try:
            row = self.table_model.row_of(annotation_id) if annotation_id else -1
            if row < 0:
                self.clearSelection()
                return
            index = self.table_model.index(row, 0)
            self.setCurrentIndex(index)
            self.scrollTo(index)
        finally:
            sm.blockSignals(blocked)
        self.viewport().update()
