"""JSON Lines: one JSON object per annotation, nested (actors, theories with stance, rating, source).

Made for pandas (``pd.read_json(path, lines=True)``), R (``jsonlite::stream_in``) and ``jq``.

Speed: SQLite writes the scalar parts of each line with ``json_quote`` (the source's object is encoded once
per source and passed in), and the actors/theories arrays come from a ``Memo`` keyed by the link set, so
Python only concatenates four strings per line. ``obj(record)`` is the readable definition; the fast path
is used only when this SQLite escapes strings exactly as ``json.dumps(ensure_ascii=False)`` does (checked
once per connection), otherwise lines are encoded from records.
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import AnnotationRecord, ExportContext, Memo, Progress, SourceInfo

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def source_obj(s: SourceInfo) -> dict[str, Any]:
    return {"id": s.id, "title": s.title, "author": s.author, "outlet": s.outlet, "published": s.published,
            "url": s.url, "language": s.language, "reliability": s.reliability, "sha256": s.sha256}


def _body(rec: AnnotationRecord) -> dict[str, Any]:
    """Everything after ``id`` and ``source``."""
    return {
        "start": rec.start, "end": rec.end, "quote": rec.quote,
        "actors": [{"id": i, "name": n} for i, n in rec.actors],
        "theories": [{"id": t.id, "name": t.name, "stance": t.stance} for t in rec.theories],
        "rating": {"reliability": rec.reliability, "reliability_from": rec.reliability_from,
                   "own_reliability": rec.own_reliability, "credibility": rec.credibility,
                   "code": rec.rating},
        "note": rec.note, "annotator": rec.annotator,
        "created_at": rec.created_at, "updated_at": rec.updated_at,
    }


def obj(rec: AnnotationRecord) -> dict[str, Any]:
    """One line's object: id, the source's metadata, span, links, rating, note, annotator, times."""
    return {"id": rec.id, "source": source_obj(rec.source), **_body(rec)}


# A line is HEAD + actors array + theories array + TAIL: HEAD/TAIL from SQLite, the arrays from a Memo.
_EFFECTIVE = "coalesce(a.reliability, :srel, 'F')"
SELECT = (
    """'{"id":' || json_quote(a.id) || :source || ',"start":' || a.start_offset || ',"end":' || a.end_offset"""
    """ || ',"quote":' || json_quote(a.quote) || ',"actors":', """
    f"""',"rating":{{"reliability":"' || {_EFFECTIVE} || '","reliability_from":"' || """
    """CASE WHEN a.reliability IS NOT NULL THEN 'annotation' WHEN :srel IS NOT NULL THEN 'source' """
    """ELSE 'default' END || '","own_reliability":' || json_quote(a.reliability) || ',"credibility":' """
    f"""|| a.credibility || ',"code":"' || {_EFFECTIVE} || a.credibility || '"}},"note":' """
    """|| json_quote(a.note) || ',"annotator":' || json_quote(a.annotator) || ',"created_at":' """
    """|| json_quote(a.created_at) || ',"updated_at":' || json_quote(a.updated_at) || '}\n'""")

# Every character class json.dumps treats specially, and some it leaves alone (DEL, U+2028, astral).
_PROBE = "".join(map(chr, range(32))) + '"\\/\x7f\u2028\u2029é\U0001f525\ufffd'
_sqlite_json_ok: bool | None = None  # one SQLite library per process: checked once


def sqlite_json_matches(conn: sqlite3.Connection) -> bool:
    """Does this SQLite's ``json_quote`` give the same bytes as ``json.dumps(ensure_ascii=False)``?"""
    global _sqlite_json_ok
    if _sqlite_json_ok is None:
        try:
            got = conn.execute("SELECT json_quote(?), json_quote(NULL)", (_PROBE,)).fetchone()
            _sqlite_json_ok = got == (_dumps(_PROBE), "null")
        except sqlite3.Error:  # built without JSON1
            _sqlite_json_ok = False
    return _sqlite_json_ok


def _params(source: SourceInfo) -> dict[str, object]:
    return {"source": ',"source":' + _dumps(source_obj(source)), "srel": source.reliability}


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           **_: Any) -> int:
    with atomic_output(path, "w", encoding="utf-8", newline="\n") as fh:
        if sqlite_json_matches(ctx.conn):
            actors = Memo(lambda key: _dumps([{"id": i, "name": n} for i, n in ctx.actor_links[key]])
                          + ',"theories":')
            theories = Memo(lambda key: _dumps([{"id": t.id, "name": t.name, "stance": t.stance}
                                                for t in ctx.theory_links[key]]))
            for _source, rows, akeys, tkeys in ctx.row_chunks(SELECT, _params, progress):
                ak, tk = akeys.get, tkeys.get
                fh.write("".join([r[1] + actors[ak(r[0])] + theories[tk(r[0])] + r[2] for r in rows]))
        else:
            write = fh.write
            for rec in ctx.records(progress):
                write(_dumps(obj(rec)) + "\n")
    return ctx.total
