"""The main window: source list, reader, and the frame every feature docks into.

Default layout (View › Reset Layout brings it back): the sources in a dock on the left, the reader (with
the annotation table below it) in the centre, the annotation panel on the right. The codebook and the
full-text search open as tabs beside the sources, so they never squeeze the reader; the analysis views
open as tabs along the bottom, under the reader and the panel. What the user rearranges is restored on the
next start (QSettings).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from kzannotate import __version__
from kzannotate.store import Change, Project
from kzannotate.store.errors import UserError
from kzannotate.ui.actions import build_actions
from kzannotate.ui.file_menu import FileMenu
from kzannotate.ui.source_list import SourceListPanel
from kzannotate.ui.source_view import SourceView

log = logging.getLogger("kzannotate")

# Bump when the default arrangement changes: a window state saved for an older default is then ignored
# once (geometry is kept), so users see the new layout instead of an old squeeze.
LAYOUT_VERSION = 2
LEFT_DOCKS = ("sourcesDock", "codebookDock", "searchPanel")  # tabbed together, sources in front
BOTTOM_DOCKS = ("annotationBrowserDock", "matrixDock", "achDock", "sourcesOverviewDock")
READER_SHARE = 0.62  # of the central area's width; the annotation panel gets the rest
BOTTOM_SHARE = 0.5  # of the window's height, for an analysis view opened too small to read
NO_PROJECT_TEXT = ("No project is open.\n\nOpen one with File › Open Project… (Ctrl+O), or start one with "
                   "File › New Project… (Ctrl+N).")
EMPTY_PROJECT_TEXT = ("This project has no sources yet.\n\nImport text, Markdown or saved web pages with\n"
                      "File › Import Sources… (Ctrl+I).")
NO_SOURCE_TEXT = "Pick a source in the list on the left to read and annotate it."

# Feature modules that add docks, menus and dialogs; each has ``install(window)``.
FEATURES = ("kzannotate.ui.annotating", "kzannotate.ui.codebook_dock", "kzannotate.ui.exchange",
            "kzannotate.ui.analysis", "kzannotate.ui.robustness", "kzannotate.ui.help", "kzannotate.ui.preferences")


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
        self.sources_dock = QDockWidget("Sources", self)
        self.sources_dock.setObjectName("sourcesDock")
        self.sources_dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.sources_dock.setWidget(self.source_panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.sources_dock)
        # the central splitter: the reader column (features wrap the reader), then the annotation panel
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.source_view)
        self.setCentralWidget(self.splitter)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
                            | QMainWindow.DockOption.AllowNestedDocks)
        # the left sidebar runs the full height; analysis views open under the reader and the panel
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setTabPosition(Qt.DockWidgetArea.LeftDockWidgetArea, QTabWidget.TabPosition.North)
        self.setTabPosition(Qt.DockWidgetArea.BottomDockWidgetArea, QTabWidget.TabPosition.North)
        self.status_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.status_label)

        self.source_panel.source_selected.connect(self.show_source)
        self.actions["zoom_in"].triggered.connect(lambda: self.source_view.zoom(1))
        self.actions["zoom_out"].triggered.connect(lambda: self.source_view.zoom(-1))
        self.actions["zoom_reset"].triggered.connect(lambda: self.source_view.zoom(0))
        self.actions["quit"].triggered.connect(self.close)
        for name in ("save_copy", "export", "merge_project"):  # before their own handlers: a consistent file
            self.actions[name].triggered.connect(self.flush_pending)
        self._wire_undo()
        self.file_menu = FileMenu(self)
        self.resize(1280, 800)
        self._sized_docks: set[str] = set()
        self._default_sizes_pending = False
        self._tabify_on_show: set[str] = set()
        self.features = []
        for name in FEATURES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            self.features.append(module.install(self))
        self._wire_view_menu()
        self.apply_default_layout()
        self.restore_layout()
        self._set_tab_order()
        self.source_panel.view.setFocus()  # arrow keys pick a source at once; Tab goes on to the reader
        self._update_title()
        self._update_empty_state()

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
            self.flush_pending()
            self.project.unsubscribe(self._on_change)
            self.project.close()
        self.undo_stack.clear()
        self.project = project
        self.current_source_id = None
        if project is not None:
            project.subscribe(self._on_change)
            self.settings.setValue("last_project", str(project.path))
            self.file_menu.remember(project.path)
        self.source_panel.set_project_open(project is not None)
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

    def flush_pending(self) -> None:
        """Hook for features: save edits still waiting (a note being typed) into the open project now.

        Called before the project is closed or replaced, and before it is copied, exported or merged.
        """
        for feature in self.features:
            hook = getattr(feature, "flush", None)
            if hook:
                hook()

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
        self._update_empty_state()

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
        # The source list already holds every source's annotation count, kept current from Change
        # notifications: summing it avoids a count(*) over up to a million annotations on every edit.
        model = self.source_panel.model
        n_sources = model.rowCount()
        n_annotations = sum(model.summary(row).annotation_count for row in range(n_sources))
        self.status_label.setText(f"{n_sources} sources · {n_annotations} annotations · "
                                  f"kzannotate {__version__}")

    def _update_empty_state(self) -> None:
        """An empty reader says what to do next (open a project, import sources, pick a source)."""
        if self.project is None:
            text = NO_PROJECT_TEXT
        elif self.source_panel.model.rowCount() == 0:
            text = EMPTY_PROJECT_TEXT
        elif self.current_source_id is None:
            text = NO_SOURCE_TEXT
        else:
            text = ""
        if self.source_view.placeholderText() != text:
            self.source_view.setPlaceholderText(text)
        table = self._annotation_table()
        if table is not None and hasattr(table, "set_source_open"):
            table.set_source_open(self.project is not None and self.current_source_id is not None)

    def _annotation_table(self) -> QWidget | None:
        return self.findChild(QWidget, "annotationTable")

    # ------------------------------------------------------------------ layout
    def _docks(self) -> dict[str, QDockWidget]:
        return {d.objectName(): d for d in self.findChildren(QDockWidget) if d.parent() is self}

    def _wire_view_menu(self) -> None:
        """View › Sources follows the dock; View › Reset Layout; docks opened too small get a usable size."""
        show = self.actions["show_sources"]
        show.setChecked(True)
        show.toggled.connect(self._show_sources)
        self.sources_dock.visibilityChanged.connect(
            lambda _v: show.setChecked(not self.sources_dock.isHidden()))
        self.actions["reset_layout"].triggered.connect(self.reset_layout)
        for dock in self._docks().values():
            dock.visibilityChanged.connect(lambda visible, d=dock: visible and self._dock_shown(d))
        # focus is visible in the reader too (it has no frame of its own)
        self.source_view.setStyleSheet("QPlainTextEdit#sourceView { border: 2px solid transparent; }"
                                       "QPlainTextEdit#sourceView:focus { border: 2px solid palette(highlight); }")

    def _show_sources(self, on: bool) -> None:
        self.sources_dock.setVisible(on)
        if on:
            self.sources_dock.raise_()

    def _dock_shown(self, dock: QDockWidget) -> None:
        name = dock.objectName()
        if name in self._tabify_on_show and self.isVisible():
            self._tabify_on_show.discard(name)
            left = Qt.DockWidgetArea.LeftDockWidgetArea
            if (name != "sourcesDock" and not dock.isFloating() and self.dockWidgetArea(dock) == left
                    and not self.sources_dock.isHidden() and self.dockWidgetArea(self.sources_dock) == left):
                self.tabifyDockWidget(self.sources_dock, dock)
                dock.raise_()
        self._ensure_usable_size(dock)

    def _ensure_usable_size(self, dock: QDockWidget) -> None:
        """A dock opened at a sliver (first use, or squeezed earlier) gets a readable size, once a session."""
        if dock.isFloating() or dock.objectName() in self._sized_docks or not self.isVisible():
            return
        self._sized_docks.add(dock.objectName())
        area = self.dockWidgetArea(dock)
        if area in (Qt.DockWidgetArea.BottomDockWidgetArea, Qt.DockWidgetArea.TopDockWidgetArea):
            want = int(self.height() * BOTTOM_SHARE)
            if dock.height() < want * 0.7:
                self.resizeDocks([dock], [want], Qt.Orientation.Vertical)
        elif area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea):
            want = self._sidebar_width()
            if dock.width() < want * 0.7:
                self.resizeDocks([dock], [want], Qt.Orientation.Horizontal)

    def _sidebar_width(self) -> int:
        return max(270, min(420, int(self.width() * 0.23)))

    def apply_default_layout(self) -> None:
        """Sources (and, once opened, codebook and search) tabbed on the left, analysis views tabbed at the
        bottom and hidden until used, reader wide in the centre, the annotation panel on the right."""
        docks = self._docks()
        for dock in docks.values():
            if dock.isFloating():
                dock.setFloating(False)
        for names, area in ((LEFT_DOCKS, Qt.DockWidgetArea.LeftDockWidgetArea),
                            (BOTTOM_DOCKS, Qt.DockWidgetArea.BottomDockWidgetArea)):
            group = [docks[n] for n in names if n in docks]
            if not self.isVisible():
                # Before the first show, moving or tabifying hidden docks leaves stale tab bars painted over
                # the window (Qt): docks already in place stay put, and the left ones join the sources' tabs
                # when first opened.
                for dock in group:
                    if self.dockWidgetArea(dock) != area:
                        self.addDockWidget(area, dock)
                if area == Qt.DockWidgetArea.LeftDockWidgetArea:
                    self._tabify_on_show.update(d.objectName() for d in group[1:])
                continue
            for dock in group:
                self.addDockWidget(area, dock)
            for dock in group[1:]:
                self.tabifyDockWidget(group[0], dock)
        for name, dock in docks.items():
            if name != "sourcesDock":
                dock.hide()
        codebook = self.actions["show_codebook"]
        blocked = codebook.blockSignals(True)
        codebook.setChecked(False)
        codebook.blockSignals(blocked)
        self.sources_dock.show()
        self.sources_dock.raise_()
        self.actions["show_sources"].setChecked(True)
        for bar in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.inherits("QToolBar"):
                bar.show()
        self._sized_docks.clear()
        if self.isVisible():
            self._apply_default_sizes()
        else:
            self._default_sizes_pending = True  # sized once shown, unless a saved layout is restored

    def _apply_default_sizes(self, reset: bool = False) -> None:
        sidebar = self._sidebar_width()
        self.resizeDocks([self.sources_dock], [sidebar], Qt.Orientation.Horizontal)
        if self.splitter.count() >= 2:
            self.splitter.setStretchFactor(0, 1)
            for i in range(1, self.splitter.count()):
                self.splitter.setStretchFactor(i, 0)
            central = max(600, self.width() - sidebar - 12)
            panel = max(300, min(420, int(central * (1 - READER_SHARE))))
            self.splitter.setSizes([central - panel, panel])
        annotating = getattr(self, "annotating", None)
        reader_splitter = getattr(annotating, "reader_splitter", None)
        if reader_splitter is not None and (reset or self.settings.value("window/reader_splitter") is None):
            height = max(400, self.height() - 120)
            reader_splitter.setSizes([int(height * 0.72), height - int(height * 0.72)])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._default_sizes_pending:
            # the dock layout has its real geometry only once shown: size the sidebar and splitters then
            self._default_sizes_pending = False
            self._apply_default_sizes()


    def reset_layout(self) -> None:
        """View › Reset Layout: the first-start arrangement, columns and splitters included."""
        self.apply_default_layout()
        self._apply_default_sizes(reset=True)
        self.source_panel.reset_columns()
        table = self._annotation_table()
        if table is not None and hasattr(table, "reset_columns"):
            table.reset_columns()
        panel_splitter = getattr(getattr(self, "annotating", None), "panel", None)
        lists = getattr(panel_splitter, "lists_splitter", None)
        if lists is not None:
            total = sum(lists.sizes()) or 600
            lists.setSizes([total // 2, total - total // 2])
        self.statusBar().showMessage("Layout reset", 3000)

    def _set_tab_order(self) -> None:
        """Tab goes filter → source list → reader → annotation panel → annotation table."""
        chain: list[QWidget] = [self.source_panel.filter, self.source_panel.view, self.source_view]
        panel = getattr(getattr(self, "annotating", None), "panel", None)
        if panel is not None and hasattr(panel, "focus_chain"):
            chain.extend(panel.focus_chain())
        table = self._annotation_table()
        if table is not None:
            chain.append(table)
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _sync_dock_actions(self) -> None:
        """Check marks in View follow the docks restored from the saved state (without raising tabs)."""
        docks = self._docks()
        for action_name, dock_name in (("show_sources", "sourcesDock"), ("show_codebook", "codebookDock")):
            dock = docks.get(dock_name)
            if dock is None:
                continue
            action = self.actions[action_name]
            blocked = action.blockSignals(True)
            action.setChecked(not dock.isHidden())
            action.blockSignals(blocked)

    def restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        try:
            version = int(self.settings.value("window/layout_version", 0))
        except (TypeError, ValueError):
            version = 0
        if version != LAYOUT_VERSION:
            return  # an older arrangement: start from the current default (geometry kept)
        state = self.settings.value("window/state")
        if state is not None and self.restoreState(state):
            self._default_sizes_pending = False
            self._tabify_on_show.clear()
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self.source_panel.restore_header(self.settings.value("window/source_columns"))
        table = self._annotation_table()
        if table is not None and hasattr(table, "restore_header"):
            table.restore_header(self.settings.value("window/annotation_columns"))
        self._sync_dock_actions()

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/layout_version", LAYOUT_VERSION)
        self.settings.setValue("window/source_columns", self.source_panel.header_state())
        table = self._annotation_table()
        if table is not None and hasattr(table, "header_state"):
            self.settings.setValue("window/annotation_columns", table.header_state())
        for feature in self.features:
            hook = getattr(feature, "save_layout", None)
            if hook:
                hook()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.save_layout()
        self.settings.sync()
        if self.project is not None:
            self.flush_pending()
            self.project.unsubscribe(self._on_change)
            self.project.close()
            self.project = None
        super().closeEvent(event)
