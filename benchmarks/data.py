"""Benchmark data, generated from the seeds with a fixed random seed and cached under ``benchmarks/out/``.

Projects are built with the store for sources and codebook, then annotations are bulk-inserted with
``executemany`` inside one transaction (the realistic shape — every span's quote equals its text slice,
links to actors and theories — without a million separate commits). A cached file is reused when its
name (which carries ``DATA_VERSION`` and the sizes) matches; it is written under a temporary name and
renamed, so an interrupted generation never leaves a half-built cache.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

DATA_VERSION = 1
SEED = 20220105
OUT = Path(__file__).resolve().parent / "out"
BIG_SOURCE_BYTES = 5_000_000
BIG_SOURCE_ANNOTATIONS = 20_000
EXPORT_ANNOTATIONS = 100_000
MILLION = 1_000_000
MILLION_SOURCES = 50
STANCES = ("supports", "contradicts", "neutral")


def _paragraphs() -> list[str]:
    from kzannotate import paths
    from kzannotate.setup_project import seed_entries
    from kzannotate.text.normalize import normalise_text

    paras: list[str] = []
    for entry in seed_entries():
        text = normalise_text(paths.seed(entry["file"]).read_text(encoding="utf-8"))
        paras.extend(p.strip() for p in text.split("\n\n") if len(p.strip()) > 40)
    return paras


def shuffled_text(rng: random.Random, paras: list[str], min_bytes: int, tag: str) -> str:
    """A long text made of seed paragraphs in random order (distinct per ``tag``, so sha256 differs)."""
    out: list[str] = [f"{tag}"]
    size = len(tag)
    while size < min_bytes:
        p = rng.choice(paras)
        out.append(p)
        size += len(p.encode("utf-8")) + 2
    return "\n\n".join(out) + "\n"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _stamp(rng: random.Random) -> str:
    base = datetime(2024, 1, 10, 9, 0, 0)
    return (base + timedelta(seconds=rng.randrange(90 * 86400))).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _insert_annotations(path: Path, source_ids: list[str], count: int, rng: random.Random) -> None:
    """Bulk-insert ``count`` random annotations (one transaction, executemany) with actor/theory links."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        texts = {sid: conn.execute("SELECT text FROM sources WHERE id = ?", (sid,)).fetchone()[0]
                 for sid in source_ids}
        actors = [r[0] for r in conn.execute("SELECT id FROM actors ORDER BY name")]
        theories = [r[0] for r in conn.execute("SELECT id FROM theories ORDER BY name")]
        annotators = ["aigerim", "daniyar", "maria", None]
        conn.execute("BEGIN")
        batch = 50_000
        for start in range(0, count, batch):
            ann_rows, actor_rows, theory_rows = [], [], []
            for i in range(start, min(count, start + batch)):
                sid = source_ids[i % len(source_ids)]
                text = texts[sid]
                length = rng.randint(12, 220)
                s = rng.randrange(0, len(text) - length)
                ann_id = _uuid(rng)
                created = _stamp(rng)
                ann_rows.append((ann_id, sid, s, s + length, text[s:s + length],
                                 rng.choice((None, None, "A", "B", "C", "D", "E", "F")), rng.randint(1, 6),
                                 f"note {i}" if rng.random() < 0.2 else None, rng.choice(annotators),
                                 created, created))
                for actor in rng.sample(actors, rng.choice((1, 1, 1, 2))):
                    actor_rows.append((ann_id, actor))
                if rng.random() < 0.8:
                    theory_rows.append((ann_id, rng.choice(theories), rng.choice(STANCES)))
            conn.executemany(
                "INSERT INTO annotations (id, source_id, start_offset, end_offset, quote, reliability, "
                "credibility, note, annotator, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", ann_rows)
            conn.executemany("INSERT INTO annotation_actors (annotation_id, actor_id) VALUES (?, ?)", actor_rows)
            conn.executemany("INSERT INTO annotation_theories (annotation_id, theory_id, stance) VALUES (?,?,?)",
                             theory_rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _build(path: Path, make) -> Path:
    """Build into a temporary file and rename: the cache only ever holds complete projects."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.building.kza")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-lock")):
        p.unlink(missing_ok=True)
    make(tmp)
    tmp.replace(path)
    return path


def seeds_project(out: Path = OUT) -> Path:
    """The five seeds and the default codebook, no annotations."""
    from kzannotate.setup_project import create_project

    def make(tmp: Path) -> None:
        create_project(tmp, seeds=True).close()

    return _build(out / f"seeds-v{DATA_VERSION}.kza", make)


def big_source_project(out: Path = OUT) -> tuple[Path, str]:
    """Seeds + one ~5 MB source carrying 20,000 annotations; returns (path, id of the big source)."""
    from kzannotate.setup_project import create_project

    rng = random.Random(SEED)
    big_id = _uuid(random.Random(SEED + 1))

    def make(tmp: Path) -> None:
        text = shuffled_text(rng, _paragraphs(), BIG_SOURCE_BYTES, "Compiled reports on January 2022")
        with create_project(tmp, seeds=True) as project:
            project.add_source(text, "Compiled reports, January 2022 (5 MB)", id=big_id, language="en",
                               reliability="C")
        _insert_annotations(tmp, [big_id], BIG_SOURCE_ANNOTATIONS, rng)

    path = _build(out / f"big-source-{BIG_SOURCE_ANNOTATIONS}-v{DATA_VERSION}.kza", make)
    return path, big_id


def export_project(out: Path = OUT) -> Path:
    """Seeds with 100,000 annotations spread over the five sources."""
    from kzannotate.setup_project import create_project

    def make(tmp: Path) -> None:
        with create_project(tmp, seeds=True) as project:
            ids = project.source_ids()
        _insert_annotations(tmp, ids, EXPORT_ANNOTATIONS, random.Random(SEED + 2))

    return _build(out / f"export-{EXPORT_ANNOTATIONS}-v{DATA_VERSION}.kza", make)


def million_project(out: Path = OUT) -> Path:
    """1,000,000 annotations over 50 sources (~40 KB each) with actor and theory links."""
    from kzannotate.setup_project import create_project

    def make(tmp: Path) -> None:
        rng = random.Random(SEED + 3)
        paras = _paragraphs()
        with create_project(tmp, seeds=True) as project:
            with project.transaction():
                for i in range(MILLION_SOURCES - len(project.source_ids())):
                    project.add_source(shuffled_text(rng, paras, 40_000, f"Collected reports {i + 1}"),
                                       f"Collected reports {i + 1:02d}", language="en")
            ids = project.source_ids()
        _insert_annotations(tmp, ids, MILLION, rng)

    return _build(out / f"million-v{DATA_VERSION}.kza", make)


@dataclass
class BenchContext:
    """What every ``bench_*.run(ctx)`` receives. Data is generated on first access and cached.

    Projects returned here are the cache: benchmarks that write must work on ``ctx.copy_of(path)``.
    """

    out: Path = OUT
    quick: bool = False  # fewer repetitions (smoke test of the benchmarks themselves)

    @property
    def seeds_project(self) -> Path:
        return seeds_project(self.out)

    @property
    def big_source(self) -> tuple[Path, str]:
        """(project path, source id) of the 5 MB source with 20,000 annotations."""
        return big_source_project(self.out)

    @property
    def export_project(self) -> Path:
        return export_project(self.out)

    @property
    def million_project(self) -> Path:
        return million_project(self.out)

    @property
    def scratch_root(self) -> Path:
        """Per process, so two benchmark runs in one tree never share (or lock) each other's files."""
        return self.out / "scratch" / str(os.getpid())

    def scratch(self, name: str) -> Path:
        """An empty folder for one benchmark's temporary files."""
        path = self.scratch_root / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def copy_of(self, project: Path, name: str | None = None) -> Path:
        """A writable copy of a cached project."""
        target = self.scratch(name or project.stem) / project.name
        shutil.copyfile(project, target)
        return target
