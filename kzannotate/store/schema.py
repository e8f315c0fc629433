"""The project file's schema and its ordered migrations.

The schema is a public interface (docs/schema.md). ``PRAGMA user_version`` holds the schema version;
``MIGRATIONS[n]`` upgrades a file from version ``n`` to ``n + 1`` and runs inside one transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

APPLICATION_ID = 0x4B5A4E31  # "KZN1"
SCHEMA_VERSION = 1

LETTERS_CHECK = "('A','B','C','D','E','F')"
COLOR_CHECK = "GLOB '#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]'"

TABLES_V1 = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    author TEXT,
    outlet TEXT,
    published TEXT,
    url TEXT,
    language TEXT,
    reliability TEXT CHECK (reliability IN {LETTERS_CHECK}),
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    notes TEXT,
    imported_from TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE actors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    kind TEXT NOT NULL DEFAULT 'person'
        CHECK (kind IN ('person','organisation','state','group','other')),
    aliases TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(aliases) AND json_type(aliases) = 'array'),
    description TEXT,
    color TEXT CHECK (color IS NULL OR color {COLOR_CHECK}),
    created_at TEXT,
    updated_at TEXT
);
CREATE TABLE theories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    parent_id TEXT REFERENCES theories(id) ON DELETE SET NULL,
    description TEXT,
    color TEXT CHECK (color IS NULL OR color {COLOR_CHECK}),
    created_at TEXT,
    updated_at TEXT,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE TABLE annotations (
    id TEXT PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    quote TEXT NOT NULL,
    reliability TEXT CHECK (reliability IN {LETTERS_CHECK}),
    credibility INTEGER NOT NULL DEFAULT 6 CHECK (credibility BETWEEN 1 AND 6),
    note TEXT,
    annotator TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (0 <= start_offset AND start_offset < end_offset)
);
CREATE INDEX annotations_source_start ON annotations(source_id, start_offset);
CREATE TABLE annotation_actors (
    annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    PRIMARY KEY (annotation_id, actor_id)
) WITHOUT ROWID;
CREATE INDEX annotation_actors_actor ON annotation_actors(actor_id);
CREATE TABLE annotation_theories (
    annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
    theory_id TEXT NOT NULL REFERENCES theories(id) ON DELETE CASCADE,
    stance TEXT NOT NULL DEFAULT 'supports' CHECK (stance IN ('supports','contradicts','neutral')),
    PRIMARY KEY (annotation_id, theory_id)
) WITHOUT ROWID;
CREATE INDEX annotation_theories_theory ON annotation_theories(theory_id);
"""

VIEW_V1 = """
CREATE VIEW annotations_view AS
SELECT
    a.id AS id,
    a.source_id AS source_id,
    s.title AS source_title,
    a.start_offset AS start_offset,
    a.end_offset AS end_offset,
    a.quote AS quote,
    (SELECT group_concat(name, '; ') FROM (
        SELECT ac.name AS name FROM annotation_actors aa JOIN actors ac ON ac.id = aa.actor_id
        WHERE aa.annotation_id = a.id ORDER BY ac.name)) AS actors,
    (SELECT group_concat(label, '; ') FROM (
        SELECT t.name || ' (' || at.stance || ')' AS label FROM annotation_theories at
        JOIN theories t ON t.id = at.theory_id
        WHERE at.annotation_id = a.id ORDER BY t.name)) AS theories,
    a.reliability AS own_reliability,
    s.reliability AS source_reliability,
    COALESCE(a.reliability, s.reliability, 'F') AS reliability,
    a.credibility AS credibility,
    COALESCE(a.reliability, s.reliability, 'F') || a.credibility AS rating,
    a.note AS note,
    a.annotator AS annotator,
    a.created_at AS created_at,
    a.updated_at AS updated_at
FROM annotations a JOIN sources s ON s.id = a.source_id;
"""


def now_iso() -> str:
    """Current UTC time as ISO 8601 text with a ``Z`` suffix (what we store everywhere)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _create_v1(conn: sqlite3.Connection) -> None:
    import sqlite_utils  # only when creating a project: a costly import the window start-up avoids

    db = sqlite_utils.Database(conn)
    db.executescript(TABLES_V1)
    db.executescript(VIEW_V1)
    db["sources"].enable_fts(["title", "text"], create_triggers=True)


def _unique_name(name: str | None, taken: set[str], fallback: str) -> str:
    """A non-empty name not yet in ``taken`` (case-insensitive): v0 had no UNIQUE constraint."""
    base = " ".join((name or "").split()) or fallback
    candidate, n = base, 2
    while candidate.casefold() in taken:
        candidate, n = f"{base} ({n})", n + 1
    taken.add(candidate.casefold())
    return candidate


def _place_quote(text: str, start: int | None, end: int | None, quote: str | None) -> tuple[int, int, str | None]:
    """Where a v0 annotation goes in v1, and a note if its span had to be repaired.

    v0 never checked ``quote == text[start:end]``. We keep valid spans, move a quote to its nearest
    occurrence when the offsets drifted, and otherwise keep the offsets (clamped) and record the old
    quote in the note, so no annotation is ever dropped.
    """
    n = len(text)
    s = start if isinstance(start, int) else 0
    e = end if isinstance(end, int) else s
    if quote and 0 <= s < e <= n and text[s:e] == quote:
        return s, e, None
    if quote:
        hits, i = [], text.find(quote)
        while i >= 0:
            hits.append(i)
            i = text.find(quote, i + 1)
        if hits:
            best = min(hits, key=lambda h: abs(h - s))
            return best, best + len(quote), None
    if n == 0:
        raise ValueError("empty source text")
    s = min(max(s, 0), n - 1)
    e = min(max(e, s + 1), n)
    repaired = f"[upgrade: the span {start}–{end} did not match the text"
    repaired += f"; the old quote was “{quote}”]" if quote else "]"
    return s, e, repaired


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    """Version 0 was the prototype layout (sources/annotations without ratings or codebook links).

    A brand-new file has no tables at all and simply gets the version 1 schema. Duplicate texts are
    merged (their annotations move to the kept copy), duplicate names get a number, and annotations
    whose quote does not match their offsets are repaired (see ``_place_quote``). Only annotations of
    a source that does not exist (v0 had no foreign keys) or has no text are left behind.
    """
    old = _table_names(conn)
    if "sources" not in old:
        _create_v1(conn)
        return
    for name in ("sources", "annotations", "actors", "theories"):
        if name in old:
            conn.execute(f"ALTER TABLE {name} RENAME TO _v0_{name}")
    _create_v1(conn)
    stamp = now_iso()
    texts: dict[str, str] = {}
    by_sha: dict[str, str] = {}
    merged: dict[str, str] = {}
    for row in conn.execute("SELECT id, title, text, url FROM _v0_sources ORDER BY rowid").fetchall():
        source_id, text = str(row[0]), row[2] or ""
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if sha in by_sha:
            merged[source_id] = by_sha[sha]
            continue
        by_sha[sha] = source_id
        texts[source_id] = text
        title = " ".join((row[1] or "").split()) or (text.strip().splitlines() or ["Untitled"])[0][:120]
        conn.execute(
            "INSERT INTO sources (id, title, text, sha256, url, imported_from, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (source_id, title, text, sha, row[3] or None, "kzannotate format 0", stamp, stamp))
    if "annotations" in old:
        rows = conn.execute("SELECT id, source_id, start_offset, end_offset, quote, note FROM _v0_annotations "
                            "ORDER BY rowid").fetchall()
        for ann_id, source_id, start, end, quote, note in rows:
            source_id = merged.get(str(source_id), str(source_id))
            if source_id not in texts or not texts[source_id]:
                continue  # an orphan: v0 had no foreign keys; there is no text to anchor it to
            s, e, repair = _place_quote(texts[source_id], start, end, quote)
            if repair:
                note = f"{note}\n{repair}" if note else repair
            conn.execute(
                "INSERT INTO annotations (id, source_id, start_offset, end_offset, quote, note, credibility, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 6, ?, ?)",
                (str(ann_id), source_id, s, e, texts[source_id][s:e], note, stamp, stamp))
    for table in ("actors", "theories"):
        if table in old:
            taken: set[str] = set()
            fallback = "Unnamed actor" if table == "actors" else "Unnamed theory"
            for row_id, name in conn.execute(f"SELECT id, name FROM _v0_{table} ORDER BY rowid").fetchall():
                conn.execute(f"INSERT INTO {table} (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                             (str(row_id), _unique_name(name, taken, fallback), stamp, stamp))
    for name in ("annotations", "sources", "actors", "theories"):
        conn.execute(f"DROP TABLE IF EXISTS _v0_{name}")


REQUIRED_TABLES = ("meta", "sources", "actors", "theories", "annotations", "annotation_actors",
                   "annotation_theories", "sources_fts")


def missing_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables of the current schema that a file lacks (a damaged or hand-edited project)."""
    names = _table_names(conn)
    return [t for t in REQUIRED_TABLES if t not in names]


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_0_to_1]
assert len(MIGRATIONS) == SCHEMA_VERSION
