"""Every export format in one table: the CLI, the Export dialog and the tests use it.

``run_export`` reads one consistent snapshot of the project and writes the file all-or-nothing.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kzannotate.formats.atomic import ExportError
from kzannotate.formats.common import ExportContext, Progress, Scope

if TYPE_CHECKING:
    from kzannotate.store.project import Project


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    suffix: str
    module: str
    function: str = "export"
    snapshot: bool = True  # read inside one transaction (sqlite copies take their own snapshot)
    filterable: bool = True  # honours source/annotator scope

    def file_filter(self) -> str:
        return f"{self.label} (*{self.suffix})"


FORMATS: dict[str, ExportFormat] = {f.key: f for f in (
    ExportFormat("csv", "CSV spreadsheet", ".csv", "kzannotate.formats.csv_export"),
    ExportFormat("jsonl", "JSON Lines", ".jsonl", "kzannotate.formats.jsonl_export"),
    ExportFormat("w3c", "W3C Web Annotation (JSON-LD)", ".jsonld", "kzannotate.formats.w3c"),
    ExportFormat("qdpx", "REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder)", ".qdpx",
                 "kzannotate.formats.qdpx"),
    ExportFormat("qdc", "REFI-QDA codebook", ".qdc", "kzannotate.formats.qdpx", "export_codebook",
                 filterable=False),
    ExportFormat("html", "HTML report", ".html", "kzannotate.formats.report", "export_html"),
    ExportFormat("rtf", "RTF report (Word, LibreOffice)", ".rtf", "kzannotate.formats.report", "export_rtf"),
    ExportFormat("sqlite", "SQLite database (Datasette)", ".sqlite", "kzannotate.formats.sqlite_copy",
                 snapshot=False),
)}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    count: int
    format: ExportFormat
    extra: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()  # things the user should know (e.g. where the metadata went instead)

    def summary(self) -> str:
        what = "codes" if self.format.key == "qdc" else "annotations"
        extra = "".join(f" and {p.name}" for p in self.extra)
        notes = "".join(f"\nnote: {n}." for n in self.notes)
        return f"wrote {self.path}{extra}: {self.count} {what} ({self.format.label}){notes}"


def get_format(key: str) -> ExportFormat:
    try:
        return FORMATS[key.lower()]
    except KeyError:
        raise ExportError(f"Unknown export format {key!r}; choose one of {', '.join(FORMATS)}.") from None


def run_export(project: Project, fmt: str, path: str | os.PathLike[str], *, scope: Scope | None = None,
               progress: Progress | None = None, bom: bool = False) -> ExportResult:
    """Export ``project`` as ``fmt`` to ``path``; raises ``ExportError`` (a UserError) on failure."""
    spec = get_format(fmt)
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name.")
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist.")
    if path.resolve() == Path(project.path).resolve():
        raise ExportError("Refusing to overwrite the project itself; choose another file name.")
    func = getattr(importlib.import_module(spec.module), spec.function)
    ctx = ExportContext(project, scope)
    if spec.snapshot:
        with ctx.snapshot():
            out = func(ctx, path, progress=progress, bom=bom)
    else:
        out = func(ctx.load(), path, progress=progress, bom=bom)
    if isinstance(out, tuple):
        count, extra, *notes = out
        return ExportResult(path, count, spec, tuple(extra), tuple(notes[0]) if notes else ())
    return ExportResult(path, out, spec)
