"""ACH as CSV: each table is its own rectangular file (pandas, R and spreadsheets read one table)."""

from __future__ import annotations

import csv
import io

import pytest

from kzannotate.analysis import ach, data
from kzannotate.analysis.weights import Weights


def _rectangular(text: str) -> list[dict[str, str]]:
    raw = list(csv.reader(io.StringIO(text)))
    assert raw and all(len(r) == len(raw[0]) for r in raw), "every line must have the header's width"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(raw) - 1  # no blank lines (DictReader would skip them silently)
    return rows


def test_theories_table_by_hand(small):
    res = ach.assess(data.load(small["project"]), Weights())
    rows = _rectangular(res.to_csv())
    assert rows == _rectangular(res.to_csv("theories"))
    by_id = {r["theory_id"]: r for r in rows}
    assert set(by_id) == {small["t1"], small["t2"], small["t3"]}
    assert [r["theory"] for r in rows] == [t.theory for t in res.theories]
    t1 = by_id[small["t1"]]
    assert (t1["raw_inconsistent"], t1["raw_consistent"], t1["raw_neutral"]) == ("2", "1", "1")


def test_evidence_table_one_row_per_piece_of_evidence(small):
    res = ach.assess(data.load(small["project"]), Weights())
    rows = _rectangular(res.to_csv("evidence"))
    assert len(rows) == 5
    a1 = next(r for r in rows if r["annotation_id"] == small["a1"])
    assert (a1["T1 protest"], a1["T2 foreign"], a1["T3 clans"]) == ("C", "I", "")
    assert a1["source_id"] == small["s1"] and a1["annotation_ids"] == small["a1"]
    assert next(r for r in rows if r["annotation_id"] == small["a4"])["flagged"] == "1"


def test_unknown_table_is_refused(small):
    with pytest.raises(ValueError):
        ach.assess(data.load(small["project"]), Weights()).to_csv("both")
