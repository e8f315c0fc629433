"""The codebook dock's lists: the actor table model (with its filter) and the theory tree."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from kzannotate.store.models import Actor, Theory
from kzannotate.ui.codebook_dialogs import fallback_color, swatch

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


__all__ = ["ACTOR_COLUMNS", "ID_ROLE", "ActorFilter", "ActorTableModel", "fill_theory_tree", "iter_items"]
