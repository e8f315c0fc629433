"""Never lose work: a backup whenever a project is opened, File › Restore from Backup…, and a clear
choice (read-only or cancel) when a project is already open in another window or program.

Backups run on a worker thread with their own read-only connection (kzannotate.store.backup), so opening
a large project never waits for the copy. Restoring never destroys data: a backup is either copied to a
new file, or replaces the project only after the current state was itself backed up.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kzannotate import paths
from kzannotate.store import Project, backup
from kzannotate.store.errors import ProjectLockedError, ReadOnlyError, UserError

if TYPE_CHECKING:
    from kzannotate.ui.main_window import MainWindow

log = logging.getLogger("kzannotate")


# ------------------------------------------------------------- opening safely
def ask_read_only(parent: QWidget | None, message: str) -> bool:
    """Ask whether to open a project that is in use elsewhere read-only (module function: tests stub it)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Cannot open for writing", message, QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("projectInUseBox")
    box.setInformativeText("You can open it read-only to read, search and export; nothing will be changed.")
    read_only = box.addButton("Open Read-Only", QMessageBox.ButtonRole.AcceptRole)
    read_only.setObjectName("openReadOnlyButton")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is read_only


def open_project_interactive(parent: QWidget | None, path: Path | None) -> Project | None:
    """Open ``path`` (None: the default sample project) for writing; if another window or program has it,
    or the file or folder cannot be written, offer read-only. Returns None when the user cancels; other ``UserError``s propagate for the caller."""
    from kzannotate.setup_project import open_default_project

    try:
        return Project.open(path) if path is not None else open_default_project()
    except (ProjectLockedError, ReadOnlyError) as exc:  # in use elsewhere, or a read-only file/folder
        if not ask_read_only(parent, str(exc)):
            return None
        return Project.open(path if path is not None else paths.default_project_path(), read_only=True)


# --------------------------------------------------------------- the dialog
def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


def ask_restore_target(parent: QWidget, suggested: Path) -> str:
    return QFileDialog.getSaveFileName(parent, "Save the restored project as", str(suggested),
                                       "kzannotate projects (*.kza)")[0]


def confirm_replace(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, "Replace the current project?", text)
    return answer == QMessageBox.StandardButton.Yes


class RestoreBackupDialog(QDialog):
    """Lists a project's backups (newest first) and restores the chosen one."""

    def __init__(self, window: MainWindow, feature: Robustness) -> None:
        super().__init__(window)
        self.setObjectName("restoreBackupDialog")
        self.setWindowTitle("Restore from Backup")
        self.window_ = window
        self.feature = feature
        self.project_path = window.project.path if window.project else None
        layout = QVBoxLayout(self)
        intro = QLabel(self)
        intro.setObjectName("restoreIntro")
        intro.setWordWrap(True)
        intro.setText(
            "kzannotate copies a project each time it is opened and keeps the copies of the last day and one "
            "per day for a week. Restore a copy as a new project file, or replace the current project with it "
            "(its present state is backed up first, so this can be undone too).")
        layout.addWidget(intro)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("backupTable")
        self.table.setHorizontalHeaderLabels(["Saved", "Size", "Annotations"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Backups")
        layout.addWidget(self.table)
        self.folder_label = QLabel(self)
        self.folder_label.setObjectName("backupFolderLabel")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        layout.addWidget(self.folder_label)
        buttons = QDialogButtonBox(self)
        self.backup_now_button = QPushButton("Back Up &Now", self)
        self.backup_now_button.setObjectName("backupNowButton")
        self.as_new_button = QPushButton("Restore as &New Project…", self)
        self.as_new_button.setObjectName("restoreAsNewButton")
        self.replace_button = QPushButton("&Replace Current Project…", self)
        self.replace_button.setObjectName("restoreReplaceButton")
        buttons.addButton(self.backup_now_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.as_new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.replace_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("closeButton")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.backup_now_button.clicked.connect(self.backup_now)
        self.as_new_button.clicked.connect(self.restore_as_new)
        self.replace_button.clicked.connect(self.replace_current)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.resize(620, 420)
        self.backups: list[backup.BackupInfo] = []
        self.refresh()

    def refresh(self) -> None:
        self.backups = backup.list_backups(self.project_path) if self.project_path else []
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            count = "damaged" if info.annotation_count is None else f"{info.annotation_count:,}"
            cells = (info.label, _size(info.size), count)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
        if self.backups:
            self.table.selectRow(0)
        folder = backup.backup_folder(self.project_path) if self.project_path else None
        self.folder_label.setText(f"Backups are kept in {folder}" if self.backups else
                                  "There are no backups of this project yet.")
        self._update_buttons()

    def selected(self) -> backup.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected()
        usable = chosen is not None and chosen.annotation_count is not None
        self.as_new_button.setEnabled(usable)
        project = self.window_.project
        self.replace_button.setEnabled(usable and project is not None and not project.read_only)
        self.backup_now_button.setEnabled(project is not None)

    def backup_now(self) -> None:
        if self.project_path is None:
            return
        try:
            backup.create_backup(self.project_path)
        except UserError as exc:
            QMessageBox.warning(self, "Backup failed", str(exc))
        self.refresh()

    def restore_as_new(self) -> None:
        chosen = self.selected()
        if chosen is None or self.project_path is None:
            return
        stem = self.project_path.stem
        suggested = self.project_path.with_name(f"{stem} (restored {chosen.created:%Y-%m-%d %H-%M}).kza")
        target = ask_restore_target(self, suggested)
        if not target:
            return
        target_path = Path(target)
        if target_path.suffix.lower() != ".kza":
            target_path = target_path.with_name(target_path.name + ".kza")
        try:
            backup.restore_to_new_file(chosen.path, target_path)
            project = Project.open(target_path)
        except UserError as exc:
            QMessageBox.warning(self, "Cannot restore", str(exc))
            return
        self.accept()
        self.window_.set_project(project)
        self.window_.statusBar().showMessage(f"Restored the backup of {chosen.label} as {target_path.name}",
                                             8000)

    def replace_current(self) -> None:
        chosen = self.selected()
        window = self.window_
        if chosen is None or window.project is None or window.project.read_only:
            return
        path = window.project.path
        if not confirm_replace(self, f"Replace {path.name} with the backup of {chosen.label}?\n\n"
                                     "Its current state is backed up first and stays in this list."):
            return
        window.set_project(None)  # releases the lock
        error: UserError | None = None
        try:
            backup.restore_in_place(chosen.path, path)
        except UserError as exc:
            error = exc
        try:
            window.set_project(Project.open(path))
        except UserError as exc:
            error = error or exc
        if error is not None:
            QMessageBox.warning(self, "Cannot restore", f"{error}\n\nThe project was not changed.")
            self.refresh()
            return
        self.accept()
        window.statusBar().showMessage(f"Restored the backup of {chosen.label}; the previous state was "
                                       "backed up first.", 8000)


# ----------------------------------------------------------------- feature
class _Relay(QObject):
    """Carries a finished backup from the worker thread to the GUI thread."""

    finished = Signal(object, object)


class Robustness:
    """The installed feature: backups on open, the restore dialog."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.backup_thread: threading.Thread | None = None
        self.last_backup: Path | None = None
        self.last_error: BaseException | None = None
        self._relay = _Relay(window)
        self._relay.finished.connect(self._backup_finished)
        window.actions["restore_backup"].triggered.connect(self.show_restore_dialog)
        window.actions["restore_backup"].setEnabled(False)

    def project_changed(self) -> None:
        project = self.window.project
        self.window.actions["restore_backup"].setEnabled(project is not None)
        if project is None:
            return
        relay = self._relay

        def done(result: Path | None, error: BaseException | None) -> None:
            with contextlib.suppress(RuntimeError):  # the window may have been closed meanwhile
                relay.finished.emit(result, error)

        self.wait_for_backup()
        self.backup_thread = backup.backup_in_background(project.path, done)

    def wait_for_backup(self, timeout: float = 30.0) -> None:
        """Let a running backup finish (before closing, or in tests)."""
        if self.backup_thread is not None:
            self.backup_thread.join(timeout)

    def _backup_finished(self, result: Path | None, error: BaseException | None) -> None:
        self.last_error = error
        if error is not None:
            log.warning("Backup failed: %s", error)
            self.window.statusBar().showMessage(f"Backup failed: {error}", 10000)
        elif result is not None:
            self.last_backup = result

    def save_layout(self) -> None:  # called when the window closes
        self.wait_for_backup(10.0)

    def show_restore_dialog(self) -> RestoreBackupDialog | None:
        if self.window.project is None:
            return None
        self.wait_for_backup()
        dialog = RestoreBackupDialog(self.window, self)
        dialog.open()
        return dialog


def install(window: MainWindow) -> Robustness:
    return Robustness(window)
