"""Our own codebook JSON format (documented in docs/codebook-format.md).

``{"format": "kzannotate-codebook", "version": 1, "name", "description",
"actors": [{"id", "name", "kind", "aliases", "description", "color"}],
"theories": [{"id", "name", "parent", "description", "color"}]}`` — ``parent`` is a theory name, in the
file or already in the project it is imported into.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kzannotate.store.errors import UserError, ValidationError
from kzannotate.store.models import ACTOR_KINDS

FORMAT = "kzannotate-codebook"
VERSION = 1


class CodebookFormatError(UserError):
    pass


@dataclass
class CodebookImportReport:
    actors_added: list[str] = field(default_factory=list)
    actors_updated: list[str] = field(default_factory=list)
    theories_added: list[str] = field(default_factory=list)
    theories_skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.actors_added)} actors added, {len(self.actors_updated)} updated with new aliases; "
                f"{len(self.theories_added)} theories added, {len(self.theories_skipped)} already present.")


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise CodebookFormatError(f"Not a valid kzannotate codebook: {message}.")


def parse_codebook(data: Any) -> dict[str, Any]:
    """Check the structure; raise ``CodebookFormatError`` naming the first problem."""
    _require(isinstance(data, dict), "the top level must be an object")
    _require(data.get("format") == FORMAT, f'"format" must be "{FORMAT}"')
    _require(isinstance(data.get("version"), int) and data["version"] <= VERSION,
             f'"version" must be a number up to {VERSION}')
    actors = data.get("actors", [])
    theories = data.get("theories", [])
    _require(isinstance(actors, list) and isinstance(theories, list), '"actors" and "theories" must be lists')
    for i, a in enumerate(actors):
        _require(isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip(),
                 f"actor {i + 1} has no name")
        _require(a.get("kind", "person") in ACTOR_KINDS, f"actor {a['name']!r} has an unknown kind")
        _require(isinstance(a.get("aliases", []), list) and all(isinstance(x, str) for x in a.get("aliases", [])),
                 f"the aliases of {a['name']!r} must be a list of text")
    for kind, items in (("actor", actors), ("theory", theories)):
        for item in items:
            if not isinstance(item, dict):
                continue
            for key in ("id", "description", "color", "parent", "kind"):
                _require(item.get(key) is None or isinstance(item.get(key), str),
                         f"the {key} of {kind} {item.get('name')!r} must be text")
    names = set()
    for i, t in enumerate(theories):
        _require(isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"].strip(),
                 f"theory {i + 1} has no name")
        names.add(t["name"].casefold())
    for t in theories:
        parent = t.get("parent")
        _require(parent is None or (isinstance(parent, str) and parent.strip()),
                 f"the parent of theory {t['name']!r} must be a theory name")
    return data


def load_codebook_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CodebookFormatError(f"Cannot read {Path(path).name}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise CodebookFormatError(f"{Path(path).name} is not UTF-8 text.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CodebookFormatError(
            f"{Path(path).name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from exc
    return parse_codebook(data)


def import_codebook(project, data: dict[str, Any]) -> CodebookImportReport:
    """Add the codebook's actors and theories, in one transaction. Existing names gain new aliases."""
    data = parse_codebook(data)
    report = CodebookImportReport()
    with project.transaction():
        for a in data.get("actors", []):
            existing = project.actor_by_name(a["name"])
            if existing is None and a.get("id"):
                try:
                    existing = project.get_actor(a["id"])
                except UserError:
                    existing = None
            if existing is None:
                project.add_actor(a["name"], kind=a.get("kind", "person"), aliases=a.get("aliases", []),
                                  description=a.get("description"), color=a.get("color"), id=a.get("id"))
                report.actors_added.append(a["name"])
            else:
                new = [x for x in a.get("aliases", []) if x.casefold() not in
                       {y.casefold() for y in existing.spellings}]
                if new:
                    project.update_actor(existing.id, aliases=[*existing.aliases, *new])
                    report.actors_updated.append(existing.name)
        existing_theories = project.list_theories()
        by_name: dict[str, str] = {t.name.casefold(): t.id for t in existing_theories}
        ids = {t.id for t in existing_theories}
        pending = list(data.get("theories", []))
        in_file = {t["name"].casefold() for t in pending}
        for t in pending:  # a parent may be in the file or already in the project
            parent = t.get("parent")
            if parent and parent.casefold() not in in_file and parent.casefold() not in by_name:
                raise CodebookFormatError(f"The parent of theory “{t['name']}” (“{parent}”) is neither in the "
                                          "file nor in the project.")
        while pending:  # parents first, whatever the file's order
            progressed = False
            for t in list(pending):
                parent = t.get("parent")
                if parent and parent.casefold() not in by_name:
                    continue
                pending.remove(t)
                progressed = True
                if t["name"].casefold() in by_name:
                    report.theories_skipped.append(t["name"])
                    continue
                if t.get("id") in ids:  # the same theory, renamed in this project since the export
                    by_name[t["name"].casefold()] = t["id"]
                    report.theories_skipped.append(t["name"])
                    continue
                theory = project.add_theory(t["name"], parent_id=by_name.get(parent.casefold()) if parent else None,
                                            description=t.get("description"), color=t.get("color"),
                                            id=t.get("id"))
                by_name[theory.name.casefold()] = theory.id
                report.theories_added.append(theory.name)
            if not progressed:
                raise ValidationError("The codebook's theory tree has a cycle.")
    return report


def export_codebook(project, *, name: str | None = None) -> dict[str, Any]:
    theories = project.list_theories()
    names = {t.id: t.name for t in theories}
    return {
        "format": FORMAT, "version": VERSION, "name": name or project.name, "description": None,
        "actors": [{"id": a.id, "name": a.name, "kind": a.kind, "aliases": list(a.aliases),
                    "description": a.description, "color": a.color} for a in project.list_actors()],
        "theories": [{"id": t.id, "name": t.name, "parent": names.get(t.parent_id) if t.parent_id else None,
                      "description": t.description, "color": t.color} for t in theories],
    }


def write_codebook_file(project, path: str | os.PathLike[str]) -> None:
    from kzannotate.formats.atomic import atomic_write_text

    atomic_write_text(path, json.dumps(export_codebook(project), ensure_ascii=False, indent=2) + "\n")
