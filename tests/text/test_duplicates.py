"""Repeated passages: the three copies in seed 003, the repeated ending of 001, nothing elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzannotate.text.duplicates import find_repeats, line_range, map_offset, repeat_of

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def test_seed_003_holds_its_article_three_times(texts):
    reps = [r for r in find_repeats(texts) if r.copies[0][0] == "003"]
    assert len(reps) == 1
    rep = reps[0]
    assert len(rep.copies) == 3
    assert rep.length > 10_000
    t = texts["003"]
    bodies = [t[a:b] for _, a, b in rep.copies]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0].startswith("Maidan in Almaty?")
    # the copies do not overlap and cover most of the source
    spans = sorted((a, b) for _, a, b in rep.copies)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    assert sum(b - a for a, b in spans) > 0.95 * len(t)


def test_seed_001_repeats_its_ending(texts):
    reps = [r for r in find_repeats(texts) if r.copies[0][0] == "001"]
    assert reps
    t = texts["001"]
    ending = t.rstrip().rsplit("\n", 3)[0]  # the last body paragraph (before "Previous/Next article")
    last_par_start = ending.rfind("\n") + 1
    for rep in reps:
        assert all(sid == "001" and a >= last_par_start for sid, a, _ in rep.copies)
    longest = max(reps, key=lambda r: r.length)
    assert len(longest.copies) >= 3
    assert t[longest.copies[0][1]:].startswith("Ukraine, any empire")


def test_nothing_in_other_seeds(texts):
    for rep in find_repeats(texts):
        assert {sid for sid, *_ in rep.copies} <= {"001", "003"}


def test_across_sources_and_normalisation():
    passage = ("The government fell, and President Tokayev accused terrorists and called on troops from outside "
               "the country, namely the Russian-led Collective Security Treaty Organization, which sent "
               "paratroopers within a day of the request.")
    a = "Intro one.\n\n" + passage + "\n\nOutro."
    b = "Other intro.\n" + passage.upper().replace(", ", " — ").replace(" the ", "\nthe ") + "\nEnd."
    reps = find_repeats({"a": a, "b": b})
    assert len(reps) == 1
    assert [c[0] for c in reps[0].copies] == ["a", "b"]
    assert a[reps[0].copies[0][1]:reps[0].copies[0][2]] == passage[:-1]  # word spans: the final "." is not
    assert find_repeats({"a": a, "b": b}, min_chars=len(passage) + 50) == []


def test_short_phrases_are_not_repeats():
    text = "\n".join(f"Paragraph {i}: the Collective Security Treaty Organization said so." for i in range(30))
    assert find_repeats({"x": text}) == []


def test_repeat_of_and_mapping(texts):
    reps = find_repeats(texts)
    rep = next(r for r in reps if r.copies[0][0] == "003")
    _, a, b = rep.copies[2]
    found = repeat_of(reps, "003", a + 100, a + 160)
    assert found == (rep, 2)
    assert repeat_of(reps, "000", 0, 50) is None
    mapped = map_offset(rep, 2, 0, a + 100)
    assert texts["003"][mapped:mapped + 60] == texts["003"][a + 100:a + 160]
    first, last = line_range(texts["003"], rep.copies[0][1], rep.copies[0][2])
    assert first == 6 and last > first


def test_a_scan_can_be_cancelled(texts):
    from kzannotate.text.duplicates import Cancelled

    big = {"x": "\n".join(texts.values()) * 3}
    with pytest.raises(Cancelled):
        find_repeats(big, should_stop=lambda: True)
