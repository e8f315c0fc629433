"""Export speed: 100,000 annotations to every format; csv/jsonl against a raw sqlite3 → csv dump.

Data: ``benchmarks/data.py``'s export project (the five seeds, 100,000 annotations with actor/theory links,
fixed random seed, cached under benchmarks/out/). Target (issue 7): csv and jsonl each ≤ 3× the raw dump,
which is ``sqlite3`` + ``csv.writer`` over every column of every annotation row, nothing resolved. The
exports do more on top: names of actors and theories, effective ratings, source titles, text order, and an
atomic write with fsync. Best of three, in this process, the project opened read-only.

The other formats have no target; each runs once in a fresh interpreter so its peak memory can be
reported too (qdpx and the reports hold a whole document; csv, jsonl and w3c stream).
"""

from __future__ import annotations

import cProfile
import csv
import io
import json
import pstats
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET = 3.0
TIMED = ("csv", "jsonl")
OTHERS = ("w3c", "qdpx", "qdc", "html", "rtf", "sqlite")

_CHILD = r"""
import json, sys, time
from pathlib import Path
from kzannotate.formats.exports import run_export
from kzannotate.store import Project
db, fmt, out = sys.argv[1:4]
with Project.open(Path(db), read_only=True) as project:
    t = time.perf_counter()
    result = run_export(project, fmt, Path(out))
    secs = time.perf_counter() - t
size = Path(out).stat().st_size
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print("RESULT " + json.dumps({"seconds": secs, "count": result.count, "bytes": size, "peak_rss_mb": hwm / 1024}))
"""


def raw_dump(db: Path, out: Path) -> None:
    """The baseline: every annotation row straight from sqlite3 into csv.writer."""
    conn = sqlite3.connect(db)
    try:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            cur = conn.execute("SELECT * FROM annotations")
            writer.writerow([d[0] for d in cur.description])
            writer.writerows(cur)
    finally:
        conn.close()


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _profile(fn, top: int = 15) -> str:
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    text = buf.getvalue()
    return text[text.index("   ncalls"):].rstrip() if "   ncalls" in text else text


def in_child(db: Path, fmt: str, out: Path) -> dict[str, Any]:
    """One export in a fresh interpreter: seconds, annotations, file size and peak RSS."""
    from benchmarks.common import ROOT, env_for

    proc = subprocess.run([sys.executable, "-c", _CHILD, str(db), fmt, str(out)], cwd=ROOT, env=env_for(),
                          capture_output=True, text=True, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"export {fmt} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")


def bench_exports(db: Path, workdir: Path, repeats: int = 3, others: tuple[str, ...] = OTHERS
                  ) -> dict[str, Any]:
    from kzannotate.formats.exports import run_export
    from kzannotate.store import Project

    baseline = _best(lambda: raw_dump(db, workdir / "raw.csv"), repeats)
    with sqlite3.connect(db) as conn:
        n = conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
    figures: dict[str, Any] = {"annotations": n, "raw_csv_s": baseline}
    with Project.open(db, read_only=True) as project:
        for fmt in TIMED:
            out = workdir / f"out.{fmt}"
            secs = _best(lambda fmt=fmt, out=out: run_export(project, fmt, out), repeats)
            figures[fmt] = {"seconds": secs, "ratio": secs / baseline, "ok": secs <= TARGET * baseline,
                            "bytes": out.stat().st_size}
            if not figures[fmt]["ok"]:
                figures[fmt]["profile"] = _profile(lambda fmt=fmt, out=out: run_export(project, fmt, out))
    for fmt in (*TIMED, *others):
        figures.setdefault(fmt, {})["child"] = in_child(db, fmt, workdir / f"child.{fmt}")
    return figures


def run(ctx) -> list[dict]:
    from benchmarks.common import row

    quick = getattr(ctx, "quick", False)
    workdir = ctx.scratch("exports")
    try:
        figures = bench_exports(ctx.export_project, workdir, repeats=1 if quick else 3,
                                others=() if quick else OTHERS)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # ~600 MB of exported files
    n = figures["annotations"]
    base = {"name": "raw sqlite3 → csv dump", "value": round(figures["raw_csv_s"], 3)}
    rows = []
    for fmt in TIMED:
        f = figures[fmt]
        child = f["child"]
        rows.append(row(f"export {fmt} ({n:,} annotations)", round(f["seconds"], 3), "s", f"≤ {TARGET:g}× baseline",
                        baseline=base, ok=f["ok"],
                        note=(f"{f['ratio']:.2f}× the raw dump; best of {1 if quick else 3}; "
                              f"{f['bytes'] / 1e6:.1f} MB; in a fresh process {child['seconds']:.2f} s, "
                              f"peak RSS {child['peak_rss_mb']:.0f} MB"),
                        profile=f.get("profile")))
    for fmt in OTHERS:
        if fmt not in figures:
            continue
        child = figures[fmt]["child"]
        what = "codes" if fmt == "qdc" else "annotations"
        rows.append(row(f"export {fmt} ({child['count']:,} {what})", round(child["seconds"], 2), "s",
                        note=(f"no target; once, in a fresh process; {child['bytes'] / 1e6:.1f} MB written; "
                              f"peak RSS {child['peak_rss_mb']:.0f} MB")))
    return rows


if __name__ == "__main__":
    from benchmarks.data import BenchContext

    for r in run(BenchContext(quick="--quick" in sys.argv)):
        print(f"{r['name']}: {r['value']} {r['unit']}  {r['note']}")
