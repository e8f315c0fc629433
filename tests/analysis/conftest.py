"""A small constructed project whose numbers are worked out by hand in the tests."""

from __future__ import annotations

import pytest

from kzannotate.store import Project


def _ann(project: Project, source, needle: str, **kw):
    start = source.text.index(needle)
    return project.add_annotation(source.id, start, start + len(needle), **kw)


@pytest.fixture
def small(project: Project):
    """Three sources (A, C, E), three theories, two actors and five annotations.

    a1 S1(A) cred 2: T1 supports, T2 contradicts         weight 1.0 × 0.8 = 0.8
    a2 S2(C) cred 3: T2 supports, T1 contradicts         weight 0.6 × 0.6 = 0.36
    a3 S3(E) cred 1: T1 contradicts, T3 contradicts      weight 0.2 × 1.0 = 0.2
    a4 S2, own B, cred 6: T3 supports (flagged)          weight 0.8 × 0.5 = 0.4
    a5 S1(A) cred 1: T1, T2, T3 neutral                  weight 1.0
    """
    s1 = project.add_source("Alpha says the strike began over fuel prices. Alpha also says nothing else.",
                            "One", reliability="A", published="2022-01-05")
    s2 = project.add_source("Beta claims foreign agents organised the rallies. Beta adds a rumour.", "Two",
                            reliability="C", published="2022-01-03")
    s3 = project.add_source("Gamma insists the clans fought over the succession.", "Three", reliability="E")
    t1 = project.add_theory("T1 protest").id
    t2 = project.add_theory("T2 foreign").id
    t3 = project.add_theory("T3 clans").id
    x = project.add_actor("Xavier").id
    y = project.add_actor("Yana").id
    ids = {
        "a1": _ann(project, s1, "the strike began over fuel prices", actor_ids=[x],
                   theories={t1: "supports", t2: "contradicts"}, credibility=2, annotator="ann").id,
        "a2": _ann(project, s2, "foreign agents organised the rallies", actor_ids=[x, y],
                   theories={t2: "supports", t1: "contradicts"}, credibility=3, annotator="bob").id,
        "a3": _ann(project, s3, "the clans fought over the succession", actor_ids=[y],
                   theories={t1: "contradicts", t3: "contradicts"}, credibility=1).id,
        "a4": _ann(project, s2, "Beta adds a rumour", actor_ids=[y], theories={t3: "supports"}, reliability="B",
                   credibility=6).id,
        "a5": _ann(project, s1, "Alpha also says nothing else", actor_ids=[x],
                   theories={t1: "neutral", t2: "neutral", t3: "neutral"}, credibility=1).id,
    }
    return {"project": project, "s1": s1.id, "s2": s2.id, "s3": s3.id, "t1": t1, "t2": t2, "t3": t3, "x": x,
            "y": y, **ids}
