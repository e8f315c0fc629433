"""The main window: source list, reader, and the frame every feature docks into."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QSplitter, QWidget

from kzannotate import __version__
from kzannotate.store import Change, Project
from kzannotate.store.errors import UserError
from kzannotate.ui.actions import build_actions
from kzannotate.ui.file_menu import FileMenu
from kzannotate.ui.source_list import SourceListPanel
from kzannotate.ui.source_view import SourceView

log = logging.getLogger("kzannotate")

# Feature modules that add docks, menus and dialogs; each has ``install(window)``.
FEATURES = ("kzannotate.ui.annotating", "kzannotate.ui.codebook_dock", "kzannotate.ui.exchange",
            "kzannotate.ui.analysis", "kzannotate.ui.robustness", "kzannotate.ui.help")


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.settings = settings
        self.project: Project | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("undoStack")
        self.actions: dict[str, QAction]
        self.menus: dict[str, QMenu]
        self.actions, self.menus = build_actions(self)
        self.current_source_id: str | None = None

        self.source_panel = SourceListPanel(self)
        self.source_view = SourceView(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.source_panel)
        self.splitter.addWidget(self.source_view)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([320, 800])
        self.setCentralWidget(self.splitter)
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)

        self.source_panel.source_selected.connect(self.show_source)
        self.actions["zoom_in"].triggered.connect(lambda: self.source_view.zoom(1))
        self.actions["zoom_out"].triggered.connect(lambda: self.source_view.zoom(-1))
        self.actions["zoom_reset"].triggered.connect(lambda: self.source_view.zoom(0))
        self.actions["quit"].triggered.connect(self.close)
        self._wire_undo()
        self.file_menu = FileMenu(self)
        self.resize(1280, 800)
        self.features = []
        for name in FEATURES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            self.features.append(module.install(self))
        self.restore_layout()
        self._update_title()

    # --------------------------------------------------------------- projects
    def open_initial(self, path: Path | None) -> None:
        """Open ``path`` or the default sample project (created on first run); errors become messages."""
        from kzannotate.ui.robustness import open_project_interactive

        try:  # a project in use elsewhere: offers read-only or cancel
            project = open_project_interactive(self, path)
        except UserError as exc:
            QMessageBox.warning(self, "Cannot open project", str(exc))
            return
        if project is not None:
            self.set_project(project)

    def set_project(self, project: Project | None) -> None:
        """Switch to another project (closing the current one); the undo history starts afresh."""
        if self.project is not None:
            self.project.unsubscribe(self._on_change)
            self.project.close()
        self.undo_stack.clear()
        self.project = project
        self.current_source_id = None
        if project is not None:
            project.subscribe(self._on_change)
            self.settings.setValue("last_project", str(project.path))
            self.file_menu.remember(project.path)
        self.refresh_sources()
        sources = self.source_panel.model
        last = self.settings.value(f"last_source/{project.path}", None) if project else None
        if project is not None and sources.rowCount():
            target = last if isinstance(last, str) and sources.row_of(last) >= 0 else None
            if target is None:
                target = self.source_panel.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
            self.source_panel.select(target)
        else:
            self.show_source(None)
        self._update_title()
        self.project_changed()

    def project_changed(self) -> None:
        """Hook for features: called after a project was opened or closed."""
        for feature in self.features:
            hook = getattr(feature, "project_changed", None)
            if hook:
                hook()

    def refresh_sources(self) -> None:
        keep = self.current_source_id
        self.source_panel.set_sources(self.project.list_sources() if self.project else [], keep)
        self._update_status()

    def show_source(self, source_id: str | None) -> None:
        self.current_source_id = source_id
        if source_id is None or self.project is None:
            self.source_view.show_source(None, "")
        else:
            try:
                source = self.project.get_source(source_id)
            except UserError:
                self.refresh_sources()
                return
            self.source_view.show_source(source.id, source.text)
            self.settings.setValue(f"last_source/{self.project.path}", source.id)
            if self.source_panel.current_id() != source_id:
                self.source_panel.select(source_id, emit=False)
        for feature in self.features:
            hook = getattr(feature, "source_shown", None)
            if hook:
                hook(source_id)
        self._update_status()

    def _on_change(self, change: Change) -> None:
        if change.kind == "annotation" and self.project is not None:
            # cheap path (an annotation edit must repaint within a frame): only the counts change
            self.source_panel.model.update_counts(self.project, change.source_ids)
            self._update_status()
            return
        if change.kind in ("source", "annotation", "project"):
            self.refresh_sources()
            if change.kind == "source" and self.current_source_id in change.ids:
                if self.project and self.current_source_id not in {s.id for s in self.project.list_sources()}:
                    self.show_source(None)
        self._update_title()

    # ------------------------------------------------------------------ chrome
    def _wire_undo(self) -> None:
        """Edit › Undo/Redo come from SPECS; they follow the stack and name what they will undo."""
        undo, redo = self.actions["undo"], self.actions["redo"]
        stack = self.undo_stack
        undo.triggered.connect(stack.undo)
        redo.triggered.connect(stack.redo)
        undo.setEnabled(False)
        redo.setEnabled(False)
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        stack.undoTextChanged.connect(lambda text: undo.setText(f"&Undo {text}" if text else "&Undo"))
        stack.redoTextChanged.connect(lambda text: redo.setText(f"&Redo {text}" if text else "&Redo"))

    def _update_title(self) -> None:
        name = self.project.name if self.project else "no project"
        suffix = " (read-only)" if self.project and self.project.read_only else ""
        self.setWindowTitle(f"{name}{suffix} — kzannotate")

    def _update_status(self) -> None:
        if self.project is None:
            self.status_label.setText("")
            return
        conn = self.project.conn
        n_sources = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
        n_annotations = conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
        self.status_label.setText(f"{n_sources} sources · {n_annotations} annotations · "
                                  f"kzannotate {__version__}")

    def restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        for feature in self.features:
            hook = getattr(feature, "save_layout", None)
            if hook:
                hook()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.save_layout()
        self.settings.sync()
        if self.project is not None:
            self.project.unsubscribe(self._on_change)
            self.project.close()
            self.project = None
        super().closeEvent(event)
