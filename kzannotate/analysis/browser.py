"""Rows and filters of the annotation browser (a table of every annotation across sources)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kzannotate.analysis.data import Dataset, Item

COLUMNS = ("Source", "Quote", "Actors", "Theories", "Rating", "Annotator", "Note", "Created")


@dataclass(frozen=True)
class BrowserRow:
    item: Item
    actors: str
    theories: str  # "Name (stance); …"

    def cells(self) -> tuple[str, ...]:
        i = self.item
        return (i.source_title, " ".join(i.quote.split()), self.actors, self.theories, i.rating,
                i.annotator or "", " ".join((i.note or "").split()), i.created_at[:10])


@dataclass
class Filters:
    """Empty/None fields do not filter. ``text`` matches quote and note, case-insensitively."""

    source_id: str | None = None
    actor_id: str | None = None
    theory_id: str | None = None
    stance: str | None = None  # with theory_id: that theory's stance; alone: any link with this stance
    reliability: str | None = None
    credibility: int | None = None
    annotator: str | None = None
    text: str = ""

    def accepts(self, item: Item) -> bool:
        if self.source_id and item.source_id != self.source_id:
            return False
        if self.actor_id and self.actor_id not in item.actor_ids:
            return False
        stances = item.stances
        if self.theory_id:
            if self.theory_id not in stances:
                return False
            if self.stance and stances[self.theory_id] != self.stance:
                return False
        elif self.stance and self.stance not in stances.values():
            return False
        if self.reliability and item.reliability != self.reliability:
            return False
        if self.credibility and item.credibility != self.credibility:
            return False
        if self.annotator and (item.annotator or "") != self.annotator:
            return False
        if self.text:
            needle = self.text.casefold()
            if needle not in item.quote.casefold() and needle not in (item.note or "").casefold():
                return False
        return True


def browser_rows(data: Dataset) -> list[BrowserRow]:
    rows = []
    for item in data.items:
        actors = "; ".join(sorted((data.actors.get(a, "?") for a in item.actor_ids), key=str.casefold))
        theories = "; ".join(sorted((f"{data.theories.get(t, '?')} ({s})" for t, s in item.theories),
                                    key=str.casefold))
        rows.append(BrowserRow(item, actors, theories))
    return rows


def annotators(data: Dataset) -> list[str]:
    return sorted({i.annotator for i in data.items if i.annotator}, key=str.casefold)


def rows_to_csv(rows: Iterable[BrowserRow], columns: Sequence[str] = COLUMNS) -> str:
    """The rows as shown, plus ids and offsets so a spreadsheet user can find each span again."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*columns, "annotation_id", "source_id", "start", "end"])
    for row in rows:
        full = dict(zip(COLUMNS, row.cells(), strict=True))
        w.writerow([*(full[c] for c in columns), row.item.id, row.item.source_id, row.item.start, row.item.end])
    return out.getvalue()
