"""The codebook dock: actors and theories (create, edit, merge, delete, usage), unlinked mentions with
annotate-all and alias suggestions, and repeated passages.

``install(window)`` adds the dock and returns the controller; main_window calls its ``source_shown`` and
``project_changed`` hooks. Overlays: "mentions" (dotted, actor colour) and "repeats" (margin bars).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from kzannotate.store.errors import UserError
from kzannotate.store.models import Actor, Annotation, Change, Theory
from kzannotate.text.duplicates import repeat_of
from kzannotate.text.mentions import Mention, unlinked_mentions
from kzannotate.ui import codebook_dialogs as dialogs
from kzannotate.ui.codebook_commands import (
    AddCodeCommand,
    AnnotateMentionsCommand,
    CodebookCommand,
    DeleteCodeCommand,
    EditCodeCommand,
    MergeCodesCommand,
)
from kzannotate.ui.codebook_dialogs import fallback_color
from kzannotate.ui.codebook_models import ID_ROLE, CodebookDock, fill_theory_tree, iter_items
from kzannotate.ui.codebook_scans import ScanController
from kzannotate.ui.source_view import OverlaySpan

if TYPE_CHECKING:
    from kzannotate.text.aliases import AliasSuggestion

log = logging.getLogger("kzannotate")
_iter_items = iter_items  # the name tests use


def ask_open_file(parent: QWidget, title: str, filters: str) -> str:
    """File picker (tests replace it)."""
    return QFileDialog.getOpenFileName(parent, title, "", filters)[0]


def ask_save_file(parent: QWidget, title: str, name: str, filters: str) -> str:
    return QFileDialog.getSaveFileName(parent, title, name, filters)[0]


# ------------------------------------------------------------------ controller
class CodebookFeature(QObject):
    """Keeps the dock, the overlays and the store in step."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.dock = CodebookDock(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.resizeDocks([self.dock], [400], Qt.Orientation.Horizontal)  # first run; the saved layout wins
        self.actions = window.actions
        self.scans = ScanController(self)
        self._project = None
        self._project_ready = False
        self._actors: list[Actor] | None = None
        self._codes_stale = False
        self.dock.visibilityChanged.connect(self._dock_visibility)
        self._suggestions: list[AliasSuggestion] | None = None
        self.usage_dialogs: dict[tuple[str, str], dialogs.UsageDialog] = {}
        self._hooked_annotating = False
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(lambda: self._flush(wait=False))
        self._build_buttons()
        self._connect_actions()
        self._hook_annotating()

    @property
    def mentions(self) -> list[Mention]:
        """Unlinked mentions of the open source, as shown."""
        return self.scans.mentions

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
        self.scans.reset()
        self._actors = None
        self._suggestions = None
        for dlg in self.usage_dialogs.values():
            dlg.close()
        self.usage_dialogs.clear()
        enabled = project is not None and not project.read_only
        for name in ("new_actor", "new_theory", "edit_code", "merge_codes", "delete_code", "annotate_mentions",
                     "import_codebook"):
            self.actions[name].setEnabled(enabled)
        self.actions["export_codebook"].setEnabled(project is not None)
        # Nothing is computed here: the reader paints first, the lists fill from the next turn of the
        # event loop, mentions and repeats in slices after that.
        self._schedule("codes", "mentions", "repeats", "suggestions")

    def source_shown(self, source_id: str | None) -> None:
        if self.project is not self._project:  # main_window shows the first source before project_changed
            self._project_ready = False
            self.project_changed()
            return
        self.scans.jobs.cancel("mentions")  # the previous source's scan is of no use any more
        self.scans.jobs.cancel("repeat-marks")
        self._schedule("mentions", "repeats")

    def _on_change(self, change: Change) -> None:
        if change.kind in ("actor", "theory"):
            self._actors = None
            self._schedule("codes", "mentions", "usage")
            if change.kind == "actor":
                self._suggestions = None
                self._schedule("suggestions")
        elif change.kind == "annotation":
            self._schedule("codes", "usage")
            if self.window.current_source_id in change.source_ids:
                self._schedule("mentions")
        elif change.kind in ("source", "project"):
            self.scans.invalidate_repeats()
            self._suggestions = None
            self._schedule("codes", "mentions", "repeats", "suggestions", "usage")

    def _schedule(self, *parts: str) -> None:
        self._dirty.update(parts)
        self._timer.start()

    def _flush(self, wait: bool = True) -> None:
        """Refresh what is due now; with ``wait`` (tests, and code needing the answer) also finish the
        mention and repeat scans instead of leaving them to run between paints."""
        self._timer.stop()
        dirty, self._dirty = self._dirty, set()
        if "codes" in dirty:
            self._actors = None
            if wait or self.dock.isVisible():
                self.refresh_codes()
            else:
                self._codes_stale = True  # usage counts are a query over every link: when the dock shows
        if "mentions" in dirty:
            self.scans.refresh_mentions()
        if "repeats" in dirty:
            self.scans.refresh_repeats()
        if "suggestions" in dirty:
            self.refresh_suggestions()
        if "usage" in dirty:
            self._refresh_usage_dialogs()
        if wait:
            self.scans.finish()

    # ------------------------------------------------------------ refreshing
    def actors(self) -> list[Actor]:
        """The codebook's actors (without usage counts, which only the dock's table shows)."""
        if self._actors is None:
            self._actors = self.project.codebook_without_usage()[0] if self.project else []
        return self._actors

    def colors(self) -> dict[str, str]:
        return {a.id: a.color or fallback_color(a.id) for a in self.actors()}

    def _dock_visibility(self, visible: bool) -> None:
        if visible and self._codes_stale:
            self.refresh_codes()

    def refresh_codes(self) -> None:
        self._codes_stale = False
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
        fill_theory_tree(d.theory_tree, project.list_theories() if project else [])
        d.actor_filter.setPlaceholderText(f"Filter {len(actors)} actors by name or alias…")

    def refresh_mentions(self) -> None:
        self.scans.refresh_mentions()
        self.scans.finish()

    def refresh_repeats(self) -> None:
        self.scans.refresh_repeats()
        self.scans.finish()

    def repeats(self):
        return self.scans.repeats()

    def repeat_warning(self, source_id: str, start: int, end: int) -> str | None:
        return self.scans.repeat_warning(source_id, start, end)

    def refresh_suggestions(self) -> None:
        if self.dock.tabs.currentWidget() is not self.dock.mentions:
            return  # computed when the Mentions tab is shown
        project = self.project
        if project is None:
            self.dock.mentions.set_suggestions([])
            return
        if self._suggestions is None:
            from kzannotate.text.aliases import alias_suggestions  # rapidfuzz: loaded when first needed

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
        used = {a.color for a in self.actors()}
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
        used = self.project.annotations_using(**{f"{kind}_ids": ids})  # one annotation using two counts once
        if used:
            names = ", ".join(f"“{c.name}”" for c in codes)
            subject = names if len(codes) == 1 else f"these {len(codes)} {kind}s" if kind == "actor" else \
                f"these {len(codes)} theories"
            text = (f"Delete {subject}? {used} annotation{'s use' if used != 1 else ' uses'} "
                    f"{'it' if len(codes) == 1 else 'them'}; the annotations stay, only their link to "
                    f"{'it' if len(codes) == 1 else 'them'} goes. You can undo this.")
            if not dialogs.confirm(self.window, "Delete from the codebook", text):
                return
        self.push(DeleteCodeCommand(self.project, kind, [(c.id, c.name) for c in codes], report=self.report))

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
        else:
            self.window.source_view.select_span(start, end)

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
        repeats = self.scans.repeats()
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
        # The same question as a single annotation: asked once, so the first annotations are signed too.
        go_on, annotator = self.window.annotating.annotator()
        if not go_on:
            return 0
        made = self.push(AnnotateMentionsCommand(project, mentions, name, annotator=annotator,
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


def install(window: Any) -> CodebookFeature:
    return CodebookFeature(window)
