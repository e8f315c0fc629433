"""Sources by reliability letter and date, and which theories each one supports or contradicts."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from kzannotate.analysis.data import Dataset, reliability_sort_key
from kzannotate.analysis.weights import Weights


@dataclass
class SourceRow:
    source_id: str
    title: str
    reliability: str | None
    published: str | None
    outlet: str | None
    annotations: int = 0
    supports: dict[str, float] = field(default_factory=dict)  # theory_id -> count (or weighted sum)
    contradicts: dict[str, float] = field(default_factory=dict)
    neutral: dict[str, float] = field(default_factory=dict)

    @property
    def total_supports(self) -> float:
        return sum(self.supports.values())

    @property
    def total_contradicts(self) -> float:
        return sum(self.contradicts.values())


@dataclass
class Overview:
    rows: list[SourceRow]
    theories: list[tuple[str, str]]  # (id, name) that appear in any row
    weighted: bool
    weights: Weights

    def to_json(self) -> dict[str, object]:
        names = dict(self.theories)

        def by_name(d: dict[str, float]) -> dict[str, float]:
            return {names[t]: (round(v, 6) if self.weighted else int(v)) for t, v in d.items()}

        return {"sources": [{"source_id": r.source_id, "title": r.title, "reliability": r.reliability,
                             "published": r.published, "outlet": r.outlet, "annotations": r.annotations,
                             "supports": by_name(r.supports), "contradicts": by_name(r.contradicts),
                             "neutral": by_name(r.neutral)} for r in self.rows],
                "weighted": self.weighted}

    def to_csv(self) -> str:
        """One line per source and theory with any stance."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["source_id", "title", "reliability", "published", "theory", "supports", "contradicts",
                    "neutral"])
        fmt = (lambda v: round(v, 6)) if self.weighted else int
        for r in self.rows:
            for t_id, name in self.theories:
                s, c, n = r.supports.get(t_id, 0), r.contradicts.get(t_id, 0), r.neutral.get(t_id, 0)
                if s or c or n:
                    w.writerow([r.source_id, r.title, r.reliability or "", r.published or "", name, fmt(s),
                                fmt(c), fmt(n)])
        return out.getvalue()


def sources_overview(data: Dataset, weights: Weights | None = None, *, weighted: bool = False) -> Overview:
    """Every source (even unannotated ones), ordered A…F then unrated, and by date (undated last)."""
    weights = weights or Weights()
    rows = {sid: SourceRow(sid, s.title, s.reliability, s.published, s.outlet) for sid, s in data.sources.items()}
    used: set[str] = set()
    for item in data.items:
        row = rows[item.source_id]
        row.annotations += 1
        w = weights.weight(item.reliability, item.credibility) if weighted else 1.0
        for t_id, stance in item.theories:
            used.add(t_id)
            target = row.supports if stance == "supports" else row.contradicts if stance == "contradicts" \
                else row.neutral
            target[t_id] = target.get(t_id, 0.0) + w
    ordered = sorted(rows.values(), key=lambda r: (reliability_sort_key(r.reliability), r.published is None,
                                                   r.published or "", r.title.casefold()))
    theories = [(t, data.theories[t]) for t in data.theory_order() if t in used]
    return Overview(ordered, theories, weighted, weights)
