"""The annotation database itself: a consistent standalone copy, optionally filtered, plus Datasette metadata.

``VACUUM INTO`` writes a transactionally consistent, compact copy even while the window has the project
open (WAL readers never block). A filtered copy deletes what is out of scope inside the copy and vacuums
again, so deleted text does not linger in free pages. ``metadata.json`` beside it describes every table and
column for Datasette; the descriptions live in ``TABLE_DOCS`` below (the one place, also used by docs).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from kzannotate.formats.atomic import ExportError, atomic_write_text, public_mode
from kzannotate.formats.common import ExportCancelled, ExportContext, Progress, check

TABLE_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "meta": ("Project settings as key/value pairs (name, created_at, app_version...).",
             {"key": "Setting name", "value": "Setting value (text)"}),
    "sources": ("The texts being annotated, stored once in canonical form (NFC, LF line ends, no BOM).", {
        "id": "Source id (UUID)", "title": "Title", "author": "Author(s)", "outlet": "Publication or site",
        "published": "Publication date as given (ISO 8601 when known)", "url": "Where the text came from",
        "language": "Language code (en, ru, kk...)",
        "reliability": "Admiralty reliability of the source, A (completely reliable) to F (cannot be judged)",
        "text": "The full text; annotation offsets count Unicode code points into it",
        "sha256": "SHA-256 of the UTF-8 text (detects duplicates; matches sources across projects)",
        "notes": "Analyst's notes on the source", "imported_from": "File or URL it was imported from",
        "created_at": "When it was added (UTC, ISO 8601)", "updated_at": "Last metadata edit (UTC, ISO 8601)"}),
    "actors": ("People, organisations, states and groups named in the sources.", {
        "id": "Actor id (UUID)", "name": "Name (unique, case-insensitive)",
        "kind": "person, organisation, state, group or other", "aliases": "Other spellings (JSON array)",
        "description": "Who this is", "color": "Display colour #rrggbb", "created_at": "Added (UTC)",
        "updated_at": "Last edit (UTC)"}),
    "theories": ("Competing explanations, as a tree.", {
        "id": "Theory id (UUID)", "name": "Name (unique, case-insensitive)",
        "parent_id": "The broader theory it belongs to (theories.id), if any", "description": "What it claims",
        "color": "Display colour #rrggbb", "created_at": "Added (UTC)", "updated_at": "Last edit (UTC)"}),
    "annotations": ("Spans of sources with an Admiralty rating; links to actors and theories are in the "
                    "annotation_actors and annotation_theories tables.", {
        "id": "Annotation id (UUID)", "source_id": "The source (sources.id)",
        "start_offset": "Start, in Unicode code points into sources.text",
        "end_offset": "End (exclusive), in code points", "quote": "The annotated text (equals the slice)",
        "reliability": "Own reliability A–F; empty means the source's applies",
        "credibility": "Credibility of the information, 1 (confirmed) to 6 (cannot be judged)",
        "note": "Analyst's note", "annotator": "Who made it", "created_at": "Created (UTC)",
        "updated_at": "Last edit (UTC)"}),
    "annotation_actors": ("Which actors each annotation names.", {
        "annotation_id": "annotations.id", "actor_id": "actors.id"}),
    "annotation_theories": ("Which theories each annotation bears on, and how.", {
        "annotation_id": "annotations.id", "theory_id": "theories.id",
        "stance": "supports, contradicts or neutral"}),
    "annotations_view": ("One row per annotation with names resolved and the effective rating "
                         "(start here).", {
        "id": "Annotation id", "source_id": "sources.id", "source_title": "Source title",
        "start_offset": "Start (code points)", "end_offset": "End, exclusive (code points)",
        "quote": "Annotated text", "actors": "Actor names, ; separated",
        "theories": "Theory (stance), ; separated", "own_reliability": "The annotation's own letter",
        "source_reliability": "The source's letter", "reliability": "Effective letter (own, else source, else F)",
        "credibility": "1–6", "rating": "Effective Admiralty rating, e.g. B2", "note": "Note",
        "annotator": "Annotator", "created_at": "Created (UTC)", "updated_at": "Last edit (UTC)"}),
}


def datasette_metadata(conn: sqlite3.Connection, db_name: str, title: str) -> dict[str, Any]:
    """Metadata for the tables actually in the file (full-text index tables are hidden)."""
    tables: dict[str, Any] = {}
    for name, _kind in conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
                                   "AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
        doc, col_docs = TABLE_DOCS.get(name, ("", {}))
        entry: dict[str, Any] = {}
        if name.startswith("sources_fts"):
            entry["hidden"] = True
        if doc:
            entry["description"] = doc
        described = {c: col_docs[c] for c in cols if c in col_docs}
        if described:
            entry["columns"] = described
        if entry:
            tables[name] = entry
    return {"title": title, "description": "A kzannotate annotation database (schema: docs/schema.md).",
            "databases": {db_name: {"tables": tables}}}


def _write_metadata(path: Path, data: dict[str, Any]) -> Path:
    meta_path = path.parent / "metadata.json"
    with contextlib.suppress(OSError, ValueError):  # keep other databases already described there
        old = json.loads(meta_path.read_text(encoding="utf-8"))
        if isinstance(old, dict) and isinstance(old.get("databases"), dict):
            old["databases"].update(data["databases"])
            data = {**old, "databases": old["databases"]}
    atomic_write_text(meta_path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return meta_path


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           **_: Any) -> tuple[int, list[Path]]:
    """Copy the project to ``path`` (all or nothing) and write metadata.json; returns (annotations, extras)."""
    path = Path(path)
    conn = ctx.project.conn
    if conn.in_transaction:
        raise ExportError("The project is busy saving; try the export again in a moment.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    public_mode(tmp)
    steps = [0]

    def handler() -> int:
        steps[0] += 1
        return 1 if progress is not None and progress(0, 1) is False else 0

    try:
        check(progress, 0, 1)
        conn.set_progress_handler(handler, 10000)
        try:
            conn.execute("VACUUM INTO ?", (str(tmp),))
        except sqlite3.OperationalError as exc:
            if "interrupt" in str(exc).lower():
                raise ExportCancelled() from exc
            raise ExportError(f"Could not copy the project: {exc}.") from exc
        finally:
            conn.set_progress_handler(None, 0)
        copy = sqlite3.connect(tmp, isolation_level=None)
        try:
            copy.execute("PRAGMA journal_mode = DELETE")
            copy.execute("PRAGMA foreign_keys = ON")
            scope = ctx.scope
            if scope.source_ids is not None or scope.annotator:
                copy.execute("BEGIN")
                if scope.source_ids is not None:
                    copy.execute("CREATE TEMP TABLE keep(id TEXT PRIMARY KEY)")
                    copy.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(s,) for s in scope.source_ids])
                    copy.execute("DELETE FROM sources WHERE id NOT IN (SELECT id FROM keep)")
                if scope.annotator:
                    copy.execute("DELETE FROM annotations WHERE annotator IS NOT ?", (scope.annotator,))
                copy.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('exported_scope', ?)",
                             (scope.describe(),))
                copy.execute("COMMIT")
                check(progress, 0, 1)
                copy.execute("VACUUM")
            count = copy.execute("SELECT count(*) FROM annotations").fetchone()[0]
            metadata = datasette_metadata(copy, path.stem, ctx.project.name)
        finally:
            copy.close()
        check(progress, 1, 1)
        os.replace(tmp, path)
        meta_path = _write_metadata(path, metadata)
    except sqlite3.Error as exc:
        raise ExportError(f"Could not write {path.name}: {exc}. Nothing was saved.") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return count, [meta_path]
