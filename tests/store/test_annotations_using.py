"""``annotations_using``: distinct annotations linking any of some actors or theories (delete confirmations)."""

from __future__ import annotations

from kzannotate.store import Project

TEXT = "Protests began in Zhanaozen.\nTokayev called in the CSTO."


def test_counts_each_annotation_once(project: Project) -> None:
    src = project.add_source(TEXT, "Unrest")
    tokayev, csto = project.add_actor("Tokayev"), project.add_actor("CSTO")
    coup, protest = project.add_theory("Palace coup"), project.add_theory("Protest")
    project.add_annotation(src.id, 0, 8, actor_ids=[tokayev.id, csto.id], theories={coup.id: "supports",
                                                                                   protest.id: "neutral"})
    project.add_annotation(src.id, 29, 36, actor_ids=[tokayev.id])
    project.add_annotation(src.id, 51, 55, theories={protest.id: "contradicts"})
    assert project.annotations_using(actor_ids=[tokayev.id, csto.id]) == 2
    assert project.annotations_using(actor_ids=[csto.id]) == 1
    assert project.annotations_using(theory_ids=[coup.id, protest.id]) == 2
    assert project.annotations_using(actor_ids=[tokayev.id], theory_ids=[protest.id]) == 3
    assert project.annotations_using() == 0
    assert project.annotations_using(actor_ids=["gone"]) == 0
