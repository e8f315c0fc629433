"""The analysis feature: find in source, search all sources, and the analysis views as dockable windows.

The views (annotation browser, actor × theory matrix, ACH, sources overview) sit as tabs in one bottom dock
area, hidden until asked for from the Analysis menu; each can be floated into its own window. They are
refreshed from the store when shown and, while visible, shortly after every change.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QBoxLayout, QDockWidget, QMessageBox, QSplitter, QVBoxLayout, QWidget

from kzannotate.store.errors import UserError
from kzannotate.ui.find_bar import FindBar, select_span
from kzannotate.ui.search_panel import SearchPanel

if TYPE_CHECKING:
    from kzannotate.analysis.weights import Weights
    from kzannotate.ui.ach_view import AchView
    from kzannotate.ui.annotation_browser import AnnotationBrowser
    from kzannotate.ui.matrix_view import MatrixView
    from kzannotate.ui.sources_overview import SourcesOverview

log = logging.getLogger("kzannotate")


class SetWeightsCommand(QUndoCommand):
    """Changing the ACH weights is a project edit (saved in the file, so reports agree): one undo step."""

    def __init__(self, feature: AnalysisFeature, old: Weights, new: Weights) -> None:
        super().__init__("Change evidence weights")
        self.feature = feature
        self.old = old
        self.new = new

    def redo(self) -> None:
        self.feature.store_weights(self.new)

    def undo(self) -> None:
        self.feature.store_weights(self.old)


class AnalysisFeature:
    VIEWS = (("annotation_browser", "Annotations", "annotationBrowserDock"),
             ("matrix", "Actor × Theory", "matrixDock"),
             ("ach", "Theory Assessment (ACH)", "achDock"),
             ("sources_overview", "Sources Overview", "sourcesOverviewDock"))

    def __init__(self, window) -> None:
        self.window = window
        self._project = None
        self._stale = {key for key, _, _ in self.VIEWS}
        self._weights: Weights | None = None
        # find in source
        self.find_bar = FindBar(window)
        self._place_find_bar()
        window.actions["find"].triggered.connect(self.find_bar.open_bar)
        window.actions["find_next"].triggered.connect(self.find_bar.find_next)
        window.actions["find_previous"].triggered.connect(self.find_bar.find_previous)
        # search all sources
        self.search_panel = SearchPanel(window, self.open_span)
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.search_panel)
        self.search_panel.hide()
        window.actions["search_all"].triggered.connect(self.search_panel.focus_search)
        # the views: empty dock shells now (the saved layout needs their names); the view inside each is
        # built, with its modules imported, the first time it is shown
        self._views: dict[str, QWidget] = {}
        self.docks: dict[str, QDockWidget] = {}
        first: QDockWidget | None = None
        for key, title, name in self.VIEWS:
            dock = QDockWidget(title, window)
            dock.setObjectName(name)
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            if first is None:
                first = dock
            else:
                window.tabifyDockWidget(first, dock)
            dock.hide()
            dock.visibilityChanged.connect(lambda visible, k=key: visible and self._shown(k))
            self.docks[key] = dock
            window.actions[f"show_{key}"].triggered.connect(lambda _=False, k=key: self.show_view(k))
        self._timer = QTimer(window)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)

    # ----------------------------------------------------------- views
    def _view(self, key: str) -> QWidget:
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = self._build_view(key)
            self.docks[key].setWidget(view)
        return view

    def _build_view(self, key: str) -> QWidget:
        if key == "annotation_browser":
            from kzannotate.ui.annotation_browser import AnnotationBrowser

            browser = AnnotationBrowser()
            browser.open_requested.connect(self.open_span)
            return browser
        if key == "matrix":
            from kzannotate.ui.matrix_view import MatrixView

            matrix = MatrixView()
            matrix.open_requested.connect(self.open_span)
            return matrix
        if key == "ach":
            from kzannotate.ui.ach_view import AchView

            ach = AchView()
            ach.save_weights = self.change_weights
            ach.open_requested.connect(self.open_span)
            return ach
        from kzannotate.ui.sources_overview import SourcesOverview

        overview = SourcesOverview()
        overview.source_requested.connect(self.open_source)
        return overview

    @property
    def browser(self) -> AnnotationBrowser:
        return self._view("annotation_browser")  # type: ignore[return-value]

    @property
    def matrix(self) -> MatrixView:
        return self._view("matrix")  # type: ignore[return-value]

    @property
    def ach(self) -> AchView:
        return self._view("ach")  # type: ignore[return-value]

    @property
    def overview(self) -> SourcesOverview:
        return self._view("sources_overview")  # type: ignore[return-value]

    @property
    def weights(self) -> Weights:
        if self._weights is None:
            from kzannotate.analysis.weights import Weights

            self._weights = Weights()
        return self._weights

    @weights.setter
    def weights(self, value: Weights) -> None:
        self._weights = value

    def _shown(self, key: str) -> None:
        self._view(key)
        self._refresh_soon()

    # ----------------------------------------------------------- layout
    def _place_find_bar(self) -> None:
        """Put the find bar directly under the reader, whatever container the reader sits in by now."""
        view = self.window.source_view
        parent = view.parentWidget()
        layout = parent.layout() if parent is not None else None
        if isinstance(layout, QBoxLayout) and layout.indexOf(view) >= 0:
            layout.insertWidget(layout.indexOf(view) + 1, self.find_bar)
            return
        if isinstance(parent, QSplitter):
            index = parent.indexOf(view)
            holder = QWidget()
            holder.setObjectName("readerWithFindBar")
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(0)
            parent.replaceWidget(index, holder)
            box.addWidget(view, 1)
            box.addWidget(self.find_bar)
            return
        self.window.statusBar().addWidget(self.find_bar, 1)  # last resort: still reachable

    def show_view(self, key: str) -> None:
        dock = self.docks[key]
        dock.show()
        dock.raise_()
        self._refresh_soon()

    # ----------------------------------------------------------- hooks
    def project_changed(self) -> None:
        project = self.window.project
        if self._project is not None and self._project is not project:
            with contextlib.suppress(Exception):
                self._project.unsubscribe(self._on_change)
        if project is not None and project is not self._project:
            project.subscribe(self._on_change)
        self._project = project
        self.search_panel.project_changed()
        self._stale = set(self.docks)
        self._refresh_soon()

    def source_shown(self, source_id: str | None) -> None:
        self.find_bar.source_shown()

    def _on_change(self, change) -> None:
        self._stale = set(self.docks)
        self._refresh_soon()

    def _refresh_soon(self) -> None:
        if any(d.isVisible() for d in self.docks.values()):
            self._timer.start()

    def refresh(self, force: bool = False) -> None:
        """Reload the data once and hand it to every visible, stale view (every view when ``force``)."""
        project = self.window.project
        if project is None or project.conn is None:
            return
        keys = [k for k, d in self.docks.items() if force or (k in self._stale and d.isVisible())]
        if not keys:
            return
        from kzannotate.analysis import data as analysis_data
        from kzannotate.analysis.evidence import repeats_for
        from kzannotate.analysis.weights import project_weights

        dataset = analysis_data.load(project)
        self.weights = project_weights(project)
        if "annotation_browser" in keys:
            self.browser.set_data(dataset)
        if "matrix" in keys:
            self.matrix.set_data(dataset, self.weights)
        if "ach" in keys:
            self.ach.set_data(dataset, self.weights, repeats_for(project, dataset))
        if "sources_overview" in keys:
            self.overview.set_data(dataset, self.weights)
        self._stale.difference_update(keys)

    def save_layout(self) -> None:
        """Dock positions are saved with the window state (objectNames are stable)."""

    # ----------------------------------------------------------- weights
    def change_weights(self, new: Weights) -> None:
        from kzannotate.analysis.weights import project_weights

        project = self.window.project
        if project is None:
            return
        old = project_weights(project)
        if new == old:
            if "ach" in self._views:
                self.ach.set_weights(new)
            return
        if project.read_only:
            # nothing can be saved: use them for this session only
            self.weights = new
            self._apply_weights(new)
            return
        self.window.undo_stack.push(SetWeightsCommand(self, old, new))

    def store_weights(self, weights: Weights) -> None:
        project = self.window.project
        if project is None:
            return
        from kzannotate.analysis.weights import META_KEY

        try:
            project.set_meta(META_KEY, None if weights.is_default else weights.dumps())
        except UserError as exc:
            QMessageBox.warning(self.window, "Weights not saved", str(exc))
            return
        self._apply_weights(weights)

    def _apply_weights(self, weights: Weights) -> None:
        self.weights = weights
        views = self._views  # views never shown are built with the current weights when they are
        if "ach" in views:
            self.ach.set_weights(weights)
        if "matrix" in views:
            self.matrix.weights = weights
            if self.docks["matrix"].isVisible() and self.matrix.data:
                self.matrix.set_data(self.matrix.data, weights)
        if "sources_overview" in views:
            self.overview.weights = weights
            if self.docks["sources_overview"].isVisible() and self.overview.data:
                self.overview.set_data(self.overview.data, weights)

    # ----------------------------------------------------------- navigation
    def open_source(self, source_id: str) -> None:
        if self.window.current_source_id != source_id:
            self.window.show_source(source_id)

    def open_span(self, source_id: str, start: int, end: int, annotation_id: str = "") -> None:
        """Show the source and the span: through the annotating window when it is there (it then also
        selects the annotation in its panel), else by selecting the text in the reader."""
        self.open_source(source_id)
        if self.window.current_source_id != source_id:
            return  # the source is gone
        annotating = getattr(self.window, "annotating", None)
        if annotation_id and annotating is not None and hasattr(annotating, "select_annotation"):
            try:
                annotating.select_annotation(annotation_id)
                return
            except UserError:
                pass
        select_span(self.window.source_view, start, end)
        self.window.source_view.setFocus()


def install(window) -> AnalysisFeature:
    feature = AnalysisFeature(window)
    window.analysis = feature
    return feature
