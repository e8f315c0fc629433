"""Codebook commands: unlinked mentions, repeated passages, alias suggestions, codebook import/export.

The same functions as the window; registered with ``kzannotate.cli.command`` when the CLI starts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kzannotate.cli import _print_json, command, int_at_least, open_for_writing
from kzannotate.store import Project
from kzannotate.store.errors import UserError


class UnknownActorError(UserError):
    pass


def _find_actor(project: Project, name: str):
    """An actor by name or alias (case- and spelling-insensitive), or a helpful error."""
    from kzannotate.text.mentions import alias_key

    actor = project.actor_by_name(name)
    if actor is not None:
        return actor
    key = alias_key(name)
    hits = [a for a in project.list_actors() if key in {alias_key(s) for s in a.spellings}]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise UnknownActorError(f"“{name}” is an alias of several actors: "
                                f"{', '.join(a.name for a in hits)}. Give the full name.")
    raise UnknownActorError(f"No actor called “{name}” in {project.path.name}.")


def _titles(project: Project) -> dict[str, str]:
    return {s.id: s.title for s in project.list_sources()}


# ------------------------------------------------------------------ mentions
def _setup_mentions(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("--actor", metavar="NAME", help="only this actor (its name or one of its aliases)")
    p.add_argument("--source", metavar="ID", help="only this source")
    p.add_argument("--json", action="store_true", help="print JSON")


@command("mentions", "list mentions of actors (names and aliases) that no annotation links yet")(_setup_mentions)
def cmd_mentions(args: argparse.Namespace) -> int:
    from kzannotate.text.mentions import unlinked_mentions

    with Project.open(args.project, read_only=True) as project:
        actor_id = _find_actor(project, args.actor).id if args.actor else None
        if args.source is not None:
            project.get_source(args.source)  # a clear error for an unknown id
        mentions = unlinked_mentions(project, args.source, actor_id)
        titles = _titles(project)
    if args.json:
        _print_json([{"source_id": m.source_id, "start": m.start, "end": m.end, "text": m.text,
                      "actor_id": m.actor_id, "actor": m.actor_name, "source": titles.get(m.source_id)}
                     for m in mentions])
        return 0
    current = None
    for m in mentions:
        if m.source_id != current:
            current = m.source_id
            print(f"{titles.get(current, current)} [{current}]")
        print(f"  {m.start}–{m.end}\t{m.text!s}\t→ {m.actor_name}".replace("\n", " "))
    print(f"{len(mentions)} unlinked mention{'s' if len(mentions) != 1 else ''}")
    return 0


# ---------------------------------------------------------------- duplicates
def _setup_duplicates(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("--min-chars", type=int_at_least(20), default=200,
                   help="shortest passage to report (at least 20; default 200)")
    p.add_argument("--json", action="store_true", help="print JSON")


@command("duplicates", "list long passages repeated within or across sources")(_setup_duplicates)
def cmd_duplicates(args: argparse.Namespace) -> int:
    from kzannotate.text.duplicates import find_repeats, line_range

    with Project.open(args.project, read_only=True) as project:
        texts = {sid: project.get_source(sid).text for sid in project.source_ids()}
        titles = _titles(project)
    repeats = find_repeats(texts, min_chars=args.min_chars)
    if args.json:
        _print_json([r.to_json() for r in repeats])
        return 0
    for r in repeats:
        print(f"{r.length} characters, {len(r.copies)} copies:")
        for sid, start, end in r.copies:
            first, last = line_range(texts[sid], start, end)
            lines = f"line {first}" if first == last else f"lines {first}–{last}"
            print(f"  {titles.get(sid, sid)} [{sid}] {start}–{end} ({lines})")
    print(f"{len(repeats)} repeated passage{'s' if len(repeats) != 1 else ''}")
    return 0


# ------------------------------------------------------------------- aliases
def _setup_aliases(p: argparse.ArgumentParser) -> None:
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print JSON")


@command("aliases", "suggest unlisted spellings of actors' names found in the sources")(_setup_aliases)
def cmd_aliases(args: argparse.Namespace) -> int:
    from kzannotate.text.aliases import alias_suggestions

    with Project.open(args.project, read_only=True) as project:
        suggestions = alias_suggestions(project)
    if args.json:
        _print_json([s.to_json() for s in suggestions])
        return 0
    for s in suggestions:
        print(f"{s.alias}\t→ {s.actor_name} (like “{s.similar_to}”, {s.count}×)")
    print(f"{len(suggestions)} suggestion{'s' if len(suggestions) != 1 else ''}")
    return 0


# ------------------------------------------------------------------ codebook
def _setup_codebook(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("export", "import"), help="export the codebook to FILE or import FILE")
    p.add_argument("project", type=Path)
    p.add_argument("file", type=Path, metavar="FILE.json")


@command("codebook", "export the actors and theories to a JSON codebook, or import one")(_setup_codebook)
def cmd_codebook(args: argparse.Namespace) -> int:
    from kzannotate.formats.codebook_json import import_codebook, load_codebook_file, write_codebook_file

    if args.action == "export":
        with Project.open(args.project, read_only=True) as project:
            write_codebook_file(project, args.file)
            info = project.info()
        print(f"wrote {args.file}: {info['actors']} actors, {info['theories']} theories")
        return 0
    data = load_codebook_file(args.file)
    with open_for_writing(args.project) as project:
        report = import_codebook(project, data)
    print(report.summary())
    return 0
