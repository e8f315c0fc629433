"""Merging another analyst's file: matching, newer-wins conflicts, idempotence."""

from __future__ import annotations

import shutil

import pytest

from kzannotate.store import Project
from kzannotate.store.errors import UserError
from kzannotate.store.merge import merge_project, undo_merge
from tests.formats.conftest import EMOJI, T0, build, ids


def snapshot(p: Project) -> list:
    return [p.info()[k] for k in ("sources", "actors", "theories", "annotations")] + [
        a for s in p.source_ids() for a in p.annotations_for_source(s)]


@pytest.fixture
def pair(tmp_path):
    mine = build(tmp_path / "mine.kza")
    mine.close()
    shutil.copy(tmp_path / "mine.kza", tmp_path / "theirs.kza")
    mine = Project.open(tmp_path / "mine.kza")
    theirs = Project.open(tmp_path / "theirs.kza")
    yield mine, theirs, tmp_path / "theirs.kza"
    mine.close()
    theirs.close()


def test_merge_brings_new_work_reports_conflicts_and_is_idempotent(pair):
    mine, theirs, theirs_path = pair
    # they: a new source (same text as one of ours under another id = matched), a new actor and annotation,
    # a theory that has the same name as ours but another id, and edits to two shared annotations
    new_src = theirs.add_source("A new report from Aktau.\n", "Aktau", id=ids(90), created_at=T0, updated_at=T0)
    peskov = theirs.add_actor("Dmitry Peskov", id=ids(91))
    theirs.add_annotation(new_src.id, 2, 12, actor_ids=[peskov.id], id=ids(92))
    theirs.add_annotation(ids(22), EMOJI.index("Tokayev"), EMOJI.index("Tokayev") + 7, id=ids(93))
    theirs.update_annotation(ids(31), note="their note", credibility=2)
    theirs.conn.execute("UPDATE annotations SET updated_at = '2030-01-01T00:00:00.000000Z' WHERE id = ?",
                        (ids(31),))
    theirs.update_annotation(ids(33), note="their older note")
    theirs.conn.execute("UPDATE annotations SET updated_at = '2025-01-01T00:00:00.000000Z' WHERE id = ?",
                        (ids(33),))
    mine.update_annotation(ids(33), note="my note")
    theirs.close()

    report = merge_project(mine, theirs_path)
    assert (report.sources_added, report.sources_matched) == (1, 3)
    assert (report.actors_added, report.annotations_added, report.annotations_updated) == (1, 2, 1)
    # 31 was edited only by them: taken without a report; 33 by both: the newer (mine) kept, reported
    assert mine.get_annotation(ids(31)).note == "their note" and mine.get_annotation(ids(31)).credibility == 2
    assert mine.get_annotation(ids(33)).note == "my note"
    assert {c.annotation_id: c.kept for c in report.conflicts} == {ids(33): "yours"}
    summary = report.summary()
    assert "1 edited in both files:" in summary and "kept your newer version" in summary
    assert "1 updated from theirs" in summary
    assert mine.get_annotation(ids(92)).actor_ids == (ids(91),)

    before = snapshot(mine)
    again = merge_project(mine, theirs_path)
    assert snapshot(mine) == before
    assert not again.changed and again.annotations_added == 0 and again.annotations_updated == 0
    assert not again.conflicts and "edited in both" not in again.summary()
    assert "Nothing to change" in again.summary()

    assert mine.get_meta("merge_versions") is not None  # what was reconciled, for the next merge
    undo_merge(mine, again)
    undo_merge(mine, report)
    assert mine.get_meta("merge_versions") is None
    assert mine.info()["annotations"] == 6 and mine.actor_by_name("Dmitry Peskov") is None
    assert mine.get_annotation(ids(31)).note is None


def test_codebook_matched_by_name_when_ids_differ(pair, tmp_path):
    mine, theirs, theirs_path = pair
    other = Project.create(tmp_path / "other.kza")
    t = other.add_theory("palace COUP", id=ids(95))
    s = other.add_source(EMOJI, "Same text, other id", id=ids(96))
    other.add_annotation(s.id, 0, 6, theories={t.id: "contradicts"}, id=ids(97))
    other.close()
    report = merge_project(mine, tmp_path / "other.kza")
    assert report.theories_added == 0 and report.sources_added == 0
    ann = mine.get_annotation(ids(97))
    assert ann.source_id == ids(22) and ann.theories == ((ids(11), "contradicts"),)


def test_merging_a_project_into_itself_is_refused(pair):
    mine, _, _ = pair
    with pytest.raises(UserError, match="this project itself"):
        merge_project(mine, mine.path)


def edit(p: Project, ann_id: str, when: str, **fields) -> None:
    p.update_annotation(ann_id, **fields)
    p.conn.execute("UPDATE annotations SET updated_at = ? WHERE id = ?", (when, ann_id))


def test_one_sided_edits_are_taken_or_kept_without_a_conflict(pair):
    """Without a common record: only they edited → theirs taken; only I edited → mine kept, even when
    their unedited copy is 'newer' by the clock; neither is reported as edited in both."""
    mine, theirs, theirs_path = pair
    edit(theirs, ids(31), "2025-03-01T00:00:00.000000Z", note="theirs only")
    edit(mine, ids(32), "2025-02-01T00:00:00.000000Z", credibility=5)
    theirs.conn.execute("UPDATE annotations SET created_at = '2026-01-01T00:00:00.000000Z', "
                        "updated_at = '2026-01-01T00:00:00.000000Z' WHERE id = ?", (ids(32),))
    theirs.close()
    report = merge_project(mine, theirs_path)
    assert not report.conflicts
    assert (report.annotations_updated, report.annotations_kept) == (1, 1)
    assert mine.get_annotation(ids(31)).note == "theirs only"
    assert mine.get_annotation(ids(32)).credibility == 5
    summary = report.summary()
    assert "edited in both" not in summary
    assert "1 updated from theirs, 1 kept yours (edited only here)" in summary
    again = merge_project(mine, theirs_path)
    assert not again.conflicts and not again.changed and again.annotations_kept == 0
    assert "Nothing to change" in again.summary() and "kept yours" not in again.summary()


def test_after_a_merge_only_later_edits_count(pair):
    """Both edited an annotation the same way (their common version). Afterwards I edit it again: a merge
    keeps mine silently. They edit it again: a merge takes theirs silently. Both edit: a conflict."""
    mine, theirs, theirs_path = pair
    for p in (mine, theirs):
        edit(p, ids(33), "2025-01-01T00:00:00.000000Z", note="agreed")
    theirs.close()
    assert not merge_project(mine, theirs_path).changed
    edit(mine, ids(33), "2025-06-01T00:00:00.000000Z", note="mine, later")
    report = merge_project(mine, theirs_path)
    assert not report.conflicts and mine.get_annotation(ids(33)).note == "mine, later"

    # they edit the version they have (still "agreed"); I have not touched mine since my last merge
    mine.close()
    shutil.copy(theirs_path.parent / "mine.kza", theirs_path.parent / "mine2.kza")
    mine = Project.open(theirs_path.parent / "mine2.kza")
    try:
        theirs = Project.open(theirs_path)
        edit(theirs, ids(33), "2025-09-01T00:00:00.000000Z", note="theirs, later still")
        theirs.close()
        report = merge_project(mine, theirs_path)
        assert not report.conflicts and report.annotations_updated == 1
        assert mine.get_annotation(ids(33)).note == "theirs, later still"
        # now both edit again: that is a conflict, the newer wins and it is reported
        edit(mine, ids(33), "2025-10-01T00:00:00.000000Z", note="mine, newest")
        theirs = Project.open(theirs_path)
        edit(theirs, ids(33), "2025-11-01T00:00:00.000000Z", note="theirs, newest")
        theirs.close()
        report = merge_project(mine, theirs_path)
        assert [(c.annotation_id, c.kept) for c in report.conflicts] == [(ids(33), "theirs")]
        assert mine.get_annotation(ids(33)).note == "theirs, newest"
        assert not merge_project(mine, theirs_path).conflicts
    finally:
        mine.close()


def test_merging_back_the_other_way_reports_nothing(pair, tmp_path):
    """After I merged their file (keeping my newer version in a conflict), they merge mine: they have
    nothing to decide — my record shows I reconciled their version — so no conflict, they take mine."""
    mine, theirs, theirs_path = pair
    edit(theirs, ids(33), "2025-01-01T00:00:00.000000Z", note="theirs")
    edit(mine, ids(33), "2025-02-01T00:00:00.000000Z", note="mine")
    theirs.close()
    assert len(merge_project(mine, theirs_path).conflicts) == 1
    mine.close()
    theirs = Project.open(theirs_path)
    try:
        back = merge_project(theirs, tmp_path / "mine.kza")
        assert not back.conflicts and back.annotations_updated == 1
        assert theirs.get_annotation(ids(33)).note == "mine"
    finally:
        theirs.close()
