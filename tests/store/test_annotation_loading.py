"""Loading a source's annotations in parts (what the reader does for big sources) gives the same annotations
as loading them at once; the codebook without usage counts equals the codebook."""

from __future__ import annotations

from kzannotate.store import Project


def test_parts_add_up_to_the_whole_in_text_order(seeds_project: Project) -> None:
    p = seeds_project
    src = p.source_ids()[0]
    actor = p.list_actors()[0].id
    theory = p.list_theories()[0].id
    for i in range(25):
        p.add_annotation(src, 10 * i, 10 * i + 5 + (i % 3), actor_ids=[actor] if i % 2 else [],
                         theories={theory: "contradicts"} if i % 3 == 0 else None, note=f"n{i}")
    p.add_annotation(src, 0, 5)  # same start as another: ordered by end, then id
    whole = p.annotations_for_source(src)
    assert len(whole) == 26
    assert [(a.start, a.end, a.id) for a in whole] == sorted((a.start, a.end, a.id) for a in whole)
    assert any(a.actor_ids == (actor,) for a in whole) and any(a.theories == ((theory, "contradicts"),)
                                                               for a in whole)
    assert whole == [p.get_annotation(a.id) for a in whole]  # links as the one-by-one reader gives them
    top = p.annotations_for_source(src, start_before=50)
    assert top == [a for a in whole if a.start < 50]
    parts, after = [], None
    while True:
        page = p.annotations_for_source(src, after=after, limit=4)
        parts += page
        if len(page) < 4:
            break
        after = (page[-1].start, page[-1].end, page[-1].id)
    assert parts == whole


def test_codebook_without_usage(seeds_project: Project) -> None:
    p = seeds_project
    actors, theories = p.codebook_without_usage()
    assert [a.id for a in actors] == [a.id for a in p.list_actors()]
    assert actors[0].aliases == p.list_actors()[0].aliases
    assert [(t.id, t.parent_id) for t in theories] == [(t.id, t.parent_id) for t in p.list_theories()]
    assert all(a.usage == 0 for a in actors)
