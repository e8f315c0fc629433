"""Command line: a thin layer over the same functions the window uses.

Exit status: 0 success, 1 a user error (one line on stderr, no traceback), 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kzannotate import __version__
from kzannotate.store import Project
from kzannotate.store.errors import ProjectNotFoundError, UserError

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], argparse.ArgumentParser], Handler]] = {}
# Per command, a rewrite of its arguments before argparse sees them (``search -Tokayev``: free text).
ARGV_HOOKS: dict[str, Callable[[list[str]], list[str]]] = {}


def command(name: str, help: str):
    """Register a subcommand: the decorated function adds its arguments, ``handler`` does the work."""

    def wrap(setup: Callable[[argparse.ArgumentParser], None]):
        def add(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
            parser = sub.add_parser(name, help=help, description=help)
            setup(parser)
            return parser

        def register(handler: Handler) -> Handler:
            COMMANDS[name] = (add, handler)
            return handler

        return register

    return wrap


def open_for_writing(path: Path) -> Project:
    """Open a project that a command is about to change, backing it up first (issue 7: rolling backups).

    The copy is taken once the project's lock is held, so nothing else writes between the backup and our
    change, and it follows the window's policy (no new copy if a young enough one exists). A failed backup
    must not stop the command: it prints one warning line on stderr.
    """
    from kzannotate.store import backup

    project = Project.open(path)
    try:
        backup.backup_if_due(project.path)
    except Exception as exc:  # never let a backup problem stop the user's command
        why = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        print(f"kzannotate: warning: no backup was made before changing {path.name}: {one_line(why)}",
              file=sys.stderr)
    except BaseException:
        project.close()
        raise
    return project


def argv_hook(name: str):
    """Register a rewrite of a command's arguments, applied before argparse parses them."""

    def register(hook: Callable[[list[str]], list[str]]) -> Callable[[list[str]], list[str]]:
        ARGV_HOOKS[name] = hook
        return hook

    return register


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type=``: a whole number not below ``minimum`` (else a usage error, exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return parse


def positive_number(text: str) -> float:
    """An argparse ``type=``: a finite number above zero (sizes such as ``--max-mb``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {text}")
    return value


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# ------------------------------------------------------------------ commands
def _setup_new(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("--seeds", action="store_true", help="add the five sample sources and the default codebook")


@command("new", "create a project, empty or with the seeds corpus and codebook")(_setup_new)
def cmd_new(args: argparse.Namespace) -> int:
    from kzannotate.setup_project import create_project

    path = args.project if args.project.suffix else args.project.with_suffix(".kza")
    with create_project(path, seeds=args.seeds) as project:
        info = project.info()
    print(f"created {path}: {info['sources']} sources, {info['actors']} actors, {info['theories']} theories")
    return 0


def _setup_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--max-mb", type=positive_number, default=50.0,
                   help="refuse files larger than this many MB (default 50)")


@command("import", "add sources; one line per file: added, or why not")(_setup_import)
def cmd_import(args: argparse.Namespace) -> int:
    from kzannotate.text.importer import import_files

    refused = 0
    with open_for_writing(args.project) as project:
        handlers = _exchange_importers()
        plain = []
        for f in args.files:
            handler = handlers.get(f.suffix.lower())
            if handler is None:
                plain.append(f)
                continue
            try:
                print(handler(project, f))
            except UserError as exc:
                refused += 1
                print(f"refused: {f.name}: {exc}")
        for result in import_files(project, plain, max_bytes=int(args.max_mb * 1024 * 1024)):
            print(result.line())
            refused += not result.ok
    return 1 if refused else 0


def _exchange_importers() -> dict[str, Callable[[Project, Path], str]]:
    """File types that are whole projects rather than sources (REFI-QDA), by suffix."""
    try:
        from kzannotate.formats import qdpx
    except ImportError:
        return {}
    return {".qdpx": qdpx.cli_import} if hasattr(qdpx, "cli_import") else {}


def _setup_info(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print JSON")


OLDER_FORMAT_NOTE = "older format: open it in kzannotate (or run any command that changes it) to upgrade"


@command("info", "schema version and counts of sources, actors, theories, annotations")(_setup_info)
def cmd_info(args: argparse.Namespace) -> int:
    # read-only (never upgrades); an older file is reported as it is, with what its tables allow
    with Project.open(args.project, read_only=True, allow_older=True) as project:
        info = project.info()
    if args.json:
        _print_json(info)
        return 0
    for key in ("name", "schema_version", "sources", "actors", "theories", "annotations"):
        if key == "sources" and info["needs_upgrade"]:
            print(OLDER_FORMAT_NOTE)
        if info[key] is not None:
            print(f"{key}: {info[key]}")
    return 0


# Commands that live with their feature register themselves when their module is imported. The modules pull
# in formats and analysis, so they are imported only when one of their commands is used (or for --help):
# opening the window must not pay for them. tests/test_startup_imports.py keeps this table honest.
PLUGIN_COMMANDS: dict[str, str] = {
    "mentions": "kzannotate.cli_codebook", "duplicates": "kzannotate.cli_codebook",
    "aliases": "kzannotate.cli_codebook", "codebook": "kzannotate.cli_codebook",
    "export": "kzannotate.cli_exchange", "merge": "kzannotate.cli_exchange",
    "search": "kzannotate.cli_analysis", "report": "kzannotate.cli_analysis",
}


def _import_plugin(module: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise


def _load_plugins() -> None:
    """Register every command (for --help and the full parser)."""
    for module in dict.fromkeys(PLUGIN_COMMANDS.values()):
        _import_plugin(module)


def command_names() -> list[str]:
    """All command names, registered or not yet loaded."""
    return list(dict.fromkeys([*COMMANDS, *PLUGIN_COMMANDS]))


# ---------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kzannotate", description="Annotate contested sources with actors, theories and reliability.")
    parser.add_argument("--version", action="version", version=f"kzannotate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        COMMANDS[name][0](sub)
    return parser


def window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kzannotate", description="Open the kzannotate window.",
                                     epilog=f"commands: {', '.join(command_names())} (kzannotate COMMAND --help)")
    parser.add_argument("--version", action="version", version=f"kzannotate {__version__}")
    parser.add_argument("project", nargs="?", type=Path, help="project file (.kza); default: the sample project")
    parser.add_argument("--self-check", action="store_true",
                        help="create, read back and delete an annotation in a temporary project, then exit")
    return parser


def _check_window_target(parser: argparse.ArgumentParser, project: Path | None) -> None:
    """Catch a mistyped command or a missing file before starting Qt (exit 2 or 1, not a dialog)."""
    if project is None:
        return
    if not project.exists():
        if not project.suffix and len(project.parts) == 1:
            parser.error(f"unknown command {str(project)!r} (choose from {', '.join(command_names())}), "
                         "or give a project file")
        raise ProjectNotFoundError(f"{project} does not exist. Create it with: kzannotate new {project}")


def one_line(message: str) -> str:
    """Errors go to stderr as a single line (scripts read them; no tracebacks)."""
    return " ".join(message.split())


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PLUGIN_COMMANDS:
        _import_plugin(PLUGIN_COMMANDS[argv[0]])
    elif argv and argv[0] in ("-h", "--help"):
        _load_plugins()
    try:
        if argv and argv[0] in COMMANDS:
            if argv[0] in ARGV_HOOKS:
                argv = [argv[0], *ARGV_HOOKS[argv[0]](argv[1:])]
            args = build_parser().parse_args(argv)
            return COMMANDS[args.command][1](args)
        if argv and argv[0] in ("-h", "--help"):
            build_parser().print_help()
            return 0
        parser = window_parser()
        args = parser.parse_args(argv)
        if args.self_check:
            from kzannotate.selfcheck import self_check

            return self_check()
        _check_window_target(parser, args.project)
        from kzannotate.ui.app import run_app

        return run_app(args.project)
    except UserError as exc:
        print(f"kzannotate: {one_line(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kzannotate info x.kza | head -1`
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silences the flush at exit)
        return 0
    except SystemExit as exc:  # argparse: 2 for usage, 0 for --help/--version
        return exc.code if isinstance(exc.code, int) else 2


if __name__ == "__main__":
    raise SystemExit(main())
