"""``make bench``: run every ``benchmarks/bench_*.py`` module and write docs/performance.md.

Each module exposes ``run(ctx) -> list[dict]`` (see benchmarks/common.py for the row format and
benchmarks/data.py for ``ctx``). A module that fails is reported as failed in the document; the others
still run. ``python -m benchmarks --only startup`` runs modules whose name contains "startup";
``--quick`` uses fewer repetitions; ``--no-write`` prints without touching docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import sqlite3
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT
from benchmarks.data import BenchContext

DOC = ROOT / "docs" / "performance.md"


def discover() -> list[str]:
    return sorted(p.stem for p in (ROOT / "benchmarks").glob("bench_*.py"))


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"PySide6 {PySide6.__version__}, Qt {qVersion()}"
    except ImportError:
        qt = "not installed"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return {"CPU": cpu, "Cores": str(os.cpu_count()), "RAM": ram,
            "OS": f"{platform.system()} {platform.release()}",
            "Python": platform.python_version(), "Qt": qt, "SQLite": sqlite3.sqlite_version,
            "Load average at start": load}


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g} {unit}".strip()


def _baseline(row: dict[str, Any]) -> tuple[str, float | None]:
    base = row.get("baseline")
    if base is None:
        return "—", None
    if isinstance(base, dict):
        return f"{_fmt(base['value'], row['unit'])} ({base.get('name', 'baseline')})", base["value"]
    return _fmt(base, row["unit"]), float(base)


def render(rows: list[tuple[str, dict[str, Any]]], failures: list[tuple[str, str]], info: dict[str, str],
           started: datetime, seconds: float) -> str:
    out = ["# Performance", "",
           f"Measured {started:%Y-%m-%d %H:%M} (local time) by `make bench` (`python -m benchmarks`), "
           f"which rewrites this file; the run took {seconds / 60:.1f} minutes. Test data is generated from "
           "the seeds with a fixed random seed (benchmarks/data.py). Ratios compare against a baseline "
           "measured in the same run on the same machine.", "", "## Machine", ""]
    out += [f"- **{k}:** {v}" for k, v in info.items()]
    out += ["", "Note: this machine is shared (2 cores, several concurrent jobs), so absolute times are noisy; "
            "the ratios against same-run baselines are the steadier figures.", "",
            "## Results", "", "| Figure | Result | Baseline (same run) | Ratio | Target | Met |",
            "|---|---|---|---|---|---|"]
    missed = []
    for module, r in rows:
        base_text, base_value = _baseline(r)
        ratio = f"{r['value'] / base_value:.2f}×" if base_value else "—"
        met = {True: "yes", False: "**no**", None: "—"}[r.get("ok")]
        out.append(f"| {r['name']} | {_fmt(r['value'], r['unit'])} | {base_text} | {ratio} | "
                   f"{r.get('target') or '—'} | {met} |")
        if r.get("ok") is False:
            missed.append((module, r))
    for module, _error in failures:
        out.append(f"| {module} | **failed to run** | — | — | — | **no** |")
    notes = [(m, r) for m, r in rows if r.get("note")]
    if notes:
        out += ["", "## How each figure was taken", ""]
        out += [f"- *{r['name']}* ({m}): {r['note']}" for m, r in notes]
    if missed:
        out += ["", "## Missed targets", ""]
        for module, r in missed:
            out += [f"### {r['name']}", "",
                    f"{_fmt(r['value'], r['unit'])} against a target of {r.get('target')} ({module})."]
            if r.get("profile"):
                kind = ("Top entries of a cProfile run:" if "ncalls" in r["profile"] else
                        "Where the run was when stopped, or what failed:")
                out += [kind, "", "```", r["profile"].rstrip(), "```"]
            else:
                out.append("(The module that measured this gave no profile.)")
            out.append("")
    if failures:
        out += ["", "## Benchmarks that failed to run", ""]
        for module, error in failures:
            out += [f"### {module}", "", "```", error.rstrip()[-3000:], "```", ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", default=[], help="run modules whose name contains this")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ctx = BenchContext(quick=args.quick)
    started = datetime.now()
    t0 = time.monotonic()
    info = machine()
    rows: list[tuple[str, dict[str, Any]]] = []
    failures: list[tuple[str, str]] = []
    for name in discover():
        if args.only and not any(o in name for o in args.only):
            continue
        print(f"== {name}", flush=True)
        t = time.monotonic()
        try:
            results = importlib.import_module(f"benchmarks.{name}").run(ctx)
        except Exception:
            failures.append((name, traceback.format_exc()))
            print(f"   FAILED\n{failures[-1][1]}", flush=True)
            continue
        for r in results:
            rows.append((name, r))
            mark = {True: "ok", False: "MISSED", None: ""}[r.get("ok")]
            print(f"   {r['name']}: {_fmt(r['value'], r['unit'])} (target {r.get('target')}) {mark}", flush=True)
        print(f"   ({time.monotonic() - t:.0f} s)", flush=True)
    shutil.rmtree(ctx.scratch_root, ignore_errors=True)
    text = render(rows, failures, info, started, time.monotonic() - t0)
    if args.no_write or args.only:
        if args.only and not args.no_write:
            print("(--only: docs/performance.md not written)")
    else:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
