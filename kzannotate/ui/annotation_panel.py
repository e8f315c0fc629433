"""The side panel where an annotation's actors, theories, rating and note are set.

It knows nothing about the store: it shows ``PanelValues`` and emits ``field_changed(name)`` whenever the
user changes one field, so the controller can save each change at once as one undo step. In *draft* mode
(a new annotation) the values wait for the Annotate button; in *edit* mode they belong to the selected
annotation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFocusEvent, QIcon, QKeyEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kzannotate.store.models import (
    CREDIBILITY_NAMES,
    RELIABILITY_LETTERS,
    RELIABILITY_NAMES,
    STANCES,
    Actor,
    Theory,
)
from kzannotate.ui.table_helpers import paint_hint

ID_ROLE = Qt.ItemDataRole.UserRole + 1
STANCE_LABELS = {"supports": "✓ supports", "contradicts": "✗ contradicts", "neutral": "○ neutral"}
STANCE_COLORS = {"supports": "#2e7d32", "contradicts": "#c62828", "neutral": "#616161"}
# The same meanings, lightened for a dark window background (the dark ones vanish on it).
STANCE_COLORS_DARK = {"supports": "#81c784", "contradicts": "#ef9a9a", "neutral": "#bdbdbd"}


def is_dark(widget: QWidget) -> bool:
    """True when the widget's palette draws light text on a dark base (a dark system theme)."""
    pal = widget.palette()
    return pal.color(QPalette.ColorRole.Base).lightness() < pal.color(QPalette.ColorRole.Text).lightness()


def stance_color(widget: QWidget, stance: str) -> QColor:
    return QColor((STANCE_COLORS_DARK if is_dark(widget) else STANCE_COLORS)[stance])
STANCE_KEYS = {Qt.Key.Key_S: "supports", Qt.Key.Key_Plus: "supports", Qt.Key.Key_C: "contradicts",
               Qt.Key.Key_Minus: "contradicts", Qt.Key.Key_N: "neutral", Qt.Key.Key_0: "neutral"}


@dataclass
class PanelValues:
    actor_ids: set[str] = field(default_factory=set)
    theories: dict[str, str] = field(default_factory=dict)  # theory id → stance
    reliability: str | None = None
    credibility: int = 6
    note: str = ""


def swatch(color: str | None, size: int = 12) -> QIcon:
    """A small round colour dot: the list doubles as the legend of the highlight colours."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(color or "#9e9e9e").darker(130))
    painter.setBrush(QColor(color or "#9e9e9e"))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pix)


class ActorList(QListWidget):
    """Checkable actors; while the codebook has none, says how to add one."""

    hint = "No actors yet. Type a name in the box above to create one."

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if self.count() == 0:
            paint_hint(self, self.hint)


class TheoryTree(QTreeWidget):
    """Checkable theories with a stance column; S/C/N (or +/−/0) set the stance of the current theory."""

    stance_changed = Signal(str)
    hint = "No theories yet. Add them with Codebook › New Theory…"

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if self.topLevelItemCount() == 0:
            paint_hint(self, self.hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        stance = STANCE_KEYS.get(Qt.Key(event.key()))
        item = self.currentItem()
        if stance and item is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if item.checkState(0) != Qt.CheckState.Checked:
                item.setData(1, ID_ROLE, stance)
                item.setCheckState(0, Qt.CheckState.Checked)  # emits itemChanged → theories saved
            elif item.data(1, ID_ROLE) != stance:
                item.setData(1, ID_ROLE, stance)
                self.stance_changed.emit(item.data(0, ID_ROLE))
            return
        super().keyPressEvent(event)


class NoteEdit(QPlainTextEdit):
    focus_lost = Signal()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)
        self.focus_lost.emit()


class AnnotationPanel(QWidget):
    """Actors, theories, reliability, credibility and note for the current or a new annotation."""

    field_changed = Signal(str)  # "actors", "theories", "reliability", "credibility", "note"
    note_committed = Signal()  # focus left the note box: close the note's undo step
    annotate_requested = Signal()
    delete_requested = Signal()
    create_actor_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationPanel")
        self.setAccessibleName("Annotation")
        self.setMinimumWidth(260)
        self.editing = False
        self.owner: object = None  # the project the edited annotation belongs to (edits go nowhere else)
        self._loading = False
        self._source_letter: str | None = None

        self.heading = QLabel("New annotation", self)
        self.heading.setObjectName("annotationHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.heading.setFont(font)
        self.subheading = QLabel("Select text in the source, then choose actors and theories.", self)
        self.subheading.setObjectName("annotationSubheading")
        self.subheading.setWordWrap(True)
        self.subheading.setStyleSheet("color: palette(placeholder-text);")

        # actors
        self.actor_filter = QLineEdit(self)
        self.actor_filter.setObjectName("actorFilter")
        self.actor_filter.setPlaceholderText("Filter or add actors…")
        self.actor_filter.setClearButtonEnabled(True)
        self.actor_filter.textChanged.connect(self._filter_actors)
        self.actor_filter.returnPressed.connect(self._filter_return)
        self.create_actor_button = QPushButton(self)
        self.create_actor_button.setObjectName("createActorButton")
        self.create_actor_button.setFlat(True)
        self.create_actor_button.setStyleSheet("text-align: left; color: palette(link);")
        self.create_actor_button.hide()
        self.create_actor_button.clicked.connect(self._create_actor)
        self.actor_list = ActorList(self)
        self.actor_list.setObjectName("actorList")
        self.actor_list.setAccessibleName("Actors")
        self.actor_list.setUniformItemSizes(True)
        self.actor_list.setIconSize(QSize(12, 12))
        self.actor_list.itemChanged.connect(lambda _item: self._emit("actors"))

        # theories
        self.theory_list = TheoryTree(self)
        self.theory_list.setObjectName("theoryList")
        self.theory_list.setAccessibleName("Theories")
        self.theory_list.setColumnCount(2)
        self.theory_list.setHeaderLabels(["Theory", "Stance"])
        self.theory_list.setRootIsDecorated(True)
        self.theory_list.setIndentation(14)
        self.theory_list.setIconSize(QSize(12, 12))
        self.theory_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.theory_list.setToolTip("Check the theories this passage bears on. Click the stance (or press "
                                    "S, C, N) to switch supports / contradicts / neutral.")
        header = self.theory_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.theory_list.itemChanged.connect(self._theory_item_changed)
        self.theory_list.itemClicked.connect(self._theory_clicked)
        self.theory_list.stance_changed.connect(lambda _tid: self._stance_changed())

        # rating
        self.reliability_combo = QComboBox(self)
        self.reliability_combo.setObjectName("reliabilityCombo")
        self.reliability_combo.setAccessibleName("Reliability")
        self.reliability_combo.addItem("As source", None)
        for letter in RELIABILITY_LETTERS:
            self.reliability_combo.addItem(f"{letter} — {RELIABILITY_NAMES[letter]}", letter)
        self.reliability_combo.setToolTip("Admiralty reliability of the source of this statement (A–F). "
                                          "Empty: take the letter of the source.")
        self.reliability_combo.currentIndexChanged.connect(lambda _i: self._emit("reliability"))
        for combo in (self.reliability_combo,):
            # long Admiralty names must not widen the panel; the open list shows them in full
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.credibility_combo = QComboBox(self)
        self.credibility_combo.setObjectName("credibilityCombo")
        self.credibility_combo.setAccessibleName("Credibility")
        for n in range(1, 7):
            self.credibility_combo.addItem(f"{n} — {CREDIBILITY_NAMES[n]}", n)
        self.credibility_combo.setCurrentIndex(5)
        self.credibility_combo.setToolTip("Admiralty credibility of the information itself (1–6).")
        self.credibility_combo.currentIndexChanged.connect(lambda _i: self._emit("credibility"))
        self.credibility_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.credibility_combo.setMinimumContentsLength(14)

        # note
        self.note_edit = NoteEdit(self)
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("Note (optional)")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 4 + 12)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(700)
        self._note_timer.timeout.connect(lambda: self._emit("note"))
        self.note_edit.textChanged.connect(self._note_typed)
        self.note_edit.focus_lost.connect(self.flush_note)

        self.annotator_label = QLabel(self)
        self.annotator_label.setObjectName("annotatorLabel")
        self.annotator_label.setStyleSheet("color: palette(placeholder-text);")

        # buttons
        self.annotate_button = QPushButton("Annotate", self)
        self.annotate_button.setObjectName("annotateButton")
        self.annotate_button.setDefault(True)
        self.annotate_button.setToolTip("Save the selected text as an annotation (Ctrl+Return)")
        self.annotate_button.clicked.connect(self.annotate_requested)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("deleteAnnotationButton")
        self.delete_button.setToolTip("Delete the selected annotation (Delete)")
        self.delete_button.clicked.connect(self.delete_requested)

        # layout
        def section(title: str) -> QLabel:
            label = QLabel(title, self)
            label.setStyleSheet("font-weight: 600; margin-top: 4px;")
            return label

        actors_box = QWidget(self)
        al = QVBoxLayout(actors_box)
        al.setContentsMargins(0, 0, 0, 0)
        al.setSpacing(4)
        al.addWidget(section("Actors"))
        al.addWidget(self.actor_filter)
        al.addWidget(self.create_actor_button)
        al.addWidget(self.actor_list)
        theories_box = QWidget(self)
        tl = QVBoxLayout(theories_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.setSpacing(4)
        tl.addWidget(section("Theories"))
        tl.addWidget(self.theory_list)
        self.lists_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.lists_splitter.setObjectName("panelSplitter")
        self.lists_splitter.setChildrenCollapsible(False)
        self.lists_splitter.addWidget(actors_box)
        self.lists_splitter.addWidget(theories_box)
        self.lists_splitter.setSizes([300, 300])
        rows = self.fontMetrics().height() + 4
        self.actor_list.setMinimumHeight(rows * 3)  # the panel fits above an analysis view at 900 px high
        self.theory_list.setMinimumHeight(rows * 4)

        form = QFormLayout()
        form.setContentsMargins(0, 4, 0, 0)
        form.setSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Reliability", self.reliability_combo)
        form.addRow("Credibility", self.credibility_combo)
        self.reliability_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.credibility_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        buttons = QHBoxLayout()
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.annotate_button)

        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addWidget(line)
        layout.addWidget(self.lists_splitter, 1)
        layout.addLayout(form)
        layout.addWidget(self.note_edit)
        layout.addWidget(self.annotator_label)
        layout.addLayout(buttons)
        self.set_mode(False)

    def focus_chain(self) -> list[QWidget]:
        """The panel's widgets in Tab order, top to bottom (the window links the chain to the reader)."""
        return [self.actor_filter, self.create_actor_button, self.actor_list, self.theory_list,
                self.reliability_combo, self.credibility_combo, self.note_edit, self.delete_button,
                self.annotate_button]

    # -------------------------------------------------------------- codebook
    def set_codebook(self, actors: list[Actor], theories: list[Theory]) -> None:
        """Fill both lists, keeping the current check marks and stances."""
        values = self.values()
        self._loading = True
        try:
            self.actor_list.clear()
            for actor in actors:
                item = QListWidgetItem(swatch(actor.color), actor.name)
                item.setData(ID_ROLE, actor.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if actor.id in values.actor_ids
                                   else Qt.CheckState.Unchecked)
                tip = [f"{actor.name} ({actor.kind})"]
                if actor.aliases:
                    tip.append("Also: " + ", ".join(actor.aliases[:8]))
                if actor.description:
                    tip.append(actor.description)
                item.setToolTip("\n".join(tip))
                self.actor_list.addItem(item)
            self.theory_list.clear()
            items: dict[str, QTreeWidgetItem] = {}
            ids = {t.id for t in theories}
            pending = list(theories)
            force_top = False
            while pending:  # parents before children; a cycle or broken link puts the theory at the top
                rest = []
                for theory in pending:
                    parent_id = theory.parent_id if theory.parent_id in ids and not force_top else None
                    if parent_id and parent_id not in items:
                        rest.append(theory)
                        continue
                    parent = items.get(parent_id) if parent_id else None
                    item = QTreeWidgetItem([theory.name, ""])
                    item.setIcon(0, swatch(theory.color))
                    item.setData(0, ID_ROLE, theory.id)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(0, Qt.CheckState.Unchecked)
                    item.setToolTip(0, theory.description or theory.name)
                    if parent is not None:
                        parent.addChild(item)
                    else:
                        self.theory_list.addTopLevelItem(item)
                    items[theory.id] = item
                force_top = len(rest) == len(pending)
                pending = rest
            self.theory_list.expandAll()
            self._theory_items = items
            self._apply_theories(values.theories)
        finally:
            self._loading = False
        self._filter_actors(self.actor_filter.text())

    def set_source_reliability(self, letter: str | None) -> None:
        self._source_letter = letter
        text = f"As source ({letter})" if letter else "As source (not set: F)"
        self.reliability_combo.setItemText(0, text)

    # ----------------------------------------------------------------- values
    def values(self) -> PanelValues:
        actors = {self.actor_list.item(i).data(ID_ROLE) for i in range(self.actor_list.count())
                  if self.actor_list.item(i).checkState() == Qt.CheckState.Checked}
        theories = {}
        for tid, item in getattr(self, "_theory_items", {}).items():
            if item.checkState(0) == Qt.CheckState.Checked:
                theories[tid] = item.data(1, ID_ROLE) or "supports"
        return PanelValues(actors, theories, self.reliability_combo.currentData(),
                           int(self.credibility_combo.currentData()), self.note_edit.toPlainText().strip())

    def set_values(self, values: PanelValues) -> None:
        """Show values without emitting ``field_changed`` (loading, not editing)."""
        self._note_timer.stop()
        self._loading = True
        try:
            for i in range(self.actor_list.count()):
                item = self.actor_list.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in values.actor_ids
                                   else Qt.CheckState.Unchecked)
            self._apply_theories(values.theories)
            self.reliability_combo.setCurrentIndex(max(0, self.reliability_combo.findData(values.reliability))
                                                   if values.reliability else 0)
            self.credibility_combo.setCurrentIndex(max(0, self.credibility_combo.findData(values.credibility)))
            if self.note_edit.toPlainText() != values.note:
                self.note_edit.setPlainText(values.note)
        finally:
            self._loading = False

    def _apply_theories(self, theories: dict[str, str]) -> None:
        for tid, item in getattr(self, "_theory_items", {}).items():
            stance = theories.get(tid)
            item.setCheckState(0, Qt.CheckState.Checked if stance else Qt.CheckState.Unchecked)
            item.setData(1, ID_ROLE, stance or "supports")
            self._show_stance(item)

    def _show_stance(self, item: QTreeWidgetItem) -> None:
        if item.checkState(0) == Qt.CheckState.Checked:
            stance = item.data(1, ID_ROLE) or "supports"
            item.setText(1, STANCE_LABELS[stance])
            item.setForeground(1, stance_color(self, stance))
            item.setToolTip(1, "Click to change the stance (or press S, C, N)")
        else:
            item.setText(1, "")

    def set_mode(self, editing: bool, heading: str = "", detail: str = "", owner: object = None) -> None:
        """Draft (new annotation) or edit (the selected one, of project ``owner``); headings tell which."""
        self.editing = editing
        self.owner = owner if editing else None
        self.heading.setText(heading or ("Annotation" if editing else "New annotation"))
        self.subheading.setText(detail or ("Changes are saved as you make them." if editing else
                                           "Select text in the source, then choose actors and theories."))
        self.delete_button.setVisible(editing)

    def owned_by(self, project: object) -> bool:
        """True when the annotation being edited belongs to ``project``: an edit still pending when another
        project was opened must not be written into that one (its ids mean nothing there)."""
        return self.editing and self.owner is project

    def set_annotator(self, name: str | None) -> None:
        self.annotator_label.setText(f"Annotator: {name}" if name else "")

    def check_actor(self, actor_id: str, checked: bool = True) -> None:
        for i in range(self.actor_list.count()):
            item = self.actor_list.item(i)
            if item.data(ID_ROLE) == actor_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.actor_list.scrollToItem(item)
                return

    def check_theory(self, theory_id: str, stance: str = "supports") -> None:
        item = getattr(self, "_theory_items", {}).get(theory_id)
        if item is None:
            return
        item.setData(1, ID_ROLE, stance)
        if item.checkState(0) == Qt.CheckState.Checked:
            self._stance_changed()
        else:
            item.setCheckState(0, Qt.CheckState.Checked)
        self.theory_list.scrollToItem(item)

    # ---------------------------------------------------------------- signals
    def _emit(self, name: str) -> None:
        if not self._loading:
            self.field_changed.emit(name)

    def _theory_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 0 or self._loading:
            return
        self._loading = True
        try:
            self._show_stance(item)
        finally:
            self._loading = False
        self._emit("theories")

    def _theory_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 1 or item.checkState(0) != Qt.CheckState.Checked:
            return
        stance = item.data(1, ID_ROLE) or "supports"
        item.setData(1, ID_ROLE, STANCES[(STANCES.index(stance) + 1) % len(STANCES)])
        self._stance_changed()

    def _stance_changed(self) -> None:
        self._loading = True
        try:
            for item in getattr(self, "_theory_items", {}).values():
                self._show_stance(item)
        finally:
            self._loading = False
        self._emit("theories")

    def _note_typed(self) -> None:
        if not self._loading and self.editing:
            self._note_timer.start()

    def flush_note(self) -> None:
        """Save a pending note edit now (focus left the box, or the selection is about to change)."""
        if self._note_timer.isActive():
            self._note_timer.stop()
            self._emit("note")
        if self.editing and not self._loading:
            self.note_committed.emit()

    def _filter_actors(self, text: str) -> None:
        needle = text.strip().casefold()
        exact = False
        for i in range(self.actor_list.count()):
            item = self.actor_list.item(i)
            name = item.text().casefold()
            hay = name + " " + item.toolTip().casefold()
            item.setHidden(bool(needle) and needle not in hay)
            exact = exact or name == needle
        name = " ".join(text.split())
        if name and not exact:
            self.create_actor_button.setText(f"+ Create actor “{name}”")
            self.create_actor_button.show()
        else:
            self.create_actor_button.hide()

    def _filter_return(self) -> None:
        visible = [self.actor_list.item(i) for i in range(self.actor_list.count())
                   if not self.actor_list.item(i).isHidden()]
        needle = self.actor_filter.text().strip().casefold()
        exact = [item for item in visible if item.text().casefold() == needle]
        target = exact[0] if exact else (visible[0] if len(visible) == 1 else None)
        if target is not None:
            target.setCheckState(Qt.CheckState.Unchecked if target.checkState() == Qt.CheckState.Checked
                                 else Qt.CheckState.Checked)
            self.actor_filter.clear()
        elif not visible and self.create_actor_button.isVisible():
            self._create_actor()

    def _create_actor(self) -> None:
        name = " ".join(self.actor_filter.text().split())
        if name:
            self.create_actor_requested.emit(name)
