"""Full-text search: phrases and prefixes work, anything else is literal, nothing the user types raises."""

from __future__ import annotations

import pytest

from kzannotate.store.search import find_literal, kwic, parse_query, search

TEXT = ("🇰🇿 Tokayev said the CSTO troops would leave. Tokayev's order was clear.\n"
        "Nazarbayev's café stayed shut; the Akimat burned. AND( NEAR \"quoted\" -- 50% O'Brien.")


@pytest.fixture
def two(project):
    a = project.add_source(TEXT, "First report")
    b = project.add_source("Another text about Almaty and the airport, and Tokayevism.", "Almaty report")
    return project, a, b


def _spans(result):
    return [(h.source_id, h.start, h.end) for h in result.hits]


def test_words_hit_with_code_point_offsets(two):
    project, a, _ = two
    r = search(project, "tokayev")
    hits = [(h.start, h.end, h.match) for h in r.hits if h.source_id == a.id]
    assert [m for *_, m in hits] == ["Tokayev", "Tokayev"]
    for s, e, m in hits:
        assert TEXT[s:e] == m  # code points: the flag emoji before them counts as 2, not 4
    assert hits[0][0] == TEXT.index("Tokayev")


def test_phrase_prefix_and_and(two):
    project, a, b = two
    r = search(project, '"CSTO troops"')
    assert [(s, e) for _, s, e in _spans(r)] == [(TEXT.index("CSTO troops"), TEXT.index("CSTO troops") + 11)]
    r = search(project, "toka*")
    assert {h.match for h in r.hits} == {"Tokayev", "Tokayevism"}
    assert search(project, "tokayev airport").hits == []  # all words must occur: b has only "Tokayevism"
    r = search(project, "tokayev* airport")
    assert {h.source_id for h in r.hits} == {b.id} and [h.match for h in r.hits] == ["airport", "Tokayevism"]
    r = search(project, '"troops would')  # an unclosed quote runs to the end
    assert [h.match for h in r.hits] == ["troops would"]


def test_case_and_accents_do_not_matter(two):
    project, a, _ = two
    assert [h.match for h in search(project, "CAFE").hits] == ["café"]
    assert [h.match for h in search(project, "Café").hits] == ["café"]


def test_title_only_matches_are_reported_apart(two):
    project, _, b = two
    r = search(project, "report")
    assert r.hits == [] and {sid for sid, _ in r.title_only} == {b.id, two[1].id}


@pytest.mark.parametrize("query", ['"', '""', "AND(", "AND", "OR", "NOT", "*", "**", "-", "--", "NEAR",
                                   "NEAR(a b", "a OR b", "^tok", "title:tokayev", "{text}: x", "col:", "(", ")",
                                   "'", "'; DROP TABLE sources; --", "Robert'); DROP TABLE sources;--",
                                   "\x00", "🇰🇿", "😀", "O'Brien", "50%", "ü", "Tokayev*" * 50, "x" * 10000,
                                   " ".join(["word"] * 3000), "\\", "\u202e", "   ", ""])
def test_hostile_input_never_raises(two, query):
    project, a, b = two
    r = search(project, query)
    for h in r.hits:
        text = TEXT if h.source_id == a.id else b.text
        assert 0 <= h.start < h.end <= len(text) and text[h.start:h.end] == h.match
    assert project.info()["sources"] == 2  # nothing was dropped


def test_operators_are_literal_words(two):
    project, a, _ = two
    assert [h.match for h in search(project, "AND(").hits if h.source_id == a.id] == ["AND"]
    assert [h.match for h in search(project, "NEAR").hits] == ["NEAR"]
    assert search(project, "a OR b").hits == []  # "or" is a word that must occur, not an operator
    assert [h.match for h in search(project, "O'Brien").hits] == ["O'Brien"]


def test_input_without_words_is_searched_literally(two):
    project, a, _ = two
    assert [(h.start, h.end) for h in search(project, "🇰🇿").hits] == [(0, 2)]
    assert [h.match for h in search(project, "--").hits] == ["--"]
    assert [h.match for h in search(project, '"').hits] == ['"', '"']
    assert search(project, "").hits == [] and search(project, "   ").query.empty


def test_long_queries_are_cut_and_said_so(two):
    project, *_ = two
    r = search(project, "tokayev " + "x" * 2000)
    assert r.truncated and r.hits == []
    assert len(parse_query("w " * 500).terms) <= 32


def test_snippet_is_keyword_in_context():
    text = "one two three four five six seven eight nine ten eleven twelve " * 5
    start = text.index("six", 100)
    left, match, right = kwic(text, start, start + 3, context=20)
    assert match == "six" and left.startswith("… ") and right.endswith(" …")
    assert len(left) + len(right) < 60 and "\n" not in left + right


def test_find_literal_is_case_insensitive_and_exact():
    assert find_literal("Ab ab AB aB", "ab") == [(0, 2), (3, 5), (6, 8), (9, 11)]
    assert find_literal("Ab ab", "ab", case_sensitive=True) == [(3, 5)]
    assert find_literal("a.b axb", "a.b") == [(0, 3)]  # regex characters are literal
    assert find_literal("😀x😀x", "x") == [(1, 2), (3, 4)]
    assert find_literal("abc", "") == []
