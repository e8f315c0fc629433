"""The actor × theory matrix: how often (and with what weight) each actor is linked to each theory.

A cell counts the annotations that link both the actor and the theory, split by stance. The weighted
sums use w(reliability) × w(credibility) (see ``weights``). Net support = supports − contradicts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from kzannotate.analysis.data import Dataset
from kzannotate.analysis.weights import Weights


@dataclass
class Cell:
    actor_id: str
    theory_id: str
    supports: int = 0
    contradicts: int = 0
    neutral: int = 0
    weighted_supports: float = 0.0
    weighted_contradicts: float = 0.0
    weighted_neutral: float = 0.0
    annotation_ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.supports + self.contradicts + self.neutral

    def net(self, weighted: bool) -> float:
        if weighted:
            return self.weighted_supports - self.weighted_contradicts
        return float(self.supports - self.contradicts)

    def values(self, weighted: bool) -> tuple[float, float, float]:
        """(supports, contradicts, neutral) as counts or weighted sums."""
        if weighted:
            return self.weighted_supports, self.weighted_contradicts, self.weighted_neutral
        return float(self.supports), float(self.contradicts), float(self.neutral)


@dataclass
class Matrix:
    actors: list[tuple[str, str]]  # (id, name), rows in display order
    theories: list[tuple[str, str]]  # (id, name), columns
    cells: dict[tuple[str, str], Cell]
    weights: Weights

    def cell(self, actor_id: str, theory_id: str) -> Cell:
        return self.cells.get((actor_id, theory_id)) or Cell(actor_id, theory_id)

    def max_abs_net(self, weighted: bool) -> float:
        return max((abs(c.net(weighted)) for c in self.cells.values()), default=0.0)

    def to_json(self) -> dict[str, object]:
        actor_names = dict(self.actors)
        theory_names = dict(self.theories)
        cells = []
        for a_id, _ in self.actors:
            for t_id, _ in self.theories:
                c = self.cells.get((a_id, t_id))
                if c is None:
                    continue
                cells.append({"actor": actor_names[a_id], "theory": theory_names[t_id], "actor_id": a_id,
                              "theory_id": t_id, "supports": c.supports, "contradicts": c.contradicts,
                              "neutral": c.neutral, "weighted_supports": _r(c.weighted_supports),
                              "weighted_contradicts": _r(c.weighted_contradicts),
                              "weighted_neutral": _r(c.weighted_neutral),
                              "annotation_ids": list(c.annotation_ids)})
        return {"cells": cells, "weights": self.weights.to_json()}

    def to_csv(self, weighted: bool = False) -> str:
        """One line per non-empty cell (long format: easy to pivot in a spreadsheet or R)."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["actor", "theory", "supports", "contradicts", "neutral", "weighted_supports",
                    "weighted_contradicts", "weighted_neutral", "net"])
        for cell in self.to_json()["cells"]:  # type: ignore[union-attr]
            net = (cell["weighted_supports"] - cell["weighted_contradicts"]) if weighted else \
                (cell["supports"] - cell["contradicts"])
            w.writerow([cell["actor"], cell["theory"], cell["supports"], cell["contradicts"], cell["neutral"],
                        cell["weighted_supports"], cell["weighted_contradicts"], cell["weighted_neutral"],
                        _r(net)])
        return out.getvalue()


def _r(x: float) -> float:
    return round(x, 6)


def actor_theory_matrix(data: Dataset, weights: Weights | None = None, *, all_codes: bool = False) -> Matrix:
    """Build the matrix. Only actors and theories that meet in some annotation are rows/columns,
    unless ``all_codes`` (then the whole codebook)."""
    weights = weights or Weights()
    cells: dict[tuple[str, str], Cell] = {}
    for item in data.items:
        if not item.actor_ids or not item.theories:
            continue
        w = weights.weight(item.reliability, item.credibility)
        for a_id in item.actor_ids:
            for t_id, stance in item.theories:
                cell = cells.setdefault((a_id, t_id), Cell(a_id, t_id))
                cell.annotation_ids.append(item.id)
                if stance == "supports":
                    cell.supports += 1
                    cell.weighted_supports += w
                elif stance == "contradicts":
                    cell.contradicts += 1
                    cell.weighted_contradicts += w
                else:
                    cell.neutral += 1
                    cell.weighted_neutral += w
    used_a = {a for a, _ in cells}
    used_t = {t for _, t in cells}
    actors = [(a, data.actors[a]) for a in data.actor_order() if all_codes or a in used_a]
    theories = [(t, data.theories[t]) for t in data.theory_order() if all_codes or t in used_t]
    return Matrix(actors, theories, cells, weights)
