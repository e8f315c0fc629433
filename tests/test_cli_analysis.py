"""``kzannotate search`` and ``kzannotate report``: JSON shapes, CSV, and exit codes."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from kzannotate.cli import main

sys.path.insert(0, str(Path(__file__).parent / "ui"))
from analysis_demo import annotate_demo  # noqa: E402


@pytest.fixture
def demo_path(seeds_project):
    annotate_demo(seeds_project)
    path = seeds_project.path
    return path


def _json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_search_json_shape_and_offsets(demo_path, seeds_project, capsys):
    hits = _json(capsys, ["search", str(demo_path), '"colour revolution"', "--json"])
    assert hits and all({"source_id", "start", "end", "snippet"} <= set(h) for h in hits)
    for h in hits:
        text = seeds_project.get_source(h["source_id"]).text
        assert text[h["start"]:h["end"]].lower() == "colour revolution"
        assert "[" + text[h["start"]:h["end"]] + "]" in h["snippet"]


@pytest.mark.parametrize("query", ['"', "AND(", "*", "-", "NEAR(", "😀", "x" * 5000, "'; DROP TABLE x; --"])
def test_search_hostile_queries_exit_zero(demo_path, capsys, query):
    assert isinstance(_json(capsys, ["search", str(demo_path), query, "--json"]), list)


def test_search_text_output(demo_path, capsys):
    assert main(["search", str(demo_path), "Masimov"]) == 0
    captured = capsys.readouterr()
    assert "Masimov" in captured.out and "hits in" in captured.err


def test_report_actor_theory(demo_path, capsys):
    value = _json(capsys, ["report", str(demo_path), "--what", "actor-theory"])
    keys = {"actor", "theory", "supports", "contradicts", "neutral", "weighted_supports", "weighted_contradicts"}
    assert value["cells"] and all(keys <= set(c) for c in value["cells"])
    cell = next(c for c in value["cells"] if c["actor"] == "Kassym-Jomart Tokayev"
                and c["theory"] == "Tokayev's consolidation of power")
    assert (cell["supports"], cell["contradicts"], cell["neutral"]) == (5, 1, 1)
    assert main(["report", str(demo_path), "--what", "actor-theory", "--format", "csv", "--weighted"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(value["cells"]) and "net" in rows[0]


def test_report_ach_matches_the_view_numbers(demo_path, seeds_project, capsys):
    from kzannotate.analysis import ach, data
    from kzannotate.analysis.evidence import repeats_for
    from kzannotate.analysis.weights import project_weights

    value = _json(capsys, ["report", str(demo_path), "--what", "ach", "--weighted", "--sensitivity"])
    assert set(value) >= {"theories", "evidence", "weights"}
    assert all({"theory", "rank", "inconsistency", "support", "raw_inconsistent", "raw_consistent"} <= set(t)
               for t in value["theories"])
    assert all({"annotation_id", "weight", "diagnosticity", "flagged"} <= set(e) for e in value["evidence"])
    assert value["weights"]["reliability"]["E"] == 0.2 and value["weights"]["credibility"]["6"] == 0.5
    d = data.load(seeds_project)
    view = ach.assess(d, project_weights(seeds_project), repeats=repeats_for(seeds_project, d))
    assert [(t["theory"], t["rank"]) for t in value["theories"]] == [(t.theory, t.rank) for t in view.theories]
    assert len(value["evidence"]) == len(view.rows) < 39  # repeated passages counted once
    assert value["sensitivity"][0]["scenario"] == "unweighted"
    unweighted = _json(capsys, ["report", str(demo_path), "--what", "ach"])
    assert all(e["weight"] == 1 for e in unweighted["evidence"])
    assert main(["report", str(demo_path), "--what", "ach", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("theory,rank,inconsistency")


def test_report_sources(demo_path, capsys):
    value = _json(capsys, ["report", str(demo_path), "--what", "sources"])
    assert len(value["sources"]) == 5
    assert all({"source_id", "title", "reliability", "published", "supports", "contradicts"} <= set(s)
               for s in value["sources"])
    assert [s["reliability"] for s in value["sources"]] == ["C", "C", "D", "E", "F"]
    steppe = next(s for s in value["sources"] if s["title"].startswith("Steppe"))
    assert steppe["supports"]["Foreign-backed colour revolution"] == 4
    assert main(["report", str(demo_path), "--what", "sources", "--format", "csv"]) == 0
    assert "Foreign-backed colour revolution" in capsys.readouterr().out


def test_exit_codes(tmp_path, demo_path, capsys):
    assert main(["search", str(tmp_path / "missing.kza"), "x"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.kza"), "--what", "ach"]) == 1
    assert main(["report", str(demo_path), "--what", "everything"]) == 2
    assert main(["report", str(demo_path)]) == 2
    assert main(["search", str(demo_path)]) == 2
