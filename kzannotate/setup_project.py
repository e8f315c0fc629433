"""Creating projects: empty, or with the seeds corpus and the default codebook (first run)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from kzannotate import paths
from kzannotate.formats.codebook_json import import_codebook, parse_codebook
from kzannotate.store import Project
from kzannotate.store.errors import ProjectError
from kzannotate.store.sources import text_sha256
from kzannotate.text.normalize import normalise_text

DEFAULT_CODEBOOK = ("codebook", "kazakhstan-2022.json")
DEFAULT_PROJECT_TITLE = "Kazakhstan, January 2022 (sample)"


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
    """Create a project; with ``seeds`` the file appears only once it is complete (never half-seeded)."""
    path = Path(path)
    if not seeds:
        return Project.create(path, name=name)
    if path.exists() and (path.is_dir() or path.stat().st_size > 0):
        return Project.create(path, name=name)  # raises the right "exists" error
    part = path.with_name(f".{path.name}.part")
    for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    project = Project.create(part, name=name or path.stem)
    try:
        add_seeds(project)
    except BaseException:
        project.close()
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    project.close()
    try:
        os.replace(part, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        raise ProjectError(f"Could not create {path}: {exc.strerror or exc}.") from exc
    return Project.open(path)


def open_default_project() -> Project:
    """The default project in the user data folder, created with the seeds on first run."""
    path: Path = paths.default_project_path()
    if path.exists() and path.stat().st_size > 0:
        return Project.open(path)
    return create_project(path, seeds=True, name=DEFAULT_PROJECT_TITLE)
