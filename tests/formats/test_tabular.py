"""CSV and JSON Lines: golden files, RFC 4180 quoting, BOM, scope filters, cancel."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import pytest

from kzannotate.formats.common import ExportCancelled, Scope
from kzannotate.formats.exports import run_export
from tests.formats.conftest import GOLDEN, ids

UPDATE = os.environ.get("KZ_UPDATE_GOLDEN") == "1"


def normalise(text: str) -> str:
    """Golden comparisons ignore generation times (the fixture's own times are fixed)."""
    text = re.sub(r"kzannotate \d+\.\d+\S*", "kzannotate VERSION", text)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "TIMESTAMP", text)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8", newline="")
    assert normalise(actual) == normalise(path.read_bytes().decode("utf-8")), name


@pytest.mark.parametrize("fmt, name", [("csv", "golden.csv"), ("jsonl", "golden.jsonl")])
def test_golden(golden, tmp_path, fmt, name):
    out = tmp_path / name
    result = run_export(golden, fmt, out)
    assert result.count == 6
    check_golden(name, out.read_bytes().decode("utf-8"))


def test_csv_quotes_newlines_and_emoji_survive_a_csv_reader(golden, tmp_path):
    out = tmp_path / "a.csv"
    run_export(golden, "csv", out)
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    by_id = {r["id"]: r for r in rows}
    r = by_id[ids(32)]
    assert r["quote"] == "Tokayev said \"terrorists\" attacked Almaty;\ncritics"
    assert r["note"] == "Quote with \"quotes\",\nand a newline"
    assert r["theories_supports"] == "Foreign terrorists" and r["theories_neutral"] == "Palace coup"
    assert (r["reliability"], r["reliability_from"], r["credibility"], r["rating"]) == ("B", "source", "3", "B3")
    assert by_id[ids(33)]["rating"] == "C2" and by_id[ids(33)]["reliability_from"] == "annotation"
    assert by_id[ids(34)]["quote"] == "🔥 in Almaty 🇰🇿"
    assert by_id[ids(34)]["actors"] == "CSTO; Kassym-Jomart Tokayev"
    assert by_id[ids(35)]["rating"] == "A1" and by_id[ids(36)]["rating"] == "F6"
    text = golden.get_source(ids(22)).text
    assert text[int(by_id[ids(34)]["start"]):int(by_id[ids(34)]["end"])] == by_id[ids(34)]["quote"]


def test_csv_bom_option(golden, tmp_path):
    out = tmp_path / "a.csv"
    run_export(golden, "csv", out, bom=True)
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,source_id")


def test_jsonl_nested_objects(golden, tmp_path):
    out = tmp_path / "a.jsonl"
    run_export(golden, "jsonl", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    objs = [json.loads(line) for line in lines]
    assert len(objs) == 6
    o = next(x for x in objs if x["id"] == ids(32))
    assert o["source"]["outlet"] == "Outlet \"Q\"" and o["source"]["reliability"] == "B"
    assert o["actors"] == [{"id": ids(1), "name": "Kassym-Jomart Tokayev"}]
    assert {t["name"]: t["stance"] for t in o["theories"]} == {"Foreign terrorists": "supports",
                                                               "Palace coup": "neutral"}
    assert o["rating"] == {"reliability": "B", "reliability_from": "source", "own_reliability": None,
                           "credibility": 3, "code": "B3"}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_scope_filters(golden, tmp_path, fmt):
    out = tmp_path / f"a.{fmt}"
    assert run_export(golden, fmt, out, scope=Scope(source_ids=(ids(22),))).count == 2
    assert run_export(golden, fmt, out, scope=Scope(annotator="ann")).count == 3
    assert run_export(golden, fmt, out, scope=Scope(source_ids=(ids(21),), annotator="bob")).count == 1
    assert ids(32) in out.read_text(encoding="utf-8")


def test_unknown_source_is_a_user_error(golden, tmp_path):
    from kzannotate.store.errors import UserError

    with pytest.raises(UserError, match="No source with id nope"):
        run_export(golden, "csv", tmp_path / "a.csv", scope=Scope(source_ids=("nope",)))
    assert list(tmp_path.iterdir()) == [tmp_path / "golden.kza"] or not (tmp_path / "a.csv").exists()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "w3c", "qdpx", "html", "rtf", "sqlite"])
def test_cancel_leaves_nothing_and_keeps_an_old_file(golden, tmp_path, fmt):
    out = tmp_path / "out" / "export.bin"
    out.parent.mkdir()
    out.write_text("previous export")
    with pytest.raises(ExportCancelled):
        run_export(golden, fmt, out, progress=lambda done, total: False)
    assert out.read_text() == "previous export"
    assert sorted(p.name for p in out.parent.iterdir()) == ["export.bin"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "w3c", "qdpx", "html", "rtf", "sqlite", "qdc"])
def test_exports_are_ordinary_readable_files(golden, tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    run_export(golden, fmt, out)
    assert out.stat().st_mode & 0o044  # not private to the exporting user (mkstemp would make 0600)
