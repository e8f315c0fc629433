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
    theirs.conn.execute("UPDATE annotations SET updated_at = '2020-01-01T00:00:00.000000Z' WHERE id = ?",
                        (ids(33),))
    mine.update_annotation(ids(33), note="my note")
    theirs.close()

    report = merge_project(mine, theirs_path)
    assert (report.sources_added, report.sources_matched) == (1, 3)
    assert (report.actors_added, report.annotations_added, report.annotations_updated) == (1, 2, 1)
    assert mine.get_annotation(ids(31)).note == "their note" and mine.get_annotation(ids(31)).credibility == 2
    assert mine.get_annotation(ids(33)).note == "my note"
    kept = {c.annotation_id: c.kept for c in report.conflicts}
    assert kept == {ids(31): "theirs", ids(33): "yours"}
    assert "edited in both" in report.summary() and "kept their newer version" in report.summary()
    assert mine.get_annotation(ids(92)).actor_ids == (ids(91),)

    before = snapshot(mine)
    again = merge_project(mine, theirs_path)
    assert snapshot(mine) == before
    assert not again.changed and again.annotations_added == 0 and again.annotations_updated == 0

    undo_merge(mine, report)
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
