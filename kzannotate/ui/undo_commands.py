"""Undo steps for annotations, actors created on the fly, source metadata and imports.

Each command's first action runs *before* it is pushed (``apply()``, which may raise ``UserError`` for the
caller to show): a command whose store call failed never lands on the stack. ``redo()`` skips that first
run; later undo/redo calls replay exact snapshots. Failures during undo/redo (e.g. the file became
read-only) are reported through ``report`` and make the command obsolete, so the stack never lies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from kzannotate.store import Project
from kzannotate.store.errors import UserError
from kzannotate.store.models import Annotation, Source
from kzannotate.store.sources import SourceSnapshot

Reveal = Callable[[str | None, str | None], None]  # (source_id, annotation_id) after undo/redo
Report = Callable[[UserError], None]

NOTE_MERGE_ID = 0x4B5A01
NOTE_MERGE_SECONDS = 30.0


def _short(text: str, n: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


class StoreCommand(QUndoCommand):
    """Base of every store-backed undo step (annotations, sources, codebook): replay, report, go obsolete."""

    def __init__(self, project: Project, text: str, reveal: Reveal | None = None,
                 report: Report | None = None) -> None:
        super().__init__(text)
        self.project = project
        self.reveal = reveal
        self.report = report
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._guard(self._redo)

    def undo(self) -> None:
        self._guard(self._undo)

    def _guard(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except UserError as exc:
            self.setObsolete(True)
            if self.report:
                self.report(exc)

    def _redo(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def _reveal(self, source_id: str | None, annotation_id: str | None) -> None:
        if self.reveal:
            self.reveal(source_id, annotation_id)


class CreateAnnotationCommand(StoreCommand):
    def __init__(self, project: Project, source_id: str, start: int, end: int, fields: dict[str, Any],
                 **kw: Any) -> None:
        super().__init__(project, "Annotate", **kw)
        self.args = (source_id, start, end)
        self.fields = fields
        self.annotation: Annotation | None = None

    def apply(self) -> Annotation:
        self.annotation = self.project.add_annotation(*self.args, **self.fields)
        self.setText(f"Annotate “{_short(self.annotation.quote)}”")
        return self.annotation

    def _redo(self) -> None:
        assert self.annotation is not None
        self.project.insert_annotations([self.annotation])
        self._reveal(self.annotation.source_id, self.annotation.id)

    def _undo(self) -> None:
        assert self.annotation is not None
        self.project.delete_annotation(self.annotation.id)
        self._reveal(self.annotation.source_id, None)


class UpdateAnnotationCommand(StoreCommand):
    """One edit of one annotation (actors, theories, rating, note). Note edits in a row merge."""

    def __init__(self, project: Project, annotation_id: str, label: str, fields: dict[str, Any],
                 **kw: Any) -> None:
        super().__init__(project, label, **kw)
        self.annotation_id = annotation_id
        self.fields = fields
        self.before: Annotation | None = None
        self.after: Annotation | None = None
        self.sealed = False
        self.stamp = time.monotonic()

    def apply(self) -> Annotation:
        self.before = self.project.get_annotation(self.annotation_id)
        self.after = self.project.update_annotation(self.annotation_id, **self.fields)
        return self.after

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def id(self) -> int:  # noqa: A003 (Qt override)
        return NOTE_MERGE_ID if set(self.fields) == {"note"} else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt override)
        if not isinstance(other, UpdateAnnotationCommand) or self.sealed:
            return False
        if other.annotation_id != self.annotation_id or other.id() != self.id():
            return False
        if other.stamp - self.stamp > NOTE_MERGE_SECONDS:
            return False
        self.after = other.after
        self.stamp = other.stamp
        if self.before == self.after:
            self.setObsolete(True)
        return True

    def _redo(self) -> None:
        assert self.after is not None
        self.project.replace_annotation(self.after)
        self._reveal(self.after.source_id, self.after.id)

    def _undo(self) -> None:
        assert self.before is not None
        self.project.replace_annotation(self.before)
        self._reveal(self.before.source_id, self.before.id)


class DeleteAnnotationCommand(StoreCommand):
    def __init__(self, project: Project, annotation_id: str, **kw: Any) -> None:
        super().__init__(project, "Delete annotation", **kw)
        self.annotation_id = annotation_id
        self.annotation: Annotation | None = None

    def apply(self) -> Annotation:
        self.annotation = self.project.delete_annotation(self.annotation_id)
        self.setText(f"Delete annotation “{_short(self.annotation.quote)}”")
        return self.annotation

    def _redo(self) -> None:
        assert self.annotation is not None
        self.project.delete_annotation(self.annotation.id)
        self._reveal(self.annotation.source_id, None)

    def _undo(self) -> None:
        assert self.annotation is not None
        self.project.insert_annotations([self.annotation])
        self._reveal(self.annotation.source_id, self.annotation.id)


class CreateActorCommand(StoreCommand):
    """An actor typed into the annotation panel; with ``link_to`` (an annotation being edited) it is also
    linked to that annotation, in the same transaction and undo step. (The codebook dock has its own,
    richer commands.)"""

    def __init__(self, project: Project, name: str, link_to: str | None = None, **kw: Any) -> None:
        text = f"Add actor “{_short(name)}”" + (" and link it" if link_to else "")
        super().__init__(project, text, **kw)
        self.name = name
        self.link_to = link_to
        self.actor_id: str | None = None
        self.snapshot = None
        self.before: Annotation | None = None  # the linked annotation before and after
        self.after: Annotation | None = None

    def apply(self) -> str:
        with self.project.transaction():
            actor = self.project.add_actor(self.name)
            if self.link_to is not None:
                self.before = self.project.get_annotation(self.link_to)
                self.after = self.project.update_annotation(
                    self.link_to, actor_ids=sorted({*self.before.actor_ids, actor.id}))
        self.actor_id = actor.id
        return actor.id

    def _redo(self) -> None:
        with self.project.transaction():
            if self.snapshot is not None:
                self.project.restore_code(self.snapshot)
            else:
                self.project.add_actor(self.name, id=self.actor_id)
            if self.after is not None:
                self.project.replace_annotation(self.after)
        if self.after is not None:
            self._reveal(self.after.source_id, self.after.id)

    def _undo(self) -> None:
        assert self.actor_id is not None
        with self.project.transaction():
            if self.before is not None:
                self.project.replace_annotation(self.before)
            self.snapshot = self.project.delete_actor(self.actor_id)
        if self.before is not None:
            self._reveal(self.before.source_id, self.before.id)


class EditSourceCommand(StoreCommand):
    """Source metadata (title, outlet, reliability letter...) edited in the source dialog."""

    def __init__(self, project: Project, source_id: str, fields: dict[str, Any], **kw: Any) -> None:
        super().__init__(project, "Edit source details", **kw)
        self.source_id = source_id
        self.fields = fields
        self.old: dict[str, Any] = {}

    def apply(self) -> Source:
        before: Source = self.project.update_source(self.source_id, **self.fields)
        self.old = {k: getattr(before, k) for k in self.fields}
        if list(self.fields) == ["reliability"]:
            self.setText("Change source reliability")
        self.setText(f"{self.text()} of “{_short(before.title, 24)}”")
        return before

    def _redo(self) -> None:
        self.project.update_source(self.source_id, **self.fields)
        self._reveal(self.source_id, None)

    def _undo(self) -> None:
        self.project.restore_source_fields(self.source_id, self.old)  # exact old values, unvalidated
        self._reveal(self.source_id, None)


class ImportSourcesCommand(StoreCommand):
    """Sources already added by an import; undo removes them (with any annotations made since)."""

    def __init__(self, project: Project, source_ids: list[str], **kw: Any) -> None:
        n = len(source_ids)
        super().__init__(project, f"Import {n} source{'s' if n != 1 else ''}", **kw)
        self.source_ids = list(source_ids)
        self.snapshots: list[SourceSnapshot] = []

    def _redo(self) -> None:
        with self.project.transaction():
            for snap in self.snapshots:
                self.project.restore_source(snap)
        self.snapshots = []

    def _undo(self) -> None:
        with self.project.transaction():
            self.snapshots = [self.project.delete_source(i) for i in self.source_ids]
