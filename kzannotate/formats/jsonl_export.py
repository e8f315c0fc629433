"""JSON Lines: one JSON object per annotation, nested (actors, theories with stance, rating, source).

Made for pandas (``pd.read_json(path, lines=True)``), R (``jsonlite::stream_in``) and ``jq``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import AnnotationRecord, ExportContext, Progress


def obj(rec: AnnotationRecord) -> dict[str, Any]:
    s = rec.source
    return {
        "id": rec.id,
        "source": {"id": s.id, "title": s.title, "author": s.author, "outlet": s.outlet,
                   "published": s.published, "url": s.url, "language": s.language,
                   "reliability": s.reliability, "sha256": s.sha256},
        "start": rec.start, "end": rec.end, "quote": rec.quote,
        "actors": [{"id": i, "name": n} for i, n in rec.actors],
        "theories": [{"id": t.id, "name": t.name, "stance": t.stance} for t in rec.theories],
        "rating": {"reliability": rec.reliability, "reliability_from": rec.reliability_from,
                   "own_reliability": rec.own_reliability, "credibility": rec.credibility,
                   "code": rec.rating},
        "note": rec.note, "annotator": rec.annotator,
        "created_at": rec.created_at, "updated_at": rec.updated_at,
    }


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           **_: Any) -> int:
    n = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with atomic_output(path, "w", encoding="utf-8", newline="\n") as fh:
        for rec in ctx.records(progress):
            fh.write(dumps(obj(rec)))
            fh.write("\n")
            n += 1
    return n
