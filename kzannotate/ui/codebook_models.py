"""The codebook dock's widgets: the dock with its tabs, the actor table model (with its filter) and the
theory tree. The controller (what fills them and reacts to them) is ``kzannotate.ui.codebook_dock``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.models import Actor, Theory
from kzannotate.ui.codebook_dialogs import fallback_color, swatch
from kzannotate.ui.mentions_panel import MentionsPanel, RepeatsPanel

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
ACTOR_COLUMNS = ("Name", "Kind", "Uses", "Aliases")


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


class ActorFilter(QSortFilterProxyModel):
    """Filter on name, kind and aliases; sort numbers as numbers."""

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        needle = self.filterRegularExpression().pattern().casefold()
        if not needle:
            return True
        a = self.sourceModel().actors[row]
        return needle in " ".join((a.name, a.kind, *a.aliases)).casefold()


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
        self.actor_proxy = ActorFilter(self)
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



def fill_theory_tree(tree: QTreeWidget, theories: list[Theory]) -> None:
    """Rebuild the tree (parents above children), keeping which items were collapsed and selected."""
    keep = {item.data(0, ID_ROLE) for item in tree.selectedItems()}
    collapsed = {tree.topLevelItem(i).data(0, ID_ROLE) for i in range(tree.topLevelItemCount())
                 if not tree.topLevelItem(i).isExpanded()}
    tree.clear()
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

    add(tree, None)
    tree.expandAll()
    for tid in collapsed:
        if tid in items:
            items[tid].setExpanded(False)
    for tid in keep:
        if tid in items:
            items[tid].setSelected(True)


def iter_items(tree: QTreeWidget):
    """Every item of a tree, breadth first."""
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop(0)
        yield item
        stack.extend(item.child(i) for i in range(item.childCount()))


__all__ = ["ACTOR_COLUMNS", "ID_ROLE", "ActorFilter", "ActorTableModel", "CodebookDock", "fill_theory_tree",
           "iter_items"]
