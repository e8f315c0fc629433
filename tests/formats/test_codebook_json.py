"""Our codebook JSON: export, re-import after edits, and clear refusals."""

from __future__ import annotations

import pytest

from kzannotate.formats.codebook_json import CodebookFormatError, export_codebook, import_codebook
from kzannotate.store import Project


def test_reimport_after_renaming_a_theory_adds_nothing(seeds_project: Project) -> None:
    data = export_codebook(seeds_project)
    staged = seeds_project.theory_by_name("Staged crisis")
    seeds_project.update_theory(staged.id, name="Staged crisis v2")
    before = (len(seeds_project.list_actors()), len(seeds_project.list_theories()))

    report = import_codebook(seeds_project, data)

    assert (len(seeds_project.list_actors()), len(seeds_project.list_theories())) == before
    assert report.theories_added == []
    assert seeds_project.get_theory(staged.id).name == "Staged crisis v2"


def test_reimport_after_renaming_a_parent_keeps_children_under_it(project: Project) -> None:
    parent = project.add_theory("Foreign involvement")
    project.add_theory("Colour revolution", parent_id=parent.id)
    data = export_codebook(project)
    project.update_theory(parent.id, name="External actors")
    project.delete_theory(project.theory_by_name("Colour revolution").id)

    import_codebook(project, data)

    child = project.theory_by_name("Colour revolution")
    assert child is not None and child.parent_id == parent.id
    assert len(project.list_theories()) == 2


def test_reimport_after_renaming_an_actor_merges_new_aliases(project: Project) -> None:
    actor = project.add_actor("Tokayev", aliases=["Tokaev"])
    data = export_codebook(project)
    data["actors"][0]["aliases"].append("Kassym-Jomart")
    project.update_actor(actor.id, name="Kassym-Jomart Tokayev")

    import_codebook(project, data)

    assert [a.name for a in project.list_actors()] == ["Kassym-Jomart Tokayev"]
    assert "Kassym-Jomart" in project.get_actor(actor.id).aliases


@pytest.mark.parametrize("field", ["id", "description", "color"])
def test_non_text_fields_are_refused_with_their_name(project: Project, field: str) -> None:
    data = {"format": "kzannotate-codebook", "version": 1, "actors": [{"name": "Y", field: 7}], "theories": []}
    with pytest.raises(CodebookFormatError, match=field):
        import_codebook(project, data)
    assert project.list_actors() == []
