from __future__ import annotations

import csv
import io

import pytest

from kzannotate.analysis import data
from kzannotate.analysis.matrix import actor_theory_matrix
from kzannotate.analysis.weights import Weights


def test_counts_and_weighted_sums_by_hand(small):
    m = actor_theory_matrix(data.load(small["project"]))
    x, y, t1, t2, t3 = small["x"], small["y"], small["t1"], small["t2"], small["t3"]
    # Xavier: a1 (T1 s, T2 c, w .8), a2 (T2 s, T1 c, w .36), a5 (all neutral, w 1)
    c = m.cell(x, t1)
    assert (c.supports, c.contradicts, c.neutral) == (1, 1, 1)
    assert c.weighted_supports == pytest.approx(0.8)
    assert c.weighted_contradicts == pytest.approx(0.36)
    assert c.weighted_neutral == pytest.approx(1.0)
    assert c.net(False) == 0 and c.net(True) == pytest.approx(0.44)
    c = m.cell(x, t2)
    assert (c.supports, c.contradicts, c.neutral) == (1, 1, 1)
    assert c.weighted_supports == pytest.approx(0.36) and c.weighted_contradicts == pytest.approx(0.8)
    # Yana: a2 (T2 s, T1 c), a3 (T1 c, T3 c, w .2), a4 (T3 s, B6 → .4)
    c = m.cell(y, t1)
    assert (c.supports, c.contradicts, c.neutral) == (0, 2, 0)
    assert c.weighted_contradicts == pytest.approx(0.56)
    c = m.cell(y, t3)
    assert (c.supports, c.contradicts) == (1, 1)
    assert c.weighted_supports == pytest.approx(0.4) and c.weighted_contradicts == pytest.approx(0.2)
    assert sorted(c.annotation_ids) == sorted([small["a3"], small["a4"]])
    assert [n for _, n in m.actors] == ["Xavier", "Yana"]
    assert [n for _, n in m.theories] == ["T1 protest", "T2 foreign", "T3 clans"]


def test_json_and_csv_shapes(small):
    m = actor_theory_matrix(data.load(small["project"]), Weights())
    cells = m.to_json()["cells"]
    assert len(cells) == 6  # Xavier × 3, Yana × 3
    keys = {"actor", "theory", "supports", "contradicts", "neutral", "weighted_supports", "weighted_contradicts"}
    assert all(keys <= set(c) for c in cells)
    rows = list(csv.DictReader(io.StringIO(m.to_csv(weighted=True))))
    yana_t1 = next(r for r in rows if r["actor"] == "Yana" and r["theory"] == "T1 protest")
    assert float(yana_t1["net"]) == pytest.approx(-0.56) and yana_t1["contradicts"] == "2"


def test_annotations_without_actor_or_theory_are_not_in_cells(project):
    s = project.add_source("Only an actor here.", "S")
    a = project.add_actor("Solo").id
    project.add_annotation(s.id, 0, 4, actor_ids=[a])
    m = actor_theory_matrix(data.load(project))
    assert m.cells == {} and m.actors == [] and m.max_abs_net(True) == 0
