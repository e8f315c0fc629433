"""CSV: one row per annotation (RFC 4180 quoting, UTF-8, optional BOM for Excel).

Multi-valued cells (actors, theories of one stance) are joined with ``"; "``; the id columns beside them
keep the exact links for scripts.

Speed: SQLite writes each line's plain cells, quoted exactly as ``csv.writer`` (QUOTE_MINIMAL) quotes
them, and the actor/theory cells come from a ``Memo`` keyed by the annotation's link set, so Python only
concatenates four strings per line. ``row(record)`` written by ``csv.writer`` is the readable definition
the fast path must match byte for byte (the tests compare them on awkward text).
"""

from __future__ import annotations

import csv
import io
import os

from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import AnnotationRecord, ExportContext, Memo, Progress, SourceInfo

COLUMNS = ("id", "source_id", "source_title", "start", "end", "quote", "actors", "actor_ids",
           "theories_supports", "theories_contradicts", "theories_neutral", "theory_ids", "reliability",
           "reliability_from", "credibility", "rating", "note", "annotator", "created_at", "updated_at")
JOIN = "; "
STANCES = ("supports", "contradicts", "neutral")



def _cell(expr: str) -> str:
    """SQL for one CSV cell as csv.writer's QUOTE_MINIMAL writes it: quoted (inner quotes doubled) when it
    holds a quote, comma, CR or LF."""
    return (f"CASE WHEN instr({expr}, '\"') OR instr({expr}, ',') OR instr({expr}, char(10)) "
            f"OR instr({expr}, char(13)) THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE {expr} END")


_EFFECTIVE = "coalesce(a.reliability, :srel, 'F')"
# A line is HEAD + actor cells + theory cells + TAIL. After a.id (added by ExportContext), SQLite writes
# HEAD (id … quote) and TAIL (reliability … updated_at, CRLF); the link cells come from a Memo.
SELECT = (" || ',' || ".join([_cell("a.id"), ":source", "a.start_offset", "a.end_offset", _cell("a.quote")])
          + " || ',', "
          + " || ',' || ".join([_EFFECTIVE, "CASE WHEN a.reliability IS NOT NULL THEN 'annotation' "
                                "WHEN :srel IS NOT NULL THEN 'source' ELSE 'default' END",
                                "a.credibility", f"{_EFFECTIVE} || a.credibility", _cell("coalesce(a.note, '')"),
                                _cell("coalesce(a.annotator, '')"), _cell("a.created_at"), _cell("a.updated_at")])
          + " || char(13, 10)")


def cells(values: list[object]) -> str:
    """``values`` as csv.writer writes them, each followed by a comma (a fragment of a line)."""
    buf = io.StringIO()
    csv.writer(buf, dialect="excel", lineterminator="\r\n").writerow([*values, ""])  # CR/LF get quoted
    return buf.getvalue()[:-2]


def row(rec: AnnotationRecord) -> list[object]:
    """The CSV row of one record (the reference the fast path in ``export`` reproduces)."""
    by = {s: [t.name for t in rec.theories if t.stance == s] for s in STANCES}
    return [rec.id, rec.source.id, rec.source.title, rec.start, rec.end, rec.quote,
            JOIN.join(n for _, n in rec.actors), JOIN.join(i for i, _ in rec.actors),
            JOIN.join(by["supports"]), JOIN.join(by["contradicts"]), JOIN.join(by["neutral"]),
            JOIN.join(f"{t.id}:{t.stance}" for t in rec.theories), rec.reliability, rec.reliability_from,
            rec.credibility, rec.rating, rec.note or "", rec.annotator or "", rec.created_at, rec.updated_at]


def _params(source: SourceInfo) -> dict[str, object]:
    return {"source": cells([source.id, source.title])[:-1], "srel": source.reliability}


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           bom: bool = False) -> int:
    """Write the CSV; returns the number of rows. Nothing is left behind if it fails or is cancelled."""

    def actor_cells(key: str | None) -> str:
        links = ctx.actor_links[key]
        return cells([JOIN.join(n for _, n in links), JOIN.join(i for i, _ in links)])

    def theory_cells(key: str | None) -> str:
        links = ctx.theory_links[key]
        return cells([*(JOIN.join(t.name for t in links if t.stance == s) for s in STANCES),
                      JOIN.join(f"{t.id}:{t.stance}" for t in links)])

    actors, theories = Memo(actor_cells), Memo(theory_cells)
    with atomic_output(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh, dialect="excel", lineterminator="\r\n").writerow(COLUMNS)
        for _source, rows, akeys, tkeys in ctx.row_chunks(SELECT, _params, progress):
            ak, tk = akeys.get, tkeys.get
            fh.write("".join([r[1] + actors[ak(r[0])] + theories[tk(r[0])] + r[2] for r in rows]))
    return ctx.total  # counted inside the same read transaction, so exactly the rows written
