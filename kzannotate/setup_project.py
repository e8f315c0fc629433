"""Creating projects: empty, or with the seeds corpus and the default codebook (first run)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from kzannotate import paths
from kzannotate.formats.codebook_json import import_codebook, parse_codebook
from kzannotate.store import Project
from kzannotate.store.sources import text_sha256
from kzannotate.text.normalize import normalise_text

DEFAULT_CODEBOOK = ("codebook", "kazakhstan-2022.json")


def default_codebook() -> dict:
    return parse_codebook(json.loads(paths.resource(*DEFAULT_CODEBOOK).read_text(encoding="utf-8")))


def seed_entries() -> list[dict]:
    return json.loads(paths.seed("sources.json").read_text(encoding="utf-8"))["sources"]


def add_seeds(project: Project) -> None:
    """Import the five sample texts with their metadata and the default codebook, in one transaction."""
    with project.transaction():
        import_codebook(project, default_codebook())
        for entry in seed_entries():
            text = normalise_text(paths.seed(entry["file"]).read_text(encoding="utf-8"))
            if project.source_by_sha256(text_sha256(text)):
                continue
            meta = {k: entry.get(k) for k in ("author", "outlet", "published", "url", "language",
                                               "reliability", "notes")}
            project.add_source(text, entry["title"], imported_from=f"seeds/{entry['file']}", **meta)


def create_project(path: str | os.PathLike[str], *, seeds: bool = False, name: str | None = None) -> Project:
    project = Project.create(path, name=name)
    if seeds:
        add_seeds(project)
    return project


def open_default_project() -> Project:
    """The default project in the user data folder, created with the seeds on first run."""
    path: Path = paths.default_project_path()
    if path.exists() and path.stat().st_size > 0:
        return Project.open(path)
    return create_project(path, seeds=True, name="Kazakhstan, January 2022 (sample)")
