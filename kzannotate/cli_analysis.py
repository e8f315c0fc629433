"""``kzannotate search`` and ``kzannotate report``: the same numbers as the analysis views."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kzannotate.cli import command
from kzannotate.store import Project

REPORTS = ("actor-theory", "ach", "sources")


def _setup_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("query", help='words (all must occur), "a phrase", prefix*; anything else is literal')
    p.add_argument("--json", action="store_true", help="print JSON: [{source_id, start, end, snippet}]")


@command("search", "full-text search across all sources (same as the search panel)")(_setup_search)
def cmd_search(args: argparse.Namespace) -> int:
    from kzannotate.store.search import search

    with Project.open(args.project, read_only=True) as project:
        result = search(project, args.query)
    if args.json:
        json.dump([h.to_json() for h in result.hits], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if result.truncated:
        print("(the query was shortened to its first 1000 characters)", file=sys.stderr)
    for hit in result.hits:
        print(f"{hit.title}\t{hit.start}-{hit.end}\t{hit.snippet}")
    for _, title in result.title_only:
        print(f"{title}\t(title)")
    n = len(result.hits)
    print(f"{n} hit{'s' if n != 1 else ''} in {len({h.source_id for h in result.hits})} sources",
          file=sys.stderr)
    return 0


def _setup_report(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("--what", choices=REPORTS, required=True,
                   help="actor-theory matrix, ACH theory assessment, or sources overview")
    p.add_argument("--weighted", action="store_true",
                   help="weight by reliability × credibility (the weights saved with the project)")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("--sensitivity", action="store_true",
                   help="ach: add re-rankings (unweighted, without E/5 and F/6, without each source)")


def build_report(project: Project, what: str, *, weighted: bool, sensitivity: bool = False
                 ) -> tuple[dict[str, object], str]:
    """(JSON value, CSV text) for one report; the views call the same analysis functions."""
    from kzannotate.analysis import ach, data, matrix, sources_overview
    from kzannotate.analysis.evidence import repeats_for
    from kzannotate.analysis.weights import project_weights

    dataset = data.load(project)
    weights = project_weights(project)
    if what == "actor-theory":
        m = matrix.actor_theory_matrix(dataset, weights)
        value = m.to_json()
        value["weighted"] = weighted
        return value, m.to_csv(weighted)
    if what == "sources":
        o = sources_overview.sources_overview(dataset, weights, weighted=weighted)
        return o.to_json(), o.to_csv()
    repeats = repeats_for(project, dataset)
    result = ach.assess(dataset, weights, repeats=repeats, weighted=weighted)
    value = result.to_json()
    if sensitivity:
        value["sensitivity"] = ach.sensitivity_json(
            ach.sensitivity(dataset, weights, repeats=repeats, baseline=result))
    return value, result.to_csv()


@command("report", "the actor × theory matrix, ACH assessment or sources overview as JSON or CSV")(_setup_report)
def cmd_report(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        value, text = build_report(project, args.what, weighted=args.weighted, sensitivity=args.sensitivity)
    if args.format == "json":
        json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text)
    return 0
