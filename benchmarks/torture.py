"""Crash-safety torture test: kill an annotating process at random moments and check nothing is lost.

A child process opens a project through the same store API the window uses and loops: it writes an
intent line to a log, makes one edit (``Project.add_annotation``, a bulk ``add_annotations`` or a
``delete_annotation``), and once the call has returned appends a "done" line (write + flush + fsync).
The parent SIGKILLs it at a random moment, then checks:

* ``PRAGMA integrity_check`` is ``ok`` and ``PRAGMA foreign_key_check`` finds nothing;
* every annotation whose add was logged as done is present, unless its deletion was logged or in flight;
* every annotation whose deletion was logged as done is absent;
* the project opens again for writing (the lock died with the child).

Usage: ``python -m benchmarks.torture --rounds 100`` (exit status 0 when every round passed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = ("On 5 January 2022 protesters stormed the akimat in Almaty; the president spoke of "
        "trained terrorist groups and asked the CSTO for help. ") * 40


# --------------------------------------------------------------------- child
def _log(fh, line: str) -> None:
    fh.write(line + "\n")
    fh.flush()
    os.fsync(fh.fileno())


def child(project_path: str, log_path: str, seed: int) -> None:
    """Annotate forever (until killed)."""
    from kzannotate.store import Project
    from kzannotate.store.annotations import NewAnnotation

    rng = random.Random(seed)
    project = Project.open(project_path)
    source_id = project.source_ids()[0]
    actor_ids = [a.id for a in project.list_actors()]
    theory_ids = [t.id for t in project.list_theories()]
    live = [r[0] for r in project.conn.execute("SELECT id FROM annotations")]
    n = len(TEXT)
    with open(log_path, "a", encoding="utf-8") as fh:
        _log(fh, "ready")
        while True:
            op = rng.random()
            if op < 0.15 and live:
                victim = live.pop(rng.randrange(len(live)))
                _log(fh, f"intent-del {victim}")
                project.delete_annotation(victim)
                _log(fh, f"del {victim}")
            elif op < 0.30:
                items = []
                for _ in range(rng.randint(2, 6)):
                    s = rng.randrange(n - 50)
                    items.append(NewAnnotation(source_id, s, s + rng.randint(1, 50),
                                               actor_ids=(rng.choice(actor_ids),),
                                               theories=((rng.choice(theory_ids), "supports"),),
                                               reliability=rng.choice("ABCDEF"), credibility=rng.randint(1, 6)))
                _log(fh, "intent-bulk")
                made = project.add_annotations(items)
                _log(fh, "add " + " ".join(a.id for a in made))
                live.extend(a.id for a in made)
            else:
                s = rng.randrange(n - 80)
                _log(fh, "intent-add")
                ann = project.add_annotation(source_id, s, s + rng.randint(1, 80),
                                             actor_ids=[rng.choice(actor_ids)],
                                             theories={rng.choice(theory_ids): rng.choice(
                                                 ("supports", "contradicts", "neutral"))},
                                             reliability=rng.choice("ABCDEF"), credibility=rng.randint(1, 6),
                                             note=f"torture {rng.random():.6f}", annotator="torture")
                _log(fh, f"add {ann.id}")
                live.append(ann.id)


# -------------------------------------------------------------------- parent
@dataclass
class RoundResult:
    round: int
    delay: float
    logged_adds: int
    present: int
    problems: list[str] = field(default_factory=list)


@dataclass
class TortureReport:
    rounds: list[RoundResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(not r.problems for r in self.rounds)

    @property
    def problems(self) -> list[str]:
        return [f"round {r.round}: {p}" for r in self.rounds for p in r.problems]

    def summary(self) -> str:
        adds = self.rounds[-1].present if self.rounds else 0
        verdict = "all passed" if self.ok else f"{len(self.problems)} problems"
        return (f"{len(self.rounds)} kill rounds in {self.seconds:.1f} s, {adds} annotations at the end: "
                f"{verdict}")


def make_project(path: Path) -> None:
    from kzannotate.store import Project

    with Project.create(path, name="torture") as project:
        project.add_source(TEXT, "Torture text")
        for name in ("Tokayev", "Nazarbayev", "Masimov", "CSTO"):
            project.add_actor(name)
        for name in ("Elite power struggle", "Foreign-backed terrorism", "Spontaneous unrest"):
            project.add_theory(name)


def _read_log(log_path: Path) -> tuple[set[str], set[str], set[str]]:
    """(ids whose add returned, ids whose delete returned, ids whose delete was cut off by a kill).

    A delete cut off by a kill may or may not have committed; either outcome is correct.
    """
    added: set[str] = set()
    deleted: set[str] = set()
    uncertain: set[str] = set()
    in_flight: str | None = None
    text = log_path.read_text(encoding="utf-8") if log_path.exists() else ""
    lines = text.splitlines()
    if lines and not text.endswith("\n"):
        lines = lines[:-1]  # a torn last line never counts as done
    for line in lines:
        kind, _, rest = line.partition(" ")
        if kind == "add":
            added.update(rest.split())
        elif kind == "del":
            deleted.add(rest)
            in_flight = None
        elif kind == "intent-del":
            in_flight = rest
        elif kind == "ready" and in_flight:  # a new child: the previous one died mid-delete
            uncertain.add(in_flight)
            in_flight = None
    if in_flight:
        uncertain.add(in_flight)
    return added, deleted, uncertain


def _check_file(project_path: Path, problems: list[str]) -> set[str]:
    conn = sqlite3.connect(project_path)  # read-write: replays the WAL exactly as the app would
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:5]}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {len(fk)} broken references")
        present = {r[0] for r in conn.execute("SELECT id FROM annotations")}
        bad_quotes = conn.execute(
            "SELECT count(*) FROM annotations a JOIN sources s ON s.id = a.source_id "
            "WHERE substr(s.text, a.start_offset + 1, a.end_offset - a.start_offset) <> a.quote").fetchone()[0]
        if bad_quotes:
            problems.append(f"{bad_quotes} annotations whose quote differs from the source text")
        return present
    finally:
        conn.close()


def check(project_path: Path, log_path: Path) -> tuple[int, int, list[str]]:
    """Verify the file after a kill: (logged adds, annotations present, problems)."""
    problems: list[str] = []
    try:
        present = _check_file(project_path, problems)
    except sqlite3.DatabaseError as exc:
        return 0, 0, [f"the file cannot be read: {exc}"]
    added, deleted, uncertain = _read_log(log_path)
    missing = added - deleted - uncertain - present
    if missing:
        problems.append(f"{len(missing)} annotations committed but missing, e.g. {sorted(missing)[:3]}")
    resurrected = deleted & present
    if resurrected:
        problems.append(f"{len(resurrected)} deleted annotations are back, e.g. {sorted(resurrected)[:3]}")
    from kzannotate.store import Project
    from kzannotate.store.errors import UserError

    try:
        Project.open(project_path).close()
    except UserError as exc:
        problems.append(f"cannot reopen for writing: {exc}")
    return len(added), len(present), problems


def run_torture(rounds: int, workdir: Path | None = None, seed: int = 20220105,
                max_delay: float = 0.4, verbose: bool = False) -> TortureReport:
    """Run ``rounds`` kill rounds on one project; returns what every round found."""
    rng = random.Random(seed)
    own_tmp = None
    if workdir is None:
        own_tmp = tempfile.TemporaryDirectory(prefix="kza-torture-")
        workdir = Path(own_tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    project_path = workdir / "torture.kza"
    log_path = workdir / "committed.log"
    for p in (project_path, Path(f"{project_path}-wal"), Path(f"{project_path}-shm"), log_path):
        p.unlink(missing_ok=True)
    make_project(project_path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    results: list[RoundResult] = []
    started = time.monotonic()
    try:
        for i in range(1, rounds + 1):
            proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.torture", "--child", str(project_path), str(log_path),
                 "--seed", str(rng.randrange(1 << 30))],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            ready_size = log_path.stat().st_size if log_path.exists() else 0
            # One round in ten kills during start-up (opening, WAL recovery); the rest mid-annotating.
            early = rng.random() < 0.1
            if not early:
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and proc.poll() is None:
                    if log_path.exists() and log_path.stat().st_size > ready_size:
                        break
                    time.sleep(0.005)
            delay = rng.uniform(0, max_delay if not early else 0.3)
            time.sleep(delay)
            if proc.poll() is not None:
                err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
                results.append(RoundResult(i, delay, 0, 0, [f"child exited by itself ({proc.returncode}): "
                                                            f"{err.strip()[-500:]}"]))
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if proc.stderr:
                proc.stderr.close()
            logged, present, problems = check(project_path, log_path)
            results.append(RoundResult(i, delay, logged, present, problems))
            if verbose:
                state = "ok" if not problems else "; ".join(problems)
                print(f"round {i:3d}: killed after {delay * 1000:5.0f} ms{' (start-up)' if early else ''}, "
                      f"{present} annotations, {state}", flush=True)
    finally:
        if own_tmp is not None:
            own_tmp.cleanup()
    return TortureReport(results, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.torture", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20220105)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the project and log here")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--child", nargs=2, metavar=("PROJECT", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], args.seed)
        return 0
    report = run_torture(args.rounds, args.workdir, args.seed, verbose=not args.json)
    if args.json:
        print(json.dumps({"ok": report.ok, "rounds": len(report.rounds), "seconds": report.seconds,
                          "problems": report.problems}))
    else:
        print(report.summary())
        for problem in report.problems:
            print("  " + problem)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
