"""Undo steps for the codebook: create, edit, delete and merge actors and theories, annotate mentions.

As everywhere in kzannotate, the store call runs once in ``apply()`` *before* the command is pushed (so a
``UserError`` reaches the caller and nothing lands on the stack); ``redo()`` skips that first run and later
replays exact snapshots. A failure during undo/redo (e.g. the file became read-only) is reported and makes
the command obsolete, so the stack never lies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kzannotate.store import Project
from kzannotate.store.annotations import NewAnnotation
from kzannotate.store.codebook import CodeSnapshot, MergeSnapshot
from kzannotate.store.models import Actor, Annotation, Theory
from kzannotate.text.mentions import Mention
from kzannotate.ui.undo_commands import Report, StoreCommand


class CodebookCommand(StoreCommand):
    def __init__(self, project: Project, text: str, report: Report | None = None) -> None:
        super().__init__(project, text, report=report)

    def apply(self) -> Any:
        raise NotImplementedError


def _kind_word(kind: str) -> str:
    return "Actor" if kind == "actor" else "Theory"


class AddCodeCommand(CodebookCommand):
    """Create an actor or theory; undo deletes it, redo restores the very same row (same id)."""

    def __init__(self, project: Project, kind: str, name: str, fields: dict[str, Any], **kw: Any) -> None:
        super().__init__(project, f"New {_kind_word(kind).lower()} “{name}”", **kw)
        self.kind, self.name, self.fields = kind, name, fields
        self.code: Actor | Theory | None = None
        self.snapshot: CodeSnapshot | None = None

    def apply(self) -> Actor | Theory:
        add = self.project.add_actor if self.kind == "actor" else self.project.add_theory
        self.code = add(self.name, **self.fields)
        return self.code

    def _undo(self) -> None:
        assert self.code is not None
        delete = self.project.delete_actor if self.kind == "actor" else self.project.delete_theory
        self.snapshot = delete(self.code.id)

    def _redo(self) -> None:
        assert self.snapshot is not None
        self.project.restore_code(self.snapshot)


class EditCodeCommand(CodebookCommand):
    """Change fields of an actor or theory (rename, recolour, aliases...); undo sets the old values."""

    def __init__(self, project: Project, kind: str, code_id: str, fields: dict[str, Any], text: str = "",
                 **kw: Any) -> None:
        super().__init__(project, text or f"Edit {_kind_word(kind).lower()}", **kw)
        self.kind, self.code_id, self.fields = kind, code_id, dict(fields)
        self.old: dict[str, Any] = {}

    def _update(self, fields: dict[str, Any]) -> Actor | Theory:
        update = self.project.update_actor if self.kind == "actor" else self.project.update_theory
        return update(self.code_id, **fields)

    def apply(self) -> Actor | Theory:
        before = self._update(self.fields)
        self.old = {k: getattr(before, k) for k in self.fields}
        return before

    def _undo(self) -> None:
        self._update(self.old)

    def _redo(self) -> None:
        self._update(self.fields)


class DeleteCodeCommand(CodebookCommand):
    """Delete one or several actors (or theories), given as ``(id, name)``: one transaction, one undo step.

    Undo restores them in reverse order, so a sub-theory deleted with its parent gets its parent back.
    """

    def __init__(self, project: Project, kind: str, codes: Sequence[tuple[str, str]], **kw: Any) -> None:
        n = len(codes)
        text = (f"Delete {_kind_word(kind).lower()} “{codes[0][1]}”" if n == 1 else
                f"Delete {n} {'actors' if kind == 'actor' else 'theories'}")
        super().__init__(project, text, **kw)
        self.kind, self.code_ids = kind, [code_id for code_id, _name in codes]
        self.snapshots: list[CodeSnapshot] = []

    def apply(self) -> list[CodeSnapshot]:
        delete = self.project.delete_actor if self.kind == "actor" else self.project.delete_theory
        with self.project.transaction():
            snapshots = [delete(code_id) for code_id in self.code_ids]
        self.snapshots = snapshots
        return snapshots

    def _undo(self) -> None:
        with self.project.transaction():
            for snapshot in reversed(self.snapshots):
                self.project.restore_code(snapshot)

    def _redo(self) -> None:
        self.apply()


class MergeCodesCommand(CodebookCommand):
    def __init__(self, project: Project, kind: str, keep_id: str, drop_ids: Sequence[str], keep_name: str,
                 **kw: Any) -> None:
        n = len(drop_ids)
        super().__init__(project, f"Merge {n + 1} {'actors' if kind == 'actor' else 'theories'} "
                                  f"into “{keep_name}”", **kw)
        self.kind, self.keep_id, self.drop_ids = kind, keep_id, list(drop_ids)
        self.snapshot: MergeSnapshot | None = None

    def apply(self) -> MergeSnapshot:
        merge = self.project.merge_actors if self.kind == "actor" else self.project.merge_theories
        self.snapshot = merge(self.keep_id, self.drop_ids)
        return self.snapshot

    def _undo(self) -> None:
        assert self.snapshot is not None
        self.project.unmerge(self.snapshot)

    def _redo(self) -> None:
        self.apply()


class AnnotateMentionsCommand(CodebookCommand):
    """Annotate many mentions at once (actor linked, other fields at their defaults): one transaction."""

    def __init__(self, project: Project, mentions: Sequence[Mention], actor_name: str, annotator: str | None = None,
                 **kw: Any) -> None:
        n = len(mentions)
        super().__init__(project, f"Annotate {n} mention{'s' if n != 1 else ''} of “{actor_name}”", **kw)
        self.mentions = list(mentions)
        self.annotator = annotator
        self.made: list[Annotation] = []

    def apply(self) -> list[Annotation]:
        self.made = self.project.add_annotations(
            NewAnnotation(m.source_id or "", m.start, m.end, actor_ids=(m.actor_id,), annotator=self.annotator)
            for m in self.mentions)
        return self.made

    def _undo(self) -> None:
        self.project.delete_annotations([a.id for a in self.made])

    def _redo(self) -> None:
        self.project.insert_annotations(self.made)


class ImportCodebookCommand(CodebookCommand):
    """Import a codebook file (new actors and theories, new aliases for known actors) as one undo step."""

    def __init__(self, project: Project, data: dict[str, Any], file_name: str, **kw: Any) -> None:
        super().__init__(project, f"Import codebook {file_name}", **kw)
        self.data = data
        self.added: list[CodeSnapshot] = []  # parents before children
        self.aliases: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []  # (actor id, before, after)

    def apply(self) -> Any:
        from kzannotate.formats.codebook_json import import_codebook

        actors = {a.id: a for a in self.project.list_actors()}
        theories = {t.id for t in self.project.list_theories()}
        with self.project.transaction():
            report = import_codebook(self.project, self.data)
        now_theories = self.project.list_theories()
        for a in self.project.list_actors():
            if a.id not in actors:
                self.added.append(CodeSnapshot("actor", self.project._row("actors", a.id), ()))
            elif a.aliases != actors[a.id].aliases:
                self.aliases.append((a.id, actors[a.id].aliases, a.aliases))
        new = {t.id: t for t in now_theories if t.id not in theories}
        done: set[str] = set()
        while len(done) < len(new):
            for t in new.values():
                if t.id not in done and (t.parent_id not in new or t.parent_id in done):
                    self.added.append(CodeSnapshot("theory", self.project._row("theories", t.id), ()))
                    done.add(t.id)
        return report

    def _undo(self) -> None:
        with self.project.transaction():
            for actor_id, before, _after in self.aliases:
                self.project.update_actor(actor_id, aliases=before)
            for snap in reversed(self.added):
                if snap.kind == "actor":
                    self.project.delete_actor(snap.row["id"])
                else:
                    self.project.delete_theory(snap.row["id"])

    def _redo(self) -> None:
        with self.project.transaction():
            for snap in self.added:
                self.project.restore_code(snap)
            for actor_id, _before, after in self.aliases:
                self.project.update_actor(actor_id, aliases=after)
