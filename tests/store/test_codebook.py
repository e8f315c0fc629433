"""Codebook CRUD, merges and their undo data, and usage across sources."""

from __future__ import annotations

import pytest

from kzannotate.store.errors import DuplicateError, NotFoundError, ValidationError


def _source(project, text="Tokayev met Nazarbayev. Later Tokaev spoke.\n"):
    return project.add_source(text, "S")


def test_actor_crud(project):
    a = project.add_actor("Kassym-Jomart Tokayev", aliases=["Tokayev", "tokayev", " Tokaev "], color="#0072B2")
    assert a.aliases == ("Tokayev", "Tokaev")  # duplicates (case-insensitive) and spaces removed
    assert a.color == "#0072b2"
    old = project.update_actor(a.id, name="K.-J. Tokayev", kind="person", aliases=[*a.aliases, "Kasym-Jomart"])
    assert old.name == "Kassym-Jomart Tokayev"
    assert project.get_actor(a.id).aliases == ("Tokayev", "Tokaev", "Kasym-Jomart")
    with pytest.raises(DuplicateError):
        project.add_actor("k.-j. tokayev")
    with pytest.raises(ValidationError):
        project.update_actor(a.id, kind="planet")
    snap = project.delete_actor(a.id)
    with pytest.raises(NotFoundError):
        project.get_actor(a.id)
    project.restore_code(snap)
    assert project.get_actor(a.id).name == "K.-J. Tokayev"


def test_delete_used_actor_and_restore_links(project):
    s = _source(project)
    a = project.add_actor("Tokayev")
    ann = project.add_annotation(s.id, 0, 7, actor_ids=[a.id])
    assert project.get_actor(a.id).usage == 1
    snap = project.delete_actor(a.id)
    assert project.get_annotation(ann.id).actor_ids == ()
    project.restore_code(snap)
    assert project.get_annotation(ann.id).actor_ids == (a.id,)


def test_merge_actors_moves_links_unites_aliases_and_unmerges(project):
    s = _source(project)
    keep = project.add_actor("Nursultan Nazarbayev", aliases=["Nazarbayev"], color="#e69f00")
    dup = project.add_actor("Nazarbaev", aliases=["Elbasy"], description="entered twice")
    other = project.add_actor("Tokayev")
    a1 = project.add_annotation(s.id, 12, 22, actor_ids=[dup.id])
    a2 = project.add_annotation(s.id, 0, 22, actor_ids=[dup.id, keep.id, other.id])
    snap = project.merge_actors(keep.id, [dup.id])
    merged = project.get_actor(keep.id)
    assert set(merged.aliases) == {"Nazarbayev", "Nazarbaev", "Elbasy"}
    assert merged.description == "entered twice"
    assert merged.usage == 2
    assert project.get_annotation(a1.id).actor_ids == (keep.id,)
    assert set(project.get_annotation(a2.id).actor_ids) == {keep.id, other.id}
    with pytest.raises(NotFoundError):
        project.get_actor(dup.id)

    project.unmerge(snap)
    assert project.get_actor(keep.id).aliases == ("Nazarbayev",)
    assert project.get_actor(keep.id).description is None
    assert project.get_actor(dup.id).aliases == ("Elbasy",)
    assert project.get_annotation(a1.id).actor_ids == (dup.id,)
    assert set(project.get_annotation(a2.id).actor_ids) == {dup.id, keep.id, other.id}


def test_merge_needs_another_actor(project):
    a = project.add_actor("A")
    with pytest.raises(ValidationError):
        project.merge_actors(a.id, [a.id])


def test_theory_tree_merge_and_unmerge(project):
    s = _source(project)
    root = project.add_theory("Foreign involvement")
    colour = project.add_theory("Western-backed colour revolution", parent_id=root.id)
    dup = project.add_theory("Colour revolution")
    child = project.add_theory("NGO funding", parent_id=dup.id)
    ann1 = project.add_annotation(s.id, 0, 7, theories={dup.id: "contradicts"})
    ann2 = project.add_annotation(s.id, 12, 22, theories={dup.id: "neutral", colour.id: "supports"})
    snap = project.merge_theories(colour.id, [dup.id])
    assert project.get_annotation(ann1.id).theories == ((colour.id, "contradicts"),)
    assert project.get_annotation(ann2.id).theories == ((colour.id, "supports"),)  # kept stance wins
    assert project.get_theory(child.id).parent_id == colour.id
    assert project.get_theory(colour.id).usage == 2
    project.unmerge(snap)
    assert project.get_theory(child.id).parent_id == dup.id
    assert project.get_annotation(ann1.id).theories == ((dup.id, "contradicts"),)
    assert dict(project.get_annotation(ann2.id).theories) == {dup.id: "neutral", colour.id: "supports"}


def test_merge_theory_into_its_own_child_lifts_it(project):
    parent = project.add_theory("Elite struggle")
    kid = project.add_theory("Palace coup", parent_id=parent.id)
    snap = project.merge_theories(kid.id, [parent.id])
    assert project.get_theory(kid.id).parent_id is None
    project.unmerge(snap)
    assert project.get_theory(kid.id).parent_id == parent.id


def test_theory_cycle_refused(project):
    a = project.add_theory("A")
    b = project.add_theory("B", parent_id=a.id)
    with pytest.raises(ValidationError):
        project.update_theory(a.id, parent_id=b.id)
    assert project.theory_descendants(a.id) == [b.id]


def test_annotations_for_actor_and_theory_across_sources(project):
    s1 = project.add_source("Tokayev here.\n", "B source")
    s2 = project.add_source("And Tokayev there.\n", "A source")
    a = project.add_actor("Tokayev")
    t = project.add_theory("Coup")
    x = project.add_annotation(s1.id, 0, 7, actor_ids=[a.id], theories={t.id: "supports"})
    y = project.add_annotation(s2.id, 4, 11, actor_ids=[a.id])
    assert [n.id for n in project.annotations_for_actor(a.id)] == [y.id, x.id]  # by source title
    assert [n.id for n in project.annotations_for_theory(t.id)] == [x.id]
