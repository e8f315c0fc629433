"""Export speed: csv/jsonl of 100,000 annotations against a raw sqlite3 → csv dump of the same rows.

Target: each export ≤ 3× the raw dump (it resolves names, ratings and source titles on top).
``bench_exports()`` returns a dict of figures; ``run(ctx)`` turns it into benchmark rows.
"""

from __future__ import annotations

import csv
import random
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

N_ANNOTATIONS = 100_000


def build_project(path: Path, n: int = N_ANNOTATIONS, seed: int = 5) -> Path:
    """A project with 20 sources, 40 actors, 15 theories and ``n`` linked annotations (direct SQL: fast)."""
    from kzannotate.store import Project
    from kzannotate.store.sources import text_sha256

    rng = random.Random(seed)
    project = Project.create(path, name="bench")
    stamp = "2024-01-01T00:00:00.000000Z"
    texts = []
    with project.transaction() as conn:
        for i in range(20):
            text = " ".join(f"word{rng.randrange(5000)}" for _ in range(20_000)) + f" #{i}\n"
            sid = str(uuid.UUID(int=rng.getrandbits(128)))
            conn.execute("INSERT INTO sources (id, title, text, sha256, reliability, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (sid, f"Source {i}", text, text_sha256(text), rng.choice("ABCDEF"), stamp, stamp))
            texts.append((sid, text))
        actors = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(40)]
        theories = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(15)]
        conn.executemany("INSERT INTO actors (id, name) VALUES (?, ?)", [(a, f"Actor {i}") for i, a in enumerate(actors)])
        conn.executemany("INSERT INTO theories (id, name) VALUES (?, ?)",
                         [(t, f"Theory {i}") for i, t in enumerate(theories)])
        rows, links_a, links_t = [], [], []
        for _ in range(n):
            sid, text = rng.choice(texts)
            start = rng.randrange(len(text) - 200)
            end = start + rng.randrange(5, 150)
            aid = str(uuid.UUID(int=rng.getrandbits(128)))
            rows.append((aid, sid, start, end, text[start:end], rng.choice([None, "B", "C"]), rng.randint(1, 6),
                         rng.choice([None, "a note, with \"quotes\"\nand a newline"]), rng.choice(["ann", "bob"]),
                         stamp, stamp))
            for a in rng.sample(actors, rng.randint(0, 2)):
                links_a.append((aid, a))
            for t in rng.sample(theories, rng.randint(0, 2)):
                links_t.append((aid, t, rng.choice(("supports", "contradicts", "neutral"))))
        conn.executemany("INSERT INTO annotations (id, source_id, start_offset, end_offset, quote, reliability, "
                         "credibility, note, annotator, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO annotation_actors VALUES (?, ?)", links_a)
        conn.executemany("INSERT INTO annotation_theories VALUES (?, ?, ?)", links_t)
    project.close()
    return path


def raw_dump(db: Path, out: Path) -> None:
    """The baseline: every annotation row straight from sqlite3 into csv.writer."""
    conn = sqlite3.connect(db)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        cur = conn.execute("SELECT * FROM annotations")
        writer.writerow([d[0] for d in cur.description])
        writer.writerows(cur)
    conn.close()


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_exports(n: int = N_ANNOTATIONS, workdir: Path | None = None, repeats: int = 3) -> dict[str, Any]:
    from kzannotate.formats.exports import run_export
    from kzannotate.store import Project

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tmp = Path(tmp)
        db = build_project(tmp / "bench.kza", n)
        baseline = _best(lambda: raw_dump(db, tmp / "raw.csv"), repeats)
        figures: dict[str, Any] = {"annotations": n, "raw_csv_s": round(baseline, 3)}
        with Project.open(db, read_only=True) as project:
            for fmt in ("csv", "jsonl"):
                secs = _best(lambda fmt=fmt: run_export(project, fmt, tmp / f"out.{fmt}"), repeats)
                figures[f"{fmt}_s"] = round(secs, 3)
                figures[f"{fmt}_ratio"] = round(secs / baseline, 2)
                figures[f"{fmt}_ok"] = secs <= 3 * baseline
    return figures


def run(ctx) -> list[dict]:
    from benchmarks.common import row

    quick = getattr(ctx, "quick", False)
    figures = bench_exports(20_000 if quick else N_ANNOTATIONS, repeats=1 if quick else 3)
    base = {"name": "raw sqlite3 → csv dump", "value": figures["raw_csv_s"]}
    return [row(f"export {fmt} ({figures['annotations']:,} annotations)", figures[f"{fmt}_s"], "s",
                "≤ 3× baseline", baseline=base, ok=figures[f"{fmt}_ok"],
                note=f"{figures[f'{fmt}_ratio']}× the raw dump") for fmt in ("csv", "jsonl")]


if __name__ == "__main__":
    print(bench_exports())
