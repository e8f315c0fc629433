"""The codebook dock: actors and theories (create, edit, merge, delete, usage), unlinked mentions with
annotate-all and alias suggestions, and repeated passages.

``install(window)`` adds the dock and returns the controller; main_window calls its ``source_shown`` and
``project_changed`` hooks. Overlays: "mentions" (dotted, actor colour) and "repeats" (margin bars).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QTableView,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.errors import UserError
from kzannotate.store.models import Actor, Annotation, Change, Theory
from kzannotate.text.aliases import AliasSuggestion, alias_suggestions
from kzannotate.text.duplicates import (
    Cancelled,
    Repeat,
    copies_in,
    find_repeats,
    line_range,
    map_offset,
    repeat_of,
)
from kzannotate.text.mentions import Mention, covered_spans, find_mentions, unlinked_mentions, without_covered
from kzannotate.ui import codebook_dialogs as dialogs
from kzannotate.ui.codebook_commands import (
    AddCodeCommand,
    AnnotateMentionsCommand,
    CodebookCommand,
    DeleteCodeCommand,
    EditCodeCommand,
    MergeCodesCommand,
)
from kzannotate.ui.codebook_dialogs import fallback_color, swatch
from kzannotate.ui.mentions_panel import MentionsPanel, RepeatsPanel
from kzannotate.ui.source_view import OverlaySpan

log = logging.getLogger("kzannotate")
Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ACTOR_COLUMNS = ("Name", "Kind", "Uses", "Aliases")
REPEAT_COLOR = "#8a8f98"
MAX_TIP_COPIES = 4
BACKGROUND_CHARS = 1_000_000  # projects with more text look for repeated passages in a worker thread


def ask_open_file(parent: QWidget, title: str, filters: str) -> str:
    """File picker (tests replace it)."""
    return QFileDialog.getOpenFileName(parent, title, "", filters)[0]


def ask_save_file(parent: QWidget, title: str, name: str, filters: str) -> str:
    return QFileDialog.getSaveFileName(parent, title, name, filters)[0]


# ----------------------------------------------------------------- actor model
class ActorTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.actors: list[Actor] = []

    def set_actors(self, actors: list[Actor]) -> None:
        self.beginResetModel()
        self.actors = list(actors)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.actors)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(ACTOR_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ACTOR_COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("Name and colour", "Person, organisation, state, group or other",
                    "Annotations linked to this actor", "Other spellings found as mentions")[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self.actors[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (a.name, a.kind, a.usage, ", ".join(a.aliases))[col]
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return swatch(a.color or fallback_color(a.id))
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [f"<b>{a.name}</b> ({a.kind})"]
            if a.aliases:
                parts.append("Also: " + ", ".join(a.aliases))
            if a.description:
                parts.append(a.description)
            parts.append(f"{a.usage} annotation{'s' if a.usage != 1 else ''} — double-click to list them")
            return "<br>".join(parts)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return a.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{a.name}, {a.kind}, {a.usage} annotations"
        return None

    def row_of(self, actor_id: str) -> int:
        return next((i for i, a in enumerate(self.actors) if a.id == actor_id), -1)


class _ActorFilter(QSortFilterProxyModel):
    """Filter on name, kind and aliases; sort numbers as numbers."""

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        needle = self.filterRegularExpression().pattern().casefold()
        if not needle:
            return True
        a = self.sourceModel().actors[row]
        return needle in " ".join((a.name, a.kind, *a.aliases)).casefold()


# ------------------------------------------------------------------------ dock
class CodebookDock(QDockWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__("Codebook", parent)
        self.setObjectName("codebookDock")
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        body = QWidget(self)
        self.tabs = QTabWidget(body)
        self.tabs.setObjectName("codebookTabs")
        self.tabs.setDocumentMode(True)

        # actors
        actors = QWidget(self.tabs)
        self.actor_filter = QLineEdit(actors)
        self.actor_filter.setObjectName("actorFilter")
        self.actor_filter.setPlaceholderText("Filter actors and aliases…")
        self.actor_filter.setClearButtonEnabled(True)
        self.actor_model = ActorTableModel(self)
        self.actor_proxy = _ActorFilter(self)
        self.actor_proxy.setSourceModel(self.actor_model)
        self.actor_proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.actor_filter.textChanged.connect(self.actor_proxy.setFilterFixedString)
        self.actor_table = QTableView(actors)
        self.actor_table.setObjectName("actorTable")
        self.actor_table.setAccessibleName("Actors")
        self.actor_table.setModel(self.actor_proxy)
        self.actor_table.setSortingEnabled(True)
        self.actor_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.actor_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actor_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.actor_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actor_table.verticalHeader().hide()
        self.actor_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.actor_table.setWordWrap(False)
        self.actor_table.setAlternatingRowColors(True)
        self.actor_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.actor_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 165)
        self.actor_buttons = QHBoxLayout()
        layout = QVBoxLayout(actors)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.actor_filter)
        layout.addWidget(self.actor_table, 1)
        layout.addLayout(self.actor_buttons)
        self.tabs.addTab(actors, "Actors")

        # theories
        theories = QWidget(self.tabs)
        self.theory_tree = QTreeWidget(theories)
        self.theory_tree.setObjectName("theoryTree")
        self.theory_tree.setAccessibleName("Theories")
        self.theory_tree.setHeaderLabels(["Theory", "Uses"])
        self.theory_tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.theory_tree.setAlternatingRowColors(True)
        self.theory_tree.setUniformRowHeights(True)
        self.theory_tree.header().setStretchLastSection(False)
        self.theory_tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.theory_tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.theory_buttons = QHBoxLayout()
        tlayout = QVBoxLayout(theories)
        tlayout.setContentsMargins(4, 4, 4, 4)
        tlayout.addWidget(self.theory_tree, 1)
        tlayout.addLayout(self.theory_buttons)
        self.tabs.addTab(theories, "Theories")

        self.mentions = MentionsPanel(self.tabs)
        self.tabs.addTab(self.mentions, "Mentions")
        self.repeats = RepeatsPanel(self.tabs)
        self.tabs.addTab(self.repeats, "Repeats")

        outer = QVBoxLayout(body)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.tabs)
        self.setWidget(body)

    def add_button(self, row: QHBoxLayout, name: str, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button


# ------------------------------------------------------------------ controller
class CodebookFeature(QObject):
    """Keeps the dock, the overlays and the store in step."""

    scan_done = Signal(int, object)  # generation, list[Repeat] (from the worker thread)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.dock = CodebookDock(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.resizeDocks([self.dock], [400], Qt.Orientation.Horizontal)  # first run; the saved layout wins
        self.actions = window.actions
        self._project = None
        self._repeats: list[Repeat] | None = None
        self._scanning: tuple[str, ...] | None = None
        self._project_ready = False
        self._all_mentions: tuple[Any, list[Mention]] = (None, [])
        self._mention_spans: dict[Any, Any] = {}  # Mention -> OverlaySpan (None -> the colours they use)
        self._shown_mentions: tuple[Any, Any] = (None, None)
        self._generation = 0
        self.scan_done.connect(self._scan_finished)
        self._suggestions: list[AliasSuggestion] | None = None
        self.mentions: list[Mention] = []
        self.usage_dialogs: dict[tuple[str, str], dialogs.UsageDialog] = {}
        self._hooked_annotating = False
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._flush)
        self._build_buttons()
        self._connect_actions()
        self._hook_annotating()

    # ----------------------------------------------------------------- wiring
    def _build_buttons(self) -> None:
        d = self.dock
        d.add_button(d.actor_buttons, "newActorButton", "New…", "Add an actor", self.new_actor)
        d.add_button(d.actor_buttons, "editActorButton", "Edit…", "Rename, recolour, aliases", self.edit_selected)
        d.add_button(d.actor_buttons, "mergeActorButton", "Merge…", "Merge actors entered twice", self.merge_selected)
        d.add_button(d.actor_buttons, "deleteActorButton", "Delete", "Delete the selected actors",
                     self.delete_selected)
        d.actor_buttons.addStretch(1)
        d.add_button(d.theory_buttons, "newTheoryButton", "New…", "Add a top-level theory", self.new_theory)
        d.add_button(d.theory_buttons, "newSubTheoryButton", "Sub-theory…", "Add a theory under the selected one",
                     lambda: self.new_theory(sub=True))
        d.add_button(d.theory_buttons, "editTheoryButton", "Edit…", "Rename, move, recolour", self.edit_selected)
        d.add_button(d.theory_buttons, "mergeTheoryButton", "Merge…", "Merge theories that are one",
                     self.merge_selected)
        d.add_button(d.theory_buttons, "deleteTheoryButton", "Delete", "Delete the selected theories",
                     self.delete_selected)
        d.theory_buttons.addStretch(1)
        d.actor_table.doubleClicked.connect(lambda index: self.show_usage("actor", index.data(ID_ROLE)))
        d.theory_tree.itemDoubleClicked.connect(
            lambda item, _c: self.show_usage("theory", item.data(0, ID_ROLE)))
        d.mentions.mention_activated.connect(self.activate_mention)
        d.mentions.annotate_requested.connect(self.annotate_all)
        d.mentions.add_alias_requested.connect(self.add_suggested_alias)
        d.mentions.dismiss_alias_requested.connect(self.dismiss_suggestion)
        d.mentions.suggestion_activated.connect(self._open_suggestion)
        d.repeats.copy_activated.connect(self.go_to_span)
        d.tabs.currentChanged.connect(lambda _i: self._schedule("suggestions"))

    def _connect_actions(self) -> None:
        a = self.actions
        a["new_actor"].triggered.connect(self.new_actor)
        a["new_theory"].triggered.connect(lambda: self.new_theory())
        a["edit_code"].triggered.connect(self.edit_selected)
        a["merge_codes"].triggered.connect(self.merge_selected)
        a["delete_code"].triggered.connect(self.delete_selected)
        a["annotate_mentions"].triggered.connect(self._annotate_from_menu)
        a["import_codebook"].triggered.connect(self.import_codebook)
        a["export_codebook"].triggered.connect(self.export_codebook)
        show = a["show_codebook"]
        show.setChecked(True)
        show.toggled.connect(self._show_dock)
        self.dock.visibilityChanged.connect(lambda _v: show.setChecked(not self.dock.isHidden()))
        settings = self.window.settings
        mentions_on = settings.value("codebook/show_mentions", True, type=bool)
        repeats_on = settings.value("codebook/show_repeats", True, type=bool)
        a["show_mentions"].setChecked(mentions_on)
        a["show_repeats"].setChecked(repeats_on)
        self.window.source_view.set_overlay_visible("mentions", mentions_on)
        self.window.source_view.set_overlay_visible("repeats", repeats_on)
        a["show_mentions"].toggled.connect(lambda on: self._toggle_overlay("mentions", on))
        a["show_repeats"].toggled.connect(lambda on: self._toggle_overlay("repeats", on))

    def _show_dock(self, on: bool) -> None:
        self.dock.setVisible(on)
        if on:
            self.dock.raise_()

    def _toggle_overlay(self, name: str, on: bool) -> None:
        self.window.settings.setValue(f"codebook/show_{name}", on)
        self.window.source_view.set_overlay_visible(name, on)

    def _hook_annotating(self) -> None:
        """Register overlay click handlers and the duplicate-passage check with the annotating controller."""
        ann = getattr(self.window, "annotating", None)
        if self._hooked_annotating:
            return
        if ann is None:
            self.window.source_view.span_clicked.connect(self._fallback_click)
            self._hooked_annotating = True
            return
        handlers = getattr(ann, "overlay_clicked_handlers", None)
        if handlers is not None:
            handlers["mentions"] = self._mention_span_clicked
            handlers["repeats"] = self._repeat_span_clicked
        checks = getattr(ann, "create_checks", None)
        if checks is not None:
            checks.append(self.repeat_warning)
        self._hooked_annotating = True

    def _fallback_click(self, offset: int) -> None:
        """Without the annotating feature the reader's clicks come here directly."""
        for name, span in self.window.source_view.overlays_at(offset):
            if name == "mentions":
                self._mention_span_clicked(span)
                return

    # ------------------------------------------------------------------ hooks
    @property
    def project(self):
        return self.window.project

    def project_changed(self) -> None:
        project = self.project
        if project is self._project and self._project_ready:
            return  # already switched when its first source was shown
        self._project_ready = True
        if project is not self._project:
            if project is not None:
                project.subscribe(self._on_change)
            self._project = project
        self._invalidate_repeats()
        self._suggestions = None
        for dlg in self.usage_dialogs.values():
            dlg.close()
        self.usage_dialogs.clear()
        enabled = project is not None and not project.read_only
        for name in ("new_actor", "new_theory", "edit_code", "merge_codes", "delete_code", "annotate_mentions",
                     "import_codebook"):
            self.actions[name].setEnabled(enabled)
        self.actions["export_codebook"].setEnabled(project is not None)
        self._schedule("codes", "mentions", "repeats", "suggestions")
        self._flush()

    def source_shown(self, source_id: str | None) -> None:
        if self.project is not self._project:  # main_window shows the first source before project_changed
            self._project_ready = False
            self.project_changed()
            return
        self._schedule("mentions", "repeats")
        self._flush()

    def _on_change(self, change: Change) -> None:
        if change.kind in ("actor", "theory"):
            self._schedule("codes", "mentions", "usage")
            if change.kind == "actor":
                self._suggestions = None
                self._schedule("suggestions")
        elif change.kind == "annotation":
            self._schedule("codes", "usage")
            if self.window.current_source_id in change.source_ids:
                self._schedule("mentions")
        elif change.kind in ("source", "project"):
            self._invalidate_repeats()
            self._suggestions = None
            self._schedule("codes", "mentions", "repeats", "suggestions", "usage")

    def _schedule(self, *parts: str) -> None:
        self._dirty.update(parts)
        self._timer.start()

    def _flush(self) -> None:
        self._timer.stop()
        dirty, self._dirty = self._dirty, set()
        if "codes" in dirty:
            self.refresh_codes()
        if "mentions" in dirty:
            self.refresh_mentions()
        if "repeats" in dirty:
            self.refresh_repeats()
        if "suggestions" in dirty:
            self.refresh_suggestions()
        if "usage" in dirty:
            self._refresh_usage_dialogs()

    # ------------------------------------------------------------ refreshing
    def colors(self) -> dict[str, str]:
        return {a.id: a.color or fallback_color(a.id) for a in self.dock.actor_model.actors}

    def refresh_codes(self) -> None:
        d = self.dock
        project = self.project
        keep_actors = set(self.selected_actor_ids())
        actors = project.list_actors() if project else []
        d.actor_model.set_actors(actors)
        selection = d.actor_table.selectionModel()
        for actor_id in keep_actors:
            row = d.actor_model.row_of(actor_id)
            if row >= 0:
                index = d.actor_proxy.mapFromSource(d.actor_model.index(row, 0))
                selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
        keep_theories = set(self.selected_theory_ids())
        collapsed = {d.theory_tree.topLevelItem(i).data(0, ID_ROLE) for i in range(d.theory_tree.topLevelItemCount())
                     if not d.theory_tree.topLevelItem(i).isExpanded()}
        d.theory_tree.clear()
        theories = project.list_theories() if project else []
        items: dict[str, QTreeWidgetItem] = {}
        children: dict[str | None, list[Theory]] = {}
        ids = {t.id for t in theories}
        for t in theories:
            children.setdefault(t.parent_id if t.parent_id in ids else None, []).append(t)

        def add(parent_item: QTreeWidgetItem | QTreeWidget, parent_id: str | None) -> None:
            for t in children.get(parent_id, []):
                item = QTreeWidgetItem(parent_item, [t.name, str(t.usage)])
                item.setData(0, ID_ROLE, t.id)
                item.setIcon(0, swatch(t.color or fallback_color(t.id)))
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(0, (t.description or t.name) + f"\n{t.usage} annotation"
                                f"{'s' if t.usage != 1 else ''} — double-click to list them")
                items[t.id] = item
                add(item, t.id)

        add(d.theory_tree, None)
        d.theory_tree.expandAll()
        for tid in collapsed:
            if tid in items:
                items[tid].setExpanded(False)
        for tid in keep_theories:
            if tid in items:
                items[tid].setSelected(True)
        d.actor_filter.setPlaceholderText(f"Filter {len(actors)} actors by name or alias…")

    def refresh_mentions(self) -> None:
        view = self.window.source_view
        project, source_id = self.project, self.window.current_source_id
        if project is None or source_id is None:
            self.mentions = []
            view.set_overlay("mentions", [])
            self.dock.mentions.set_mentions([], "", {}, None)
            self.dock.tabs.setTabText(2, "Mentions")
            return
        # Every mention of the source is found once per source and codebook; after an annotation changes
        # only the "already annotated" filter runs again.
        actors = tuple(self.dock.actor_model.actors) or tuple(project.list_actors())
        key = (source_id, len(view.text), tuple((a.id, a.name, a.aliases) for a in actors))
        if self._all_mentions[0] != key:
            self._all_mentions = (key, [Mention(m.start, m.end, m.text, m.actor_id, m.actor_name, source_id)
                                        for m in find_mentions(view.text, actors, None)])
        try:
            mentions = without_covered(self._all_mentions[1], covered_spans(project, source_id))
        except UserError:  # the source was deleted meanwhile
            mentions = []
        colors = self.colors()
        if (mentions == self.mentions and self._shown_mentions == (source_id, colors)
                and "mentions" in view.overlays):
            return  # the change did not touch a mention (the common case while annotating)
        self.mentions = mentions
        spans = self._mention_spans
        if spans.get(None) != colors or self._shown_mentions[0] != source_id:
            spans.clear()
            spans[None] = colors
        self._shown_mentions = (source_id, colors)

        def span_of(m: Mention) -> OverlaySpan:
            span = spans.get(m)
            if span is None:
                span = spans[m] = OverlaySpan(
                    m.start, m.end, color=colors.get(m.actor_id, "#0072b2"), style="dotted",
                    tooltip=f"Unlinked mention of {m.actor_name} — click to annotate", data=m)
            return span

        view.set_overlay("mentions", [span_of(m) for m in mentions])
        self.dock.mentions.set_mentions(self.mentions, view.text, colors, "open")
        self.dock.tabs.setTabText(2, f"Mentions ({len(self.mentions)})")

    def repeats(self) -> list[Repeat]:
        """Repeated passages across the project (computed once per change of sources).

        Small projects are scanned at once; beyond ``BACKGROUND_CHARS`` the scan runs in a worker thread
        (pure Python, so the window stays responsive) and this returns [] until it is done.
        """
        if self._repeats is None:
            project = self.project
            if project is None:
                return []
            texts = {sid: project.get_source(sid).text for sid in project.source_ids()}
            if sum(len(t) for t in texts.values()) < BACKGROUND_CHARS:
                self._repeats = find_repeats(texts)
            else:
                self._start_scan(texts)
                return []
        return self._repeats

    def _invalidate_repeats(self) -> None:
        self._repeats = None
        self._scanning = None
        self._generation += 1

    def _start_scan(self, texts: dict[str, str]) -> None:
        key = tuple(texts)
        if self._scanning == key:
            return
        self._scanning = key
        self._generation += 1
        generation = self._generation

        def work() -> None:
            try:
                found = find_repeats(texts, should_stop=lambda: generation != self._generation)
            except Cancelled:
                return
            except Exception:  # noqa: BLE001 (a bug: log it, the window goes on without marks)
                log.exception("Looking for repeated passages failed")
                found = []
            with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                self.scan_done.emit(generation, found)

        threading.Thread(target=work, name="kzannotate-repeats", daemon=True).start()

    def _scan_finished(self, generation: int, found: list[Repeat]) -> None:
        if generation != self._generation:
            return  # the sources changed meanwhile; a newer scan is running or will run
        self._scanning = None
        self._repeats = found
        self._schedule("repeats")

    def refresh_repeats(self) -> None:
        view = self.window.source_view
        project, source_id = self.project, self.window.current_source_id
        if project is None or source_id is None:
            view.set_overlay("repeats", [])
            self.dock.repeats.set_repeats([], None, {}, {})
            return
        pairs = copies_in(self.repeats(), source_id)
        texts: dict[str, str] = {}
        for rep, _ in pairs:
            for sid, *_ in rep.copies:
                if sid not in texts:
                    texts[sid] = view.text if sid == source_id else project.get_source(sid).text
        titles = {s.id: s.title for s in project.list_sources()}
        spans = []
        for rep, index in pairs:
            _, start, end = rep.copies[index]
            shown = [i for i in range(len(rep.copies)) if i != index][:MAX_TIP_COPIES]
            others = [self._where(rep.copies[i], source_id, texts, titles) for i in shown]
            more = len(rep.copies) - 1 - len(shown)
            role = "This passage is the first of" if index == 0 else "This passage repeats"
            tip = (f"{role} {len(rep.copies)} copies ({rep.length:,} characters); also at "
                   + "; ".join(others) + (f" and {more} more" if more else "") + ". Annotate one copy only.")
            spans.append(OverlaySpan(start, end, color=REPEAT_COLOR, style="margin", tooltip=tip,
                                     data=(rep, index)))
        view.set_overlay("repeats", spans)
        self.dock.repeats.set_repeats(pairs, source_id, texts, titles)
        if self._repeats is None and self._scanning is not None:
            self.dock.repeats.summary.setText("Looking for repeated passages in all sources…")
        n = len({id(r) for r, _ in pairs})
        self.dock.tabs.setTabText(3, f"Repeats ({n})" if n else "Repeats")

    @staticmethod
    def _where(copy: tuple[str, int, int], here: str, texts: dict[str, str], titles: dict[str, str]) -> str:
        sid, start, end = copy
        first, last = line_range(texts[sid], start, end)
        lines = f"line {first}" if first == last else f"lines {first}–{last}"
        return lines if sid == here else f"{lines} of “{titles.get(sid, '?')}”"

    def refresh_suggestions(self) -> None:
        if self.dock.tabs.currentWidget() is not self.dock.mentions:
            return  # computed when the Mentions tab is shown
        project = self.project
        if project is None:
            self.dock.mentions.set_suggestions([])
            return
        if self._suggestions is None:
            self._suggestions = alias_suggestions(project, ignore=self._dismissed())
        self.dock.mentions.set_suggestions(self._suggestions)

    # ----------------------------------------------------------- selections
    def selected_actor_ids(self) -> list[str]:
        rows = self.dock.actor_table.selectionModel().selectedRows()
        return [r.data(ID_ROLE) for r in rows]

    def selected_theory_ids(self) -> list[str]:
        return [item.data(0, ID_ROLE) for item in self.dock.theory_tree.selectedItems()]

    def _kind(self) -> str:
        return "theory" if self.dock.tabs.currentIndex() == 1 else "actor"

    # ------------------------------------------------------------ commands
    def report(self, exc: UserError) -> None:
        QMessageBox.warning(self.window, "Codebook", str(exc))

    def push(self, command: CodebookCommand) -> Any:
        """Run a command's store call; only a successful one lands on the undo stack."""
        try:
            result = command.apply()
        except UserError as exc:
            self.report(exc)
            return None
        self.window.undo_stack.push(command)
        return result

    def _writable(self) -> bool:
        return self.project is not None and not self.project.read_only

    def new_actor(self) -> Actor | None:
        if not self._writable():
            return None
        used = {a.color for a in self.dock.actor_model.actors}
        color = next((c for c in dialogs.PALETTE if c not in used), dialogs.PALETTE[0])
        dlg = dialogs.ActorDialog(self.window, None, color)
        while dlg.exec():
            values = dlg.values()
            name = values.pop("name")
            actor = self.push(AddCodeCommand(self.project, "actor", name, values, report=self.report))
            if actor is not None:
                self.dock.tabs.setCurrentIndex(0)
                self._select_actor(actor.id)
                return actor
        return None

    def new_theory(self, sub: bool = False) -> Theory | None:
        if not self._writable():
            return None
        parent_id = (self.selected_theory_ids() or [None])[0] if sub else None
        used = {t.color for t in self.project.list_theories()}
        color = next((c for c in dialogs.PALETTE if c not in used), dialogs.PALETTE[0])
        dlg = dialogs.TheoryDialog(self.window, self.project.list_theories(), None, parent_id=parent_id,
                                   color=color)
        while dlg.exec():
            values = dlg.values()
            name = values.pop("name")
            theory = self.push(AddCodeCommand(self.project, "theory", name, values, report=self.report))
            if theory is not None:
                self.dock.tabs.setCurrentIndex(1)
                self._flush()
                self._select_theory(theory.id)
                return theory
        return None

    def edit_selected(self) -> None:
        if not self._writable():
            return
        if self._kind() == "actor":
            ids = self.selected_actor_ids()
            if ids:
                self.edit_actor(ids[0])
        else:
            ids = self.selected_theory_ids()
            if ids:
                self.edit_theory(ids[0])

    def edit_actor(self, actor_id: str) -> None:
        actor = self.project.get_actor(actor_id)
        dlg = dialogs.ActorDialog(self.window, actor)
        while dlg.exec():
            values = dlg.values()
            changed = {k: v for k, v in values.items()
                       if (tuple(v) if k == "aliases" else v) != getattr(actor, k)}
            if not changed:
                return
            text = (f"Rename actor “{actor.name}”" if set(changed) == {"name"} else
                    f"Recolour actor “{actor.name}”" if set(changed) == {"color"} else f"Edit actor “{actor.name}”")
            if self.push(EditCodeCommand(self.project, "actor", actor_id, changed, text, report=self.report)):
                return

    def edit_theory(self, theory_id: str) -> None:
        theory = self.project.get_theory(theory_id)
        excluded = self.project.theory_descendants(theory_id)
        dlg = dialogs.TheoryDialog(self.window, self.project.list_theories(), theory, excluded=excluded)
        while dlg.exec():
            values = dlg.values()
            changed = {k: v for k, v in values.items() if v != getattr(theory, k)}
            if not changed:
                return
            text = (f"Rename theory “{theory.name}”" if set(changed) == {"name"} else
                    f"Move theory “{theory.name}”" if set(changed) == {"parent_id"} else
                    f"Edit theory “{theory.name}”")
            if self.push(EditCodeCommand(self.project, "theory", theory_id, changed, text, report=self.report)):
                return

    def delete_selected(self) -> None:
        if not self._writable():
            return
        kind = self._kind()
        ids = self.selected_actor_ids() if kind == "actor" else self.selected_theory_ids()
        if not ids:
            return
        codes = [self.project.get_actor(i) if kind == "actor" else self.project.get_theory(i) for i in ids]
        used = sum(c.usage for c in codes)
        if used:
            names = ", ".join(f"“{c.name}”" for c in codes)
            subject = names if len(codes) == 1 else f"these {len(codes)} {kind}s" if kind == "actor" else \
                f"these {len(codes)} theories"
            text = (f"Delete {subject}? {used} annotation{'s use' if used != 1 else ' uses'} "
                    f"{'it' if len(codes) == 1 else 'them'}; the annotations stay, only their link to "
                    f"{'it' if len(codes) == 1 else 'them'} goes. You can undo this.")
            if not dialogs.confirm(self.window, "Delete from the codebook", text):
                return
        stack = self.window.undo_stack
        if len(codes) > 1:
            stack.beginMacro(f"Delete {len(codes)} {'actors' if kind == 'actor' else 'theories'}")
        try:
            for c in codes:
                self.push(DeleteCodeCommand(self.project, kind, c.id, c.name, report=self.report))
        finally:
            if len(codes) > 1:
                stack.endMacro()

    def merge_selected(self) -> None:
        if not self._writable():
            return
        kind = self._kind()
        codes: list[Actor | Theory]
        if kind == "actor":
            codes, selected = self.project.list_actors(), self.selected_actor_ids()
        else:
            codes, selected = self.project.list_theories(), self.selected_theory_ids()
        if len(codes) < 2:
            return
        dlg = dialogs.MergeDialog(self.window, kind, codes, selected)
        if not dlg.exec():
            return
        keep, drops = dlg.result_ids()
        if keep and drops:
            name = next(c.name for c in codes if c.id == keep)
            self.push(MergeCodesCommand(self.project, kind, keep, drops, name, report=self.report))

    # ---------------------------------------------------------------- usage
    def show_usage(self, kind: str, code_id: str | None) -> dialogs.UsageDialog | None:
        if code_id is None or self.project is None:
            return None
        key = (kind, code_id)
        dlg = self.usage_dialogs.get(key)
        if dlg is None:
            dlg = dialogs.UsageDialog(self.window, "", [], {})
            dlg.annotation_activated.connect(self.open_annotation)
            dlg.finished.connect(lambda _r, k=key: self.usage_dialogs.pop(k, None))
            self.usage_dialogs[key] = dlg
        self._fill_usage(kind, code_id, dlg)
        dlg.show()
        dlg.raise_()
        return dlg

    def _fill_usage(self, kind: str, code_id: str, dlg: dialogs.UsageDialog) -> None:
        project = self.project
        try:
            code = project.get_actor(code_id) if kind == "actor" else project.get_theory(code_id)
        except UserError:
            dlg.close()
            return
        anns = project.annotations_for_actor(code_id) if kind == "actor" else project.annotations_for_theory(code_id)
        sources = project.list_sources()
        titles = {s.id: s.title for s in sources}
        letters = {s.id: s.reliability for s in sources}
        actor_names = {a.id: a.name for a in project.list_actors()}
        theory_names = {t.id: t.name for t in project.list_theories()}

        def describe(ann: Annotation) -> str:
            parts = [actor_names.get(a, "?") for a in ann.actor_ids if a != code_id]
            parts += [f"{theory_names.get(t, '?')} ({s})" for t, s in ann.theories if t != code_id]
            if kind == "theory":
                parts.insert(0, dict(ann.theories).get(code_id, ""))
            return "; ".join(p for p in parts if p)

        dlg.setWindowTitle(f"Annotations of {code.name}")
        dlg.set_annotations(anns, titles, describe, lambda a: a.rating(letters.get(a.source_id)))

    def _refresh_usage_dialogs(self) -> None:
        for (kind, code_id), dlg in list(self.usage_dialogs.items()):
            self._fill_usage(kind, code_id, dlg)

    def open_annotation(self, source_id: str, annotation_id: str, start: int, end: int) -> None:
        if self.window.current_source_id != source_id:
            self.window.show_source(source_id)
        ann = getattr(self.window, "annotating", None)
        select = getattr(ann, "select_annotation", None)
        if select is not None:
            select(annotation_id)
            self._center_on(start)
        else:
            self.window.source_view.select_span(start, end)

    def _center_on(self, start: int) -> None:
        """Centre the reader on an offset with a collapsed cursor there (keeps any annotation selection)."""
        view = self.window.source_view
        lo, hi = view.visible_range()
        if lo <= start < hi:
            return
        cursor = QTextCursor(view.document())
        cursor.setPosition(view.offsets.to_utf16(max(0, min(start, view.offsets.length))))
        view.setTextCursor(cursor)
        view.centerCursor()

    def go_to_span(self, source_id: str, start: int, end: int) -> None:
        if self.window.current_source_id != source_id:
            self.window.show_source(source_id)
        self.window.source_view.select_span(start, end)

    # ------------------------------------------------------------- mentions
    def _mention_span_clicked(self, span: OverlaySpan) -> None:
        if isinstance(span.data, Mention):
            self.activate_mention(span.data)

    def _repeat_span_clicked(self, span: OverlaySpan) -> None:
        rep, index = span.data
        self.dock.tabs.setCurrentWidget(self.dock.repeats)
        self.dock.show()

    def activate_mention(self, m: Mention) -> None:
        """Preselect the mention's span and actor, ready to annotate."""
        ann = getattr(self.window, "annotating", None)
        preselect = getattr(ann, "preselect", None)
        if preselect is not None:
            preselect(m.start, m.end, actor_ids=(m.actor_id,))
        else:
            self.window.source_view.select_span(m.start, m.end)
        self.dock.mentions.select_actor(m.actor_id)

    def _annotate_from_menu(self) -> None:
        actor_id = self.dock.mentions.current_actor_id()
        if actor_id is None and self._kind() == "actor":
            ids = self.selected_actor_ids()
            actor_id = ids[0] if ids else None
        if actor_id is None:
            QMessageBox.information(self.window, "Annotate mentions",
                                    "Select an actor (in the Actors or Mentions tab) first.")
            return
        here = self.window.current_source_id is not None and self.dock.mentions.actor_count(actor_id) > 0
        self.annotate_all(actor_id, not here)

    def annotate_all(self, actor_id: str, everywhere: bool) -> int:
        """Annotate every unlinked mention of one actor (this source or all), after confirming the count."""
        if not self._writable():
            return 0
        project = self.project
        source_id = None if everywhere else self.window.current_source_id
        if not everywhere and source_id is None:
            return 0
        mentions = unlinked_mentions(project, source_id, actor_id)
        name = project.get_actor(actor_id).name
        if not mentions:
            QMessageBox.information(self.window, "Annotate mentions",
                                    f"Every mention of {name} {'here' if source_id else 'in the project'} "
                                    "is already annotated.")
            return 0
        repeats = self.repeats()
        repeated = [m for m in mentions if (r := repeat_of(repeats, m.source_id or "", m.start, m.end)) and r[1] > 0]
        n, sources = len(mentions), len({m.source_id for m in mentions})
        where = "this source" if source_id else f"{sources} source{'s' if sources != 1 else ''}"
        text = (f"Create {n} annotation{'s' if n != 1 else ''} linking “{name}” in {where}? "
                "Theories, rating and note stay empty; one step to undo.")
        if repeated:
            text += (f"\n\n{len(repeated)} of these mentions lie in passages that repeat an earlier passage; "
                     f"leaving them out makes {n - len(repeated)} annotations.")
        ok, skip = dialogs.confirm_annotate_all(self.window, text, len(repeated))
        if not ok:
            return 0
        if skip and repeated:
            left_out = {(m.source_id, m.start, m.end) for m in repeated}
            mentions = [m for m in mentions if (m.source_id, m.start, m.end) not in left_out]
            if not mentions:
                return 0
        annotator = self.window.settings.value("annotator", None)
        made = self.push(AnnotateMentionsCommand(project, mentions, name,
                                                 annotator=annotator if isinstance(annotator, str) else None,
                                                 report=self.report))
        if made:
            self.window.statusBar().showMessage(f"{len(made)} annotations of {name} created.", 5000)
        return len(made or [])

    # -------------------------------------------------------------- aliases
    def _dismissed_key(self) -> str:
        return f"codebook/dismissed_aliases/{self.project.path}" if self.project else ""

    def _dismissed(self) -> list[str]:
        raw = self.window.settings.value(self._dismissed_key(), "[]")
        try:
            value = json.loads(raw) if isinstance(raw, str) else []
        except ValueError:
            value = []
        return [v for v in value if isinstance(v, str)]

    def add_suggested_alias(self, s: AliasSuggestion) -> None:
        if not self._writable():
            return
        actor = self.project.get_actor(s.actor_id)
        self.push(EditCodeCommand(self.project, "actor", actor.id, {"aliases": [*actor.aliases, s.alias]},
                                  f"Add alias “{s.alias}” to “{actor.name}”", report=self.report))

    def dismiss_suggestion(self, s: AliasSuggestion) -> None:
        self.window.settings.setValue(self._dismissed_key(), json.dumps([*self._dismissed(), s.alias],
                                                                         ensure_ascii=False))
        self._suggestions = None
        self._schedule("suggestions")

    def _open_suggestion(self, s: AliasSuggestion) -> None:
        if s.occurrences:
            self.go_to_span(*s.occurrences[0])

    # ------------------------------------------------------------- repeats
    def repeat_warning(self, source_id: str, start: int, end: int) -> str | None:
        """The annotating controller asks this before creating an annotation in a repeated passage."""
        project = self.project
        if project is None:
            return None
        found = repeat_of(self.repeats(), source_id, start, end)
        if found is None:
            return None
        rep, index = found
        titles: dict[str, str] | None = None
        for other in range(len(rep.copies)):
            if other == index:
                continue
            sid, a, b = rep.copies[other]
            lo, hi = map_offset(rep, index, other, max(start, rep.copies[index][1])), \
                map_offset(rep, index, other, min(end, rep.copies[index][2]))
            hits = [x for x in project.annotations_for_source(sid) if x.start < hi and lo < x.end]
            if not hits:
                continue
            text = project.get_source(sid).text
            first, last = line_range(text, min(x.start for x in hits), max(x.end for x in hits))
            lines = f"line {first}" if first == last else f"lines {first}–{last}"
            if sid != source_id:
                titles = titles or {s.id: s.title for s in project.list_sources()}
                lines += f" of “{titles.get(sid, '?')}”"
            return (f"This passage repeats {lines}, which {'is' if len(hits) == 1 else 'are'} already annotated "
                    "there. Annotating it again counts the same evidence twice; annotate there instead?")
        return None

    # ---------------------------------------------------------- import/export
    def import_codebook(self) -> None:
        from kzannotate.formats.codebook_json import load_codebook_file

        if not self._writable():
            return
        path = ask_open_file(self.window, "Import codebook", "kzannotate codebook (*.json);;All files (*)")
        if not path:
            return
        try:
            data = load_codebook_file(path)
        except UserError as exc:
            self.report(exc)
            return
        from kzannotate.ui.codebook_commands import ImportCodebookCommand

        report = self.push(ImportCodebookCommand(self.project, data, Path(path).name, report=self.report))
        if report is not None:
            QMessageBox.information(self.window, "Codebook imported", report.summary())

    def export_codebook(self) -> None:
        from kzannotate.formats.codebook_json import write_codebook_file

        if self.project is None:
            return
        path = ask_save_file(self.window, "Export codebook", f"{self.project.name} codebook.json",
                             "kzannotate codebook (*.json)")
        if not path:
            return
        if not path.lower().endswith(".json"):
            path += ".json"
        try:
            write_codebook_file(self.project, path)
        except (UserError, OSError) as exc:
            self.report(exc if isinstance(exc, UserError) else UserError(f"Could not write {path}: {exc}"))
            return
        self.window.statusBar().showMessage(f"Codebook written to {path}", 5000)

    # ---------------------------------------------------------------- helpers
    def _select_actor(self, actor_id: str) -> None:
        self._flush()
        d = self.dock
        row = d.actor_model.row_of(actor_id)
        if row < 0:
            return
        index = d.actor_proxy.mapFromSource(d.actor_model.index(row, 0))
        if not index.isValid():
            d.actor_filter.clear()
            index = d.actor_proxy.mapFromSource(d.actor_model.index(row, 0))
        d.actor_table.selectRow(index.row())
        d.actor_table.scrollTo(index)

    def _select_theory(self, theory_id: str) -> None:
        tree = self.dock.theory_tree
        tree.clearSelection()
        it = _iter_items(tree)
        for item in it:
            if item.data(0, ID_ROLE) == theory_id:
                item.setSelected(True)
                tree.setCurrentItem(item)
                tree.scrollToItem(item)
                return


def _iter_items(tree: QTreeWidget):
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop(0)
        yield item
        stack.extend(item.child(i) for i in range(item.childCount()))


def install(window: Any) -> CodebookFeature:
    return CodebookFeature(window)
