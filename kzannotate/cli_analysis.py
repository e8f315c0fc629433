"""``kzannotate search`` and ``kzannotate report``: the same numbers as the analysis views."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kzannotate.analysis.ach import CSV_TABLES
from kzannotate.cli import argv_hook, command
from kzannotate.store import Project

REPORTS = ("actor-theory", "ach", "sources")


SEARCH_FLAGS = ("--json", "--help", "-h")  # the options of ``search``; none takes a value


def _setup_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("query", nargs="+", metavar="QUERY",
                   help='words (all must occur), "a phrase", prefix*; anything else is literal, including a '
                        "leading - (kzannotate search p.kza -Tokayev finds Tokayev; it excludes nothing)")
    p.add_argument("--json", action="store_true", help="print JSON: [{source_id, start, end, snippet}]")
    p.epilog = ("Every word after the project except --json and -h/--help is part of the query; "
                "after -- every word is.")


def _is_search_flag(token: str) -> bool:
    if token in SEARCH_FLAGS:
        return True
    return token.startswith("--") and len(token) > 2 and any(f.startswith(token) for f in SEARCH_FLAGS)


@argv_hook("search")
def search_argv(args: list[str]) -> list[str]:
    """Read the query as free text, the way the search panel does.

    argparse takes ``-Tokayev`` for an unknown option, yet ``-`` means nothing to the search (it is a
    separator, never NOT). So every token after the project that is not one of the command's own options,
    and everything after ``--``, is a query word; they are passed on after ``--`` so argparse keeps them.
    """
    options: list[str] = []
    words: list[str] = []
    project: str | None = None
    literal = False
    for token in args:
        if not literal and token == "--":
            literal = True
        elif not literal and _is_search_flag(token):
            options.append(token)
        elif project is None:
            if not literal and token.startswith("-") and token != "-":
                options.append(token)  # before the project: a real unknown option, argparse says so
            else:
                project = token
        else:
            words.append(token)
    if project is None:
        return [*options, *(["--"] if literal else [])]
    return [*options, "--", project, *words]


@command("search", "full-text search across all sources (same as the search panel)")(_setup_search)
def cmd_search(args: argparse.Namespace) -> int:
    from kzannotate.store.search import search

    with Project.open(args.project, read_only=True) as project:
        result = search(project, " ".join(args.query))
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
    p.add_argument("--table", choices=CSV_TABLES, default=None,
                   help="ach as csv: which table to write, the theory ranking (default) or the evidence "
                        "matrix (a CSV file holds one table; JSON has both)")


def build_report(project: Project, what: str, *, weighted: bool, sensitivity: bool = False,
                 table: str = "theories") -> tuple[dict[str, object], str]:
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
    return value, result.to_csv(table)


@command("report", "the actor × theory matrix, ACH assessment or sources overview as JSON or CSV")(_setup_report)
def cmd_report(args: argparse.Namespace) -> int:
    if args.table is not None and (args.what != "ach" or args.format != "csv"):
        print("kzannotate report: error: --table applies to --what ach --format csv only", file=sys.stderr)
        return 2
    with Project.open(args.project, read_only=True) as project:
        value, text = build_report(project, args.what, weighted=args.weighted, sensitivity=args.sensitivity,
                                   table=args.table or "theories")
    if args.format == "json":
        json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text)
    return 0
