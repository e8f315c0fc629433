"""Minimal measurements for figures whose owning bench module is missing (so docs/performance.md is
complete): find mentions across the 5 MB source (goal < 0.3 s). Skipped when bench_mentions.py exists."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.common import median, row

GOAL_SECONDS = 0.3


def _mentions(ctx) -> list[dict]:
    import re

    from kzannotate.store import Project
    from kzannotate.text.mentions import find_mentions, matcher_for

    path, source_id = ctx.big_source
    with Project.open(path, read_only=True) as project:
        text = project.get_source(source_id).text
        actors = project.list_actors()
    spellings = sorted({s for a in actors for s in a.spellings}, key=len, reverse=True)
    naive = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in spellings) + r")\b", re.IGNORECASE)
    repeats = 3 if ctx.quick else 7
    cold, warm, base = [], [], []
    for _ in range(repeats):
        matcher_for.cache_clear() if hasattr(matcher_for, "cache_clear") else None
        t = time.perf_counter()
        found = find_mentions(text, actors)
        cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        find_mentions(text, actors)
        warm.append(time.perf_counter() - t)
        t = time.perf_counter()
        n_naive = sum(1 for _ in naive.finditer(text))
        base.append(time.perf_counter() - t)
    value = median(cold)
    profile = None
    if value >= GOAL_SECONDS:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        prof.runcall(find_mentions, text, actors)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
        lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
        start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
        profile = "\n".join(lines[start:start + 13])
    return [row("Find mentions across a 5 MB source", value, "s", f"< {GOAL_SECONDS} s",
                baseline={"name": "one case-insensitive regex alternation over the spellings",
                          "value": median(base)}, ok=value < GOAL_SECONDS,
                note=f"{len(found):,} mentions of {len(actors)} actors ({n_naive:,} raw regex hits); "
                     f"repeat call with the matcher cached: {median(warm) * 1000:.0f} ms; median of {repeats}",
                profile=profile)]


def run(ctx) -> list[dict]:
    here = Path(__file__).resolve().parent
    if (here / "bench_mentions.py").exists():
        return []
    return _mentions(ctx)
