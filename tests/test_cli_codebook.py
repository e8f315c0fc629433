"""kzannotate mentions / duplicates / aliases / codebook: output shapes and exit codes."""

from __future__ import annotations

import json

import jsonschema
import pytest

from kzannotate.cli import main
from kzannotate.setup_project import create_project
from kzannotate.store import Project

MENTIONS_SCHEMA = {
    "type": "array",
    "items": {"type": "object",
              "required": ["source_id", "start", "end", "text", "actor_id", "actor"],
              "properties": {"source_id": {"type": "string"}, "start": {"type": "integer"},
                             "end": {"type": "integer"}, "text": {"type": "string"},
                             "actor_id": {"type": "string"}, "actor": {"type": "string"}}},
}
DUPLICATES_SCHEMA = {
    "type": "array",
    "items": {"type": "object", "required": ["length", "copies"],
              "properties": {"length": {"type": "integer"},
                             "copies": {"type": "array", "minItems": 2,
                                        "items": {"type": "object", "required": ["source_id", "start", "end"]}}}},
}


@pytest.fixture
def seeds_path(seeds_project):
    nazarbayev = seeds_project.actor_by_name("Nursultan Nazarbayev")  # unlist the spelling seed 001 uses
    seeds_project.update_actor(nazarbayev.id, aliases=[a for a in nazarbayev.aliases if a != "Narzabajev"])
    path = seeds_project.path
    seeds_project.close()
    return path


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_mentions_json(seeds_path, capsys):
    rows = _json(capsys, ["mentions", str(seeds_path), "--actor", "Tokaev", "--json"])
    jsonschema.validate(rows, MENTIONS_SCHEMA)
    assert len(rows) >= 50
    assert {r["actor"] for r in rows} == {"Kassym-Jomart Tokayev"}
    with Project.open(seeds_path, read_only=True) as p:
        for r in rows:
            assert p.get_source(r["source_id"]).text[r["start"]:r["end"]] == r["text"]
    every = _json(capsys, ["mentions", str(seeds_path), "--json"])
    assert len(every) > len(rows)


def test_mentions_text_and_errors(seeds_path, capsys):
    assert main(["mentions", str(seeds_path), "--actor", "Putin"]) == 0
    out = capsys.readouterr().out
    assert "→ Vladimir Putin" in out and out.rstrip().endswith("unlinked mentions")
    assert main(["mentions", str(seeds_path), "--actor", "Nobody"]) == 1
    assert "No actor called “Nobody”" in capsys.readouterr().err
    assert main(["mentions"]) == 2
    assert main(["mentions", str(seeds_path.with_name("missing.kza"))]) == 1


def test_duplicates_json(seeds_path, capsys):
    rows = _json(capsys, ["duplicates", str(seeds_path), "--json"])
    jsonschema.validate(rows, DUPLICATES_SCHEMA)
    with Project.open(seeds_path, read_only=True) as p:
        by_title = {s.id: s.title for s in p.list_sources()}
        three = [r for r in rows if len(r["copies"]) == 3 and r["length"] > 10_000]
        assert len(three) == 1
        assert by_title[three[0]["copies"][0]["source_id"]].startswith("Steppe on Fire")
        texts = {c["source_id"]: p.get_source(c["source_id"]).text for r in rows for c in r["copies"]}
    first = three[0]["copies"]
    assert len({texts[c["source_id"]][c["start"]:c["end"]] for c in first}) == 1
    assert main(["duplicates", str(seeds_path)]) == 0
    assert "lines 6–88" in capsys.readouterr().out


def test_aliases(seeds_path, capsys):
    rows = _json(capsys, ["aliases", str(seeds_path), "--json"])
    pairs = [(r["alias"], r["actor"]) for r in rows]
    assert ("Narzabajev", "Nursultan Nazarbayev") in pairs
    assert all(alias not in ("Nazarbayev", "Tokayev", "Tokaev") for alias, _ in pairs)


def test_codebook_round_trip(seeds_path, tmp_path, capsys):
    out = tmp_path / "cb.json"
    assert main(["codebook", "export", str(seeds_path), str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "kzannotate-codebook" and len(data["actors"]) >= 40
    create_project(tmp_path / "empty.kza").close()
    assert main(["codebook", "import", str(tmp_path / "empty.kza"), str(out)]) == 0
    assert "actors added" in capsys.readouterr().out
    with Project.open(tmp_path / "empty.kza", read_only=True) as p:
        assert len(p.list_actors()) == len(data["actors"])
        kid = p.theory_by_name("Foreign-backed colour revolution")
        assert p.get_theory(kid.parent_id).name == "Foreign involvement"
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}', encoding="utf-8")
    assert main(["codebook", "import", str(tmp_path / "empty.kza"), str(bad)]) == 1
    assert "Not a valid kzannotate codebook" in capsys.readouterr().err
    assert main(["codebook", "frobnicate", str(seeds_path), str(out)]) == 2
