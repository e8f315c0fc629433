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
from kzannotate.store.models import ACTOR_KINDS, Actor, Annotation, Change, Theory
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


@dataclass(frozen=True)
class MergeSnapshot:
    """What ``merge_actors``/``merge_theories`` changed, so ``unmerge`` can put it all back.

    ``kept_row`` is the kept code's row before the merge; ``dropped`` the merged-away codes with their
    links; ``added_links`` the links the kept code gained; ``replaced_stances`` (theories) the kept links
    whose stance changed; ``reparented`` (theories) (theory id, old parent id) for moved sub-theories.
    """

    kind: str
    kept_id: str
    kept_row: dict[str, Any]
    dropped: tuple[CodeSnapshot, ...]
    added_links: tuple[tuple[Any, ...], ...]
    reparented: tuple[tuple[str, str | None], ...] = ()


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

    # ----------------------------------------------------------------- merges
    def _row(self: Project, table: str, code_id: str) -> dict[str, Any]:
        cur = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (code_id,))
        data = cur.fetchone()
        if data is None:
            what = "actor" if table == "actors" else "theory"
            raise errors.NotFoundError(f"That {what} is no longer in the codebook.")
        return dict(zip([d[0] for d in cur.description], data, strict=True))

    def merge_actors(self: Project, keep_id: str, drop_ids: Iterable[str]) -> MergeSnapshot:
        """Fold actors entered twice into one: links move to ``keep_id``, names and aliases become its aliases.

        One transaction; the snapshot undoes it exactly (``unmerge``).
        """
        drop_ids = [d for d in dict.fromkeys(drop_ids) if d != keep_id]
        if not drop_ids:
            raise errors.ValidationError("Choose at least one other actor to merge into this one.")
        kept = self.get_actor(keep_id)
        kept_row = self._row("actors", keep_id)
        dropped: list[CodeSnapshot] = []
        added: list[tuple[str, str]] = []
        aliases = list(kept.aliases)
        descriptions = [kept.description] if kept.description else []
        with self.transaction() as conn:
            for drop_id in drop_ids:
                row = self._row("actors", drop_id)
                links = tuple(conn.execute(
                    "SELECT annotation_id, actor_id FROM annotation_actors WHERE actor_id = ?", (drop_id,)))
                dropped.append(CodeSnapshot("actor", row, links))
                for ann_id, _ in links:
                    cur = conn.execute("INSERT OR IGNORE INTO annotation_actors (annotation_id, actor_id) "
                                       "VALUES (?, ?)", (ann_id, keep_id))
                    if cur.rowcount:
                        added.append((ann_id, keep_id))
                aliases += [row["name"], *json.loads(row["aliases"] or "[]")]
                if row["description"] and row["description"] not in descriptions:
                    descriptions.append(row["description"])
                conn.execute("DELETE FROM actors WHERE id = ?", (drop_id,))
            conn.execute("UPDATE actors SET aliases = ?, description = ?, color = ?, updated_at = ? WHERE id = ?",
                         (json.dumps(_clean_aliases(kept.name, aliases), ensure_ascii=False),
                          "\n\n".join(descriptions) or None,
                          kept.color or next((d.row["color"] for d in dropped if d.row["color"]), None),
                          now_iso(), keep_id))
        snap = MergeSnapshot("actor", keep_id, kept_row, tuple(dropped), tuple(added))
        self._changed(Change("actor", (keep_id, *drop_ids), self._sources_of(self._merge_annotations(snap))))
        return snap

    def merge_theories(self: Project, keep_id: str, drop_ids: Iterable[str]) -> MergeSnapshot:
        """Fold theories into one: links move (an annotation linked to both keeps the kept theory's stance),
        sub-theories move under the kept theory. One transaction; ``unmerge`` undoes it."""
        drop_ids = [d for d in dict.fromkeys(drop_ids) if d != keep_id]
        if not drop_ids:
            raise errors.ValidationError("Choose at least one other theory to merge into this one.")
        kept = self.get_theory(keep_id)
        kept_row = self._row("theories", keep_id)
        dropped: list[CodeSnapshot] = []
        added: list[tuple[str, str, str]] = []
        reparented: list[tuple[str, str | None]] = []
        descriptions = [kept.description] if kept.description else []
        parents = {t.id: t.parent_id for t in self.list_theories()}

        def ancestors(tid: str | None) -> list[str]:
            out: list[str] = []
            while tid and tid not in out:
                out.append(tid)
                tid = parents.get(tid)
            return out

        with self.transaction() as conn:
            # If the kept theory sits under a dropped one, lift it to the nearest surviving ancestor first.
            new_parent = next((t for t in ancestors(kept.parent_id) if t not in drop_ids), None)
            if new_parent != kept.parent_id:
                reparented.append((keep_id, kept.parent_id))
                conn.execute("UPDATE theories SET parent_id = ? WHERE id = ?", (new_parent, keep_id))
                parents[keep_id] = new_parent
            for drop_id in drop_ids:
                row = self._row("theories", drop_id)
                links = tuple(conn.execute(
                    "SELECT annotation_id, theory_id, stance FROM annotation_theories WHERE theory_id = ?",
                    (drop_id,)))
                children = tuple(r[0] for r in conn.execute("SELECT id FROM theories WHERE parent_id = ?",
                                                             (drop_id,)))
                dropped.append(CodeSnapshot("theory", row, links, children))
                for ann_id, _, stance in links:
                    cur = conn.execute("INSERT OR IGNORE INTO annotation_theories (annotation_id, theory_id, "
                                       "stance) VALUES (?, ?, ?)", (ann_id, keep_id, stance))
                    if cur.rowcount:
                        added.append((ann_id, keep_id, stance))
                for child in children:
                    if child == keep_id or child in drop_ids:
                        continue
                    reparented.append((child, drop_id))
                    conn.execute("UPDATE theories SET parent_id = ? WHERE id = ?", (keep_id, child))
                if row["description"] and row["description"] not in descriptions:
                    descriptions.append(row["description"])
                conn.execute("DELETE FROM theories WHERE id = ?", (drop_id,))
            conn.execute("UPDATE theories SET description = ?, color = ?, updated_at = ? WHERE id = ?",
                         ("\n\n".join(descriptions) or None,
                          kept.color or next((d.row["color"] for d in dropped if d.row["color"]), None),
                          now_iso(), keep_id))
        snap = MergeSnapshot("theory", keep_id, kept_row, tuple(dropped), tuple(added), tuple(reparented))
        self._changed(Change("theory", (keep_id, *drop_ids), self._sources_of(self._merge_annotations(snap))))
        return snap

    @staticmethod
    def _merge_annotations(snap: MergeSnapshot) -> list[str]:
        return [link[0] for d in snap.dropped for link in d.links]

    def unmerge(self: Project, snap: MergeSnapshot) -> None:
        """Undo a merge: the kept code as it was, the dropped codes with their links, sub-theories back."""
        table = "actors" if snap.kind == "actor" else "theories"
        link_table = "annotation_actors" if snap.kind == "actor" else "annotation_theories"
        link_col = "actor_id" if snap.kind == "actor" else "theory_id"
        with self.transaction() as conn:
            conn.executemany(f"DELETE FROM {link_table} WHERE annotation_id = ? AND {link_col} = ?",
                             [link[:2] for link in snap.added_links])
            for d in snap.dropped:  # parents may be among the dropped: link the tree once all are back
                dcols = list(d.row)
                values = [None if c == "parent_id" else d.row[c] for c in dcols]
                conn.execute(f"INSERT INTO {table} ({', '.join(dcols)}) VALUES ({', '.join('?' for _ in dcols)})",
                             values)
            cols = [c for c in snap.kept_row if c != "id"]
            conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                         [*(snap.kept_row[c] for c in cols), snap.kept_id])
            for d in snap.dropped:
                if d.row.get("parent_id"):
                    conn.execute("UPDATE theories SET parent_id = ? WHERE id = ?", (d.row["parent_id"], d.row["id"]))
                if snap.kind == "actor":
                    conn.executemany("INSERT OR IGNORE INTO annotation_actors (annotation_id, actor_id) "
                                     "VALUES (?, ?)", d.links)
                else:
                    conn.executemany("INSERT OR IGNORE INTO annotation_theories (annotation_id, theory_id, "
                                     "stance) VALUES (?, ?, ?)", d.links)
            conn.executemany("UPDATE theories SET parent_id = ? WHERE id = ?",
                             [(parent, child) for child, parent in snap.reparented])
        ids = (snap.kept_id, *(d.row["id"] for d in snap.dropped))
        self._changed(Change(snap.kind, ids, self._sources_of(self._merge_annotations(snap))))

    # ------------------------------------------------------- usage across sources
    def annotations_for_actor(self: Project, actor_id: str) -> list[Annotation]:
        """Every annotation linked to an actor, across sources (source title, then text order)."""
        return self._annotations_linked("annotation_actors", "actor_id", actor_id)

    def annotations_for_theory(self: Project, theory_id: str) -> list[Annotation]:
        """Every annotation linked to a theory, across sources (source title, then text order)."""
        return self._annotations_linked("annotation_theories", "theory_id", theory_id)

    def _annotations_linked(self: Project, table: str, col: str, code_id: str) -> list[Annotation]:
        ids = [r[0] for r in self.conn.execute(
            f"SELECT a.id FROM {table} l JOIN annotations a ON a.id = l.annotation_id "
            f"JOIN sources s ON s.id = a.source_id WHERE l.{col} = ? "
            "ORDER BY s.title COLLATE NOCASE, a.source_id, a.start_offset, a.end_offset", (code_id,))]
        order = {ann_id: i for i, ann_id in enumerate(ids)}
        return sorted(self.annotations_by_ids(ids), key=lambda a: order[a.id])

    def annotations_using(self: Project, *, actor_ids: Iterable[str] = (), theory_ids: Iterable[str] = ()) -> int:
        """How many annotations link any of these actors or theories, each annotation counted once (one
        annotation linking two codes being deleted is one annotation, not two)."""
        parts, params = [], []
        for table, col, ids in (("annotation_actors", "actor_id", actor_ids),
                                ("annotation_theories", "theory_id", theory_ids)):
            ids = list(dict.fromkeys(ids))
            if ids:  # json_each: no limit on the number of ids (SQL variables are limited)
                parts.append(f"SELECT annotation_id FROM {table} WHERE {col} IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(ids))
        if not parts:
            return 0
        return self.conn.execute(f"SELECT count(DISTINCT annotation_id) FROM ({' UNION ALL '.join(parts)})",
                                 params).fetchone()[0]

    def theory_descendants(self: Project, theory_id: str) -> list[str]:
        """Ids of every theory below ``theory_id`` in the tree (not including it)."""
        children: dict[str | None, list[str]] = {}
        for t in self.list_theories():
            children.setdefault(t.parent_id, []).append(t.id)
        out: list[str] = []
        stack = list(children.get(theory_id, []))
        while stack:
            tid = stack.pop()
            if tid not in out and tid != theory_id:
                out.append(tid)
                stack.extend(children.get(tid, []))
        return out

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
