"""``kzannotate report --what ach --format csv`` writes one rectangular table, chosen with --table."""

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
    return seeds_project.path


def _run(capsys, argv) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    width = len(reader.fieldnames)
    for row in rows:  # a short row gets None values, a long one a None key
        assert len(row) == width and None not in row and None not in row.values(), row
    assert text.count("\n") == len(rows) + 1  # no blank separator lines
    return rows


def test_ach_csv_default_is_the_theory_ranking(demo_path, capsys):
    value = json.loads(_run(capsys, ["report", str(demo_path), "--what", "ach"]))
    default = _run(capsys, ["report", str(demo_path), "--what", "ach", "--format", "csv"])
    assert default == _run(capsys, ["report", str(demo_path), "--what", "ach", "--format", "csv",
                                    "--table", "theories"])
    rows = _rows(default)
    assert [(r["theory"], int(r["rank"])) for r in rows] == [(t["theory"], t["rank"]) for t in value["theories"]]
    assert [r["theory_id"] for r in rows] == [t["theory_id"] for t in value["theories"]]


def test_ach_csv_evidence_table(demo_path, capsys):
    value = json.loads(_run(capsys, ["report", str(demo_path), "--what", "ach", "--weighted"]))
    rows = _rows(_run(capsys, ["report", str(demo_path), "--what", "ach", "--weighted", "--format", "csv",
                               "--table", "evidence"]))
    assert [r["annotation_id"] for r in rows] == [e["annotation_id"] for e in value["evidence"]]
    theories = [t["theory"] for t in value["theories"]]
    for row, e in zip(rows, value["evidence"], strict=True):
        assert [row[t] for t in theories] == [e["cells"][t] for t in theories]
        assert float(row["weight"]) == e["weight"] and row["source_id"] == e["source_id"]


def test_json_shape_is_unchanged(demo_path, capsys):
    value = json.loads(_run(capsys, ["report", str(demo_path), "--what", "ach"]))
    assert set(value) == {"theories", "evidence", "weights", "weighted"}


@pytest.mark.parametrize("extra", [["--what", "ach"], ["--what", "sources", "--format", "csv"]])
def test_table_elsewhere_is_a_usage_error(demo_path, capsys, extra):
    assert main(["report", str(demo_path), *extra, "--table", "evidence"]) == 2
    assert "--table applies to --what ach --format csv" in capsys.readouterr().err
    assert main(["report", str(demo_path), "--what", "ach", "--format", "csv", "--table", "both"]) == 2
