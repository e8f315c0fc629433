"""Colours shared by the analysis charts: a diverging, colour-blind-safe scale and a categorical palette."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QRadioButton, QWidget

# ColorBrewer PuOr (5 classes), colour-blind safe: orange = net contradicts, purple = net supports.
DIVERGING = ("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99")
SUPPORTS_COLOR = "#5e3c99"
CONTRADICTS_COLOR = "#e66101"
NEUTRAL_COLOR = "#9e9e9e"
EMPTY_CELL = "#fbfbfb"
# Okabe–Ito, for theories without a colour of their own
CATEGORICAL = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")


def _lerp(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def diverging(value: float) -> QColor:
    """``value`` in −1…+1 → colour (−1 deep orange, 0 near white, +1 deep purple)."""
    v = max(-1.0, min(1.0, value))
    stops = [QColor(c) for c in DIVERGING]
    pos = (v + 1) / 2 * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    return _lerp(stops[i], stops[i + 1], pos - i)


def text_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    luminance = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF()
    return QColor("#000000") if luminance > 0.5 else QColor("#ffffff")


def theory_colors(ids: list[str], own: dict[str, str | None]) -> dict[str, QColor]:
    out: dict[str, QColor] = {}
    spare = iter(CATEGORICAL * (len(ids) // len(CATEGORICAL) + 1))
    for t in ids:
        c = own.get(t)
        out[t] = QColor(c) if c else QColor(next(spare))
    return out


def fmt_number(x: float, weighted: bool) -> str:
    if not weighted:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".") if x else "0"


def fmt_signed(x: float, weighted: bool) -> str:
    s = fmt_number(abs(x), weighted)
    if abs(x) < 1e-9:
        return "0"
    return ("+" if x > 0 else "−") + s


def add_weight_toggle(owner: QWidget, bar: QHBoxLayout, raw_text: str, prefix: str
                      ) -> tuple[QRadioButton, QRadioButton]:
    """The raw / reliability-weighted switch the matrix and the sources overview share (raw checked)."""
    raw = QRadioButton(raw_text, owner)
    raw.setObjectName(f"{prefix}Raw")
    weighted = QRadioButton("Weighted by reliability × credibility", owner)
    weighted.setObjectName(f"{prefix}Weighted")
    raw.setChecked(True)
    group = QButtonGroup(owner)
    group.addButton(raw)
    group.addButton(weighted)
    bar.addWidget(raw)
    bar.addWidget(weighted)
    return raw, weighted
