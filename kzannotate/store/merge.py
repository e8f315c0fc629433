"""Merging another analyst's project file into this one.

Sources are matched by text hash (the same text is the same source whatever its id), codebook entries by
id and then by name, annotations by id. An annotation that differs between the two files is a conflict
only if BOTH sides changed it since their common version; then the newer ``updated_at`` wins and the merge
reports it. If only one side changed it, that side's version is taken (or kept) without a report.

The common version: every merge records, per annotation it looked at, a short hash of each version it
reconciled (``meta.merge_versions``; the other file's own record is read too). A version of theirs we have
already reconciled is old news; a version of ours they have reconciled means theirs is newer work; our
version unchanged since our last merge means only they changed it. Without a record, an annotation whose
``updated_at`` is later than its ``created_at`` counts as edited. Everything happens in one transaction,
and a second merge of the same file changes and reports nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from kzannotate.store import errors
from kzannotate.store.models import Annotation, Change
from kzannotate.store.project import Project


@dataclass(frozen=True)
class Conflict:
    annotation_id: str
    quote: str
    kept: str  # "theirs" or "yours"
    ours_updated: str
    theirs_updated: str

    def line(self) -> str:
        q = " ".join(self.quote.split())
        q = q if len(q) <= 50 else q[:49] + "…"
        who = "their newer version" if self.kept == "theirs" else "your newer version"
        return f"“{q}” was edited in both; kept {who} ({self.ours_updated} yours, {self.theirs_updated} theirs)"


@dataclass
class MergeReport:
    other: str
    sources_added: int = 0
    sources_matched: int = 0
    sources_updated: int = 0
    actors_added: int = 0
    actors_matched: int = 0
    theories_added: int = 0
    theories_matched: int = 0
    annotations_added: int = 0
    annotations_updated: int = 0  # theirs taken (edited only there, or newer in a conflict)
    annotations_kept: int = 0  # yours kept, edited only here
    annotations_unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    # what undo needs
    added_ids: dict[str, list[str]] = field(default_factory=lambda: {
        "actors": [], "theories": [], "sources": [], "annotations": []})
    replaced: list[Annotation] = field(default_factory=list)  # our versions before theirs won
    sources_before: list[tuple[str, tuple, str]] = field(default_factory=list)  # id, meta, updated_at
    versions_before: str | None = None  # meta.merge_versions before the merge

    @property
    def changed(self) -> bool:
        return bool(self.sources_added or self.sources_updated or self.actors_added or self.theories_added
                    or self.annotations_added or self.annotations_updated)

    def summary(self) -> str:
        lines = [
            f"Merged {self.other}:",
            f"  sources: {self.sources_added} added, {self.sources_matched} already here"
            + (f" ({self.sources_updated} with newer details taken)" if self.sources_updated else ""),
            f"  actors: {self.actors_added} added, {self.actors_matched} matched",
            f"  theories: {self.theories_added} added, {self.theories_matched} matched",
            f"  annotations: {self.annotations_added} added, {self.annotations_updated} updated from theirs, "
            + (f"{self.annotations_kept} kept yours (edited only here), " if self.annotations_kept else "")
            + f"{self.annotations_unchanged} unchanged",
        ]
        if self.conflicts:
            lines.append(f"  {len(self.conflicts)} edited in both files:")
            lines += [f"    {c.line()}" for c in self.conflicts]
        if not self.changed:
            lines.append("  Nothing to change: this project already has everything in that file.")
        return "\n".join(lines)


_SOURCE_META = ("title", "author", "outlet", "published", "url", "language", "reliability", "notes")


def _content(a: Annotation) -> tuple:
    return (a.source_id, a.start, a.end, a.quote, a.reliability, a.credibility, a.note, a.annotator,
            a.actor_ids, a.theories)


VERSIONS_KEY = "merge_versions"
KEEP_VERSIONS = 8  # reconciled versions remembered per annotation


def _names(p: Project) -> tuple[dict[str, str], dict[str, str]]:
    return ({a.id: a.name.casefold() for a in p.list_actors()}, {t.id: t.name.casefold() for t in p.list_theories()})


def _version(a: Annotation, names: tuple[dict[str, str], dict[str, str]]) -> str:
    """A short hash of an annotation's content, with actors and theories by name (ids may differ between
    the two files), so both files compute the same hash for the same content."""
    actors, theories = names
    key = [a.start, a.end, a.quote, a.reliability, a.credibility, a.note, a.annotator,
           sorted(actors.get(i, i) for i in a.actor_ids), sorted((theories.get(t, t), s) for t, s in a.theories)]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _records(p: Project) -> dict[str, list[str]]:
    try:
        data = json.loads(p.get_meta(VERSIONS_KEY) or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _edited(a: Annotation) -> bool:
    return (a.updated_at or "") > (a.created_at or "")


def merge_project(project: Project, other_path: str | os.PathLike[str]) -> MergeReport:
    """Bring ``other_path`` into ``project``; returns what happened. Raises UserError if it cannot."""
    other_path = Path(other_path)
    if other_path.resolve() == Path(project.path).resolve():
        raise errors.ValidationError("That is this project itself; choose another analyst's file.")
    other = Project.open(other_path, read_only=True)
    try:
        return _merge(project, other, other_path.name)
    finally:
        other.close()


def _merge(project: Project, other: Project, name: str) -> MergeReport:
    report = MergeReport(name)
    conn = project.conn
    with project.transaction():
        # ---- codebook: id, then name
        actor_map: dict[str, str] = {}
        for actor in other.list_actors():
            mine = conn.execute("SELECT id FROM actors WHERE id = ?", (actor.id,)).fetchone()
            mine = mine or conn.execute("SELECT id FROM actors WHERE name = ? COLLATE NOCASE",
                                        (actor.name,)).fetchone()
            if mine:
                actor_map[actor.id] = mine[0]
                report.actors_matched += 1
                continue
            made = project.add_actor(actor.name, kind=actor.kind, aliases=actor.aliases,
                                     description=actor.description, color=actor.color, id=actor.id)
            actor_map[actor.id] = made.id
            report.actors_added += 1
            report.added_ids["actors"].append(made.id)
        theory_map: dict[str, str] = {}
        theirs = other.list_theories()
        added: list[tuple[str, str | None]] = []
        for theory in theirs:
            mine = conn.execute("SELECT id FROM theories WHERE id = ?", (theory.id,)).fetchone()
            mine = mine or conn.execute("SELECT id FROM theories WHERE name = ? COLLATE NOCASE",
                                        (theory.name,)).fetchone()
            if mine:
                theory_map[theory.id] = mine[0]
                report.theories_matched += 1
                continue
            made = project.add_theory(theory.name, description=theory.description, color=theory.color,
                                      id=theory.id)
            theory_map[theory.id] = made.id
            added.append((made.id, theory.parent_id))
            report.theories_added += 1
            report.added_ids["theories"].append(made.id)
        for new_id, their_parent in added:  # parents once every theory exists
            if their_parent and their_parent in theory_map:
                conn.execute("UPDATE theories SET parent_id = ? WHERE id = ?", (theory_map[their_parent], new_id))

        # ---- sources: text hash
        source_map: dict[str, str] = {}
        for summary in other.list_sources():
            src = other.get_source(summary.id)
            row = conn.execute(f"SELECT id, updated_at, {', '.join(_SOURCE_META)} FROM sources WHERE sha256 = ?",
                               (src.sha256,)).fetchone()
            if row:
                source_map[src.id] = row[0]
                report.sources_matched += 1
                theirs_meta = tuple(getattr(src, f) for f in _SOURCE_META)
                if theirs_meta != tuple(row[2:]) and (src.updated_at or "") > (row[1] or ""):
                    report.sources_before.append((row[0], tuple(row[2:]), row[1]))
                    conn.execute(f"UPDATE sources SET {', '.join(f'{f} = ?' for f in _SOURCE_META)}, "
                                 "updated_at = ? WHERE id = ?", (*theirs_meta, src.updated_at, row[0]))
                    project._changed(Change("source", (row[0],), (row[0],)))
                    report.sources_updated += 1
                continue
            taken = conn.execute("SELECT 1 FROM sources WHERE id = ?", (src.id,)).fetchone()
            new = replace(src, id=str(uuid.uuid4())) if taken else src
            project._insert_source(conn, new)
            project._changed(Change("source", (new.id,), (new.id,)))
            source_map[src.id] = new.id
            report.sources_added += 1
            report.added_ids["sources"].append(new.id)

        # ---- annotations: id; a conflict only when both sides changed it since their common version
        report.versions_before = project.get_meta(VERSIONS_KEY)
        mine_seen, theirs_seen = _records(project), _records(other)
        my_names, their_names = _names(project), _names(other)
        inserts: list[Annotation] = []
        for their_source, my_source in source_map.items():
            for ann in other.annotations_for_source(their_source):
                mapped = replace(
                    ann, source_id=my_source,
                    actor_ids=tuple(sorted({actor_map.get(a, a) for a in ann.actor_ids})),
                    theories=tuple(sorted({theory_map.get(t, t): s for t, s in ann.theories}.items())))
                exists = conn.execute("SELECT 1 FROM annotations WHERE id = ?", (ann.id,)).fetchone()
                if not exists:
                    inserts.append(mapped)
                    continue
                mine = project.get_annotation(ann.id)
                mine_v, theirs_v = _version(mine, my_names), _version(ann, their_names)
                seen = mine_seen.setdefault(ann.id, [])
                if _content(mine) == _content(mapped):
                    report.annotations_unchanged += 1
                    if _edited(mine) and _edited(ann):  # a common version both edited: remember it
                        _remember(seen, mine_v, theirs_v)
                    continue
                newer = (mapped.updated_at or "") > (mine.updated_at or "")
                if theirs_v in seen:
                    take = None  # a version of theirs this project has already reconciled
                elif mine_v in theirs_seen.get(ann.id, ()) or (mine_v in seen and newer):
                    take = "theirs"  # they reconciled ours / ours is unchanged since the common version
                elif _edited(mine) == _edited(ann):
                    take = "conflict"
                else:
                    take = "theirs" if _edited(ann) else "yours"
                if take == "conflict":
                    kept = "theirs" if newer else "yours"
                    report.conflicts.append(Conflict(ann.id, mapped.quote, kept, mine.updated_at,
                                                     mapped.updated_at))
                    take = kept if kept == "theirs" else "conflict-yours"
                if take == "theirs":
                    report.replaced.append(mine)
                    project.replace_annotation(replace(mapped, created_at=mine.created_at))
                    report.annotations_updated += 1
                elif take == "yours":
                    report.annotations_kept += 1
                elif take is None:
                    report.annotations_unchanged += 1
                _remember(seen, mine_v, theirs_v)
        live = {r[0] for r in conn.execute("SELECT id FROM annotations")} | {a.id for a in inserts}
        kept_records = {k: v for k, v in mine_seen.items() if v and k in live}
        if kept_records != _records(project):
            project.set_meta(VERSIONS_KEY, json.dumps(kept_records, sort_keys=True, separators=(",", ":")))
        if inserts:
            project.insert_annotations(inserts)
            report.annotations_added = len(inserts)
            report.added_ids["annotations"] = [a.id for a in inserts if a.source_id not in
                                               report.added_ids["sources"]]
    return report


def _remember(seen: list[str], *versions: str) -> None:
    for v in versions:
        if v in seen:
            seen.remove(v)
        seen.append(v)
    del seen[:-KEEP_VERSIONS]


def undo_merge(project: Project, report: MergeReport) -> None:
    """Take a merge back out, in one transaction (the window's undo)."""
    conn = project.conn
    ids = report.added_ids
    with project.transaction():
        for ann in report.replaced:
            project.replace_annotation(ann)
        for sid, meta, updated in report.sources_before:
            conn.execute(f"UPDATE sources SET {', '.join(f'{f} = ?' for f in _SOURCE_META)}, updated_at = ? "
                         "WHERE id = ?", (*meta, updated, sid))
        conn.executemany("DELETE FROM annotations WHERE id = ?", [(i,) for i in ids["annotations"]])
        conn.executemany("DELETE FROM sources WHERE id = ?", [(i,) for i in ids["sources"]])
        conn.executemany("DELETE FROM theories WHERE id = ?", [(i,) for i in ids["theories"]])
        conn.executemany("DELETE FROM actors WHERE id = ?", [(i,) for i in ids["actors"]])
        if report.versions_before is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (VERSIONS_KEY,))
        else:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (VERSIONS_KEY, report.versions_before))
        project._changed(Change("project"))
