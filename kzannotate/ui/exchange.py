"""File › Export…, File › Import REFI-QDA Project…, File › Merge Project….

Exports run on a worker thread with their own read-only connection to the project file (WAL readers
never block the window), behind a cancellable progress dialog that appears after half a second.
Cancelling or failing leaves nothing behind: every format writes through ``atomic_output``.
Import and merge are one transaction each and one undo step.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kzannotate.formats.common import ExportCancelled, Scope
from kzannotate.formats.exports import FORMATS, ExportResult, run_export
from kzannotate.store import Project
from kzannotate.store.errors import UserError

if TYPE_CHECKING:
    from kzannotate.ui.main_window import MainWindow

PROGRESS_DELAY_MS = 500


class ExportJob:
    """One export on a worker thread; ``progress`` and ``cancel`` are safe to use from the GUI thread."""

    def __init__(self, project_path: Path, fmt: str, target: Path, scope: Scope, bom: bool) -> None:
        self.args = (project_path, fmt, target, scope, bom)
        self.done = threading.Event()
        self.cancelled = threading.Event()
        self.value = (0, 0)
        self.result: ExportResult | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="kzannotate-export", daemon=True)

    def _progress(self, done: int, total: int) -> bool:
        self.value = (done, total)
        return not self.cancelled.is_set()

    def _run(self) -> None:
        project_path, fmt, target, scope, bom = self.args
        try:
            with Project.open(project_path, read_only=True) as project:
                self.result = run_export(project, fmt, target, scope=scope, progress=self._progress, bom=bom)
        except BaseException as exc:  # handed to the GUI thread
            self.error = exc
        finally:
            self.done.set()

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.cancelled.set()


def run_with_progress(parent: QWidget, job: ExportJob, label: str) -> ExportResult | None:
    """Start ``job``; show a cancellable progress dialog if it takes longer than half a second.

    Returns the result, None if cancelled; raises the job's error.
    """
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setObjectName("exportProgress")
    dialog.setWindowTitle("Exporting")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(job.cancel)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(30)

    def poll() -> None:
        if dialog.wasCanceled():
            job.cancel()
        done, total = job.value
        if total:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if job.done.is_set():
            loop.quit()

    timer.timeout.connect(poll)
    job.start()
    dialog.setValue(0)
    timer.start()
    if not job.done.is_set():
        loop.exec()
    timer.stop()
    job.thread.join()
    dialog.close()
    dialog.deleteLater()
    if isinstance(job.error, ExportCancelled):
        return None
    if job.error is not None:
        raise job.error
    return job.result


class ExportDialog(QDialog):
    """Format, scope (all sources / chosen sources / one annotator), destination, CSV BOM."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.setMinimumWidth(560)
        project = window.project
        assert project is not None
        settings = window.settings

        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("exportFormat")
        for key, spec in FORMATS.items():
            self.format_combo.addItem(f"{spec.label} ({spec.suffix})", key)
        last = settings.value("export/format", "csv")
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(last)))

        self.scope_all = QRadioButton("&All sources", self)
        self.scope_all.setObjectName("exportScopeAll")
        self.scope_sources = QRadioButton("&Chosen sources:", self)
        self.scope_sources.setObjectName("exportScopeSources")
        self.scope_annotator = QRadioButton("One a&nnotator:", self)
        self.scope_annotator.setObjectName("exportScopeAnnotator")
        group = QButtonGroup(self)
        for b in (self.scope_all, self.scope_sources, self.scope_annotator):
            group.addButton(b)
        self.scope_all.setChecked(True)

        self.source_list = QListWidget(self)
        self.source_list.setObjectName("exportSourceList")
        self.source_list.setMinimumHeight(110)
        self.source_list.setMaximumHeight(180)
        for s in project.list_sources():
            item = QListWidgetItem(f"{s.title}  ({s.annotation_count})")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if s.id == window.current_source_id
                               else Qt.CheckState.Unchecked)
            self.source_list.addItem(item)
        self.annotator_combo = QComboBox(self)
        self.annotator_combo.setObjectName("exportAnnotator")
        names = [r[0] for r in project.conn.execute(
            "SELECT DISTINCT annotator FROM annotations WHERE annotator IS NOT NULL ORDER BY annotator")]
        self.annotator_combo.addItems(names)
        if not names:
            self.scope_annotator.setEnabled(False)
            self.scope_annotator.setToolTip("No annotation records an annotator yet.")

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("exportPath")
        self.browse = QPushButton("&Browse…", self)
        self.browse.setObjectName("exportBrowse")
        self.browse.clicked.connect(self._browse)
        self.bom = QCheckBox("Start with a byte-order mark (Excel on Windows needs it to read UTF-8)", self)
        self.bom.setObjectName("exportBom")
        self.bom.setChecked(settings.value("export/bom", False, type=bool))
        self.hint = QLabel(self)
        self.hint.setObjectName("exportHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.addRow("&Format:", self.format_combo)
        scope_box = QVBoxLayout()
        scope_box.addWidget(self.scope_all)
        scope_box.addWidget(self.scope_sources)
        scope_box.addWidget(self.source_list)
        row = QHBoxLayout()
        row.addWidget(self.scope_annotator)
        row.addWidget(self.annotator_combo, 1)
        scope_box.addLayout(row)
        form.addRow("Scope:", scope_box)
        dest = QHBoxLayout()
        dest.addWidget(self.path_edit, 1)
        dest.addWidget(self.browse)
        save_label = QLabel("&Save to:", self)
        save_label.setBuddy(self.path_edit)
        form.addRow(save_label, dest)
        form.addRow("", self.bom)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportRun")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)

        folder = settings.value("export/dir", str(Path(project.path).parent))
        self._folder = Path(str(folder))
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        for b in (self.scope_all, self.scope_sources, self.scope_annotator):
            b.toggled.connect(self._update)
        self.source_list.itemChanged.connect(self._update)
        self.path_edit.textChanged.connect(self._update)
        self._format_changed()

    # ---------------------------------------------------------------- state
    @property
    def format_key(self) -> str:
        return self.format_combo.currentData()

    def scope(self) -> Scope:
        if self.scope_sources.isChecked():
            ids = tuple(self.source_list.item(i).data(Qt.ItemDataRole.UserRole)
                        for i in range(self.source_list.count())
                        if self.source_list.item(i).checkState() == Qt.CheckState.Checked)
            return Scope(source_ids=ids)
        if self.scope_annotator.isChecked():
            return Scope(annotator=self.annotator_combo.currentText())
        return Scope()

    def _format_changed(self) -> None:
        spec = FORMATS[self.format_key]
        project = self.window_.project
        current = self.path_edit.text().strip()
        base = Path(current) if current else self._folder / (Path(project.path).stem if project else "export")
        self.path_edit.setText(str(base.with_suffix(spec.suffix)))
        self._update()

    def _update(self) -> None:
        spec = FORMATS[self.format_key]
        self.bom.setEnabled(spec.key == "csv")
        self.source_list.setEnabled(self.scope_sources.isChecked())
        self.annotator_combo.setEnabled(self.scope_annotator.isChecked())
        for b in (self.scope_sources, self.scope_annotator):
            b.setEnabled(spec.filterable and (b is not self.scope_annotator or self.annotator_combo.count() > 0))
        problem = ""
        if not spec.filterable:
            problem = "The codebook export always contains the whole codebook."
        elif self.scope_sources.isChecked() and not self.scope().source_ids:
            problem = "Tick at least one source."
        if not self.path_edit.text().strip():
            problem = problem or "Choose where to save the file."
        notes = {"sqlite": "Datasette's metadata.json is written next to the database (to <name>.metadata.json "
                           "if a metadata.json of another kind is there).",
                 "qdpx": "Opens in NVivo, ATLAS.ti, MAXQDA and QualCoder.",
                 "html": "One self-contained file; print it or open it in any browser."}
        self.hint.setText(problem or notes.get(spec.key, ""))
        self.export_button.setEnabled(not problem or not spec.filterable)

    def _browse(self) -> None:
        spec = FORMATS[self.format_key]
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(), spec.file_filter())
        if path:
            if not path.endswith(spec.suffix):
                path += spec.suffix
            self.path_edit.setText(path)

    def target(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    # ---------------------------------------------------------------- run
    def accept(self) -> None:
        target = self.target()
        if target.exists() and not self._confirm_replace(target):
            return
        settings = self.window_.settings
        settings.setValue("export/format", self.format_key)
        settings.setValue("export/dir", str(target.parent))
        settings.setValue("export/bom", self.bom.isChecked())
        self.result_ = self.run_export(target)
        if self.result_ is not None:
            self.window_.statusBar().showMessage(self.result_.summary().split("\n", 1)[0], 8000)
            if self.result_.notes:  # e.g. the metadata went elsewhere: too important for the status bar
                show_report(self.window_, "Export", self.result_.summary(), "exportReport")
            super().accept()

    def _confirm_replace(self, target: Path) -> bool:
        answer = QMessageBox.question(self, "Replace file?", f"{target.name} already exists. Replace it?")
        return answer == QMessageBox.StandardButton.Yes

    def run_export(self, target: Path) -> ExportResult | None:
        """Run the export behind the progress dialog; errors become messages, cancel returns None."""
        project = self.window_.project
        assert project is not None
        job = ExportJob(Path(project.path), self.format_key, target, self.scope(),
                        self.bom.isChecked() and self.format_key == "csv")
        try:
            return run_with_progress(self, job, f"Writing {target.name}…")
        except UserError as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, "Export failed", str(exc), parent=self)
            box.setObjectName("exportError")
            box.exec()
            return None


# ---------------------------------------------------------------- undo
class ImportCommand(QUndoCommand):
    """Undo removes what the import added; redo imports the same file again (same ids)."""

    def __init__(self, window: MainWindow, path: Path, report: Any) -> None:
        super().__init__(f"Import {path.name}")
        self.window, self.path, self.report, self.first = window, path, report, True

    def redo(self) -> None:
        if self.first:
            self.first = False
            return
        from kzannotate.formats.qdpx import import_qdpx

        self.report = import_qdpx(self.window.project, self.path)

    def undo(self) -> None:
        from kzannotate.formats.qdpx_import import undo_import

        undo_import(self.window.project, self.report)
        self.window.refresh_sources()


class MergeCommand(QUndoCommand):
    def __init__(self, window: MainWindow, path: Path, report: Any) -> None:
        super().__init__(f"Merge {path.name}")
        self.window, self.path, self.report, self.first = window, path, report, True

    def redo(self) -> None:
        if self.first:
            self.first = False
            return
        from kzannotate.store.merge import merge_project

        self.report = merge_project(self.window.project, self.path)

    def undo(self) -> None:
        from kzannotate.store.merge import undo_merge

        undo_merge(self.window.project, self.report)
        self.window.refresh_sources()


def show_report(parent: QWidget, title: str, text: str, object_name: str) -> None:
    """A plain, copyable report (import and merge summaries can be long)."""
    dialog = QDialog(parent)
    dialog.setObjectName(object_name)
    dialog.setWindowTitle(title)
    view = QPlainTextEdit(text, dialog)
    view.setObjectName(f"{object_name}Text")
    view.setReadOnly(True)
    view.setMinimumSize(560, 260)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(view)
    layout.addWidget(buttons)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


class Exchange:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        window.actions["export"].triggered.connect(self.export)
        window.actions["import_refi"].triggered.connect(self.import_refi)
        window.actions["merge_project"].triggered.connect(self.merge)
        self.project_changed()

    def project_changed(self) -> None:
        has = self.window.project is not None
        writable = has and not self.window.project.read_only
        self.window.actions["export"].setEnabled(has)
        self.window.actions["import_refi"].setEnabled(writable)
        self.window.actions["merge_project"].setEnabled(writable)

    def _start_dir(self, key: str) -> str:
        project = self.window.project
        return str(self.window.settings.value(key, str(Path(project.path).parent) if project else str(Path.home())))

    def export(self) -> ExportDialog | None:
        if self.window.project is None:
            return None
        dialog = ExportDialog(self.window)
        dialog.open()
        return dialog

    def import_refi(self, path: str | None = None) -> None:
        if self.window.project is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "Import REFI-QDA project",
                                                  self._start_dir("import_dir"),
                                                  "REFI-QDA project (*.qdpx);;All files (*)")
        if not path:
            return
        from kzannotate.formats.qdpx import import_qdpx

        self.window.settings.setValue("import_dir", str(Path(path).parent))
        try:
            report = import_qdpx(self.window.project, path)
        except UserError as exc:
            QMessageBox.warning(self.window, "Import refused", str(exc))
            return
        self.window.undo_stack.push(ImportCommand(self.window, Path(path), report))
        self.window.refresh_sources()
        show_report(self.window, "REFI-QDA import", f"{Path(path).name}: {report.summary()}", "importReport")

    def merge(self, path: str | None = None) -> None:
        if self.window.project is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self.window, "Merge another project into this one",
                                                  self._start_dir("merge_dir"), "kzannotate project (*.kza)")
        if not path:
            return
        from kzannotate.store.merge import merge_project

        self.window.settings.setValue("merge_dir", str(Path(path).parent))
        try:
            report = merge_project(self.window.project, path)
        except UserError as exc:
            QMessageBox.warning(self.window, "Merge failed", str(exc))
            return
        if report.changed:
            self.window.undo_stack.push(MergeCommand(self.window, Path(path), report))
        self.window.refresh_sources()
        show_report(self.window, "Merge report", report.summary(), "mergeReport")


def install(window: MainWindow) -> Exchange:
    return Exchange(window)
