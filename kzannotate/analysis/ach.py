"""Theory assessment after Heuer's Analysis of Competing Hypotheses (ACH), weighted by the Admiralty rating.

Rows are pieces of evidence (see ``evidence``), columns are theories. A cell is C (the annotation supports
the theory: consistent), I (contradicts: inconsistent), N (neutral) or empty (not assessed).

Per theory:
- ``inconsistency`` = sum of the weights of the rows marked I. Heuer ranks by inconsistency, not support:
  evidence that fits a theory proves little (it often fits the others too); evidence against it counts.
  The least inconsistent theory ranks first; ties are broken by higher weighted support, then share a rank.
- ``support`` = sum of the weights of the rows marked C; ``raw_*`` are plain counts.

Per row, **diagnosticity** = weight × (max score − min score) / 2 over all theories, where the score is
C = +1, I = −1, N = 0 and empty = 0. It runs from 0 (the row bears the same on every theory, so it does not
help choose: shown dimmed) to the row's weight (consistent with one theory, inconsistent with another).

Rows whose rating rests on F (reliability cannot be judged) or 6 (truth cannot be judged) are flagged: their
weight is a convention, not a judgement.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from kzannotate.analysis.data import Dataset, Item
from kzannotate.analysis.evidence import Group, group_evidence
from kzannotate.analysis.weights import Weights, is_flagged

SCORE = {"supports": 1, "contradicts": -1, "neutral": 0}
CELL_LETTER = {"supports": "C", "contradicts": "I", "neutral": "N"}
EPS = 1e-9
LOW_RELIABILITY = ("E", "F")
LOW_CREDIBILITY = (5, 6)
CSV_TABLES = ("theories", "evidence")  # ``AchResult.to_csv`` writes one of them: a CSV holds one table


@dataclass(frozen=True)
class EvidenceRow:
    id: str  # the representative annotation's id
    annotation_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    source_title: str
    quote: str
    reliability: str
    credibility: int
    weight: float
    flagged: bool
    stances: dict[str, str]  # theory_id -> stance
    diagnosticity: float

    @property
    def rating(self) -> str:
        return f"{self.reliability}{self.credibility}"

    def cell(self, theory_id: str) -> str:
        """"C", "I", "N" or "" (not assessed)."""
        stance = self.stances.get(theory_id)
        return CELL_LETTER.get(stance, "") if stance else ""

    def contribution(self, theory_id: str) -> tuple[float, float]:
        """(inconsistency, support) this row adds to a theory."""
        stance = self.stances.get(theory_id)
        if stance == "contradicts":
            return self.weight, 0.0
        if stance == "supports":
            return 0.0, self.weight
        return 0.0, 0.0


@dataclass(frozen=True)
class TheoryScore:
    theory_id: str
    theory: str
    rank: int
    inconsistency: float
    support: float
    raw_inconsistent: int
    raw_consistent: int
    raw_neutral: int


@dataclass
class AchResult:
    theories: list[TheoryScore]  # in rank order
    rows: list[EvidenceRow]
    weights: Weights
    weighted: bool = True
    excluded_low: bool = False
    left_out_source: str | None = None

    def rank_of(self) -> dict[str, int]:
        return {t.theory_id: t.rank for t in self.theories}

    def to_json(self) -> dict[str, object]:
        return {
            "theories": [{"theory": t.theory, "theory_id": t.theory_id, "rank": t.rank,
                          "inconsistency": _r(t.inconsistency), "support": _r(t.support),
                          "raw_inconsistent": t.raw_inconsistent, "raw_consistent": t.raw_consistent,
                          "raw_neutral": t.raw_neutral} for t in self.theories],
            "evidence": [{"annotation_id": r.id, "annotation_ids": list(r.annotation_ids),
                          "weight": _r(r.weight), "diagnosticity": _r(r.diagnosticity), "flagged": r.flagged,
                          "rating": r.rating, "source_id": r.source_ids[0], "quote": r.quote,
                          "cells": {t.theory: r.cell(t.theory_id) for t in self.theories}} for r in self.rows],
            "weights": self.weights.to_json(),
            "weighted": self.weighted,
        }

    def to_csv(self, table: str = "theories") -> str:
        """One rectangular table, so pandas, R and spreadsheets read it as is.

        ``theories``: the ranking, one row per theory. ``evidence``: the matrix, one row per piece of
        evidence and one column per theory (C, I, N or empty).
        """
        if table not in CSV_TABLES:
            raise ValueError(f"unknown ACH table {table!r}")
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        if table == "theories":
            w.writerow(["theory", "rank", "inconsistency", "support", "raw_inconsistent", "raw_consistent",
                        "raw_neutral", "theory_id"])
            for t in self.theories:
                w.writerow([t.theory, t.rank, _r(t.inconsistency), _r(t.support), t.raw_inconsistent,
                            t.raw_consistent, t.raw_neutral, t.theory_id])
            return out.getvalue()
        w.writerow(["annotation_id", "rating", "weight", "diagnosticity", "flagged", "source", "quote",
                    "source_id", "annotation_ids", *[t.theory for t in self.theories]])
        for r in self.rows:
            w.writerow([r.id, r.rating, _r(r.weight), _r(r.diagnosticity), int(r.flagged), r.source_title,
                        " ".join(r.quote.split()), r.source_ids[0], " ".join(r.annotation_ids),
                        *[r.cell(t.theory_id) for t in self.theories]])
        return out.getvalue()


def _r(x: float) -> float:
    return round(x, 6)


def diagnosticity(stances: dict[str, str], theory_ids: Sequence[str], weight: float) -> float:
    """weight × (max − min)/2 of the row's scores (C +1, I −1, N and empty 0) across ``theory_ids``."""
    if len(theory_ids) < 2:
        return 0.0
    scores = [SCORE.get(stances.get(t, ""), 0) for t in theory_ids]
    return weight * (max(scores) - min(scores)) / 2


def is_low(row_or_item: EvidenceRow | Item) -> bool:
    return row_or_item.reliability in LOW_RELIABILITY or row_or_item.credibility in LOW_CREDIBILITY


def _rows(groups: Sequence[Group], weights: Weights, theory_ids: Sequence[str]) -> list[EvidenceRow]:
    rows = []
    for g in groups:
        rep = g.representative
        w = weights.weight(rep.reliability, rep.credibility)
        stances = dict(g.stances)
        rows.append(EvidenceRow(
            id=rep.id, annotation_ids=g.annotation_ids,
            source_ids=tuple(dict.fromkeys([rep.source_id, *(m.source_id for m in g.members)])),
            source_title=rep.source_title, quote=rep.quote, reliability=rep.reliability,
            credibility=rep.credibility, weight=w, flagged=is_flagged(rep.reliability, rep.credibility),
            stances=stances, diagnosticity=diagnosticity(stances, theory_ids, w)))
    return rows


def rank_theories(scores: dict[str, tuple[float, float]]) -> dict[str, int]:
    """Competition ranking (1, 1, 3…): least inconsistency first, then most support."""
    order = sorted(scores, key=lambda t: (scores[t][0], -scores[t][1]))
    ranks: dict[str, int] = {}
    for pos, t in enumerate(order):
        if pos and abs(scores[t][0] - scores[order[pos - 1]][0]) < EPS \
                and abs(scores[t][1] - scores[order[pos - 1]][1]) < EPS:
            ranks[t] = ranks[order[pos - 1]]
        else:
            ranks[t] = pos + 1
    return ranks


def assess(data: Dataset, weights: Weights | None = None, *, repeats: Sequence[tuple] = (),
           weighted: bool = True, exclude_low: bool = False, leave_out_source: str | None = None,
           theory_ids: Sequence[str] | None = None) -> AchResult:
    """The ACH matrix and theory ranking. ``weighted=False`` gives every row weight 1.

    Columns are the theories some evidence assesses (``theory_ids`` fixes them, e.g. for sensitivity runs).
    """
    weights = weights or Weights()
    use = weights if weighted else Weights.unweighted()
    items = [i for i in data.items if i.theories and i.source_id != leave_out_source]
    groups = group_evidence(items, repeats, use)
    if theory_ids is None:
        assessed = {t for g in groups for t, _ in g.stances}
        theory_ids = [t for t in data.theory_order() if t in assessed]
    rows = _rows(groups, use, theory_ids)
    if exclude_low:
        rows = [r for r in rows if not is_low(r)]
    totals: dict[str, tuple[float, float]] = {}
    for t in theory_ids:
        inc = sum(r.contribution(t)[0] for r in rows)
        sup = sum(r.contribution(t)[1] for r in rows)
        totals[t] = (inc, sup)
    ranks = rank_theories(totals)
    theories = [TheoryScore(t, data.theories[t], ranks[t], totals[t][0], totals[t][1],
                            sum(r.stances.get(t) == "contradicts" for r in rows),
                            sum(r.stances.get(t) == "supports" for r in rows),
                            sum(r.stances.get(t) == "neutral" for r in rows)) for t in theory_ids]
    theories.sort(key=lambda s: (s.rank, data.theories[s.theory_id].casefold()))
    return AchResult(theories, rows, use, weighted, exclude_low, leave_out_source)


# ------------------------------------------------------------------ sensitivity
@dataclass(frozen=True)
class RankChange:
    theory_id: str
    theory: str
    before: int
    after: int
    rows: tuple[str, ...]  # ids of the baseline rows whose contribution to this theory changed, biggest first


@dataclass
class Scenario:
    key: str  # "unweighted", "exclude_low", "without:<source_id>"
    label: str
    result: AchResult
    changes: list[RankChange] = field(default_factory=list)

    @property
    def stable(self) -> bool:
        return not self.changes


def compare(baseline: AchResult, other: AchResult) -> list[RankChange]:
    """Theories whose rank differs, and the rows that moved them (changed weight, or left out)."""
    after = other.rank_of()
    names = {t.theory_id: t.theory for t in baseline.theories}
    by_ann: dict[str, EvidenceRow] = {}
    for r in other.rows:
        for a in r.annotation_ids:
            by_ann.setdefault(a, r)
    changes = []
    for t in baseline.theories:
        if after.get(t.theory_id, t.rank) == t.rank:
            continue
        deltas = []
        for r in baseline.rows:
            counterpart = next((by_ann[a] for a in r.annotation_ids if a in by_ann), None)
            new = counterpart.contribution(t.theory_id) if counterpart else (0.0, 0.0)
            old = r.contribution(t.theory_id)
            delta = abs(new[0] - old[0]) + abs(new[1] - old[1])
            if delta > EPS:
                deltas.append((delta, r.id))
        deltas.sort(key=lambda d: -d[0])
        changes.append(RankChange(t.theory_id, names[t.theory_id], t.rank, after.get(t.theory_id, t.rank),
                                  tuple(i for _, i in deltas)))
    return changes


def sensitivity(data: Dataset, weights: Weights | None = None, *, repeats: Sequence[tuple] = (),
                baseline: AchResult | None = None) -> list[Scenario]:
    """Re-rank under each switch: unweighted, without E/5 and F/6 rows, and without each source in turn."""
    weights = weights or Weights()
    base = baseline or assess(data, weights, repeats=repeats)
    cols = [t.theory_id for t in base.theories]
    runs = [("unweighted", "Unweighted (every row counts 1)",
             assess(data, weights, repeats=repeats, weighted=False, theory_ids=cols)),
            ("exclude_low", "Without E/5 and F/6 rows",
             assess(data, weights, repeats=repeats, exclude_low=True, theory_ids=cols))]
    evidence_sources = sorted({s for r in base.rows for s in r.source_ids},
                              key=lambda s: data.sources[s].title.casefold())
    for sid in evidence_sources:
        runs.append((f"without:{sid}", f"Without “{data.sources[sid].title}”",
                     assess(data, weights, repeats=repeats, leave_out_source=sid, theory_ids=cols)))
    return [Scenario(key, label, res, compare(base, res)) for key, label, res in runs]


def sensitivity_json(scenarios: Sequence[Scenario]) -> list[dict[str, object]]:
    return [{"scenario": s.key, "label": s.label, "stable": s.stable,
             "ranks": {t.theory: t.rank for t in s.result.theories},
             "changes": [{"theory": c.theory, "before": c.before, "after": c.after, "rows": list(c.rows)}
                         for c in s.changes]} for s in scenarios]
