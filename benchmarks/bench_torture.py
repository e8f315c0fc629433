"""Crash safety: 100 SIGKILL rounds of the torture test (benchmarks/torture.py)."""

from __future__ import annotations

from benchmarks.common import row
from benchmarks.torture import run_torture


def run(ctx) -> list[dict]:
    rounds = 10 if ctx.quick else 100
    report = run_torture(rounds, ctx.scratch("torture"))
    passed = sum(1 for r in report.rounds if not r.problems)
    return [row("Torture test: SIGKILL rounds with nothing lost and integrity_check ok", passed, "rounds",
                f"{rounds} of {rounds}", ok=report.ok and passed == rounds,
                note=f"{report.summary()}; a child annotates through Project.add_annotation/add_annotations/"
                     "delete_annotation and logs each returned commit (fsync); the parent kills it at random",
                profile="\n".join(report.problems[:20]) or None)]
