"""Find in the open source: a bar under the reader, every hit highlighted, F3 / Shift+F3 to step."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from kzannotate.store.search import find_literal
from kzannotate.ui.source_view import OverlaySpan

MAX_MARKED = 5000  # more hits than this are counted, not all painted


class FindBar(QWidget):
    """Literal, case-insensitive (unless asked) find; offsets are code points like everything else."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("findBar")
        self.window_ = window
        self.hits: list[tuple[int, int]] = []
        self.current = -1
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(6)
        layout.addWidget(QLabel("Find:", self))
        self.edit = QLineEdit(self)
        self.edit.setObjectName("findEdit")
        self.edit.setPlaceholderText("Text in this source")
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName("Find in source")
        layout.addWidget(self.edit, 1)
        self.prev_button = QToolButton(self)
        self.prev_button.setObjectName("findPrevious")
        self.prev_button.setArrowType(Qt.ArrowType.UpArrow)
        self.prev_button.setToolTip("Previous hit (Shift+F3)")
        self.next_button = QToolButton(self)
        self.next_button.setObjectName("findNext")
        self.next_button.setArrowType(Qt.ArrowType.DownArrow)
        self.next_button.setToolTip("Next hit (F3, Enter)")
        layout.addWidget(self.prev_button)
        layout.addWidget(self.next_button)
        self.case = QCheckBox("Match case", self)
        self.case.setObjectName("findMatchCase")
        layout.addWidget(self.case)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("findCount")
        self.count_label.setMinimumWidth(110)
        layout.addWidget(self.count_label)
        close = QToolButton(self)
        close.setObjectName("findClose")
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Close (Esc)")
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.refresh)
        self.edit.textChanged.connect(lambda _: self._timer.start())
        self.case.toggled.connect(lambda _: self.refresh())
        self.edit.returnPressed.connect(self.find_next)
        self.next_button.clicked.connect(self.find_next)
        self.prev_button.clicked.connect(self.find_previous)
        close.clicked.connect(self.close_bar)
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        esc.activated.connect(self.close_bar)
        self.hide()

    @property
    def view(self):
        return self.window_.source_view

    def open_bar(self) -> None:
        """Ctrl+F: show, take the reader's selection as the needle if there is one, select the field."""
        selected = self.view.textCursor().selectedText()
        if selected and "\u2029" not in selected and len(selected) < 200:
            self.edit.setText(selected)
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()
        self.refresh()

    def close_bar(self) -> None:
        self.hide()
        self.hits = []
        self.current = -1
        self.view.set_overlay("find", [])
        self.view.setFocus()

    def refresh(self) -> None:
        """Recompute every hit for the current text and needle, repaint the overlay."""
        needle = self.edit.text()
        text = self.view.text
        self.hits = find_literal(text, needle, case_sensitive=self.case.isChecked()) if self.isVisible() else []
        self.view.set_overlay("find", [OverlaySpan(s, e, style="find", tooltip="Find hit")
                                       for s, e in self.hits[:MAX_MARKED]])
        self.current = -1  # no current hit: the next step starts from the reader's cursor, as editors do
        self._update_label()

    def _update_label(self) -> None:
        if not self.edit.text():
            self.count_label.setText("")
        elif not self.hits:
            self.count_label.setText("No matches")
        elif self.current < 0:
            self.count_label.setText(f"{len(self.hits)} matches")
        else:
            self.count_label.setText(f"{self.current + 1} of {len(self.hits)}")
        self.edit.setProperty("notFound", bool(self.edit.text()) and not self.hits)
        self.edit.setStyleSheet("QLineEdit { background: #fde2e1; }" if self.edit.property("notFound") else "")

    def source_shown(self) -> None:
        if self.isVisible():
            self.refresh()

    def find_next(self) -> None:
        self._step(+1)

    def find_previous(self) -> None:
        self._step(-1)

    def _step(self, direction: int) -> None:
        if not self.isVisible():
            self.open_bar()
            if not self.edit.text():
                return
        if not self.hits:
            self.refresh()
        if not self.hits:
            return
        if self.current < 0:
            pos = self.view.offsets.to_cp(self.view.textCursor().selectionStart())
            if direction > 0:
                self.current = bisect_left([s for s, _ in self.hits], pos) % len(self.hits)
            else:
                self.current = (bisect_right([e for _, e in self.hits], pos) - 1) % len(self.hits)
        else:
            self.current = (self.current + direction) % len(self.hits)
        start, end = self.hits[self.current]
        select_span(self.view, start, end)
        self._update_label()


def select_span(view, start: int, end: int) -> None:
    """Select code points ``start``–``end`` in the reader and scroll them into the middle of the view."""
    cursor = view.textCursor()
    cursor.setPosition(view.offsets.to_utf16(start))
    cursor.setPosition(view.offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    view.centerCursor()
