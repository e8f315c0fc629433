"""The source details dialog (``sourceDialog``): title, author, outlet, date, URL, language, notes and the
source's Admiralty reliability letter. Returns only the fields the user changed, so one OK is one undo step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.models import RELIABILITY_LETTERS, RELIABILITY_NAMES, Source

RELIABILITY_HELP = {
    "A": "No doubt of authenticity, trustworthiness or competency; a history of complete reliability.",
    "B": "Minor doubt about authenticity, trustworthiness or competency; a history of valid information most "
         "of the time.",
    "C": "Doubt of authenticity, trustworthiness or competency, but has provided valid information in the past.",
    "D": "Significant doubt about authenticity, trustworthiness or competency, but has provided valid "
         "information in the past.",
    "E": "Lacking in authenticity, trustworthiness and competency; a history of invalid information.",
    "F": "No basis exists for evaluating the reliability of the source.",
}


class SourceDialog(QDialog):
    def __init__(self, source: Source, annotation_count: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceDialog")
        self.setWindowTitle("Source details")
        self.source = source
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.setSpacing(8)
        for name, label, placeholder in (("title", "Title", ""), ("author", "Author", ""),
                                         ("outlet", "Outlet", "Newspaper, site, channel…"),
                                         ("published", "Date", "YYYY-MM-DD"), ("url", "URL", "https://…"),
                                         ("language", "Language", "e.g. en, ru, kk")):
            edit = QLineEdit(getattr(source, name) or "", self)
            edit.setObjectName(f"source_{name}")
            edit.setPlaceholderText(placeholder)
            self.edits[name] = edit
            form.addRow(label, edit)
        self.edits["title"].setMinimumWidth(460)
        for edit in self.edits.values():
            edit.setCursorPosition(0)  # a long title or URL shows its beginning, not its end
        self.reliability = QComboBox(self)
        self.reliability.setObjectName("sourceReliabilityCombo")
        self.reliability.addItem("Not set", None)
        for letter in RELIABILITY_LETTERS:
            self.reliability.addItem(f"{letter} — {RELIABILITY_NAMES[letter]}", letter)
            self.reliability.setItemData(self.reliability.count() - 1, RELIABILITY_HELP[letter],
                                         Qt.ItemDataRole.ToolTipRole)
        self.reliability.setCurrentIndex(max(0, self.reliability.findData(source.reliability))
                                         if source.reliability else 0)
        self.reliability_help = QLabel(self)
        self.reliability_help.setObjectName("reliabilityHelp")
        self.reliability_help.setWordWrap(True)
        self.reliability_help.setStyleSheet("color: palette(placeholder-text);")
        self.reliability.currentIndexChanged.connect(self._update_help)
        form.addRow("Reliability", self.reliability)
        form.addRow("", self.reliability_help)
        self.notes = QPlainTextEdit(source.notes or "", self)
        self.notes.setObjectName("source_notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(90)
        form.addRow("Notes", self.notes)
        info = QLabel(f"{len(source.text):,} characters · {annotation_count} annotations"
                      + (f" · imported from {source.imported_from}" if source.imported_from else ""), self)
        info.setWordWrap(True)
        info.setStyleSheet("color: palette(placeholder-text);")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(info)
        layout.addWidget(buttons)
        self._update_help()

    def _update_help(self) -> None:
        letter = self.reliability.currentData()
        self.reliability_help.setText(
            (RELIABILITY_HELP[letter] if letter else "Annotations that take their letter from the source show F.")
            + " Annotations without their own letter follow this one.")

    def changes(self) -> dict[str, Any]:
        """Only the fields whose value differs from the source (empty strings mean "not set")."""
        new: dict[str, Any] = {k: e.text().strip() or None for k, e in self.edits.items()}
        new["reliability"] = self.reliability.currentData()
        new["notes"] = self.notes.toPlainText().strip() or None
        return {k: v for k, v in new.items() if v != (getattr(self.source, k) or None)}
