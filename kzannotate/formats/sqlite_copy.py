"""The annotation database itself: a consistent standalone copy, optionally filtered, plus Datasette metadata.

``VACUUM INTO`` writes a transactionally consistent, compact copy even while the window has the project
open (WAL readers never block). A filtered copy deletes what is out of scope inside the copy and vacuums
again, so deleted text does not linger in free pages. ``metadata.json`` beside it describes every table and
column for Datasette; the descriptions live in ``TABLE_DOCS`` below (the one place, also used by docs).
A ``metadata.json`` that is not Datasette's is never replaced: ours then goes to ``<stem>.metadata.json``.
Both files are staged as temporaries and moved into place together at the end, so a failure (disk full,
cancel) leaves the folder as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from kzannotate.formats.atomic import ExportError, public_mode
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


# Top-level keys of Datasette's metadata.json: a file with others is somebody else's and is left alone.
DATASETTE_KEYS = frozenset({
    "title", "description", "description_html", "license", "license_url", "source", "source_url", "about",
    "about_url", "databases", "plugins", "extra_css_urls", "extra_js_urls", "allow", "allow_sql",
    "permissions", "settings"})
_replace = os.replace  # module level so tests can make a replace fail


def _datasette_metadata_in(path: Path) -> tuple[bool, dict[str, Any] | None]:
    """(may we write ``path``, its current Datasette metadata or None when there is no such file)."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True, None
    except (OSError, ValueError):
        return False, None
    if not isinstance(old, dict):
        return False, None
    databases = old.get("databases", {})
    if isinstance(databases, dict) and ("databases" in old or set(old) <= DATASETTE_KEYS):
        return True, old
    return False, None


def metadata_target(path: Path) -> tuple[Path, dict[str, Any] | None, str | None]:
    """Where the metadata goes: ``metadata.json`` beside the copy when it is absent or Datasette's own,
    else ``<stem>.metadata.json`` (a user's file is never replaced). Returns (file, its current Datasette
    metadata, a note for the user or None)."""
    shared = path.parent / "metadata.json"
    ok, old = _datasette_metadata_in(shared)
    if ok:
        return shared, old, None
    own = path.parent / f"{path.stem}.metadata.json"
    ok, old = _datasette_metadata_in(own)
    if not ok:
        raise ExportError(f"Could not write {path.name}: {shared.name} and {own.name} in that folder are not "
                          "Datasette metadata and are left as they are; choose another folder or file name. "
                          "Nothing was saved.")
    return own, old, (f"{shared.name} in that folder is not Datasette metadata, so it was left as it is; the "
                      f"description is in {own.name} (datasette {path.name} -m {own.name})")


def merged_metadata(old: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """Our database's entry added to (or replaced in) an existing Datasette metadata file."""
    if old is None:
        return data
    merged = dict(old)
    for key in ("title", "description"):
        merged.setdefault(key, data[key])
    merged["databases"] = {**old.get("databases", {}), **data["databases"]}
    return merged


def _staged_text(target: Path, text: str) -> Path:
    """``text`` in a temporary file beside ``target`` (installed later by ``_install``)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        public_mode(name)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def _set_aside(target: Path) -> Path | None:
    """A copy of ``target`` (a hard link when possible) to put back if a later step fails."""
    if not target.exists():
        return None
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
    os.close(fd)
    os.unlink(name)
    try:
        os.link(target, name)
    except OSError:
        shutil.copy2(target, name)
    return Path(name)


def _install(pairs: list[tuple[Path, Path]]) -> None:
    """Move each staged file onto its target, all or nothing: if one move fails, the targets already
    replaced get their previous content back (or are removed if they did not exist)."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for i, (staged, target) in enumerate(pairs):
            kept = _set_aside(target) if i < len(pairs) - 1 else None  # the last move needs no way back
            try:
                _replace(staged, target)
            except BaseException:
                if kept is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(kept)
                raise
            done.append((target, kept))
    except BaseException:
        for target, kept in reversed(done):
            with contextlib.suppress(OSError):
                if kept is not None:
                    _replace(kept, target)
                else:
                    os.unlink(target)
        raise
    finally:
        for _target, kept in done:
            if kept is not None:
                with contextlib.suppress(OSError):
                    os.unlink(kept)


def _reason(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)).rstrip(".")


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           **_: Any) -> tuple[int, list[Path], list[str]]:
    """Copy the project to ``path`` and write its Datasette metadata, both or neither; returns
    (annotations, [metadata file], notes for the user)."""
    path = Path(path)
    conn = ctx.project.conn
    if conn.in_transaction:
        raise ExportError("The project is busy saving; try the export again in a moment.")
    meta_path, old_meta, note = metadata_target(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ExportError(f"Could not write {path.name}: {_reason(exc)}. Nothing was saved.") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    public_mode(tmp)
    meta_tmp: Path | None = None
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
            raise
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
        text = json.dumps(merged_metadata(old_meta, metadata), ensure_ascii=False, indent=2) + "\n"
        try:
            meta_tmp = _staged_text(meta_path, text)
        except OSError as exc:
            raise ExportError(f"Could not write {meta_path.name}: {_reason(exc)}. Nothing was saved "
                              f"({path.name} was not written either).") from exc
        # the small metadata file first: if the database then cannot be moved, it gets its old content back
        _install([(meta_tmp, meta_path), (tmp, path)])
    except (sqlite3.Error, OSError) as exc:
        raise ExportError(f"Could not write {path.name}: {_reason(exc)}. Nothing was saved.") from exc
    finally:
        for leftover in (tmp, meta_tmp):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.unlink()
    return count, [meta_path], [note] if note else []
