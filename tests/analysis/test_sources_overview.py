from __future__ import annotations

import pytest

from kzannotate.analysis import data
from kzannotate.analysis.sources_overview import sources_overview
from kzannotate.analysis.weights import Weights


def test_order_and_theory_counts(small):
    o = sources_overview(data.load(small["project"]))
    assert [r.title for r in o.rows] == ["One", "Two", "Three"]  # A, C, E
    two = o.rows[1]
    assert two.supports == {small["t2"]: 1, small["t3"]: 1} and two.contradicts == {small["t1"]: 1}
    js = o.to_json()["sources"]
    assert js[1]["supports"] == {"T2 foreign": 1, "T3 clans": 1} and js[1]["reliability"] == "C"
    assert js[0]["published"] == "2022-01-05"


def test_weighted_bars(small):
    o = sources_overview(data.load(small["project"]), Weights(), weighted=True)
    two = o.rows[1]
    assert two.supports[small["t2"]] == pytest.approx(0.36)
    assert two.supports[small["t3"]] == pytest.approx(0.4)


def test_unannotated_and_unrated_sources_are_listed_last(project):
    project.add_source("No rating.", "Zed")
    project.add_source("Rated.", "Aye", reliability="F")
    o = sources_overview(data.load(project))
    assert [r.title for r in o.rows] == ["Aye", "Zed"]
    assert o.to_csv().count("\n") == 1  # header only: nothing supports anything
