"""The sliced (generator) forms of mention finding and repeat scanning give exactly the one-go answers."""

from __future__ import annotations

from kzannotate import paths
from kzannotate.setup_project import seed_entries
from kzannotate.store.models import Actor
from kzannotate.text.duplicates import find_repeats, iter_repeats
from kzannotate.text.mentions import find_mentions, fold, iter_mentions
from kzannotate.text.normalize import normalise_text


def _run(gen):
    steps = 0
    while True:
        try:
            next(gen)
            steps += 1
        except StopIteration as stop:
            return stop.value, steps


def _seeds() -> dict[str, str]:
    return {e["file"]: normalise_text(paths.seed(e["file"]).read_text(encoding="utf-8")) for e in seed_entries()}


def test_iter_mentions_in_small_chunks_equals_find_mentions() -> None:
    actors = [Actor("t", "Kassym-Jomart Tokayev", aliases=("Tokayev", "Tokaev", "Токаев")),
              Actor("n", "Nursultan Nazarbayev", aliases=("Nazarbayev", "Elbasy"))]
    text = "\n\n".join(_seeds().values())
    whole = find_mentions(text, actors)
    assert len(whole) > 10
    sliced, steps = _run(iter_mentions(text, actors, chunk=997, source_id="s"))
    assert steps > 10
    assert [m[:5] for m in sliced] == [m[:5] for m in whole]
    assert {m.source_id for m in sliced} == {"s"}


def test_fold_of_a_long_text_keeps_length_and_matches_the_short_path() -> None:
    text = ("Kassym–Jomart Tokáyev said “stability” — ÉLBASY’s era… © " * 2000)
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "".join(fold(text[i:i + 1000]) for i in range(0, len(text), 1000))
    assert "kassym-jomart tokayev" in folded and "elbasy's" in folded


def test_iter_repeats_equals_find_repeats() -> None:
    texts = _seeds()
    result, steps = _run(iter_repeats(texts))
    assert steps > 1
    assert result == find_repeats(texts)
