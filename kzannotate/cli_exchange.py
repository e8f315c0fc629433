"""``kzannotate export`` and ``kzannotate merge`` (the REFI-QDA import rides on ``kzannotate import``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kzannotate.cli import command, open_for_writing
from kzannotate.formats.exports import FORMATS
from kzannotate.store import Project


def _setup_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("--format", "-f", required=True, choices=sorted(FORMATS), metavar="FORMAT",
                   help=f"one of: {', '.join(FORMATS)}")
    p.add_argument("-o", "--output", required=True, type=Path, help="file to write (replaced all at once)")
    p.add_argument("--source", action="append", dest="sources", metavar="ID",
                   help="only this source (repeat for several)")
    p.add_argument("--annotator", metavar="NAME", help="only this annotator's annotations")
    p.add_argument("--bom", action="store_true", help="CSV: start with a byte-order mark (for Excel)")


@command("export", "write the annotations as csv, jsonl, w3c, qdpx, qdc, html, rtf or sqlite")(_setup_export)
def cmd_export(args: argparse.Namespace) -> int:
    from kzannotate.formats.common import Scope
    from kzannotate.formats.exports import run_export

    scope = Scope(tuple(args.sources) if args.sources else None, args.annotator or None)
    with Project.open(args.project, read_only=True) as project:
        result = run_export(project, args.format, args.output, scope=scope, bom=args.bom)
    print(result.summary())
    if args.annotator and result.count == 0 and args.format != "qdc":
        print(f"kzannotate: note: no annotations by {args.annotator!r} in scope.", file=sys.stderr)
    return 0


def _setup_merge(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path, help="the project to merge into")
    p.add_argument("other", type=Path, help="another analyst's .kza (read only)")


@command("merge", "bring another analyst's project into this one; prints what changed")(_setup_merge)
def cmd_merge(args: argparse.Namespace) -> int:
    from kzannotate.store.merge import merge_project

    with open_for_writing(args.project) as project:
        report = merge_project(project, args.other)
    print(report.summary())
    return 0
