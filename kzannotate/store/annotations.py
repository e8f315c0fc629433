"""Annotations: a span of a source linked to actors, theories (with stance) and a rating.

Offsets are code points into ``sources.text``, end exclusive; ``quote`` always equals the slice.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kzannotate.store import errors
from kzannotate.store.models import RELIABILITY_LETTERS, STANCES, Actor, Annotation, Change, Theory
from kzannotate.store.schema import now_iso

if TYPE_CHECKING:
    from kzannotate.store.project import Project


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

_ANN_COLS = ("id", "source_id", "start_offset", "end_offset", "quote", "reliability", "credibility", "note",
             "annotator", "created_at", "updated_at")


# The annotation's columns plus its links, joined by unit/record separators (ids never contain them).
_LINKED_COLS = (", ".join(f"a.{c}" for c in _ANN_COLS)
                + ", (SELECT group_concat(actor_id, char(31)) FROM annotation_actors WHERE annotation_id = a.id)"
                + ", (SELECT group_concat(theory_id || char(30) || stance, char(31)) FROM annotation_theories "
                  "WHERE annotation_id = a.id)")


def _from_linked_rows(rows: Iterable[Sequence[Any]]) -> list[Annotation]:
    out = []
    append = out.append
    for (ann_id, source_id, start, end, quote, reliability, credibility, note, annotator, created, updated,
         actors, theories) in rows:
        append(Annotation(ann_id, source_id, start, end, quote, reliability, credibility, note, annotator,
                          created, updated,
                          tuple(sorted(actors.split("\x1f"))) if actors else (),
                          tuple(sorted(tuple(t.split("\x1e", 1)) for t in theories.split("\x1f")))
                          if theories else ()))
    return out


@dataclass(frozen=True)
class NewAnnotation:
    """What ``add_annotations`` takes for bulk creation (e.g. annotate all mentions)."""

    source_id: str
    start: int
    end: int
    actor_ids: tuple[str, ...] = ()
    theories: tuple[tuple[str, str], ...] = ()
    reliability: str | None = None
    credibility: int = 6
    note: str | None = None
    annotator: str | None = None


def _check_fields(reliability: Any, credibility: Any, theories: Mapping[str, str] | None) -> None:
    if reliability is not UNSET and reliability is not None and reliability not in RELIABILITY_LETTERS:
        raise errors.ValidationError(f"Reliability must be one of A–F or empty, not {reliability!r}.")
    if credibility is not UNSET and (not isinstance(credibility, int) or not 1 <= credibility <= 6):
        raise errors.ValidationError(f"Credibility must be a number from 1 to 6, not {credibility!r}.")
    for stance in (theories or {}).values():
        if stance not in STANCES:
            raise errors.ValidationError(f"Stance must be supports, contradicts or neutral, not {stance!r}.")


class AnnotationsMixin:
    conn: sqlite3.Connection

    # ------------------------------------------------------------------ reads
    def _source_text(self: Project, source_id: str) -> str:
        """The text of a source. Texts never change, so recent ones are cached (a 5 MB text takes ~15 ms
        to read and decode, too slow for every annotation); the cheap sha256 lookup keeps the cache honest."""
        row = self.conn.execute("SELECT sha256 FROM sources WHERE id = ?", (source_id,)).fetchone()
        if row is None:
            raise errors.NotFoundError("That source is no longer in the project.")
        cache: dict[str, tuple[str, str]] = self.__dict__.setdefault("_text_cache", {})
        hit = cache.get(source_id)
        if hit is not None and hit[0] == row[0]:
            return hit[1]
        text = self.conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
        if len(cache) >= 4:
            cache.pop(next(iter(cache)))
        cache[source_id] = (row[0], text)
        return text

    def _links(self: Project, ids: Sequence[str] | None, source_id: str | None = None
               ) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
        actors: dict[str, list[str]] = {}
        theories: dict[str, list[tuple[str, str]]] = {}
        if source_id is not None:
            a_rows = self.conn.execute(
                "SELECT aa.annotation_id, aa.actor_id FROM annotation_actors aa JOIN annotations a "
                "ON a.id = aa.annotation_id WHERE a.source_id = ?", (source_id,))
            t_rows = self.conn.execute(
                "SELECT at.annotation_id, at.theory_id, at.stance FROM annotation_theories at JOIN annotations a "
                "ON a.id = at.annotation_id WHERE a.source_id = ?", (source_id,))
        else:
            ids = list(ids or [])
            marks = ",".join("?" for _ in ids)
            a_rows = self.conn.execute(
                f"SELECT annotation_id, actor_id FROM annotation_actors WHERE annotation_id IN ({marks})", ids)
            t_rows = self.conn.execute(
                f"SELECT annotation_id, theory_id, stance FROM annotation_theories "
                f"WHERE annotation_id IN ({marks})", ids)
        for ann_id, actor_id in a_rows:
            actors.setdefault(ann_id, []).append(actor_id)
        for ann_id, theory_id, stance in t_rows:
            theories.setdefault(ann_id, []).append((theory_id, stance))
        return actors, theories

    @staticmethod
    def _build(row: Sequence[Any], actors: dict[str, list[str]],
               theories: dict[str, list[tuple[str, str]]]) -> Annotation:
        (ann_id, source_id, start, end, quote, reliability, credibility, note, annotator, created, updated) = row
        return Annotation(id=ann_id, source_id=source_id, start=start, end=end, quote=quote,
                          reliability=reliability, credibility=credibility, note=note, annotator=annotator,
                          created_at=created, updated_at=updated,
                          actor_ids=tuple(sorted(actors.get(ann_id, ()))),
                          theories=tuple(sorted(theories.get(ann_id, ()))))

    def get_annotation(self: Project, annotation_id: str) -> Annotation:
        row = self.conn.execute(f"SELECT {', '.join(_ANN_COLS)} FROM annotations WHERE id = ?",
                                (annotation_id,)).fetchone()
        if row is None:
            raise errors.NotFoundError("That annotation is no longer in the project.")
        actors, theories = self._links([annotation_id])
        return self._build(row, actors, theories)

    def annotations_for_source(self: Project, source_id: str, *, start_before: int | None = None,
                               after: tuple[int, int, str] | None = None, limit: int | None = None
                               ) -> list[Annotation]:
        """Annotations of a source in text order: all of them, or a part for loading in steps.

        ``start_before``: only those starting before that offset (what the top of the reader shows);
        ``after``: only those after the (start, end, id) of the last one already loaded; ``limit``: at most
        that many. One query: the links come from correlated subqueries, which SQLite answers from the
        link tables' primary keys without walking the annotations three times."""
        where, args = "a.source_id = ?", [source_id]
        if start_before is not None:
            where += " AND a.start_offset < ?"
            args.append(start_before)
        if after is not None:
            where += " AND (a.start_offset, a.end_offset, a.id) > (?, ?, ?)"
            args.extend(after)
        sql = f"SELECT {_LINKED_COLS} FROM annotations a WHERE {where} ORDER BY a.start_offset, a.end_offset, a.id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return _from_linked_rows(self.conn.execute(sql, args).fetchall())

    def codebook_without_usage(self: Project) -> tuple[list[Actor], list[Theory]]:
        """Actors and theories as ``list_actors``/``list_theories`` give them, but with usage 0: counting
        the links of a million annotations takes a tenth of a second, and the annotating panel and the
        mention finder do not need the counts."""
        actors = [Actor(r[0], r[1], r[2], tuple(json.loads(r[3] or "[]")), r[4], r[5]) for r in self.conn.execute(
            "SELECT id, name, kind, aliases, description, color FROM actors ORDER BY name COLLATE NOCASE")]
        theories = [Theory(*r) for r in self.conn.execute(
            "SELECT id, name, parent_id, description, color FROM theories ORDER BY name COLLATE NOCASE")]
        return actors, theories

    def annotations_by_ids(self: Project, ids: Iterable[str]) -> list[Annotation]:
        ids = list(ids)
        out: list[Annotation] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" for _ in chunk)
            rows = self.conn.execute(
                f"SELECT {', '.join(_ANN_COLS)} FROM annotations WHERE id IN ({marks})", chunk).fetchall()
            actors, theories = self._links(chunk)
            out.extend(self._build(r, actors, theories) for r in rows)
        return out

    def annotation_count(self: Project) -> int:
        return self.conn.execute("SELECT count(*) FROM annotations").fetchone()[0]

    # ----------------------------------------------------------------- writes
    @staticmethod
    def _insert_annotation(conn: sqlite3.Connection, ann: Annotation) -> None:
        conn.execute(f"INSERT INTO annotations ({', '.join(_ANN_COLS)}) VALUES "
                     f"({', '.join('?' for _ in _ANN_COLS)})",
                     (ann.id, ann.source_id, ann.start, ann.end, ann.quote, ann.reliability, ann.credibility,
                      ann.note, ann.annotator, ann.created_at, ann.updated_at))
        conn.executemany("INSERT INTO annotation_actors (annotation_id, actor_id) VALUES (?, ?)",
                         [(ann.id, a) for a in ann.actor_ids])
        conn.executemany("INSERT INTO annotation_theories (annotation_id, theory_id, stance) VALUES (?, ?, ?)",
                         [(ann.id, t, s) for t, s in ann.theories])

    def _make_annotation(self: Project, text: str, source_id: str, start: int, end: int, *,
                         quote: str | None, actor_ids: Iterable[str], theories: Mapping[str, str] | None,
                         reliability: str | None, credibility: int, note: str | None, annotator: str | None,
                         id: str | None, created_at: str | None, updated_at: str | None) -> Annotation:
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= len(text):
            raise errors.ValidationError(
                f"The span {start}–{end} does not lie inside the source (0–{len(text)}) or is empty.")
        actual = text[start:end]
        if quote is not None and quote != actual:
            raise errors.QuoteMismatchError(
                f"The quote does not match the source text at {start}–{end}: "
                f"expected {actual[:40]!r}, got {quote[:40]!r}.")
        _check_fields(reliability, credibility, theories)
        stamp = now_iso()
        return Annotation(id=id or str(uuid.uuid4()), source_id=source_id, start=start, end=end, quote=actual,
                          reliability=reliability, credibility=credibility, note=(note or None),
                          annotator=(annotator or None), created_at=created_at or stamp,
                          updated_at=updated_at or created_at or stamp,
                          actor_ids=tuple(sorted(set(actor_ids))),
                          theories=tuple(sorted((theories or {}).items())))

    def add_annotation(self: Project, source_id: str, start: int, end: int, *, quote: str | None = None,
                       actor_ids: Iterable[str] = (), theories: Mapping[str, str] | None = None,
                       reliability: str | None = None, credibility: int = 6, note: str | None = None,
                       annotator: str | None = None, id: str | None = None, created_at: str | None = None,
                       updated_at: str | None = None) -> Annotation:
        """Create one annotation in one transaction. ``quote``, if given, must equal the text slice."""
        text = self._source_text(source_id)
        ann = self._make_annotation(text, source_id, start, end, quote=quote, actor_ids=actor_ids,
                                    theories=theories, reliability=reliability, credibility=credibility,
                                    note=note, annotator=annotator, id=id, created_at=created_at,
                                    updated_at=updated_at)
        with self.transaction() as conn:
            self._insert_annotation(conn, ann)
        self._changed(Change("annotation", (ann.id,), (source_id,)))
        return ann

    def add_annotations(self: Project, items: Iterable[NewAnnotation]) -> list[Annotation]:
        """Create many annotations in one transaction (all or none)."""
        texts: dict[str, str] = {}
        made: list[Annotation] = []
        for item in items:
            if item.source_id not in texts:
                texts[item.source_id] = self._source_text(item.source_id)
            made.append(self._make_annotation(
                texts[item.source_id], item.source_id, item.start, item.end, quote=None,
                actor_ids=item.actor_ids, theories=dict(item.theories), reliability=item.reliability,
                credibility=item.credibility, note=item.note, annotator=item.annotator, id=None,
                created_at=None, updated_at=None))
        self.insert_annotations(made)
        return made

    def insert_annotations(self: Project, annotations: Sequence[Annotation]) -> None:
        """Insert annotations exactly as given (undo/redo, merge, import); quotes are re-checked."""
        texts: dict[str, str] = {}
        for ann in annotations:
            if ann.source_id not in texts:
                texts[ann.source_id] = self._source_text(ann.source_id)
            if texts[ann.source_id][ann.start:ann.end] != ann.quote:
                raise errors.QuoteMismatchError(
                    f"The quote of annotation {ann.id} does not match its source at {ann.start}–{ann.end}.")
        if not annotations:
            return
        with self.transaction() as conn:
            for ann in annotations:
                self._insert_annotation(conn, ann)
        self._changed(Change("annotation", tuple(a.id for a in annotations),
                             tuple(sorted({a.source_id for a in annotations}))))

    def update_annotation(self: Project, annotation_id: str, *, actor_ids: Iterable[str] | Any = UNSET,
                          theories: Mapping[str, str] | Any = UNSET, reliability: str | None | Any = UNSET,
                          credibility: int | Any = UNSET, note: str | None | Any = UNSET,
                          annotator: str | None | Any = UNSET, start: int | Any = UNSET,
                          end: int | Any = UNSET) -> Annotation:
        """Change some fields of an annotation (others stay as they are); returns the new state."""
        old = self.get_annotation(annotation_id)
        _check_fields(reliability, credibility, theories if theories is not UNSET else None)
        new = old
        if start is not UNSET or end is not UNSET:
            s = old.start if start is UNSET else start
            e = old.end if end is UNSET else end
            probe = self._make_annotation(self._source_text(old.source_id), old.source_id, s, e, quote=None,
                                          actor_ids=(), theories=None, reliability=None, credibility=6,
                                          note=None, annotator=None, id=old.id, created_at=None,
                                          updated_at=None)
            new = replace(new, start=probe.start, end=probe.end, quote=probe.quote)
        if actor_ids is not UNSET:
            new = replace(new, actor_ids=tuple(sorted(set(actor_ids))))
        if theories is not UNSET:
            new = replace(new, theories=tuple(sorted(dict(theories).items())))
        if reliability is not UNSET:
            new = replace(new, reliability=reliability or None)
        if credibility is not UNSET:
            new = replace(new, credibility=credibility)
        if note is not UNSET:
            new = replace(new, note=note or None)
        if annotator is not UNSET:
            new = replace(new, annotator=annotator or None)
        if new == old:
            return old
        new = replace(new, updated_at=now_iso())
        self.replace_annotation(new)
        return new

    def replace_annotation(self: Project, ann: Annotation) -> None:
        """Overwrite an annotation and its links with exactly this state (edits, undo of edits)."""
        if self._source_text(ann.source_id)[ann.start:ann.end] != ann.quote:
            raise errors.QuoteMismatchError("The quote does not match the source text.")
        with self.transaction() as conn:
            cur = conn.execute(
                "UPDATE annotations SET start_offset = ?, end_offset = ?, quote = ?, reliability = ?, "
                "credibility = ?, note = ?, annotator = ?, created_at = ?, updated_at = ? WHERE id = ?",
                (ann.start, ann.end, ann.quote, ann.reliability, ann.credibility, ann.note, ann.annotator,
                 ann.created_at, ann.updated_at, ann.id))
            if cur.rowcount == 0:
                raise errors.NotFoundError("That annotation is no longer in the project.")
            conn.execute("DELETE FROM annotation_actors WHERE annotation_id = ?", (ann.id,))
            conn.execute("DELETE FROM annotation_theories WHERE annotation_id = ?", (ann.id,))
            conn.executemany("INSERT INTO annotation_actors (annotation_id, actor_id) VALUES (?, ?)",
                             [(ann.id, a) for a in ann.actor_ids])
            conn.executemany(
                "INSERT INTO annotation_theories (annotation_id, theory_id, stance) VALUES (?, ?, ?)",
                [(ann.id, t, s) for t, s in ann.theories])
        self._changed(Change("annotation", (ann.id,), (ann.source_id,)))

    def delete_annotation(self: Project, annotation_id: str) -> Annotation:
        """Delete one annotation (its links go with it); returns it for undo."""
        return self.delete_annotations([annotation_id])[0]

    def delete_annotations(self: Project, ids: Iterable[str]) -> list[Annotation]:
        ids = list(ids)
        anns = self.annotations_by_ids(ids)
        if len(anns) != len(set(ids)):
            raise errors.NotFoundError("That annotation is no longer in the project.")
        with self.transaction() as conn:
            conn.executemany("DELETE FROM annotations WHERE id = ?", [(i,) for i in ids])
        self._changed(Change("annotation", tuple(ids), tuple(sorted({a.source_id for a in anns}))))
        return anns
