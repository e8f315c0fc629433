"""Finding actor mentions: spellings, word boundaries, longest match, what is already annotated."""

from __future__ import annotations

import re
from pathlib import Path

from kzannotate.store.annotations import NewAnnotation
from kzannotate.store.models import Actor
from kzannotate.text.mentions import find_mentions, fold, unlinked_mentions

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TOKAYEV = Actor("t", "Kassym-Jomart Tokayev", aliases=("Tokayev", "Tokaev", "Kassym-Jomart", "Kasym-Jomart"))


def _seed_source(project, prefix: str):
    for s in project.list_sources():
        if project.get_source(s.id).imported_from.startswith(f"seeds/{prefix}"):
            return project.get_source(s.id)
    raise AssertionError(prefix)


def test_fold_keeps_length():
    text = "Tökáyev’s “Kassym–Jomart” ß ﬁ İ"
    assert len(fold(text)) == len(text)
    assert fold("Tökáyev’s Kassym–Jomart").startswith("tokayev's kassym-jomart")


def test_variants_hyphens_quotes_diacritics():
    text = "Kassym Jomart Tokayev; KASSYM–JOMART; Tökáyev’s aide; Kassym-Jomart\nTokayev."
    found = [(m.text, m.actor_id) for m in find_mentions(text, [TOKAYEV], None)]
    assert found == [("Kassym Jomart Tokayev", "t"), ("KASSYM–JOMART", "t"), ("Tökáyev", "t"),
                     ("Kassym-Jomart\nTokayev", "t")]


def test_not_inside_words():
    actors = [Actor("p", "Putin"), Actor("k", "Kazakh")]
    assert find_mentions("Putinism, xPutin, Putin_, Kazakhstan, _Putin", actors, None) == []
    got = find_mentions("pro-Putin (Putin) Putin’s Kazakh.", actors, None)
    assert [(m.start, m.text) for m in got] == [(4, "Putin"), (11, "Putin"), (18, "Putin"), (26, "Kazakh")]


def test_longest_alias_wins_and_later_match_after_rejected_one():
    actors = [Actor("n", "Nursultan Nazarbayev", aliases=("Nazarbayev", "Nursultan")), Actor("j", "Jomart")]
    got = find_mentions("Nursultan Nazarbayev and xKassym Jomart", actors, None)
    assert [(m.text, m.actor_id) for m in got] == [("Nursultan Nazarbayev", "n"), ("Jomart", "j")]


def test_offsets_are_code_points():
    text = "😀 Tokayev 😀😀 Tokaev"
    got = find_mentions(text, [TOKAYEV], None)
    assert [text[m.start:m.end] for m in got] == ["Tokayev", "Tokaev"]


def test_covered_spans_excluded():
    text = "Tokayev and Tokaev"
    got = find_mentions(text, [TOKAYEV], {"t": [(0, 7)], "other": [(12, 18)]})
    assert [m.text for m in got] == ["Tokaev"]


def test_every_tokayev_spelling_in_the_seeds(seeds_project):
    tokayev = seeds_project.actor_by_name("Kassym-Jomart Tokayev")
    mentions = unlinked_mentions(seeds_project, actor_id=tokayev.id)
    texts = {s.id: seeds_project.get_source(s.id).text for s in seeds_project.list_sources()}
    spelled = re.compile(r"\b(Tokayev|Tokaev|Kass?ym-(?:J|Zh)omart)\b")
    expected = {(sid, m.start()) for sid, t in texts.items() for m in spelled.finditer(t)}
    assert len(expected) >= 55
    found_spans = [(m.source_id, m.start, m.end) for m in mentions]
    # every spelling occurrence lies inside exactly one found mention
    for sid, start in expected:
        assert any(s == sid and a <= start < b for s, a, b in found_spans), (sid, texts[sid][start:start + 20])
    for m in mentions:
        text = texts[m.source_id]
        assert text[m.start:m.end] == m.text
        assert not (m.start and text[m.start - 1].isalnum()) and not (m.end < len(text) and text[m.end].isalnum())
    assert {"Tokayev", "Tokaev", "Kasym-Jomart", "Kassym-Zhomart Tokayev", "Kassym-Jomart Tokayev"} <= {
        m.text for m in mentions}


def test_nothing_already_annotated(seeds_project):
    tokayev = seeds_project.actor_by_name("Kassym-Jomart Tokayev")
    nazarbayev = seeds_project.actor_by_name("Nursultan Nazarbayev")
    src = _seed_source(seeds_project, "001")
    before = unlinked_mentions(seeds_project, src.id, tokayev.id)
    first = before[0]
    # an annotation over a whole sentence linked to Tokayev covers the first mention...
    seeds_project.add_annotation(src.id, max(0, first.start - 5), first.end + 5, actor_ids=[tokayev.id])
    after = unlinked_mentions(seeds_project, src.id, tokayev.id)
    assert len(after) == len(before) - 1
    assert all(m.start != first.start for m in after)
    # ...but one linked to another actor does not
    second = after[0]
    seeds_project.add_annotation(src.id, second.start, second.end, actor_ids=[nazarbayev.id])
    assert len(unlinked_mentions(seeds_project, src.id, tokayev.id)) == len(after)


def test_annotate_all_creates_expected_count(seeds_project):
    tokayev = seeds_project.actor_by_name("Kassym-Jomart Tokayev")
    mentions = unlinked_mentions(seeds_project, actor_id=tokayev.id)
    before = seeds_project.annotation_count()
    made = seeds_project.add_annotations(
        NewAnnotation(m.source_id, m.start, m.end, actor_ids=(m.actor_id,)) for m in mentions)
    assert len(made) == len(mentions) == seeds_project.annotation_count() - before
    assert unlinked_mentions(seeds_project, actor_id=tokayev.id) == []
