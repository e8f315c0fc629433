"""CSV: one row per annotation (RFC 4180 quoting, UTF-8, optional BOM for Excel).

Multi-valued cells (actors, theories of one stance) are joined with ``"; "``; the id columns beside them
keep the exact links for scripts.
"""

from __future__ import annotations

import csv
import os

from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import AnnotationRecord, ExportContext, Progress

COLUMNS = ("id", "source_id", "source_title", "start", "end", "quote", "actors", "actor_ids",
           "theories_supports", "theories_contradicts", "theories_neutral", "theory_ids", "reliability",
           "reliability_from", "credibility", "rating", "note", "annotator", "created_at", "updated_at")
JOIN = "; "


def row(rec: AnnotationRecord) -> list[object]:
    supports: list[str] = []
    contradicts: list[str] = []
    neutral: list[str] = []
    theory_ids = ""
    if rec.theories:
        by = {"supports": supports, "contradicts": contradicts, "neutral": neutral}
        for t in rec.theories:
            by[t.stance].append(t.name)
        theory_ids = JOIN.join([f"{t.id}:{t.stance}" for t in rec.theories])
    actors = rec.actors
    src = rec.source
    reliability = rec.own_reliability or src.reliability or "F"
    return [rec.id, src.id, src.title, rec.start, rec.end, rec.quote,
            JOIN.join([n for _, n in actors]) if actors else "", JOIN.join([i for i, _ in actors]) if actors else "",
            JOIN.join(supports), JOIN.join(contradicts), JOIN.join(neutral), theory_ids,
            reliability, rec.reliability_from, rec.credibility, f"{reliability}{rec.credibility}", rec.note or "",
            rec.annotator or "", rec.created_at, rec.updated_at]


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           bom: bool = False) -> int:
    """Write the CSV; returns the number of rows. Nothing is left behind if it fails or is cancelled."""
    with atomic_output(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, dialect="excel", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(map(row, ctx.records(progress)))  # the loop runs in C
    return ctx.total  # counted inside the same read transaction, so exactly the rows written
