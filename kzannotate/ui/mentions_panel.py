"""The Mentions and Repeats tabs of the codebook dock (widgets only; the dock's controller fills them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kzannotate.text.duplicates import Repeat, line_range
from kzannotate.text.mentions import Mention
from kzannotate.ui.codebook_dialogs import swatch

if TYPE_CHECKING:
    from kzannotate.text.aliases import AliasSuggestion  # rapidfuzz: imported when suggestions are made

DATA = Qt.ItemDataRole.UserRole
MAX_LISTED = 200  # items per group in a list; the rest are marked in the text (a list of 30,000 helps nobody)


def _context(text: str, start: int, end: int, width: int = 34) -> str:
    left = " ".join(text[max(0, start - width):start].split())
    right = " ".join(text[end:end + width].split())
    return f"…{left[-width:]} [{' '.join(text[start:end].split())}] {right[:width]}…"


def _lines(text: str, start: int, end: int) -> str:
    first, last = line_range(text, start, end)
    return f"line {first}" if first == last else f"lines {first}–{last}"


class MentionsPanel(QWidget):
    """Unlinked mentions of the open source, grouped by actor, and alias suggestions for the project."""

    mention_activated = Signal(object)  # Mention
    annotate_requested = Signal(str, bool)  # actor id, all sources?
    add_alias_requested = Signal(object)  # AliasSuggestion
    dismiss_alias_requested = Signal(object)
    suggestion_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mentionsPanel")
        self.summary = QLabel("No source open.", self)
        self.summary.setObjectName("mentionsSummary")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("mentionList")
        self.tree.setAccessibleName("Unlinked mentions")
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        self.tree.currentItemChanged.connect(self._update_buttons)
        self.annotate_source = QPushButton("Annotate all in this source", self)
        self.annotate_source.setObjectName("annotateSourceButton")
        self.annotate_source.clicked.connect(lambda: self._annotate(False))
        self.annotate_all = QPushButton("Annotate all in all sources", self)
        self.annotate_all.setObjectName("annotateAllButton")
        self.annotate_all.clicked.connect(lambda: self._annotate(True))
        buttons = QVBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(self.annotate_source)
        buttons.addWidget(self.annotate_all)

        self.suggest_label = QLabel("<b>Possible new aliases</b>", self)
        self.suggest_label.setObjectName("aliasSuggestionsLabel")
        self.suggest_label.setWordWrap(True)
        self.suggestions = QTreeWidget(self)
        self.suggestions.setObjectName("aliasSuggestions")
        self.suggestions.setAccessibleName("Alias suggestions")
        self.suggestions.setHeaderHidden(True)
        self.suggestions.setRootIsDecorated(False)
        self.suggestions.setMaximumHeight(130)
        self.suggestions.currentItemChanged.connect(self._update_buttons)
        self.suggestions.itemActivated.connect(self._suggestion_activated)
        self.suggestions.itemDoubleClicked.connect(self._suggestion_activated)
        self.add_alias = QPushButton("Add as alias", self)
        self.add_alias.setObjectName("addAliasButton")
        self.add_alias.clicked.connect(lambda: self._suggestion_signal(self.add_alias_requested))
        self.dismiss_alias = QPushButton("Not an alias", self)
        self.dismiss_alias.setObjectName("dismissAliasButton")
        self.dismiss_alias.clicked.connect(lambda: self._suggestion_signal(self.dismiss_alias_requested))
        alias_buttons = QHBoxLayout()
        alias_buttons.addWidget(self.add_alias, 1)
        alias_buttons.addWidget(self.dismiss_alias)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addSpacing(6)
        layout.addWidget(self.suggest_label)
        layout.addWidget(self.suggestions)
        layout.addLayout(alias_buttons)
        self.mentions: list[Mention] = []
        self.colors: dict[str, str] = {}
        self._pending: tuple[str, str | None] | None = None  # a list to build when the tab is shown
        self._update_buttons()

    # ---------------------------------------------------------------- filling
    def set_mentions(self, mentions: Sequence[Mention], text: str, colors: dict[str, str],
                     source_title: str | None) -> None:
        """Take the open source's mentions; the list is built now if the tab is shown, else when it is."""
        self.mentions = list(mentions)
        self.colors = colors
        self._pending = (text, source_title)
        if self.isVisible():
            self._build()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        if self._pending is not None:
            self._build()
        super().showEvent(event)

    def _build(self) -> None:
        if self._pending is None:
            return
        (text, source_title), self._pending = self._pending, None
        colors = self.colors
        keep = self.current_actor_id()
        self.tree.clear()
        by_actor: dict[str, list[Mention]] = {}
        for m in self.mentions:
            by_actor.setdefault(m.actor_id, []).append(m)
        order = sorted(by_actor, key=lambda a: (-len(by_actor[a]), by_actor[a][0].actor_name.casefold()))
        current = None
        for actor_id in order:
            group = by_actor[actor_id]
            top = QTreeWidgetItem(self.tree, [f"{group[0].actor_name} — {len(group)}"])
            top.setIcon(0, swatch(colors.get(actor_id)))
            top.setData(0, DATA, ("actor", actor_id))
            top.setToolTip(0, f"{len(group)} unlinked mention{'s' if len(group) != 1 else ''} of "
                              f"{group[0].actor_name} in this source")
            for m in group[:MAX_LISTED]:
                child = QTreeWidgetItem(top, [f"{_lines(text, m.start, m.end)}: {_context(text, m.start, m.end)}"])
                child.setData(0, DATA, ("mention", m))
                child.setToolTip(0, f"“{m.text}” — click to select it for annotating")
            if len(group) > MAX_LISTED:
                more = QTreeWidgetItem(top, [f"… and {len(group) - MAX_LISTED:,} more (dotted in the text)"])
                more.setData(0, DATA, ("actor", actor_id))
                more.setFlags(more.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            if actor_id == keep:
                current = top
        if source_title is None:
            self.summary.setText("No source open.")
        elif not self.mentions:
            self.summary.setText("Every mention of an actor in this source is annotated.")
        else:
            n = len(self.mentions)
            self.summary.setText(f"{n} unlinked mention{'s' if n != 1 else ''} of {len(by_actor)} "
                                 f"actor{'s' if len(by_actor) != 1 else ''} in this source. Click one to select it.")
        if current is not None:
            self.tree.setCurrentItem(current)
        self._update_buttons()

    def set_suggestions(self, suggestions: Sequence[AliasSuggestion]) -> None:
        self.suggestions.clear()
        for s in suggestions:
            item = QTreeWidgetItem(self.suggestions, [f"{s.alias} → {s.actor_name}"])
            item.setData(0, DATA, s)
            item.setIcon(0, swatch(self.colors.get(s.actor_id)))
            item.setToolTip(0, f"“{s.alias}” ({s.count}× in the sources) resembles “{s.similar_to}”. "
                               "Double-click to see it in its source.")
        n = len(suggestions)
        self.suggest_label.setText("<b>Possible new aliases</b>" + (f" ({n})" if n else ": none found"))
        self._update_buttons()

    # ------------------------------------------------------------------ state
    def current_actor_id(self) -> str | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        kind, value = item.data(0, DATA)
        return value if kind == "actor" else value.actor_id

    def actor_count(self, actor_id: str) -> int:
        return sum(1 for m in self.mentions if m.actor_id == actor_id)

    def select_actor(self, actor_id: str) -> bool:
        self._build()
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, DATA)[1] == actor_id:
                self.tree.setCurrentItem(item)
                return True
        return False

    def current_suggestion(self) -> AliasSuggestion | None:
        item = self.suggestions.currentItem()
        return item.data(0, DATA) if item is not None else None

    def _update_buttons(self, *_: object) -> None:
        actor_id = self.current_actor_id()
        if actor_id is None:
            self.annotate_source.setText("Annotate all in this source")
            self.annotate_all.setText("Annotate all in every source…")
            self.annotate_source.setToolTip("Select an actor above first")
            self.annotate_all.setToolTip("Select an actor above first")
            self.annotate_source.setEnabled(False)
            self.annotate_all.setEnabled(False)
        else:
            n = self.actor_count(actor_id)
            name = next(m.actor_name for m in self.mentions if m.actor_id == actor_id)
            self.annotate_source.setText(f"Annotate all {n} in this source")
            self.annotate_all.setText("Annotate all in every source…")
            self.annotate_source.setToolTip(f"Annotate the {n} unlinked mention{'s' if n != 1 else ''} of "
                                            f"{name} in this source (actor linked); one step to undo")
            self.annotate_all.setToolTip(f"Count the unlinked mentions of {name} in every source, ask, then "
                                         "annotate them; one step to undo")
            self.annotate_source.setEnabled(True)
            self.annotate_all.setEnabled(True)
        has = self.current_suggestion() is not None
        self.add_alias.setEnabled(has)
        self.dismiss_alias.setEnabled(has)

    # ---------------------------------------------------------------- signals
    def _clicked(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        kind, value = item.data(0, DATA)
        if kind == "mention":
            self.mention_activated.emit(value)

    def _annotate(self, everywhere: bool) -> None:
        actor_id = self.current_actor_id()
        if actor_id:
            self.annotate_requested.emit(actor_id, everywhere)

    def _suggestion_signal(self, signal) -> None:
        s = self.current_suggestion()
        if s is not None:
            signal.emit(s)

    def _suggestion_activated(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        self.suggestion_activated.emit(item.data(0, DATA))


class RepeatsPanel(QWidget):
    """Repeated passages touching the open source; clicking a copy opens it."""

    copy_activated = Signal(str, int, int)  # source id, start, end

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("repeatsPanel")
        self.summary = QLabel(self)
        self.summary.setObjectName("repeatsSummary")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("repeatList")
        self.tree.setAccessibleName("Repeated passages")
        self.tree.setHeaderHidden(True)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self._pending: tuple | None = None

    def set_repeats(self, pairs: Sequence[tuple[Repeat, int]], source_id: str | None, texts: dict[str, str],
                    titles: dict[str, str]) -> None:
        """Take the open source's repeats; the list is built now if the tab is shown, else when it is."""
        self._pending = (pairs, source_id, texts, titles)
        if self.isVisible():
            self._build()
        elif source_id is None:
            self.summary.setText("No source open.")
        else:
            n = len({id(rep) for rep, _ in pairs})
            self.summary.setText(f"{n} passage{'s' if n != 1 else ''} of this source occur more than once.")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._build()
        super().showEvent(event)

    def _build(self) -> None:
        if self._pending is None:
            return
        (pairs, source_id, texts, titles), self._pending = self._pending, None
        self.tree.clear()
        seen: set[int] = set()
        for rep, _index in pairs:
            if id(rep) in seen:
                continue
            seen.add(id(rep))
            if len(seen) > MAX_LISTED:
                continue  # counted, not listed (the margin marks show them all)
            top = QTreeWidgetItem(self.tree, [f"{rep.length:,} characters, {len(rep.copies)} copies"])
            top.setExpanded(True)
            for i, (sid, start, end) in enumerate(rep.copies[:MAX_LISTED]):
                where = "this source" if sid == source_id else f"“{titles.get(sid, sid)}”"
                label = f"{'original' if i == 0 else f'copy {i}'}: {where}, {_lines(texts[sid], start, end)}"
                child = QTreeWidgetItem(top, [label])
                child.setData(0, DATA, (sid, start, end))
                child.setToolTip(0, " ".join(texts[sid][start:start + 160].split()) + "…")
            top.setExpanded(True)
        if source_id is None:
            self.summary.setText("No source open.")
        elif not seen:
            self.summary.setText("No long passage of this source is repeated here or in another source.")
        else:
            several = len(seen) != 1
            self.summary.setText(f"{len(seen)} passage{'s' if several else ''} of this source "
                                 f"occur{'' if several else 's'} more than once (marked in the margin). Annotate "
                                 "one copy only, so the evidence counts once.")

    def _clicked(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        data = item.data(0, DATA)
        if data:
            self.copy_activated.emit(*data)
