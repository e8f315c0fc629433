"""Small helpers shared by the item views of the main window (source list, annotation table).

- A right-click menu on a table header that hides and shows columns. The first column (what identifies a
  row) cannot be hidden, so a table never ends up blank.
- ``paint_hint``: a calm, centred sentence in an empty view ("No sources yet. Import…"), so an empty
  table explains itself instead of looking broken.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QPainter, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu

Extra = list[tuple[str, Callable[[], None]]]


def column_menu(header: QHeaderView, extra: Extra | None = None,
                changed: Callable[[], None] | None = None) -> QMenu:
    """The menu for ``header``: one checkable entry per column, then ``extra`` (text, slot) entries;
    ``changed`` is called after a column was hidden or shown."""
    menu = QMenu(header)
    menu.setObjectName("headerMenu")
    model = header.model()
    for section in range(header.count()):
        title = str(model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole) or "")
        tip = model.headerData(section, header.orientation(), Qt.ItemDataRole.ToolTipRole)
        action = QAction(tip if tip and len(str(tip)) < 40 else title or f"Column {section + 1}", menu)
        action.setObjectName(f"column_{section}")
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(section))
        action.setEnabled(section != 0)
        action.toggled.connect(lambda on, s=section: _set_hidden(header, s, not on, changed))
        menu.addAction(action)
    if extra:
        menu.addSeparator()
        for text, slot in extra:
            menu.addAction(text).triggered.connect(slot)
    return menu


def _set_hidden(header: QHeaderView, section: int, hidden: bool, changed: Callable[[], None] | None) -> None:
    header.setSectionHidden(section, hidden)
    if changed is not None:
        changed()


def install_column_menu(header: QHeaderView, extra: Extra | None = None,
                        changed: Callable[[], None] | None = None) -> None:
    """Right-click on ``header`` offers the columns to show (and ``extra`` entries such as "Default columns")."""
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show(pos: QPoint) -> None:
        menu = column_menu(header, extra, changed)
        menu.exec(header.mapToGlobal(pos))
        menu.deleteLater()

    header.customContextMenuRequested.connect(show)


def paint_hint(view: QAbstractItemView, text: str) -> None:
    """Draw ``text`` centred in the view's empty viewport (call from ``paintEvent`` after the base class)."""
    if not text:
        return
    viewport = view.viewport()
    painter = QPainter(viewport)
    painter.setPen(view.palette().color(QPalette.ColorRole.PlaceholderText))
    rect = viewport.rect().adjusted(16, 16, -16, -16)
    flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
    rect.setTop(rect.top() + min(48, viewport.height() // 6))
    painter.drawText(rect, flags, text)
    painter.end()
