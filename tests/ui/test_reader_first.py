"""The reader paints first: side work (mentions, repeats, the rest of a big source's annotations) runs after,
in slices, and gives the same answers as doing it at once; far-away annotations scroll into view."""

from __future__ import annotations

import pytest

from kzannotate.store import Project
from kzannotate.text.mentions import unlinked_mentions
from kzannotate.ui import annotating, codebook_dock, codebook_scans

from .annotating_helpers import open_window

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


def _source(project: Project, prefix: str) -> str:
    return next(s.id for s in project.list_sources()
                if project.get_source(s.id).imported_from.startswith(f"seeds/{prefix}"))


def _codebook(window) -> codebook_dock.CodebookFeature:
    return next(f for f in window.features if isinstance(f, codebook_dock.CodebookFeature))


@pytest.fixture
def finds(monkeypatch):
    """Counts how often the mentions of a source are really searched for (not taken from the cache)."""
    calls: list[str | None] = []
    real = codebook_scans.iter_mentions

    def counting(text, actors, covered=None, chunk=250_000, source_id=None):
        calls.append(source_id)
        return real(text, actors, covered, chunk=chunk, source_id=source_id)

    monkeypatch.setattr(codebook_scans, "iter_mentions", counting)
    return calls


def _spans(window) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in window.source_view.overlays.get("mentions", [])]


def test_mentions_come_after_the_source_is_shown_and_are_cached_per_source(qtbot, seeds_project, monkeypatch,
                                                                            finds):
    window = open_window(qtbot, seeds_project, monkeypatch)
    project = seeds_project
    a, b = _source(project, "001"), _source(project, "002")
    window.show_source(a)
    assert "mentions" not in window.source_view.overlays  # nothing computed before the reader paints
    qtbot.waitUntil(lambda: "mentions" in window.source_view.overlays)
    assert _spans(window) == [(m.start, m.end) for m in unlinked_mentions(project, a)]
    window.show_source(b)
    qtbot.waitUntil(lambda: "mentions" in window.source_view.overlays)
    searched = len(finds)
    window.show_source(a)  # back again: from the cache
    qtbot.waitUntil(lambda: "mentions" in window.source_view.overlays)
    assert len(finds) == searched
    assert _spans(window) == [(m.start, m.end) for m in unlinked_mentions(project, a)]

    # annotating a mention only re-runs the "already annotated" filter
    tokayev = project.actor_by_name("Kassym-Jomart Tokayev")
    first = next(m for m in unlinked_mentions(project, a) if m.actor_id == tokayev.id)
    project.add_annotation(a, first.start, first.end, actor_ids=[tokayev.id])
    qtbot.waitUntil(lambda: (first.start, first.end) not in _spans(window))
    assert len(finds) == searched

    # a codebook edit (a new alias) is a new codebook version: searched again, the alias is found
    text = window.source_view.text
    word = "Akorda" if "Akorda" in text else text.split()[40].strip(".,;:()“”\"'")
    project.update_actor(tokayev.id, aliases=[*tokayev.aliases, word])
    qtbot.waitUntil(lambda: len(finds) > searched)
    qtbot.waitUntil(lambda: any(window.source_view.text[s:e].casefold() == word.casefold()
                                for s, e in _spans(window)))
    assert _spans(window) == [(m.start, m.end) for m in unlinked_mentions(project, a)]


def test_mention_list_is_built_when_its_tab_is_shown(qtbot, seeds_project, monkeypatch):
    window = open_window(qtbot, seeds_project, monkeypatch)
    feat = _codebook(window)
    feat.dock.show()
    feat.dock.tabs.setCurrentIndex(0)  # actors in front: the mentions tab is hidden
    src = _source(seeds_project, "001")
    window.show_source(src)
    feat._flush()
    expected = unlinked_mentions(seeds_project, src)
    panel = feat.dock.mentions
    assert len(panel.mentions) == len(expected)
    assert panel.tree.topLevelItemCount() == 0  # not built while nobody can see it
    feat.dock.tabs.setCurrentWidget(panel)
    by_actor = {m.actor_id for m in expected}
    assert panel.tree.topLevelItemCount() == len(by_actor)
    assert sum(min(panel.tree.topLevelItem(i).childCount(), 200) for i in range(len(by_actor))) == \
        sum(min(200, sum(1 for m in expected if m.actor_id == aid)) for aid in by_actor)


def test_repeats_marked_after_the_scan_in_slices(qtbot, seeds_project, monkeypatch):
    window = open_window(qtbot, seeds_project, monkeypatch)
    monkeypatch.setattr(codebook_scans, "BACKGROUND_CHARS", 0)  # never wait for the scan
    window.show_source(_source(seeds_project, "003"))
    assert _codebook(window).repeat_warning(_source(seeds_project, "003"), 0, 10) is None
    qtbot.waitUntil(lambda: len(window.source_view.overlays.get("repeats", [])) == 3, timeout=10_000)


def test_big_source_loads_the_top_first_then_the_rest(qtbot, seeds_project, monkeypatch):
    project = seeds_project
    src = _source(project, "003")
    n = len(project.get_source(src).text)
    starts = [i * (n - 20) // 60 for i in range(60)]
    ids = [project.add_annotation(src, s, s + 12).id for s in starts]
    monkeypatch.setattr(annotating, "LOAD_AT_ONCE", 10)
    monkeypatch.setattr(annotating, "LOAD_PAGE", 7)
    monkeypatch.setattr(annotating, "FIRST_SLACK", 100)
    window = open_window(qtbot, project, monkeypatch)
    window.show_source(_source(project, "000"))
    window.show_source(src)
    c = window.annotating
    assert 0 < len(c.annotations) < 60  # the part near the top
    assert all(a.start < starts[20] for a in c.annotations.values())
    qtbot.waitUntil(lambda: len(c.annotations) == 60)
    qtbot.waitUntil(lambda: c.table.table_model.rowCount() == 60)
    assert all(i in c.highlighter.index for i in ids)
    # asking for a far annotation before the rest arrived loads it at once and scrolls there
    window.show_source(_source(project, "000"))
    window.show_source(src)
    c.select_annotation(ids[-1])
    assert c.selected_id == ids[-1]
    lo, hi = window.source_view.visible_range()
    assert lo <= starts[-1] < hi


def test_selecting_a_far_annotation_scrolls_to_it(qtbot, seeds_project, monkeypatch):
    project = seeds_project
    src = _source(project, "003")
    text = project.get_source(src).text
    far = project.add_annotation(src, len(text) - 300, len(text) - 280)
    window = open_window(qtbot, project, monkeypatch)
    window.show_source(src)
    view = window.source_view
    assert view.visible_range()[1] < far.start  # starts at the top
    window.annotating.select_annotation(far.id)
    lo, hi = view.visible_range()
    assert lo <= far.start < hi
    # selecting text far away also keeps it in view (the old cursor no longer pulls the view back)
    view.select_span(10, 20)
    lo, hi = view.visible_range()
    assert lo <= 10 < hi
