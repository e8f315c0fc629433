"""The codebook: actors (with aliases) and theories (a tree)."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kzannotate.store import errors
from kzannotate.store.models import ACTOR_KINDS, Actor, Change, Theory
from kzannotate.store.schema import now_iso

if TYPE_CHECKING:
    from kzannotate.store.project import Project

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
ACTOR_FIELDS = ("name", "kind", "aliases", "description", "color")
THEORY_FIELDS = ("name", "parent_id", "description", "color")


def _check_color(color: str | None) -> str | None:
    if color in (None, ""):
        return None
    if not _COLOR.match(color):
        raise errors.ValidationError(f"Colours are written #rrggbb, not {color!r}.")
    return color.lower()


def _clean_aliases(name: str, aliases: Iterable[str]) -> list[str]:
    seen = {name.casefold()}
    out: list[str] = []
    for alias in aliases:
        alias = " ".join(str(alias).split())
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            out.append(alias)
    return out


@dataclass(frozen=True)
class CodeSnapshot:
    """A deleted actor or theory with the links it had, to restore it exactly."""

    kind: str  # "actor" or "theory"
    row: dict[str, Any]
    links: tuple[tuple[Any, ...], ...]
    children: tuple[str, ...] = ()  # theories whose parent was this one


class CodebookMixin:
    conn: sqlite3.Connection

    # ----------------------------------------------------------------- actors
    def list_actors(self: Project) -> list[Actor]:
        rows = self.conn.execute(
            "SELECT a.id, a.name, a.kind, a.aliases, a.description, a.color, "
            "(SELECT count(*) FROM annotation_actors aa WHERE aa.actor_id = a.id) "
            "FROM actors a ORDER BY a.name COLLATE NOCASE").fetchall()
        return [Actor(r[0], r[1], r[2], tuple(json.loads(r[3] or "[]")), r[4], r[5], r[6]) for r in rows]

    def get_actor(self: Project, actor_id: str) -> Actor:
        for actor in self.list_actors():
            if actor.id == actor_id:
                return actor
        raise errors.NotFoundError("That actor is no longer in the codebook.")

    def actor_by_name(self: Project, name: str) -> Actor | None:
        row = self.conn.execute("SELECT id FROM actors WHERE name = ? COLLATE NOCASE", (name.strip(),)).fetchone()
        return self.get_actor(row[0]) if row else None

    def add_actor(self: Project, name: str, *, kind: str = "person", aliases: Iterable[str] = (),
                  description: str | None = None, color: str | None = None, id: str | None = None) -> Actor:
        name = " ".join(name.split())
        if not name:
            raise errors.ValidationError("An actor needs a name.")
        if kind not in ACTOR_KINDS:
            raise errors.ValidationError(f"Actor kind must be one of {', '.join(ACTOR_KINDS)}.")
        existing = self.actor_by_name(name)
        if existing:
            raise errors.DuplicateError(f"There is already an actor called “{existing.name}”.", existing.id)
        actor_id = id or str(uuid.uuid4())
        stamp = now_iso()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO actors (id, name, kind, aliases, description, color, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (actor_id, name, kind, json.dumps(_clean_aliases(name, aliases), ensure_ascii=False),
                 description or None, _check_color(color), stamp, stamp))
        self._changed(Change("actor", (actor_id,)))
        return self.get_actor(actor_id)

    def update_actor(self: Project, actor_id: str, **fields: Any) -> Actor:
        """Edit actor fields; returns the actor as it was (for undo)."""
        old = self.get_actor(actor_id)
        unknown = set(fields) - set(ACTOR_FIELDS)
        if unknown:
            raise errors.ValidationError(f"Unknown actor fields {sorted(unknown)}.")
        values = dict(fields)
        name = " ".join(values.get("name", old.name).split())
        if not name:
            raise errors.ValidationError("An actor needs a name.")
        if "name" in values:
            clash = self.actor_by_name(name)
            if clash and clash.id != actor_id:
                raise errors.DuplicateError(f"There is already an actor called “{clash.name}”.", clash.id)
            values["name"] = name
        if "kind" in values and values["kind"] not in ACTOR_KINDS:
            raise errors.ValidationError(f"Actor kind must be one of {', '.join(ACTOR_KINDS)}.")
        if "aliases" in values:
            values["aliases"] = json.dumps(_clean_aliases(name, values["aliases"]), ensure_ascii=False)
        if "color" in values:
            values["color"] = _check_color(values["color"])
        if "description" in values:
            values["description"] = values["description"] or None
        values["updated_at"] = now_iso()
        with self.transaction() as conn:
            conn.execute(f"UPDATE actors SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                         [*values.values(), actor_id])
        self._changed(Change("actor", (actor_id,)))
        return old

    def delete_actor(self: Project, actor_id: str) -> CodeSnapshot:
        """Delete an actor; its links to annotations go too. The snapshot restores all of it."""
        row = self.db.execute("SELECT * FROM actors WHERE id = ?", (actor_id,))
        cols = [d[0] for d in row.description]
        data = row.fetchone()
        if data is None:
            raise errors.NotFoundError("That actor is no longer in the codebook.")
        links = tuple(self.conn.execute(
            "SELECT annotation_id, actor_id FROM annotation_actors WHERE actor_id = ?", (actor_id,)))
        sources = self._sources_of(a for a, _ in links)
        with self.transaction() as conn:
            conn.execute("DELETE FROM actors WHERE id = ?", (actor_id,))
        self._changed(Change("actor", (actor_id,), sources))
        return CodeSnapshot("actor", dict(zip(cols, data, strict=True)), links)

    # --------------------------------------------------------------- theories
    def list_theories(self: Project) -> list[Theory]:
        rows = self.conn.execute(
            "SELECT t.id, t.name, t.parent_id, t.description, t.color, "
            "(SELECT count(*) FROM annotation_theories at WHERE at.theory_id = t.id) "
            "FROM theories t ORDER BY t.name COLLATE NOCASE").fetchall()
        return [Theory(*r) for r in rows]

    def get_theory(self: Project, theory_id: str) -> Theory:
        for theory in self.list_theories():
            if theory.id == theory_id:
                return theory
        raise errors.NotFoundError("That theory is no longer in the codebook.")

    def theory_by_name(self: Project, name: str) -> Theory | None:
        row = self.conn.execute("SELECT id FROM theories WHERE name = ? COLLATE NOCASE",
                                (name.strip(),)).fetchone()
        return self.get_theory(row[0]) if row else None

    def add_theory(self: Project, name: str, *, parent_id: str | None = None, description: str | None = None,
                   color: str | None = None, id: str | None = None) -> Theory:
        name = " ".join(name.split())
        if not name:
            raise errors.ValidationError("A theory needs a name.")
        existing = self.theory_by_name(name)
        if existing:
            raise errors.DuplicateError(f"There is already a theory called “{existing.name}”.", existing.id)
        theory_id = id or str(uuid.uuid4())
        stamp = now_iso()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO theories (id, name, parent_id, description, color, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (theory_id, name, parent_id or None, description or None, _check_color(color), stamp, stamp))
        self._changed(Change("theory", (theory_id,)))
        return self.get_theory(theory_id)

    def update_theory(self: Project, theory_id: str, **fields: Any) -> Theory:
        """Edit theory fields; returns the theory as it was (for undo). Refuses cycles in the tree."""
        old = self.get_theory(theory_id)
        unknown = set(fields) - set(THEORY_FIELDS)
        if unknown:
            raise errors.ValidationError(f"Unknown theory fields {sorted(unknown)}.")
        values = dict(fields)
        if "name" in values:
            name = " ".join(str(values["name"]).split())
            if not name:
                raise errors.ValidationError("A theory needs a name.")
            clash = self.theory_by_name(name)
            if clash and clash.id != theory_id:
                raise errors.DuplicateError(f"There is already a theory called “{clash.name}”.", clash.id)
            values["name"] = name
        if "parent_id" in values:
            parent = values["parent_id"] or None
            values["parent_id"] = parent
            while parent:
                if parent == theory_id:
                    raise errors.ValidationError("A theory cannot sit under itself or one of its sub-theories.")
                parent = self.get_theory(parent).parent_id
        if "color" in values:
            values["color"] = _check_color(values["color"])
        if "description" in values:
            values["description"] = values["description"] or None
        values["updated_at"] = now_iso()
        with self.transaction() as conn:
            conn.execute(f"UPDATE theories SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                         [*values.values(), theory_id])
        self._changed(Change("theory", (theory_id,)))
        return old

    def delete_theory(self: Project, theory_id: str) -> CodeSnapshot:
        """Delete a theory; sub-theories move to the top level, links to annotations go."""
        cur = self.db.execute("SELECT * FROM theories WHERE id = ?", (theory_id,))
        cols = [d[0] for d in cur.description]
        data = cur.fetchone()
        if data is None:
            raise errors.NotFoundError("That theory is no longer in the codebook.")
        links = tuple(self.conn.execute(
            "SELECT annotation_id, theory_id, stance FROM annotation_theories WHERE theory_id = ?", (theory_id,)))
        children = tuple(r[0] for r in self.conn.execute("SELECT id FROM theories WHERE parent_id = ?",
                                                         (theory_id,)))
        sources = self._sources_of(a for a, *_ in links)
        with self.transaction() as conn:
            conn.execute("DELETE FROM theories WHERE id = ?", (theory_id,))
        self._changed(Change("theory", (theory_id,), sources))
        return CodeSnapshot("theory", dict(zip(cols, data, strict=True)), links, children)

    # ----------------------------------------------------------------- shared
    def restore_code(self: Project, snap: CodeSnapshot) -> None:
        """Undo a delete: the row, its links and (theories) its children's parent."""
        table = "actors" if snap.kind == "actor" else "theories"
        with self.transaction() as conn:
            cols = list(snap.row)
            conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                         [snap.row[c] for c in cols])
            if snap.kind == "actor":
                conn.executemany("INSERT OR IGNORE INTO annotation_actors (annotation_id, actor_id) VALUES (?, ?)",
                                 snap.links)
            else:
                conn.executemany("INSERT OR IGNORE INTO annotation_theories (annotation_id, theory_id, stance) "
                                 "VALUES (?, ?, ?)", snap.links)
                conn.executemany("UPDATE theories SET parent_id = ? WHERE id = ?",
                                 [(snap.row["id"], c) for c in snap.children])
        self._changed(Change(snap.kind, (snap.row["id"],), self._sources_of(a for a, *_ in snap.links)))

    def _sources_of(self: Project, annotation_ids: Iterable[str]) -> tuple[str, ...]:
        ids = list(set(annotation_ids))
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            found.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT source_id FROM annotations WHERE id IN ({','.join('?' for _ in chunk)})", chunk))
        return tuple(sorted(found))
