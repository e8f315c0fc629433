"""Dialogs of the codebook dock: edit an actor or theory, merge, list a code's annotations across sources."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.models import ACTOR_KINDS, Actor, Annotation, Theory

# Okabe–Ito and Tol colours: distinguishable for colour-blind readers; new codes cycle through them.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#882255", "#44aa99",
           "#117733", "#aa4499", "#ddcc77", "#332288", "#999933")


def fallback_color(key: str) -> str:
    """A stable palette colour for a code without one."""
    return PALETTE[sum(key.encode()) % len(PALETTE)]


def swatch(color: str | None, size: int = 12) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(color) if color else QColor("#cccccc"))
    return QIcon(pix)


def pick_color(parent: QWidget | None, current: str | None, title: str) -> str | None:
    """Ask for a colour (tests replace this function). None when cancelled."""
    chosen = QColorDialog.getColor(QColor(current or "#0072b2"), parent, title)
    return chosen.name() if chosen.isValid() else None


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask yes/no (tests replace this function)."""
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes
                                  | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes


def confirm_annotate_all(parent: QWidget | None, text: str, repeated: int) -> tuple[bool, bool]:
    """Ask before annotating many mentions: (go on?, leave out those in repeated copies?). Tests stub it."""
    box = QMessageBox(QMessageBox.Icon.Question, "Annotate all mentions", text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("annotateAllConfirm")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    check = None
    if repeated:
        check = QCheckBox(f"Leave out the {repeated} mention{'s' if repeated != 1 else ''} inside repeated "
                          "copies of a passage (so the evidence counts once)", box)
        check.setChecked(True)
        box.setCheckBox(check)
    ok = box.exec() == QMessageBox.StandardButton.Yes
    return ok, bool(check and check.isChecked())


class ColorButton(QPushButton):
    """Shows a colour; clicking opens the colour dialog."""

    def __init__(self, color: str | None, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.set_color(color)
        self.clicked.connect(self._choose)

    def set_color(self, color: str | None) -> None:
        self.color = color
        self.setIcon(swatch(color, 16))
        self.setText(color or "none")
        self.setAccessibleName(f"Colour {color or 'not set'}")

    def _choose(self) -> None:
        chosen = pick_color(self.window(), self.color, self.title)
        if chosen:
            self.set_color(chosen)


class _CodeDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.error = QLabel(self)
        self.error.setObjectName("codeDialogError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, 0)

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText("A name is needed.")
            self.error.show()
            self.name.setFocus()
            return
        self.accept()


class ActorDialog(_CodeDialog):
    """Name, kind, aliases (a list editor), description and colour of an actor."""

    def __init__(self, parent: QWidget | None, actor: Actor | None = None, color: str | None = None) -> None:
        super().__init__("Edit actor" if actor else "New actor", parent)
        self.setObjectName("actorDialog")
        self.name = QLineEdit(actor.name if actor else "", self)
        self.name.setObjectName("actorName")
        self.kind = QComboBox(self)
        self.kind.setObjectName("actorKind")
        self.kind.addItems(ACTOR_KINDS)
        self.kind.setCurrentText(actor.kind if actor else "person")
        self.aliases = QListWidget(self)
        self.aliases.setObjectName("actorAliases")
        self.aliases.setAccessibleName("Aliases")
        self.aliases.setMinimumHeight(110)
        self.aliases.setMaximumHeight(160)
        for alias in actor.aliases if actor else ():
            self._add_item(alias)
        self.alias_input = QLineEdit(self)
        self.alias_input.setObjectName("aliasInput")
        self.alias_input.setPlaceholderText("Another spelling, e.g. Tokaev — press Enter")
        self.alias_input.returnPressed.connect(self.add_alias)
        add = QPushButton("Add", self)
        add.setObjectName("addAlias")
        add.clicked.connect(self.add_alias)
        remove = QPushButton("Remove", self)
        remove.setObjectName("removeAlias")
        remove.clicked.connect(self.remove_alias)
        alias_row = QHBoxLayout()
        alias_row.addWidget(self.alias_input, 1)
        alias_row.addWidget(add)
        alias_row.addWidget(remove)
        alias_box = QVBoxLayout()
        alias_box.addWidget(self.aliases)
        alias_box.addLayout(alias_row)
        self.description = QPlainTextEdit(actor.description or "" if actor else "", self)
        self.description.setObjectName("actorDescription")
        self.description.setMaximumHeight(90)
        self.color = ColorButton(actor.color if actor else color, "Actor colour", self)
        self.color.setObjectName("actorColor")
        self.form.addRow("&Name:", self.name)
        self.form.addRow("&Kind:", self.kind)
        alias_label = QLabel("&Aliases:", self)
        alias_label.setBuddy(self.alias_input)
        self.form.addRow(alias_label, alias_box)
        self.form.addRow("&Description:", self.description)
        self.form.addRow("&Colour:", self.color)
        hint = QLabel("Aliases are other spellings and epithets; mentions of any of them are found in the "
                      "sources (case, diacritics and hyphens do not matter).", self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        self.form.addRow("", hint)
        self.resize(500, 520)

    def _add_item(self, text: str) -> None:
        item = QListWidgetItem(text, self.aliases)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)

    def add_alias(self) -> None:
        text = " ".join(self.alias_input.text().split())
        if text and text.casefold() not in {a.casefold() for a in self.alias_list()}:
            self._add_item(text)
        self.alias_input.clear()

    def remove_alias(self) -> None:
        for item in self.aliases.selectedItems():
            self.aliases.takeItem(self.aliases.row(item))

    def alias_list(self) -> list[str]:
        return [t for t in (self.aliases.item(i).text().strip() for i in range(self.aliases.count())) if t]

    def values(self) -> dict[str, Any]:
        self.add_alias()  # a spelling typed but not yet added still counts
        return {"name": self.name.text().strip(), "kind": self.kind.currentText(), "aliases": self.alias_list(),
                "description": self.description.toPlainText().strip() or None, "color": self.color.color}


class TheoryDialog(_CodeDialog):
    """Name, parent theory, description and colour of a theory."""

    def __init__(self, parent: QWidget | None, theories: Sequence[Theory], theory: Theory | None = None,
                 parent_id: str | None = None, excluded: Sequence[str] = (), color: str | None = None) -> None:
        super().__init__("Edit theory" if theory else "New theory", parent)
        self.setObjectName("theoryDialog")
        self.name = QLineEdit(theory.name if theory else "", self)
        self.name.setObjectName("theoryName")
        self.parent_box = QComboBox(self)
        self.parent_box.setObjectName("theoryParent")
        self.parent_box.addItem("(top level)", None)
        for t in theories:
            if t.id not in excluded and (theory is None or t.id != theory.id):
                self.parent_box.addItem(swatch(t.color), t.name, t.id)
        wanted = theory.parent_id if theory else parent_id
        self.parent_box.setCurrentIndex(max(0, self.parent_box.findData(wanted)))
        self.description = QPlainTextEdit(theory.description or "" if theory else "", self)
        self.description.setObjectName("theoryDescription")
        self.description.setMaximumHeight(110)
        self.color = ColorButton(theory.color if theory else color, "Theory colour", self)
        self.color.setObjectName("theoryColor")
        self.form.addRow("&Name:", self.name)
        self.form.addRow("&Under:", self.parent_box)
        self.form.addRow("&Description:", self.description)
        self.form.addRow("&Colour:", self.color)

    def values(self) -> dict[str, Any]:
        return {"name": self.name.text().strip(), "parent_id": self.parent_box.currentData(),
                "description": self.description.toPlainText().strip() or None, "color": self.color.color}


class MergeDialog(QDialog):
    """Tick the codes to merge and choose the one to keep."""

    def __init__(self, parent: QWidget | None, kind: str, codes: Sequence[Actor | Theory],
                 selected: Sequence[str]) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        word = "actors" if kind == "actor" else "theories"
        self.setWindowTitle(f"Merge {word}")
        intro = QLabel(f"Tick the {word} that are really one. Every annotation linked to them will be linked "
                       f"to the one you keep" + (", and their names and aliases become its aliases."
                                                 if kind == "actor" else "; sub-theories move under it."), self)
        intro.setWordWrap(True)
        self.candidates = QListWidget(self)
        self.candidates.setObjectName("mergeCandidates")
        self.codes = {c.id: c for c in codes}
        first: list[QListWidgetItem] = []
        for code in codes:
            item = QListWidgetItem(swatch(code.color), f"{code.name}  ({code.usage} uses)")
            item.setData(Qt.ItemDataRole.UserRole, code.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code.id in selected else Qt.CheckState.Unchecked)
            (first if code.id in selected else []).append(item)
            self.candidates.addItem(item)
        if first:
            self.candidates.scrollToItem(first[0])
        self.keep = QComboBox(self)
        self.keep.setObjectName("mergeKeep")
        self.summary = QLabel(self)
        self.summary.setObjectName("mergeSummary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Keep:", self.keep)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.candidates, 1)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.candidates.itemChanged.connect(self._refresh)
        self.keep.currentIndexChanged.connect(self._update_summary)
        self._refresh()
        self.resize(440, 460)

    def checked(self) -> list[str]:
        return [self.candidates.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.candidates.count())
                if self.candidates.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, ids: Sequence[str]) -> None:
        for i in range(self.candidates.count()):
            item = self.candidates.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in ids
                               else Qt.CheckState.Unchecked)

    def _refresh(self, *_: object) -> None:
        keep = self.keep.currentData()
        ids = self.checked()
        self.keep.blockSignals(True)
        self.keep.clear()
        for code_id in ids:
            code = self.codes[code_id]
            self.keep.addItem(swatch(code.color), code.name, code_id)
        if keep in ids:
            self.keep.setCurrentIndex(self.keep.findData(keep))
        elif ids:  # default: the most used one
            best = max(ids, key=lambda i: self.codes[i].usage)
            self.keep.setCurrentIndex(self.keep.findData(best))
        self.keep.blockSignals(False)
        self._update_summary()

    def _update_summary(self, *_: object) -> None:
        ids = self.checked()
        ok = len(ids) >= 2
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if not ok:
            self.summary.setText("Tick at least two.")
            return
        keep = self.keep.currentData()
        moved = sum(self.codes[i].usage for i in ids if i != keep)
        names = ", ".join(f"“{self.codes[i].name}”" for i in ids if i != keep)
        self.summary.setText(f"{names} will be merged into “{self.codes[keep].name}”; up to {moved} "
                             f"annotation link{'s' if moved != 1 else ''} move. One step to undo.")

    def result_ids(self) -> tuple[str, list[str]]:
        keep = self.keep.currentData()
        return keep, [i for i in self.checked() if i != keep]


class UsageDialog(QDialog):
    """The annotations of one actor or theory across all sources; clicking one opens it in the reader."""

    annotation_activated = Signal(str, str, int, int)  # source id, annotation id, start, end

    def __init__(self, parent: QWidget | None, title: str, annotations: Sequence[Annotation],
                 source_titles: dict[str, str], describe: Callable[[Annotation], str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeUsageDialog")
        self.setWindowTitle(title)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("codeUsageTable")
        self.table.setHorizontalHeaderLabels(["Source", "Quote", "Rating", "Other links"])
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.label = QLabel(self)
        self.label.setObjectName("codeUsageCount")
        self.set_annotations(annotations, source_titles, describe)
        self.table.cellClicked.connect(self._clicked)
        self.table.cellActivated.connect(self._clicked)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        self.resize(720, 420)

    def set_annotations(self, annotations: Sequence[Annotation], source_titles: dict[str, str],
                        describe: Callable[[Annotation], str] | None = None,
                        rate: Callable[[Annotation], str] | None = None) -> None:
        self.annotations = list(annotations)
        self.table.setRowCount(len(self.annotations))
        for row, ann in enumerate(self.annotations):
            quote = " ".join(ann.quote.split())
            cells = (source_titles.get(ann.source_id, "?"), quote, rate(ann) if rate else "",
                     describe(ann) if describe else "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(ann.quote if col == 1 else text)
                self.table.setItem(row, col, item)
        n = len(self.annotations)
        sources = len({a.source_id for a in self.annotations})
        self.label.setText(f"{n} annotation{'s' if n != 1 else ''} in {sources} source{'s' if sources != 1 else ''}"
                           + (" — click one to open it" if n else ""))
        header = self.table.horizontalHeader()
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 220))
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, header.ResizeMode.Stretch)
        self.table.resizeColumnToContents(2)
        self.table.resizeColumnToContents(3)
        self.table.setColumnWidth(3, min(max(self.table.columnWidth(3), 90), 260))

    def _clicked(self, row: int, _col: int) -> None:
        if 0 <= row < len(self.annotations):
            ann = self.annotations[row]
            self.annotation_activated.emit(ann.source_id, ann.id, ann.start, ann.end)
