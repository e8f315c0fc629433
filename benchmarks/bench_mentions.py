"""Finding unlinked mentions (and repeated passages, alias suggestions) across the seeds and a 5 MB source.

Targets: finding the mentions in a 5 MB source < 0.3 s (issue 7); the unlinked mentions of the whole project,
the five seeds and the 5 MB source with the "already annotated" filter, well under a second (issue 4). The
project is the
benchmark's big-source project: the seeds, the default codebook (48 actors, ~150 spellings) and a 5 MB
source built from shuffled seed paragraphs with 20,000 annotations.

``figures(ctx)`` returns a dict of the measurements; ``run(ctx)`` turns them into report rows.
Run alone: ``python -m benchmarks.bench_mentions``.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

MENTIONS_S = 1.0  # issue 4: the seeds and a 5 MB source, well under a second
BIG_TEXT_S = 0.3  # issue 7: find mentions across a 5 MB source
REPEATS_S = 5.0
SUGGEST_S = 2.0


def _timed(fn, repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def figures(ctx: Any = None) -> dict[str, Any]:
    if ctx is None:
        from benchmarks.data import BenchContext

        ctx = BenchContext()
    from kzannotate.store import Project
    from kzannotate.text import mentions as mentions_mod
    from kzannotate.text.aliases import suggest_aliases
    from kzannotate.text.duplicates import find_repeats
    from kzannotate.text.mentions import find_mentions, unlinked_mentions

    path, big_id = ctx.big_source
    repeats = 2 if getattr(ctx, "quick", False) else 5
    with Project.open(path, read_only=True) as project:
        actors = project.list_actors()
        texts = {sid: project.get_source(sid).text for sid in project.source_ids()}
        big = texts[big_id]
        mentions_mod._compile.cache_clear()
        t0 = time.perf_counter()
        cold = unlinked_mentions(project)
        cold_s = time.perf_counter() - t0
        warm_s, found = _timed(lambda: unlinked_mentions(project), repeats)
        text_s, in_big = _timed(lambda: find_mentions(big, actors, None), repeats)
        seeds_only = {k: v for k, v in texts.items() if k != big_id}
        seeds_s, _ = _timed(lambda: [find_mentions(t, actors, None) for t in seeds_only.values()], repeats)
        rep_seeds_s, rep_seeds = _timed(lambda: find_repeats(seeds_only), repeats)
        rep_all_s, rep_all = _timed(lambda: find_repeats(texts), 1)
        sug_s, sug = _timed(lambda: suggest_aliases(texts, actors), 1)
        annotations = project.annotation_count()
    return {
        "chars": sum(len(t) for t in texts.values()), "big_chars": len(big), "sources": len(texts),
        "actors": len(actors), "spellings": sum(len(a.spellings) for a in actors), "annotations": annotations,
        "unlinked_cold_s": cold_s, "unlinked_warm_s": warm_s, "unlinked_count": len(found),
        "cold_count": len(cold), "big_text_s": text_s, "big_text_mentions": len(in_big), "seeds_s": seeds_s,
        "repeats_seeds_s": rep_seeds_s, "repeats_seeds": len(rep_seeds), "repeats_all_s": rep_all_s,
        "repeats_all": len(rep_all), "suggest_s": sug_s, "suggestions": len(sug), "repeats": repeats,
    }


def run(ctx: Any) -> list[dict[str, Any]]:
    from benchmarks.common import row

    f = figures(ctx)
    corpus = (f"{f['sources']} sources, {f['chars']:,} characters, {f['actors']} actors with {f['spellings']} "
              f"spellings, {f['annotations']:,} annotations")
    return [
        row("Mentions: unlinked mentions across the seeds and the 5 MB source (first run)", f["unlinked_cold_s"],
            "s", f"< {MENTIONS_S:g} s", ok=f["unlinked_cold_s"] < MENTIONS_S,
            note=f"{corpus}; {f['cold_count']:,} unlinked mentions; includes compiling the pattern and "
                 "reading texts and annotations from SQLite"),
        row("Mentions: the same, pattern cached", f["unlinked_warm_s"], "s", f"< {MENTIONS_S:g} s",
            ok=f["unlinked_warm_s"] < MENTIONS_S, note=f"median of {f['repeats']}"),
        row("Mentions: find_mentions in the 5 MB text alone", f["big_text_s"], "s", f"< {BIG_TEXT_S:g} s",
            ok=f["big_text_s"] < BIG_TEXT_S, note=f"{f['big_text_mentions']:,} mentions in {f['big_chars']:,} "
                                                  "characters"),
        row("Mentions: the five seeds (what the window does per source switch, summed)", f["seeds_s"] * 1000,
            "ms", "< 50 ms", ok=f["seeds_s"] * 1000 < 50),
        row("Repeated passages: the five seeds", f["repeats_seeds_s"] * 1000, "ms", "< 200 ms",
            ok=f["repeats_seeds_s"] * 1000 < 200, note=f"{f['repeats_seeds']} repeats"),
        row("Repeated passages: seeds + the 5 MB source", f["repeats_all_s"], "s", f"< {REPEATS_S:g} s",
            ok=f["repeats_all_s"] < REPEATS_S,
            note=f"{f['repeats_all']:,} repeats (the big source is shuffled seed paragraphs: it repeats a lot)"),
        row("Alias suggestions: seeds + the 5 MB source", f["suggest_s"], "s", f"< {SUGGEST_S:g} s",
            ok=f["suggest_s"] < SUGGEST_S, note=f"{f['suggestions']} suggestions"),
    ]


if __name__ == "__main__":
    import json

    print(json.dumps(figures(), indent=2))
