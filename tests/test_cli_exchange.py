"""kzannotate export / merge / import FILE.qdpx from the command line."""

from __future__ import annotations

import csv
import shutil

from kzannotate.cli import main
from tests.formats.conftest import build, ids


def make(tmp_path, name="g.kza"):
    build(tmp_path / name).close()
    return tmp_path / name


def test_export_every_format(tmp_path, capsys):
    kza = make(tmp_path)
    for fmt, suffix in (("csv", "csv"), ("jsonl", "jsonl"), ("w3c", "jsonld"), ("qdpx", "qdpx"), ("qdc", "qdc"),
                        ("html", "html"), ("rtf", "rtf"), ("sqlite", "sqlite")):
        out = tmp_path / f"out.{suffix}"
        assert main(["export", str(kza), "--format", fmt, "-o", str(out)]) == 0, fmt
        assert out.exists() and out.stat().st_size > 0
    assert "wrote" in capsys.readouterr().out


def test_export_scope_and_bom(tmp_path):
    kza = make(tmp_path)
    out = tmp_path / "a.csv"
    assert main(["export", str(kza), "-f", "csv", "-o", str(out), "--source", ids(21), "--source", ids(22),
                 "--annotator", "ann", "--bom"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert sorted(r["id"] for r in rows) == [ids(31), ids(33), ids(34)]


def test_user_errors_are_one_line_and_usage_is_2(tmp_path, capsys):
    kza = make(tmp_path)
    assert main(["export", str(kza), "-f", "csv", "-o", str(tmp_path / "nope" / "a.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and "Traceback" not in err
    assert main(["export", str(kza), "-f", "csv", "-o", str(tmp_path / "a.csv"), "--source", "missing"]) == 1
    assert "No source with id missing" in capsys.readouterr().err
    assert main(["export", str(kza), "-f", "docx", "-o", str(tmp_path / "a.docx")]) == 2
    assert main(["export", str(kza), "-f", "csv"]) == 2
    assert not (tmp_path / "a.csv").exists()


def test_merge_prints_the_report_and_twice_changes_nothing(tmp_path, capsys):
    kza = make(tmp_path)
    shutil.copy(kza, tmp_path / "other.kza")
    from kzannotate.store import Project

    with Project.open(tmp_path / "other.kza") as other:
        s = other.add_source("Fresh text.\n", "Fresh")
        other.add_annotation(s.id, 0, 5)
    assert main(["merge", str(kza), str(tmp_path / "other.kza")]) == 0
    out = capsys.readouterr().out
    assert "sources: 1 added" in out and "annotations: 1 added" in out
    assert main(["merge", str(kza), str(tmp_path / "other.kza")]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    assert main(["merge", str(kza), str(tmp_path / "missing.kza")]) == 1


def test_import_qdpx_round_trip_via_cli(tmp_path, capsys):
    kza = make(tmp_path)
    out = tmp_path / "g.qdpx"
    assert main(["export", str(kza), "-f", "qdpx", "-o", str(out)]) == 0
    assert main(["new", str(tmp_path / "fresh.kza")]) == 0
    assert main(["import", str(tmp_path / "fresh.kza"), str(out)]) == 0
    assert "6 annotations added" in capsys.readouterr().out
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip")
    assert main(["import", str(tmp_path / "fresh.kza"), str(bad)]) == 1
    assert "refused: bad.qdpx" in capsys.readouterr().out
