"""Full-text search across all sources: a dock listing hits as a keyword-in-context concordance."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.search import SearchHit, search

HIT_ROLE = Qt.ItemDataRole.UserRole + 1


class _ElideLeft(QStyledItemDelegate):
    """The left context is cut on its left, so the words nearest the match stay visible."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 (Qt override)
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft


class SearchPanel(QDockWidget):
    """Type, press Enter (or pause): hits appear aligned on the match; click one to open it in the reader."""

    def __init__(self, window, open_span) -> None:
        super().__init__("Search All Sources", window)
        self.setObjectName("searchPanel")
        self.window_ = window
        self.open_span = open_span
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        self.edit = QLineEdit(body)
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText('Words, "a phrase", or prefix*')
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName("Search all sources")
        self.edit.setToolTip('All words must occur in a source. "Quotes" keep a phrase together; a word\n'
                             'ending in * matches any word starting with it. Everything else is literal.')
        layout.addWidget(self.edit)
        self.summary = QLabel(body)
        self.summary.setObjectName("searchSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels(["Source", "", "Match", ""])
        self.view = QTreeView(body)
        self.view.setObjectName("searchResults")
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setItemDelegateForColumn(1, _ElideLeft(self.view))
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(0, 170)
        header.resizeSection(1, 250)
        layout.addWidget(self.view, 1)
        self.setWidget(body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.run)
        self.edit.textChanged.connect(lambda _: self._timer.start())
        self.edit.returnPressed.connect(self.run)
        self.view.activated.connect(self._open)
        self.view.clicked.connect(self._open)
        self.hits: list[SearchHit] = []

    def focus_search(self) -> None:
        self.show()
        self.raise_()
        self.edit.setFocus()
        self.edit.selectAll()

    def run(self) -> None:
        self._timer.stop()
        self.model.removeRows(0, self.model.rowCount())
        project = self.window_.project
        text = self.edit.text()
        if project is None or not text.strip():
            self.hits = []
            self.summary.setText("")
            return
        result = search(project, text)
        self.hits = result.hits
        bold = QFont(self.view.font())
        bold.setBold(True)
        for hit in result.hits:
            title = QStandardItem(hit.title)
            title.setToolTip(f"{hit.title}\ncharacters {hit.start}–{hit.end}")
            left = QStandardItem(hit.left)
            left.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            match = QStandardItem(hit.match)
            match.setFont(bold)
            right = QStandardItem(hit.right)
            for item in (title, left, match, right):
                item.setData(hit, HIT_ROLE)
                item.setToolTip(title.toolTip() + "\n\n" + hit.snippet)
            self.model.appendRow([title, left, match, right])
        for source_id, title_text in result.title_only:
            item = QStandardItem(title_text)
            item.setData(SearchHit(source_id, title_text, 0, 0, "", "", ""), HIT_ROLE)
            note = QStandardItem("(matches the title)")
            note.setData(item.data(HIT_ROLE), HIT_ROLE)
            self.model.appendRow([item, QStandardItem(""), note, QStandardItem("")])
        n = len(result.hits)
        sources = len({h.source_id for h in result.hits})
        if result.query.empty:
            msg = "Nothing to search for."
        elif not n and not result.title_only:
            msg = "No matches."
        else:
            msg = f"{n} hit{'s' if n != 1 else ''} in {sources} source{'s' if sources != 1 else ''}"
            if result.title_only:
                msg += f", {len(result.title_only)} more by title"
        if result.truncated:
            msg += " (query shortened to 1000 characters)"
        self.summary.setText(msg)

    def _open(self, index) -> None:
        hit: SearchHit | None = index.data(HIT_ROLE)
        if hit is None:
            return
        if hit.end > hit.start:
            self.open_span(hit.source_id, hit.start, hit.end)
        else:
            self.window_.show_source(hit.source_id)

    def project_changed(self) -> None:
        self.run()
