"""The project file's schema and its ordered migrations.

The schema is a public interface (docs/schema.md). ``PRAGMA user_version`` holds the schema version;
``MIGRATIONS[n]`` upgrades a file from version ``n`` to ``n + 1`` and runs inside one transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

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
    db = sqlite_utils.Database(conn)
    db.executescript(TABLES_V1)
    db.executescript(VIEW_V1)
    db["sources"].enable_fts(["title", "text"], create_triggers=True)


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    """Version 0 was the prototype layout (sources/annotations without ratings or codebook links).

    A brand-new file has no tables at all and simply gets the version 1 schema.
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
    for row in conn.execute("SELECT id, title, text, url FROM _v0_sources").fetchall():
        text = row[2] or ""
        conn.execute(
            "INSERT INTO sources (id, title, text, sha256, url, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row[0], row[1] or "Untitled", text, hashlib.sha256(text.encode("utf-8")).hexdigest(),
             row[3], stamp, stamp),
        )
    conn.execute(
        "INSERT INTO annotations (id, source_id, start_offset, end_offset, quote, note, "
        "credibility, created_at, updated_at) "
        "SELECT id, source_id, start_offset, end_offset, quote, note, 6, ?, ? FROM _v0_annotations",
        (stamp, stamp),
    )
    if "actors" in old:
        conn.execute("INSERT INTO actors (id, name) SELECT id, name FROM _v0_actors")
    if "theories" in old:
        conn.execute("INSERT INTO theories (id, name) SELECT id, name FROM _v0_theories")
    for name in ("annotations", "sources", "actors", "theories"):
        conn.execute(f"DROP TABLE IF EXISTS _v0_{name}")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_0_to_1]
assert len(MIGRATIONS) == SCHEMA_VERSION
