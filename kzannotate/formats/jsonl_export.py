"""JSON Lines: one JSON object per annotation, nested (actors, theories with stance, rating, source).

Made for pandas (``pd.read_json(path, lines=True)``), R (``jsonlite::stream_in``) and ``jq``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import AnnotationRecord, ExportContext, Progress, SourceInfo


def source_obj(s: SourceInfo) -> dict[str, Any]:
    return {"id": s.id, "title": s.title, "author": s.author, "outlet": s.outlet, "published": s.published,
            "url": s.url, "language": s.language, "reliability": s.reliability, "sha256": s.sha256}


def _body(rec: AnnotationRecord) -> dict[str, Any]:
    """Everything after ``id`` and ``source``."""
    reliability = rec.own_reliability or rec.source.reliability or "F"
    return {
        "start": rec.start, "end": rec.end, "quote": rec.quote,
        "actors": [{"id": i, "name": n} for i, n in rec.actors],
        "theories": [{"id": t.id, "name": t.name, "stance": t.stance} for t in rec.theories],
        "rating": {"reliability": reliability, "reliability_from": rec.reliability_from,
                   "own_reliability": rec.own_reliability, "credibility": rec.credibility,
                   "code": f"{reliability}{rec.credibility}"},
        "note": rec.note, "annotator": rec.annotator,
        "created_at": rec.created_at, "updated_at": rec.updated_at,
    }


def obj(rec: AnnotationRecord) -> dict[str, Any]:
    """One line's object: id, the source's metadata, span, links, rating, note, annotator, times."""
    return {"id": rec.id, "source": source_obj(rec.source), **_body(rec)}


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           **_: Any) -> int:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    cached: tuple[str, str] = ("", "")  # (source id, its JSON): encoded once per source, not per line
    with atomic_output(path, "w", encoding="utf-8", newline="\n") as fh:
        write = fh.write
        for rec in ctx.records(progress):
            if cached[0] != rec.source.id:
                cached = (rec.source.id, dumps(source_obj(rec.source)))
            # same bytes as dumps(obj(rec)): the key order is id, source, then the body
            write(f'{{"id":{dumps(rec.id)},"source":{cached[1]},{dumps(_body(rec))[1:]}\n')
    return ctx.total
