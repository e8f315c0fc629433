"""Edit › Preferences…: the annotator's name and the size limit for imported files.

Both live in the window's QSettings: ``annotator`` (asked once on the first annotation when unset; an
empty string means "anonymous") and ``import/max_mb`` (default 50, the same default as the CLI's
``--max-mb``), which File › Import Sources… uses.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from kzannotate.ui.main_window import MainWindow

IMPORT_LIMIT_KEY = "import/max_mb"
DEFAULT_IMPORT_MB = 50.0
MAX_IMPORT_MB = 2048.0  # a text source of 2 GB is beyond what the reader can show anyway


def import_limit_mb(settings: QSettings) -> float:
    """The import size limit in MB from the settings; the default where missing or unreadable."""
    try:
        value = float(settings.value(IMPORT_LIMIT_KEY, DEFAULT_IMPORT_MB))
    except (TypeError, ValueError):
        return DEFAULT_IMPORT_MB
    if not math.isfinite(value) or value <= 0:
        return DEFAULT_IMPORT_MB
    return min(value, MAX_IMPORT_MB)


def import_limit_bytes(settings: QSettings) -> int:
    return int(import_limit_mb(settings) * 1024 * 1024)


class PreferencesDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.settings = settings

        self.annotator_edit = QLineEdit(self)
        self.annotator_edit.setObjectName("annotatorEdit")
        self.annotator_edit.setAccessibleName("Annotator name")
        self.annotator_edit.setPlaceholderText("anonymous")
        stored = settings.value("annotator")
        self.annotator_edit.setText(stored if isinstance(stored, str) else "")
        self.annotator_edit.setMinimumWidth(260)

        self.limit_spin = QDoubleSpinBox(self)
        self.limit_spin.setObjectName("importLimitSpin")
        self.limit_spin.setAccessibleName("Import size limit")
        self.limit_spin.setDecimals(0)
        self.limit_spin.setRange(1, MAX_IMPORT_MB)
        self.limit_spin.setSuffix(" MB")
        self.limit_spin.setValue(import_limit_mb(settings))

        hint = QLabel("New annotations are signed with this name. Files larger than the limit are refused "
                      "by File › Import Sources… (very large texts make the reader slow).", self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")

        form = QFormLayout()
        form.addRow("&Annotator name", self.annotator_edit)
        form.addRow("&Import size limit", self.limit_spin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.setObjectName("preferencesButtons")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def save(self) -> None:
        """Write the values to the settings (an empty name stays unasked until it was set once)."""
        name = " ".join(self.annotator_edit.text().split())
        if name or self.settings.value("annotator") is not None:
            self.settings.setValue("annotator", name)
        self.settings.setValue(IMPORT_LIMIT_KEY, float(self.limit_spin.value()))


def exec_dialog(dialog: PreferencesDialog) -> bool:
    """Run the dialog (tests replace this function)."""
    return bool(dialog.exec())


class Preferences(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.actions["preferences"].triggered.connect(self.show_dialog)

    def show_dialog(self) -> None:
        dialog = PreferencesDialog(self.window.settings, self.window)
        try:
            if not exec_dialog(dialog):
                return
            dialog.save()
        finally:
            dialog.deleteLater()
        name = self.window.settings.value("annotator")
        annotating = getattr(self.window, "annotating", None)
        if annotating is not None:
            annotating.panel.set_annotator(name if isinstance(name, str) and name else None)
        self.window.statusBar().showMessage("Preferences saved", 3000)


def install(window: MainWindow) -> Preferences:
    return Preferences(window)
