"""Theory assessment after Heuer's ACH, weighted by the Admiralty rating, with sensitivity switches."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kzannotate.analysis import ach
from kzannotate.analysis.data import Dataset
from kzannotate.analysis.weights import Weights, check_weight
from kzannotate.store.errors import UserError
from kzannotate.store.models import CREDIBILITY_NAMES, RELIABILITY_LETTERS, RELIABILITY_NAMES
from kzannotate.ui import charts

CELL_COLORS = {"C": "#d9d2ec", "I": "#fbd3b0", "N": "#ececec"}
FIXED_COLS = ("Evidence", "Rating", "Weight", "Diag.")

HELP_HTML = """
<h3>How this works</h3>
<p>After Richards Heuer's <b>Analysis of Competing Hypotheses</b>. Each row is a piece of evidence: an
annotation linked to at least one theory (the same passage repeated in copies of an article counts once).
Each cell says how the evidence bears on a theory: <b>C</b> consistent (the annotation <i>supports</i> it),
<b>I</b> inconsistent (<i>contradicts</i>), <b>N</b> neutral, empty = not assessed.</p>
<p><b>Weight</b> = w(reliability) × w(credibility) from the table above. F and 6 mean “cannot be judged”,
not “worst”: their weight is a convention, and rows resting on them are flagged ⚑.</p>
<p><b>Ranking.</b> Heuer's point: evidence that fits a theory proves little, because it usually fits others
too; what counts is evidence <i>against</i>. So theories are ranked by <b>weighted inconsistency</b> (the sum
of the weights of their I rows), least first; ties are broken by weighted support.</p>
<p><b>Diagnosticity</b> of a row = weight × (highest − lowest score) ÷ 2 across theories, scoring C = +1,
I = −1, N and empty = 0. A row that bears the same on every theory scores 0 and is dimmed: it does not help
you choose. Hunt for diagnostic evidence.</p>
<p><b>Sensitivity.</b> A conclusion that flips when you drop one source, ignore the ratings or leave out
the doubtful rows is fragile. The panel lists, for each switch, which theory changes rank and the rows that
moved it; click a row to find it.</p>
<p><b>Limits.</b> Theories here need not exclude each other (several can be partly true), a theory with
few assessments looks good simply because nothing was held against it, and the score ranks — it does not
prove. Missing evidence, deception and how the annotations were chosen are outside the numbers.</p>
"""


def _wrap(name: str, width: int = 16) -> str:
    """Break a header label into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines[:4])


class WeightsTable(QTableWidget):
    """Two editable columns: reliability letters and credibility numbers with their weights."""

    weights_edited = Signal(object)  # the new Weights

    def __init__(self, parent=None) -> None:
        super().__init__(6, 4, parent)
        self.setObjectName("achWeights")
        self.setHorizontalHeaderLabels(["Reliability", "w", "Credibility", "w"])
        self.verticalHeader().hide()
        self.weights = Weights()
        self._filling = False
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + 6 * (self.fontMetrics().height() + 6) + 4)
        self.itemChanged.connect(self._edited)

    def set_weights(self, weights: Weights) -> None:
        self.weights = weights
        self._filling = True
        for r, letter in enumerate(RELIABILITY_LETTERS):
            key = QTableWidgetItem(letter)
            key.setFlags(Qt.ItemFlag.ItemIsEnabled)
            key.setToolTip(RELIABILITY_NAMES[letter])
            self.setItem(r, 0, key)
            self.setItem(r, 1, self._value(weights.reliability[letter], letter))
            num = QTableWidgetItem(str(r + 1))
            num.setFlags(Qt.ItemFlag.ItemIsEnabled)
            num.setToolTip(CREDIBILITY_NAMES[r + 1])
            self.setItem(r, 2, num)
            self.setItem(r, 3, self._value(weights.credibility[r + 1], r + 1))
        self._filling = False

    @staticmethod
    def _value(v: float, key: str | int) -> QTableWidgetItem:
        item = QTableWidgetItem(f"{v:g}")
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        item.setToolTip("Weight from 0 to 1; double-click to edit")
        return item

    def _edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        try:
            new = self.weights.with_value(key, check_weight(item.text().replace(",", ".")))
        except UserError as exc:
            self.setToolTip(str(exc))
            self.set_weights(self.weights)
            return
        if new != self.weights:
            self.weights_edited.emit(new)


class AchView(QWidget):
    open_requested = Signal(str, int, int, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("achView")
        self.data: Dataset | None = None
        self.repeats: Sequence[tuple] = ()
        self.weights = Weights()
        self.result: ach.AchResult | None = None
        self.baseline: ach.AchResult | None = None
        self.scenarios: list[ach.Scenario] = []
        self.save_weights: Callable[[Weights], None] | None = None  # set by the controller (undoable)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(split)
        # ---- left: ranking and evidence matrix
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel(left)
        self.status.setObjectName("achStatus")
        self.status.setWordWrap(True)
        ll.addWidget(self.status)
        self.theory_table = QTableWidget(0, 7, left)
        self.theory_table.setObjectName("achTheories")
        self.theory_table.setHorizontalHeaderLabels(["Rank", "Theory", "Inconsistency", "Support", "I", "C", "N"])
        self.theory_table.verticalHeader().hide()
        self.theory_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.theory_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        th = self.theory_table.horizontalHeader()
        th.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c, w in ((0, 70), (2, 100), (3, 80), (4, 40), (5, 40), (6, 40)):
            th.resizeSection(c, w)
        self.theory_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        for c, tip in ((2, "Sum of the weights of inconsistent (contradicting) rows — lower ranks higher"),
                       (3, "Sum of the weights of consistent (supporting) rows"), (4, "Inconsistent rows"),
                       (5, "Consistent rows"), (6, "Neutral rows")):
            self.theory_table.horizontalHeaderItem(c).setToolTip(tip)
        self.theory_table.setMinimumHeight(self.fontMetrics().height() * 4)
        ll.addWidget(self.theory_table, 2)
        self.evidence_table = QTableWidget(0, len(FIXED_COLS), left)
        self.evidence_table.setObjectName("achEvidence")
        self.evidence_table.verticalHeader().hide()
        self.evidence_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.evidence_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.evidence_table.setWordWrap(False)
        self.evidence_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.evidence_table.setMinimumHeight(self.fontMetrics().height() * 5)
        ll.addWidget(self.evidence_table, 5)
        split.addWidget(left)
        # ---- right: weights, switches, sensitivity, help (scrolls: docked under the reader it may be short)
        right_scroll = QScrollArea(split)
        right_scroll.setObjectName("achSideScroll")
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        right_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right = QWidget(right_scroll)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        wbox = QGroupBox("Weights", right)
        wl = QVBoxLayout(wbox)
        self.weights_table = WeightsTable(wbox)
        wl.addWidget(self.weights_table)
        self.reset_button = QPushButton("Reset to Defaults", wbox)
        self.reset_button.setObjectName("achResetWeights")
        wl.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignRight)
        rl.addWidget(wbox)
        sbox = QGroupBox("Switches", right)
        sl = QVBoxLayout(sbox)
        self.unweighted_box = QCheckBox("Unweighted (every row counts 1)", sbox)
        self.unweighted_box.setObjectName("achUnweighted")
        self.exclude_box = QCheckBox("Exclude E/5 and F/6 rows", sbox)
        self.exclude_box.setObjectName("achExcludeLow")
        self.leave_out_box = QComboBox(sbox)
        self.leave_out_box.setObjectName("achLeaveOut")
        self.leave_out_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.leave_out_box.setMinimumContentsLength(18)
        sl.addWidget(self.unweighted_box)
        sl.addWidget(self.exclude_box)
        row = QHBoxLayout()
        row.addWidget(QLabel("Leave out:", sbox))
        row.addWidget(self.leave_out_box, 1)
        sl.addLayout(row)
        rl.addWidget(sbox)
        tabs = QTabWidget(right)
        tabs.setObjectName("achSideTabs")
        self.sensitivity_text = QTextBrowser(tabs)
        self.sensitivity_text.setObjectName("achSensitivity")
        self.sensitivity_text.setOpenLinks(False)
        self.sensitivity_text.anchorClicked.connect(self._anchor)
        self.help_text = QTextBrowser(tabs)
        self.help_text.setObjectName("achHelp")
        self.help_text.setHtml(HELP_HTML)
        tabs.addTab(self.sensitivity_text, "Sensitivity")
        tabs.addTab(self.help_text, "Method and Limits")
        tabs.setMinimumHeight(160)
        rl.addWidget(tabs, 1)
        right_scroll.setWidget(right)
        right_scroll.setMinimumWidth(right.minimumSizeHint().width() + right_scroll.verticalScrollBar().sizeHint().width())
        split.addWidget(right_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([900, 340])
        self.weights_table.weights_edited.connect(self._weights_edited)
        self.reset_button.clicked.connect(lambda: self._weights_edited(Weights()))
        self.unweighted_box.toggled.connect(lambda _: self.recompute())
        self.exclude_box.toggled.connect(lambda _: self.recompute())
        self.leave_out_box.currentIndexChanged.connect(lambda _: self.recompute())
        self.evidence_table.cellDoubleClicked.connect(self._open_row)

    # ------------------------------------------------------------ data
    def set_data(self, data: Dataset, weights: Weights, repeats: Sequence[tuple] = ()) -> None:
        self.data = data
        self.repeats = repeats
        self.weights = weights
        self.weights_table.set_weights(weights)
        keep = self.leave_out_box.currentData()
        self.leave_out_box.blockSignals(True)
        self.leave_out_box.clear()
        self.leave_out_box.addItem("(no source)", None)
        for sid in sorted({i.source_id for i in data.items if i.theories},
                          key=lambda s: data.sources[s].title.casefold()):
            self.leave_out_box.addItem(data.sources[sid].title, sid)
            self.leave_out_box.setItemData(self.leave_out_box.count() - 1, data.sources[sid].title,
                                           Qt.ItemDataRole.ToolTipRole)
        self.leave_out_box.setCurrentIndex(max(0, self.leave_out_box.findData(keep)) if keep else 0)
        self.leave_out_box.blockSignals(False)
        self.recompute()

    def _weights_edited(self, weights: Weights) -> None:
        if self.save_weights is not None:
            self.save_weights(weights)  # the controller stores them (undoable) and calls set_weights
        else:
            self.set_weights(weights)

    def set_weights(self, weights: Weights) -> None:
        self.weights = weights
        self.weights_table.set_weights(weights)
        self.recompute()

    def recompute(self) -> None:
        if self.data is None:
            return
        self.baseline = ach.assess(self.data, self.weights, repeats=self.repeats)
        cols = [t.theory_id for t in self.baseline.theories]
        self.result = ach.assess(self.data, self.weights, repeats=self.repeats,
                                 weighted=not self.unweighted_box.isChecked(),
                                 exclude_low=self.exclude_box.isChecked(),
                                 leave_out_source=self.leave_out_box.currentData(), theory_ids=cols)
        self.scenarios = ach.sensitivity(self.data, self.weights, repeats=self.repeats, baseline=self.baseline)
        self.current_changes = ach.compare(self.baseline, self.result)
        self._fill_theories()
        self._fill_evidence()
        self._fill_sensitivity()

    # ------------------------------------------------------------ tables
    def _fill_theories(self) -> None:
        res = self.result
        changed = {c.theory_id: c for c in self.current_changes}
        self.theory_table.setRowCount(len(res.theories))
        for r, t in enumerate(res.theories):
            rank = str(t.rank)
            if t.theory_id in changed:
                rank += f"  (was {changed[t.theory_id].before})"
            cells = (rank, t.theory, charts.fmt_number(t.inconsistency, True),
                     charts.fmt_number(t.support, True), str(t.raw_inconsistent), str(t.raw_consistent),
                     str(t.raw_neutral))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if t.rank == 1:
                    f = QFont(self.font())
                    f.setBold(True)
                    item.setFont(f)
                if t.theory_id in changed and c == 0:
                    item.setForeground(QColor(charts.CONTRADICTS_COLOR))
                self.theory_table.setItem(r, c, item)
        n = len(res.rows)
        mode = []
        if not res.weighted:
            mode.append("unweighted")
        if res.excluded_low:
            mode.append("without E/5 and F/6 rows")
        if res.left_out_source:
            mode.append(f"without “{self.data.sources[res.left_out_source].title}”")
        flagged = sum(r.flagged for r in res.rows)
        merged = sum(len(r.annotation_ids) - 1 for r in res.rows)
        text = (f"<b>{n} pieces of evidence</b> on {len(res.theories)} theories"
                + (f" ({merged} repeated annotations counted once)" if merged else "")
                + (f"; {flagged} flagged ⚑ (rest on F or 6)" if flagged else "") + ". "
                + ("Showing: " + ", ".join(mode) + "." if mode else "Least inconsistent evidence ranks first."))
        if not res.theories:
            text = ("No evidence yet: link annotations to theories (supports / contradicts / neutral) and they "
                    "appear here as rows.")
        self.status.setText(text)

    def _fill_evidence(self) -> None:
        res = self.result
        table = self.evidence_table
        theories = self.baseline.theories  # columns stay in the baseline ranking order
        table.setSortingEnabled(False)
        table.clear()
        table.setColumnCount(len(FIXED_COLS) + len(theories))
        table.setHorizontalHeaderLabels([*FIXED_COLS, *(_wrap(t.theory) for t in theories)])
        for c, t in enumerate(theories):
            table.horizontalHeaderItem(len(FIXED_COLS) + c).setToolTip(t.theory)
        table.setRowCount(len(res.rows))
        movers = {r for c in self.current_changes for r in c.rows}
        dim = QBrush(QColor("#9a9a9a"))
        for r, row in enumerate(res.rows):
            quote = " ".join(row.quote.split())
            ev = QTableWidgetItem(("● " if row.id in movers else "") + quote)
            tip = f"{row.source_title}\n\n{row.quote[:600]}"
            if len(row.annotation_ids) > 1:
                tip += f"\n\n(the same passage annotated {len(row.annotation_ids)} times; counted once)"
            ev.setToolTip(tip)
            rating = QTableWidgetItem(row.rating + (" ⚑" if row.flagged else ""))
            rating.setToolTip(("Rests on F or 6 (cannot be judged): the weight is a convention.\n"
                               if row.flagged else "")
                              + f"{RELIABILITY_NAMES.get(row.reliability, '')}; "
                                f"{CREDIBILITY_NAMES.get(row.credibility, '')}")
            weight = QTableWidgetItem(f"{row.weight:.2f}")
            diag = QTableWidgetItem(f"{row.diagnosticity:.2f}")
            diag.setToolTip("0 = bears the same on every theory (does not help choose)")
            fixed = (ev, rating, weight, diag)
            for c, item in enumerate(fixed):
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if row.diagnosticity == 0:
                    item.setForeground(dim)
                table.setItem(r, c, item)
            for c, t in enumerate(theories):
                letter = row.cell(t.theory_id)
                item = QTableWidgetItem(letter)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if letter:
                    color = QColor(CELL_COLORS[letter])
                    if row.diagnosticity == 0:
                        color = color.lighter(112)
                        item.setForeground(dim)
                    item.setBackground(color)
                table.setItem(r, len(FIXED_COLS) + c, item)
        h = table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        h.resizeSection(0, 320)
        for c in (1, 2, 3):
            h.resizeSection(c, 58)
        for c in range(len(theories)):
            h.resizeSection(len(FIXED_COLS) + c, 104)
        h.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        table.setSortingEnabled(True)  # click "Diag." to bring the evidence that discriminates to the top
        h.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def _row_label(self, row_id: str) -> str:
        row = next((r for r in self.baseline.rows if r.id == row_id), None)
        if row is None:
            return row_id
        quote = " ".join(row.quote.split())
        quote = quote if len(quote) <= 60 else quote[:59] + "…"
        return f"“{html.escape(quote)}” ({row.rating})"

    def _fill_sensitivity(self) -> None:
        parts = ["<p>Each switch re-ranks the theories; a robust conclusion survives them all. "
                 "Compared with the weighted ranking of all evidence.</p>"]
        if not self.baseline.theories:
            self.sensitivity_text.setHtml("<p>Nothing to test yet.</p>")
            return
        for s in self.scenarios:
            if s.stable:
                parts.append(f"<p>✓ <b>{html.escape(s.label)}</b>: ranking unchanged.</p>")
                continue
            items = []
            for c in s.changes:
                rows = ", ".join(f'<a href="row:{r}">{self._row_label(r)}</a>' for r in c.rows[:3])
                more = f" and {len(c.rows) - 3} more" if len(c.rows) > 3 else ""
                items.append(f"<li>{html.escape(c.theory)}: rank {c.before} → {c.after}"
                             + (f"<br><small>because of {rows}{more}</small>" if rows else "") + "</li>")
            parts.append(f"<p>⚠ <b>{html.escape(s.label)}</b>:</p><ul>{''.join(items)}</ul>")
        self.sensitivity_text.setHtml("".join(parts))

    def _anchor(self, url) -> None:
        text = url.toString()
        if text.startswith("row:"):
            self.select_row(text[4:])

    def select_row(self, row_id: str) -> None:
        for r in range(self.evidence_table.rowCount()):
            item = self.evidence_table.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == row_id:
                self.evidence_table.selectRow(r)
                self.evidence_table.scrollToItem(item)
                return

    def _open_row(self, r: int, _c: int) -> None:
        item = self.evidence_table.item(r, 0)
        if item is None or self.data is None:
            return
        ann_id = item.data(Qt.ItemDataRole.UserRole)
        ann = next((i for i in self.data.items if i.id == ann_id), None)
        if ann is not None:
            self.open_requested.emit(ann.source_id, ann.start, ann.end, ann.id)
