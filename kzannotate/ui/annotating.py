"""The annotating feature: highlight spans, link actors, theories and a rating, undo everything.

``install(window)`` builds the reader column (``sourceView`` above ``annotationTable``), the side panel
(``annotationPanel``) and the colour-mode toolbar, and returns the controller, also stored as
``window.annotating``. Interfaces other features use:

- ``controller.preselect(start, end, actor_ids=(), theory_ids=())``: select that span of the open source,
  check those actors/theories in a fresh draft, ready for Annotate (Ctrl+Return).
- ``controller.select_annotation(annotation_id)``: opens its source if needed, scrolls to it, selects it.
- ``controller.create_checks``: callables ``(source_id, start, end) -> str | None`` run before an annotation
  is created; a returned message is put to the user ("Annotate anyway?") and No cancels.
- ``controller.overlay_clicked_handlers[name] = handler(span)``: a click on an overlay span of layer
  ``name`` (see ``SourceView.set_overlay``) where no annotation lies under the mouse.

Every edit is one store call (one SQLite transaction) and one QUndoCommand on ``window.undo_stack``.
Views are refreshed from the store's change notices, touching only what changed.
"""

from __future__ import annotations

import getpass
import html
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QActionGroup, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QLabel,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.errors import UserError
from kzannotate.store.models import Actor, Annotation, Change, Theory
from kzannotate.ui.annotation_panel import AnnotationPanel, PanelValues
from kzannotate.ui.annotation_table import AnnotationTable
from kzannotate.ui.highlighter import NEUTRAL_COLOR, Highlighter
from kzannotate.ui.jobs import Jobs
from kzannotate.ui.source_dialog import SourceDialog
from kzannotate.ui.undo_commands import (
    CreateActorCommand,
    CreateAnnotationCommand,
    DeleteAnnotationCommand,
    EditSourceCommand,
    UpdateAnnotationCommand,
)

if TYPE_CHECKING:
    from kzannotate.ui.main_window import MainWindow

LOAD_AT_ONCE = 2000  # a source with more annotations loads those near the top first, the rest in steps
LOAD_PAGE = 600  # annotations per step (~10 ms; more where the file is not in the disk cache)
FIRST_SLACK = 20_000  # characters below the visible part loaded in the first stage
COLOR_MODES = ("theory", "actor", "reliability")
COLOR_MODE_LABELS = {"theory": "Theory", "actor": "Actor", "reliability": "Reliability"}
RELIABILITY_COLORS = {"A": "#1b9e4b", "B": "#7cb342", "C": "#c9b800", "D": "#f08c00", "E": "#d7301f",
                      "F": "#9e9e9e"}
# Okabe–Ito and Tol colours for codes without their own colour (colour-blind safe).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#44aa99",
           "#882255", "#999933")
FIELD_LABELS = {"actors": "Change actors", "theories": "Change theories", "reliability": "Change reliability",
                "credibility": "Change credibility", "note": "Edit note"}


# Dialogs go through these functions so tests can stub them.
def ask_annotator(parent: QWidget, suggestion: str) -> str | None:
    name, ok = QInputDialog.getText(parent, "Your name", "Annotations are signed with the annotator's name "
                                    "(asked once; change it in the settings):", text=suggestion)
    return name.strip() if ok else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def warn(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def exec_dialog(dialog: SourceDialog) -> bool:
    return bool(dialog.exec())


def _palette_color(key: str) -> str:
    return PALETTE[sum(key.encode()) % len(PALETTE)]


class AnnotatingController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.source_view
        self.settings = window.settings
        self.create_checks: list[Any] = []
        self.overlay_clicked_handlers: dict[str, Any] = {}
        self.annotations: dict[str, Annotation] = {}
        self.actors: dict[str, Actor] = {}
        self.theories: dict[str, Theory] = {}
        self.source_id: str | None = None
        self.source_letter: str | None = None
        self.selected_id: str | None = None
        self._project: Any = None
        self._colors: dict[str, str] = {}
        self._cycle: tuple[int, tuple[str, ...]] | None = None
        self._note_command: UpdateAnnotationCommand | None = None
        mode = self.settings.value("annotate/color_mode", "theory")
        self.color_mode = mode if mode in COLOR_MODES else "theory"

        self.panel = AnnotationPanel(window)
        self.table = AnnotationTable(window)
        self.table.table_model.color_for = self.color_for
        self.highlighter = Highlighter(self.view, self.color_for)
        self.jobs = Jobs(self)
        self._build_layout()
        self._build_toolbar()
        self._connect()
        self.panel.set_annotator(self._stored_annotator())
        window.annotating = self

    # ----------------------------------------------------------------- layout
    def _build_layout(self) -> None:
        window = self.window
        self.reader_splitter = QSplitter(Qt.Orientation.Vertical, window)
        self.reader_splitter.setObjectName("readerSplitter")
        self.reader_splitter.setChildrenCollapsible(False)
        window.splitter.insertWidget(1, self.reader_splitter)
        # The reader sits in a box layout so other features can add bars under it (find bar).
        self.reader = QWidget(self.reader_splitter)
        self.reader.setObjectName("reader")
        box = QVBoxLayout(self.reader)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.view, 1)
        self.reader_splitter.addWidget(self.reader)
        self.reader_splitter.addWidget(self.table)
        self.reader_splitter.setStretchFactor(0, 3)
        self.reader_splitter.setStretchFactor(1, 1)
        self.reader_splitter.setSizes([520, 200])
        window.splitter.addWidget(self.panel)
        window.splitter.setStretchFactor(2, 0)
        window.splitter.setCollapsible(1, False)
        window.splitter.setSizes([330, 640, 310])
        state = self.settings.value("window/reader_splitter")
        if state is not None:
            self.reader_splitter.restoreState(state)
        state = self.settings.value("window/panel_splitter")
        if state is not None:
            self.panel.lists_splitter.restoreState(state)

    def _build_toolbar(self) -> None:
        a = self.window.actions
        self.toolbar = QToolBar("Annotate", self.window)
        self.toolbar.setObjectName("annotateToolBar")
        self.toolbar.setMovable(False)
        label = QLabel("  Colour by ", self.toolbar)
        self.color_combo = QComboBox(self.toolbar)
        self.color_combo.setObjectName("colorModeCombo")
        self.color_combo.setAccessibleName("Colour highlights by")
        for mode in COLOR_MODES:
            self.color_combo.addItem(COLOR_MODE_LABELS[mode], mode)
        self.color_combo.setCurrentIndex(COLOR_MODES.index(self.color_mode))
        self.color_combo.currentIndexChanged.connect(lambda i: self.set_color_mode(COLOR_MODES[i]))
        self.toolbar.addWidget(label)
        self.toolbar.addWidget(self.color_combo)
        self.toolbar.addSeparator()
        self.toolbar.addAction(a["snap_to_words"])
        self.toolbar.addAction(a["edit_source"])
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        group = QActionGroup(self)
        group.setExclusive(True)
        for mode in COLOR_MODES:
            action = a[f"color_by_{mode}"]
            group.addAction(action)
            action.setChecked(mode == self.color_mode)
            action.triggered.connect(lambda _=False, m=mode: self.set_color_mode(m))
        a["snap_to_words"].setChecked(self.settings.value("annotate/snap_to_words", "false") in (True, "true"))
        a["snap_to_words"].toggled.connect(lambda on: self.settings.setValue("annotate/snap_to_words", on))

    def _connect(self) -> None:
        a = self.window.actions
        a["annotate"].triggered.connect(self.annotate)
        delete = a["delete_annotation"]
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # not while typing in the panel
        self.view.addAction(delete)
        self.table.addAction(delete)
        delete.triggered.connect(self.delete_selected)
        delete.setEnabled(False)
        a["previous_annotation"].triggered.connect(lambda: self.step(-1))
        a["next_annotation"].triggered.connect(lambda: self.step(1))
        a["edit_source"].triggered.connect(lambda: self.edit_source(self.source_id))
        self.window.source_panel.source_edit_requested.connect(self.edit_source)
        self.panel.annotate_requested.connect(self.annotate)
        self.panel.delete_requested.connect(self.delete_selected)
        self.panel.field_changed.connect(self._field_changed)
        self.panel.note_committed.connect(self._seal_note)
        self.panel.create_actor_requested.connect(self.create_actor)
        self.table.annotation_activated.connect(lambda ann_id: self.select(ann_id))
        self.view.span_clicked.connect(self._span_clicked)
        self.view.selectionChanged.connect(self._selection_changed)
        self.view.selection_finished.connect(self._selection_finished)
        self.view.tooltip_provider = self.tooltip
        self._selection_changed()

    # ------------------------------------------------------------ main hooks
    def _ensure_project(self) -> None:
        project = self.window.project
        if project is self._project:
            return
        if self._project is not None:
            self._project.unsubscribe(self._on_change)
        self._project = project
        self.window.undo_stack.clear()
        if project is not None:
            project.subscribe(self._on_change)
        self._load_codebook()

    def project_changed(self) -> None:
        self._ensure_project()
        if self.window.project is None:
            self.source_shown(None)

    def source_shown(self, source_id: str | None) -> None:
        self.panel.flush_note()
        self._ensure_project()
        self.selected_id = None
        self._cycle = None
        self._colors.clear()
        project = self.window.project
        self.source_id = source_id if project is not None else None
        anns: list[Annotation] = []
        self.source_letter = None
        self.jobs.cancel("annotations")
        if self.source_id is not None:
            try:
                self.source_letter = project.get_source(self.source_id).reliability
                anns = self._load_first(project, self.source_id)
            except UserError:
                self.source_id = None
        self.annotations = {a.id: a for a in anns}
        self.highlighter.source_id = self.source_id
        self.highlighter.set_spans([(a.id, a.start, a.end) for a in anns])
        self.table.table_model.source_letter = self.source_letter
        self.table.table_model.set_annotations(anns)
        self.panel.set_source_reliability(self.source_letter)
        self._show_draft(PanelValues())
        self.window.actions["edit_source"].setEnabled(self.source_id is not None)

    def flush(self) -> None:
        """Save a note still being typed now (the project is about to be closed, replaced or copied)."""
        self.panel.flush_note()
        self._seal_note()

    def save_layout(self) -> None:
        self.settings.setValue("window/reader_splitter", self.reader_splitter.saveState())
        self.settings.setValue("window/panel_splitter", self.panel.lists_splitter.saveState())

    # ---------------------------------------------------------------- changes
    def _on_change(self, change: Change) -> None:
        if change.kind == "annotation":
            if self.source_id in change.source_ids:
                self._apply_annotation_change(change.ids)
        elif change.kind in ("actor", "theory"):
            self._load_codebook()
            if self.source_id is not None and self.source_id in change.source_ids:
                self._reload_annotations()
            else:
                self._recolor()
        elif change.kind == "source" and self.source_id in change.ids and self.window.project is not None:
            try:
                self.source_letter = self.window.project.get_source(self.source_id).reliability
            except UserError:
                return
            self.panel.set_source_reliability(self.source_letter)
            self.table.table_model.source_letter = self.source_letter
            self._recolor()
            if self.selected_id:
                self._show_selected_heading()

    def _apply_annotation_change(self, ids: tuple[str, ...]) -> None:
        project = self.window.project
        found = {a.id: a for a in project.annotations_by_ids(ids) if a.source_id == self.source_id}
        removed = [i for i in ids if i not in found and i in self.annotations]
        for key in removed:
            del self.annotations[key]
        for key in ids:
            self._colors.pop(key, None)
        self.annotations.update(found)
        self.highlighter.update_spans([(a.id, a.start, a.end) for a in found.values()], removed)
        self.table.table_model.apply(list(found.values()), removed)
        if self.selected_id in removed:
            self.deselect()
        elif self.selected_id in found:
            self._show_selected(scroll=False)

    # ---------------------------------------------------------------- loading
    def _load_first(self, project: Any, source_id: str) -> list[Annotation]:
        """The annotations the reader shows first. A source with many is loaded in two stages so it paints
        at once: those starting near the top now, the rest in slices between paints (``_load_rest``)."""
        count = project.conn.execute("SELECT count(*) FROM annotations WHERE source_id = ?",
                                     (source_id,)).fetchone()[0]
        if count <= LOAD_AT_ONCE:
            return project.annotations_for_source(source_id)
        lo, hi = self.view.visible_range()
        first = project.annotations_for_source(source_id, start_before=hi + max(FIRST_SLACK, 3 * (hi - lo)),
                                               limit=LOAD_AT_ONCE)
        while len(first) % LOAD_AT_ONCE == 0 and first and first[-1].start < hi:  # a dense source: more on screen
            last = first[-1]
            first += project.annotations_for_source(source_id, after=(last.start, last.end, last.id),
                                                    limit=LOAD_AT_ONCE)
        after = (first[-1].start, first[-1].end, first[-1].id) if first else None
        self.jobs.start("annotations", self._load_rest(project, source_id, after), self._loaded)
        return first

    def _load_rest(self, project: Any, source_id: str, after: tuple[int, int, str] | None
                   ) -> Generator[None, None, str]:
        while True:
            yield
            if project is not self.window.project or project.conn is None or source_id != self.source_id:
                return ""
            page = project.annotations_for_source(source_id, after=after, limit=LOAD_PAGE)
            for ann in page:
                self.annotations.setdefault(ann.id, ann)  # an edit made meanwhile is newer
            self.highlighter.update_spans([(a.id, a.start, a.end) for a in page], [])
            if len(page) < LOAD_PAGE:
                return source_id
            after = (page[-1].start, page[-1].end, page[-1].id)

    def _loaded(self, source_id: str) -> None:
        if source_id and source_id == self.source_id:
            self.table.table_model.set_annotations(list(self.annotations.values()))
            if self.selected_id is not None:
                self.table.select_annotation(self.selected_id)

    def finish_loading(self) -> None:
        """Load the rest of a big source now (before anything that needs every annotation)."""
        self.jobs.finish("annotations")

    def _reload_annotations(self) -> None:
        self.finish_loading()
        anns = self.window.project.annotations_for_source(self.source_id)
        self.annotations = {a.id: a for a in anns}
        self._colors.clear()
        self.highlighter.set_spans([(a.id, a.start, a.end) for a in anns], keep_selected=True)
        self.table.table_model.set_annotations(anns)
        if self.selected_id in self.annotations:
            self._show_selected(scroll=False)
        else:
            self.deselect()

    def _load_codebook(self) -> None:
        project = self.window.project
        actors, theories = project.codebook_without_usage() if project else ([], [])
        self.actors = {a.id: a for a in actors}
        self.theories = {t.id: t for t in theories}
        self.panel.set_codebook(actors, theories)
        self.table.table_model.actor_names = {a.id: a.name for a in actors}
        self.table.table_model.theory_names = {t.id: t.name for t in theories}
        self.table.table_model.names_changed()

    def _recolor(self) -> None:
        self._colors.clear()
        self.highlighter.recolor()
        self.table.table_model.names_changed()

    # ----------------------------------------------------------------- colour
    def set_color_mode(self, mode: str) -> None:
        if mode not in COLOR_MODES:
            raise ValueError(mode)
        self.color_mode = mode
        self.settings.setValue("annotate/color_mode", mode)
        self.window.actions[f"color_by_{mode}"].setChecked(True)
        if self.color_combo.currentIndex() != COLOR_MODES.index(mode):
            self.color_combo.setCurrentIndex(COLOR_MODES.index(mode))
        self._recolor()

    def color_for(self, annotation_id: str) -> str:
        color = self._colors.get(annotation_id)
        if color is None:
            ann = self.annotations.get(annotation_id)
            color = self._compute_color(ann) if ann is not None else NEUTRAL_COLOR
            self._colors[annotation_id] = color
        return color

    def _compute_color(self, ann: Annotation) -> str:
        if self.color_mode == "reliability":
            return RELIABILITY_COLORS[ann.effective_reliability(self.source_letter)]
        if self.color_mode == "actor":
            actors = [self.actors[a] for a in ann.actor_ids if a in self.actors]
            if not actors:
                return NEUTRAL_COLOR
            first = min(actors, key=lambda a: a.name.casefold())
            return first.color or _palette_color(first.id)
        theories = [self.theories[t] for t, _ in ann.theories if t in self.theories]
        if not theories:
            return NEUTRAL_COLOR
        first = min(theories, key=lambda t: t.name.casefold())
        node: Theory | None = first
        while node is not None and not node.color:
            node = self.theories.get(node.parent_id) if node.parent_id else None
        return node.color if node is not None and node.color else _palette_color(first.id)

    # -------------------------------------------------------------- tooltips
    def describe(self, ann: Annotation) -> str:
        """Rich-text summary: actors, theories with stance, rating, note."""
        actors = "; ".join(sorted(self.actors[a].name for a in ann.actor_ids if a in self.actors)) or "—"
        theories = "; ".join(sorted(f"{self.theories[t].name} ({s})" for t, s in ann.theories
                                    if t in self.theories)) or "—"
        parts = [f"<b>Actors:</b> {html.escape(actors)}", f"<b>Theories:</b> {html.escape(theories)}",
                 f"<b>Rating:</b> {ann.rating(self.source_letter)}"]
        if ann.note:
            note = ann.note if len(ann.note) < 400 else ann.note[:400] + "…"
            parts.append(f"<b>Note:</b> {html.escape(note)}")
        if ann.annotator:
            parts.append(f"<span style='color:gray'>{html.escape(ann.annotator)}</span>")
        return "<br>".join(parts)

    def tooltip(self, offset: int) -> str:
        keys = self.highlighter.at(offset)
        blocks = [self.describe(self.annotations[k]) for k in keys[:4] if k in self.annotations]
        if len(keys) > 4:
            blocks.append(f"… and {len(keys) - 4} more")
        if len(keys) > 1:
            blocks.append("<i>Click again to cycle through the overlapping annotations.</i>")
        blocks += [html.escape(span.tooltip) for _name, span in self.view.overlays_at(offset) if span.tooltip]
        return "<hr>".join(blocks)

    # ------------------------------------------------------------- selection
    def _selection_changed(self) -> None:
        has = self.view.textCursor().hasSelection()
        self.panel.annotate_button.setEnabled(has and self.source_id is not None)
        if has and self.selected_id is not None:
            self.deselect()

    def _selection_finished(self) -> None:
        if self.window.actions["snap_to_words"].isChecked():
            span = self.view.selected_span()
            if span:
                start, end = self._snap(*span)
                if (start, end) != span:
                    self._select_text(start, end)

    def _snap(self, start: int, end: int) -> tuple[int, int]:
        text = self.view.text
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'’-") and \
                (text[start].isalnum() or text[start] in "_'’-"):
            start -= 1
        while end < len(text) and (text[end].isalnum() or text[end] in "_'’-") and \
                (text[end - 1].isalnum() or text[end - 1] in "_'’-"):
            end += 1
        return start, end

    def _select_text(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(self.view.offsets.to_utf16(start))
        cursor.setPosition(self.view.offsets.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.view.setTextCursor(cursor)

    def _span_clicked(self, offset: int) -> None:
        keys = tuple(self.highlighter.at(offset))
        if keys:
            if self._cycle and self._cycle[1] == keys and self.selected_id in keys:
                key = keys[(keys.index(self.selected_id) + 1) % len(keys)]
            else:
                key = keys[0]
            self._cycle = (offset, keys)
            self.select(key, scroll=False)
            return
        self._cycle = None
        for name, span in self.view.overlays_at(offset):
            handler = self.overlay_clicked_handlers.get(name)
            if handler is not None:
                handler(span)
                return
        if self.selected_id is not None:
            self.deselect()

    def select(self, annotation_id: str, scroll: bool = True) -> None:
        if annotation_id not in self.annotations:
            return
        if annotation_id != self.selected_id:
            self.panel.flush_note()
            self._seal_note()
        self.selected_id = annotation_id
        cursor = self.view.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self.view.setTextCursor(cursor)
        self._show_selected(scroll=scroll)

    def _show_selected(self, scroll: bool) -> None:
        ann = self.annotations[self.selected_id]
        self.highlighter.set_selected(ann.id)
        self.table.select_annotation(ann.id)
        self._show_selected_heading()
        self.panel.set_values(PanelValues(set(ann.actor_ids), dict(ann.theories), ann.reliability,
                                          ann.credibility, ann.note or ""))
        self.window.actions["delete_annotation"].setEnabled(True)
        if scroll:
            self.view.scroll_to_span(ann.start, ann.end)

    def _show_selected_heading(self) -> None:
        ann = self.annotations.get(self.selected_id or "")
        if ann is None:
            return
        quote = " ".join(ann.quote.split())
        quote = quote if len(quote) <= 90 else quote[:89] + "…"
        who = f" · {ann.annotator}" if ann.annotator else ""
        self.panel.set_mode(True, f"Annotation · {ann.rating(self.source_letter)}", f"“{quote}”{who}",
                            owner=self._project)

    def deselect(self) -> None:
        self.panel.flush_note()
        self._seal_note()
        self._show_draft(PanelValues())

    def _show_draft(self, values: PanelValues) -> None:
        self.selected_id = None
        self.highlighter.set_selected(None)
        self.table.select_annotation(None)
        self.panel.set_mode(False)
        self.panel.set_values(values)
        self.window.actions["delete_annotation"].setEnabled(False)
        self._selection_changed()

    def step(self, direction: int) -> None:
        self.finish_loading()
        rows = self.table.table_model.rows
        if not rows:
            return
        if self.selected_id is not None:
            row = self.table.table_model.row_of(self.selected_id)
            target = row + direction
        else:
            pos = self.view.offsets.to_cp(self.view.textCursor().position())
            if direction > 0:
                target = next((i for i, a in enumerate(rows) if a.start >= pos), len(rows))
            else:
                target = next((i for i in range(len(rows) - 1, -1, -1) if rows[i].start < pos), -1)
        if 0 <= target < len(rows):
            self.select(rows[target].id)

    # ------------------------------------------------------ public interface
    def preselect(self, start: int, end: int, actor_ids: Any = (), theory_ids: Any = ()) -> None:
        """Select a span of the open source and prepare a draft with these actors and theories."""
        self.deselect()
        self.view.select_span(start, end)
        self._show_draft(PanelValues(set(actor_ids), {t: "supports" for t in theory_ids}))
        self.panel.annotate_button.setFocus()

    def select_annotation(self, annotation_id: str) -> None:
        """Open the annotation's source if needed, scroll to the annotation and select it."""
        project = self.window.project
        if project is None:
            return
        self.finish_loading()
        if annotation_id not in self.annotations:
            try:
                ann = project.get_annotation(annotation_id)
            except UserError as exc:
                warn(self.window, "Annotation not found", str(exc))
                return
            self.window.show_source(ann.source_id)
        self.select(annotation_id)
        self.view.setFocus()

    def reveal(self, source_id: str | None, annotation_id: str | None) -> None:
        """After undo/redo: show what changed."""
        if source_id is not None and source_id != self.source_id:
            self.window.show_source(source_id)
        if annotation_id is not None and annotation_id in self.annotations:
            self.select(annotation_id)
        elif self.selected_id is not None and self.selected_id not in self.annotations:
            self.deselect()

    def report(self, exc: UserError) -> None:
        warn(self.window, "Not saved", str(exc))

    # ----------------------------------------------------------------- edits
    def _writable(self) -> bool:
        project = self.window.project
        if project is None:
            return False
        if project.read_only:
            warn(self.window, "Read-only project", f"{project.path.name} is open read-only; "
                 "changes cannot be saved. Use File › Save a Copy As… to work on a copy.")
            return False
        return True

    def _stored_annotator(self) -> str | None:
        value = self.settings.value("annotator")
        return value if isinstance(value, str) and value else None

    def annotator(self) -> tuple[bool, str | None]:
        """(go on?, name). Asks once; an empty answer means "anonymous" and is not asked again."""
        if self.settings.value("annotator") is not None:
            return True, self._stored_annotator()
        try:
            suggestion = getpass.getuser()
        except Exception:  # noqa: BLE001 (no user name on some systems)
            suggestion = ""
        name = ask_annotator(self.window, suggestion)
        if name is None:
            return False, None
        self.settings.setValue("annotator", name)
        self.panel.set_annotator(name or None)
        return True, name or None

    def annotate(self) -> None:
        span = self.view.selected_span()
        if span is None or self.source_id is None:
            self.window.statusBar().showMessage("Select the text to annotate first.", 4000)
            return
        if not self._writable():
            return
        start, end = span
        text = self.view.text
        if self.window.actions["snap_to_words"].isChecked():
            start, end = self._snap(start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            self.window.statusBar().showMessage("Only white space is selected.", 4000)
            return
        for check in list(self.create_checks):
            message = check(self.source_id, start, end)
            if message and not confirm(self.window, "Annotate anyway?", f"{message}\n\nAnnotate anyway?"):
                return
        go_on, annotator = self.annotator()
        if not go_on:
            return
        values = self.panel.values()
        command = CreateAnnotationCommand(
            self.window.project, self.source_id, start, end,
            {"actor_ids": sorted(values.actor_ids), "theories": dict(values.theories),
             "reliability": values.reliability, "credibility": values.credibility,
             "note": values.note or None, "annotator": annotator},
            reveal=self.reveal, report=self.report)
        try:
            ann = command.apply()
        except UserError as exc:
            warn(self.window, "Not annotated", str(exc))
            return
        self.window.undo_stack.push(command)
        self.select(ann.id, scroll=False)
        self.window.statusBar().showMessage(f"Annotated {ann.rating(self.source_letter)}: "
                                            f"{' '.join(ann.quote.split())[:60]}", 4000)

    def _field_changed(self, name: str) -> None:
        if self.selected_id is None or not self.panel.editing or not self.panel.owned_by(self.window.project):
            return  # nothing selected, or the selection belongs to a project that was closed meanwhile
        if not self._writable():
            self._show_selected(scroll=False)
            return
        values = self.panel.values()
        fields = {"actors": {"actor_ids": sorted(values.actor_ids)}, "theories": {"theories": values.theories},
                  "reliability": {"reliability": values.reliability},
                  "credibility": {"credibility": values.credibility},
                  "note": {"note": values.note or None}}[name]
        command = UpdateAnnotationCommand(self.window.project, self.selected_id, FIELD_LABELS[name], fields,
                                          reveal=self.reveal, report=self.report)
        try:
            command.apply()
        except UserError as exc:
            warn(self.window, "Not saved", str(exc))
            if self.selected_id in self.annotations:
                self._show_selected(scroll=False)
            return
        if command.changed:
            self.window.undo_stack.push(command)
            if name == "note":
                self._note_command = command
            else:
                self._seal_note()

    def _seal_note(self) -> None:
        """Close the note's undo step: the next note edit starts a new one."""
        if self._note_command is not None:
            self._note_command.sealed = True
            self._note_command = None

    def delete_selected(self) -> None:
        if self.selected_id is None or not self._writable():
            return
        self.panel.flush_note()
        self._seal_note()
        command = DeleteAnnotationCommand(self.window.project, self.selected_id, reveal=self.reveal,
                                          report=self.report)
        try:
            command.apply()
        except UserError as exc:
            warn(self.window, "Not deleted", str(exc))
            return
        self.window.undo_stack.push(command)

    def create_actor(self, name: str) -> None:
        """An actor typed in the panel: one undo step; in edit mode also linked (a macro, one step)."""
        if not self._writable():
            return
        project = self.window.project
        existing = project.actor_by_name(name)
        if existing is not None:
            self.panel.check_actor(existing.id)
            self.panel.actor_filter.clear()
            return
        if self.selected_id is not None:
            self.flush()  # a note being typed is saved first (its own step), not overwritten by the link
        # in edit mode the actor is also linked to the selected annotation: one transaction, one undo step
        command = CreateActorCommand(project, name, link_to=self.selected_id, reveal=self.reveal,
                                     report=self.report)
        try:
            actor_id = command.apply()
        except UserError as exc:
            warn(self.window, "Actor not added", str(exc))
            return
        self.window.undo_stack.push(command)
        self.panel.actor_filter.clear()
        if command.link_to is None:
            self.panel.check_actor(actor_id)  # a draft: saved with Annotate (edit mode shows the link saved)

    def edit_source(self, source_id: str | None) -> None:
        project = self.window.project
        if project is None or source_id is None:
            return
        try:
            source = project.get_source(source_id)
        except UserError as exc:
            warn(self.window, "Source not found", str(exc))
            return
        count = project.conn.execute("SELECT count(*) FROM annotations WHERE source_id = ?",
                                     (source_id,)).fetchone()[0]
        dialog = SourceDialog(source, count, self.window)
        if not exec_dialog(dialog):
            return
        changes = dialog.changes()
        if not changes or not self._writable():
            return
        command = EditSourceCommand(project, source_id, changes, reveal=self.reveal, report=self.report)
        try:
            command.apply()
        except UserError as exc:
            warn(self.window, "Source not changed", str(exc))
            return
        self.window.undo_stack.push(command)


def install(window: MainWindow) -> AnnotatingController:
    return AnnotatingController(window)
