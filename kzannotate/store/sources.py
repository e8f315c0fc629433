"""Sources: the texts being annotated. Text is stored once, normalised, and never changed."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import uuid
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kzannotate.store import errors
from kzannotate.store.models import (
    RELIABILITY_LETTERS,
    SOURCE_META_FIELDS,
    Annotation,
    Change,
    Source,
    SourceSummary,
)
from kzannotate.store.schema import now_iso

if TYPE_CHECKING:
    from kzannotate.store.project import Project

_SOURCE_COLS = ("id", "title", "text", "sha256", "author", "outlet", "published", "url", "language",
                "reliability", "notes", "imported_from", "created_at", "updated_at")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_normalised(text: str) -> None:
    """The store only accepts canonical text; ``kzannotate.text`` produces it."""
    import unicodedata

    if "\r" in text or text.startswith("\ufeff") or not unicodedata.is_normalized("NFC", text):
        raise errors.ValidationError("Source text must be NFC with \\n line ends and no BOM.")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _check_letter(letter: str | None) -> str | None:
    letter = _clean(letter)
    if letter is None:
        return None
    letter = letter.upper()
    if letter not in RELIABILITY_LETTERS:
        raise errors.ValidationError(f"Reliability must be one of A–F, not {letter!r}.")
    return letter


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def normalise_published(value: str | None) -> str | None:
    """A publication date as ISO 8601 (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), or None if not recognised.

    Accepts ISO dates and date-times, ``06.01.2022`` / ``06/01/2022`` (day first, as in the seeds' region)
    and ``6 January 2022`` / ``January 6, 2022``.
    """
    value = (value or "").strip()
    if not value:
        return None
    y = m = d = None
    if iso := re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?", value):
        y, m, d = (int(g) if g else None for g in iso.groups())
    elif dmy := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", value):
        d, m, y = (int(g) for g in dmy.groups())
    elif words := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{4})", value):
        d, m, y = int(words.group(1)), _MONTHS.get(words.group(2)[:3].lower()), int(words.group(3))
    elif words := re.fullmatch(r"([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})", value):
        m, d, y = _MONTHS.get(words.group(1)[:3].lower()), int(words.group(2)), int(words.group(3))
    if y is None or (m is None and d is not None):
        return None
    try:
        date(y, m or 1, d or 1)
    except ValueError:
        return None
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if d else "")


def _check_published(value: str | None, *, strict: bool) -> str | None:
    """Edits must give a date kzannotate can read; imports keep an unreadable date as given."""
    value = _clean(value)
    if value is None:
        return None
    iso = normalise_published(value)
    if iso is None and strict:
        raise errors.ValidationError(
            f"Write the publication date as YYYY-MM-DD (or YYYY-MM, or YYYY), not “{value}”.")
    return iso or value


@dataclass(frozen=True)
class SourceSnapshot:
    """Everything needed to restore a deleted source exactly (undo)."""

    source: Source
    annotations: tuple[Annotation, ...]


class SourcesMixin:
    conn: sqlite3.Connection

    def _row_to_source(self, row: sqlite3.Row | tuple[Any, ...]) -> Source:
        return Source(**dict(zip(_SOURCE_COLS, row, strict=True)))

    def add_source(self: Project, text: str, title: str, *, id: str | None = None,
                   created_at: str | None = None, updated_at: str | None = None, **meta: Any) -> Source:
        """Add a source. Refuses text already present (same sha256) with ``DuplicateSourceError``."""
        check_normalised(text)
        if not text.strip():
            raise errors.ImportRefusedError("The text is empty.")
        title = _clean(title) or (text.strip().splitlines()[0][:120])
        unknown = set(meta) - set(SOURCE_META_FIELDS) - {"imported_from"}
        if unknown:
            raise TypeError(f"unknown source fields {sorted(unknown)}")
        meta = {k: _clean(v) for k, v in meta.items()}
        meta["reliability"] = _check_letter(meta.get("reliability"))
        meta["published"] = _check_published(meta.get("published"), strict=False)
        sha = text_sha256(text)
        existing = self.conn.execute("SELECT id, title FROM sources WHERE sha256 = ?", (sha,)).fetchone()
        if existing:
            raise errors.DuplicateSourceError(
                f"Already in the project as “{existing[1]}”.", existing_id=existing[0])
        stamp = now_iso()
        source = Source(id=id or str(uuid.uuid4()), title=title, text=text, sha256=sha,
                        created_at=created_at or stamp, updated_at=updated_at or stamp, **meta)
        with self.transaction() as conn:
            self._insert_source(conn, source)
        self._changed(Change("source", (source.id,), (source.id,)))
        return source

    @staticmethod
    def _insert_source(conn: sqlite3.Connection, source: Source) -> None:
        values = asdict(source)
        conn.execute(f"INSERT INTO sources ({', '.join(_SOURCE_COLS)}) VALUES "
                     f"({', '.join('?' for _ in _SOURCE_COLS)})", [values[c] for c in _SOURCE_COLS])

    def get_source(self: Project, source_id: str) -> Source:
        row = self.conn.execute(f"SELECT {', '.join(_SOURCE_COLS)} FROM sources WHERE id = ?",
                                (source_id,)).fetchone()
        if row is None:
            raise errors.NotFoundError("That source is no longer in the project.")
        return self._row_to_source(row)

    def source_by_sha256(self: Project, sha: str) -> Source | None:
        row = self.conn.execute("SELECT id FROM sources WHERE sha256 = ?", (sha,)).fetchone()
        return self.get_source(row[0]) if row else None

    def list_sources(self: Project) -> list[SourceSummary]:
        """All sources without their text, with annotation counts, in title order."""
        rows = self.conn.execute(
            "SELECT s.id, s.title, s.author, s.outlet, s.published, s.language, s.reliability, "
            "length(s.text), (SELECT count(*) FROM annotations a WHERE a.source_id = s.id) "
            "FROM sources s ORDER BY s.title COLLATE NOCASE").fetchall()
        return [SourceSummary(*r) for r in rows]

    def source_ids(self: Project) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM sources ORDER BY title COLLATE NOCASE")]

    def update_source(self: Project, source_id: str, **fields: Any) -> Source:
        """Edit metadata fields; returns the source as it was before (for undo)."""
        unknown = set(fields) - set(SOURCE_META_FIELDS)
        if unknown:
            raise errors.ValidationError(f"These source fields cannot be edited: {sorted(unknown)}.")
        old = self.get_source(source_id)
        values = {k: _clean(v) for k, v in fields.items()}
        if "reliability" in values:
            values["reliability"] = _check_letter(values["reliability"])
        if "published" in values:
            values["published"] = _check_published(values["published"], strict=True)
        if "title" in values and not values["title"]:
            raise errors.ValidationError("A source needs a title.")
        if not values:
            return old
        values["updated_at"] = now_iso()
        with self.transaction() as conn:
            conn.execute(f"UPDATE sources SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                         [*values.values(), source_id])
        self._changed(Change("source", (source_id,), (source_id,)))
        return old

    def restore_source_fields(self: Project, source_id: str, values: dict[str, Any]) -> None:
        """Put metadata back exactly as it was (undo), without the checks an edit gets: a date an import
        kept as written ("Winter 2022") must come back as it was, even though an edit could not set it."""
        unknown = set(values) - set(SOURCE_META_FIELDS)
        if unknown:
            raise errors.ValidationError(f"These source fields cannot be edited: {sorted(unknown)}.")
        self.get_source(source_id)  # a clear error if it is gone
        if not values:
            return
        row = {**values, "updated_at": now_iso()}
        with self.transaction() as conn:
            conn.execute(f"UPDATE sources SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
                         [*row.values(), source_id])
        self._changed(Change("source", (source_id,), (source_id,)))

    def delete_source(self: Project, source_id: str) -> SourceSnapshot:
        """Delete a source and its annotations; the snapshot restores both."""
        source = self.get_source(source_id)
        snapshot = SourceSnapshot(source, tuple(self.annotations_for_source(source_id)))
        with self.transaction() as conn:
            conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        self._changed(Change("source", (source_id,), (source_id,)))
        return snapshot

    def restore_source(self: Project, snapshot: SourceSnapshot) -> None:
        with self.transaction() as conn:
            self._insert_source(conn, snapshot.source)
            for ann in snapshot.annotations:
                self._insert_annotation(conn, ann)
        self._changed(Change("source", (snapshot.source.id,), (snapshot.source.id,)))
