"""Pieces of evidence for ACH: theory-linked annotations, with repeats of one passage counted once.

Scraped articles repeat themselves (and get copied between outlets). If an analyst annotates the same
passage in two copies, that is one piece of evidence, not two. Two annotations are the same evidence when
they cover the same place inside copies of one repeated passage (found by the codebook's duplicate
detector, ``kzannotate.text.duplicates.find_repeats``), or the very same span of one source.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kzannotate.analysis.data import Dataset, Item
from kzannotate.analysis.weights import Weights

MIN_REPEAT_CHARS = 200
OVERLAP_SAME = 0.5  # two spans in copies of one passage are the same evidence if they overlap this much


@dataclass(frozen=True)
class Group:
    """One piece of evidence: the representative annotation and every annotation merged into it."""

    representative: Item
    members: tuple[Item, ...]
    stances: tuple[tuple[str, str], ...]  # merged (theory_id, stance)

    @property
    def annotation_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)


def _default_finder() -> Callable[..., Sequence[Any]] | None:
    try:
        module = importlib.import_module("kzannotate.text.duplicates")
    except ModuleNotFoundError as exc:
        if exc.name not in ("kzannotate.text.duplicates", "kzannotate.text"):
            raise
        return None
    return getattr(module, "find_repeats", None)


def find_repeats(texts: dict[str, str], min_chars: int = MIN_REPEAT_CHARS) -> list[tuple[tuple[str, int, int], ...]]:
    """Copies of each repeated passage, as tuples of (source_id, start, end); none if detection is absent."""
    finder = _default_finder()
    if finder is None or not texts:
        return []
    out = []
    for repeat in finder(texts, min_chars=min_chars):
        copies = tuple((c[0], int(c[1]), int(c[2])) for c in getattr(repeat, "copies", ()))
        if len(copies) > 1:
            out.append(copies)
    return out


def repeats_for(project: Any, data: Dataset) -> list[tuple[tuple[str, int, int], ...]]:
    """Run the detector over the sources that hold theory-linked annotations (the only ones that matter)."""
    ids = sorted({i.source_id for i in data.items if i.theories})
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    texts = dict(project.conn.execute(f"SELECT id, text FROM sources WHERE id IN ({marks})", ids).fetchall())
    return find_repeats(texts)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return inter / shorter if inter > 0 and shorter > 0 else 0.0


def group_evidence(items: Sequence[Item], repeats: Sequence[tuple[tuple[str, int, int], ...]],
                   weights: Weights) -> list[Group]:
    """Theory-linked items grouped into pieces of evidence, in the items' order.

    The representative is the member with the highest weight (its rating is the row's rating); stances are
    merged, the representative's (then the heavier members') winning where members disagree.
    """
    linked = [i for i in items if i.theories]
    uf = _UnionFind(len(linked))
    by_span: dict[tuple[str, int, int], int] = {}
    for n, item in enumerate(linked):
        key = (item.source_id, item.start, item.end)
        if key in by_span:
            uf.union(by_span[key], n)
        else:
            by_span[key] = n
    by_source: dict[str, list[int]] = {}
    for n, item in enumerate(linked):
        by_source.setdefault(item.source_id, []).append(n)
    for copies in repeats:
        placed: list[tuple[int, tuple[int, int]]] = []  # (item index, span relative to its copy)
        for sid, c_start, c_end in copies:
            for n in by_source.get(sid, ()):
                item = linked[n]
                if c_start <= item.start and item.end <= c_end:
                    placed.append((n, (item.start - c_start, item.end - c_start)))
        for i in range(len(placed)):
            for j in range(i + 1, len(placed)):
                if _overlap(placed[i][1], placed[j][1]) >= OVERLAP_SAME:
                    uf.union(placed[i][0], placed[j][0])
    members: dict[int, list[Item]] = {}
    for n, item in enumerate(linked):
        members.setdefault(uf.find(n), []).append(item)
    groups = []
    for root in sorted(members):
        group = members[root]
        ranked = sorted(group, key=lambda it: -weights.weight(it.reliability, it.credibility))  # stable
        stances: dict[str, str] = {}
        for it in ranked:
            for t_id, stance in it.theories:
                stances.setdefault(t_id, stance)
        groups.append(Group(ranked[0], tuple(group), tuple(sorted(stances.items()))))
    return groups
