from __future__ import annotations

import copy
import json
import re
import shutil

from kzannotate.formats.exports import run_export
from tests.formats.w3c_suite import must_assertions, must_failures


def test_every_exported_annotation_passes_all_w3c_must_assertions(golden, tmp_path):
    out = tmp_path / "a.jsonld"
    run_export(golden, "w3c", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "AnnotationCollection" and doc["total"] == 6
    items = doc["first"]["items"]
    assert len(items) == 6
    assert len(must_assertions()) > 40
    for ann in items:
        assert must_failures(ann) == [], ann["id"]


def test_the_runner_catches_a_bare_uuid_id_and_a_missing_target(golden, tmp_path):
    out = tmp_path / "a.jsonld"
    run_export(golden, "w3c", out)
    ann = json.loads(out.read_text(encoding="utf-8"))["first"]["items"][0]
    bad = copy.deepcopy(ann)
    bad["id"] = ann["id"].removeprefix("urn:uuid:")
    assert any("annotationIdValidated" in f for f in must_failures(bad))
    bad = copy.deepcopy(ann)
    del bad["target"]
    assert must_failures(bad)


def test_selectors_count_code_points_and_bodies_carry_purposes(golden, tmp_path):
    out = tmp_path / "a.jsonld"
    run_export(golden, "w3c", out)
    items = {a["id"]: a for a in json.loads(out.read_text(encoding="utf-8"))["first"]["items"]}
    emoji = items["urn:uuid:00000000-0000-4000-8000-000000000034"]
    quote, pos = emoji["target"]["selector"]
    text = golden.get_source("00000000-0000-4000-8000-000000000022").text
    assert quote["exact"] == "🔥 in Almaty 🇰🇿" == text[pos["start"]:pos["end"]]
    assert quote["prefix"] == text[:pos["start"]] and text[pos["end"]:].startswith(quote["suffix"])
    purposes = [b["purpose"] for b in emoji["body"]]
    assert purposes.count("identifying") == 2 and "assessing" in purposes and "commenting" in purposes
    ann = items["urn:uuid:00000000-0000-4000-8000-000000000032"]
    stances = {b["source"]["label"]: b["stance"] for b in ann["body"] if b["purpose"] == "classifying"}
    assert stances == {"Foreign terrorists": "supports", "Palace coup": "neutral"}
    rating = next(b for b in ann["body"] if b["purpose"] == "assessing")
    assert rating["value"] == "B3" and rating["reliabilityFrom"] == "source"


def test_each_scope_has_its_own_deterministic_collection_id(golden, tmp_path):
    """A filtered export is another collection: its IRI differs from the whole project's and from other
    filters', and is the same every time (whatever order the sources were chosen in, wherever the file is)."""
    from kzannotate.formats.common import Scope
    from kzannotate.store import Project
    from tests.formats.conftest import ids

    def ids_of(project, scope=None):
        out = tmp_path / "a.jsonld"
        run_export(project, "w3c", out, scope=scope)
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["first"]["id"] == doc["id"] + "#page1"
        return doc["id"]

    scopes = {"all": None, "ann": Scope(annotator="ann"), "bob": Scope(annotator="bob"),
              "one": Scope(source_ids=(ids(21),)), "two": Scope(source_ids=(ids(21), ids(22))),
              "two, ann": Scope(source_ids=(ids(21), ids(22)), annotator="ann")}
    got = {k: ids_of(golden, s) for k, s in scopes.items()}
    assert len(set(got.values())) == len(got), got
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", v)
               for v in got.values())
    assert ids_of(golden, Scope(source_ids=(ids(22), ids(21), ids(22)))) == got["two"]
    assert ids_of(golden) == got["all"]
    golden.close()
    moved = tmp_path / "elsewhere" / "renamed.kza"
    moved.parent.mkdir()
    shutil.copy(golden.path, moved)
    with Project.open(moved) as again:
        assert ids_of(again) == got["all"] and ids_of(again, scopes["ann"]) == got["ann"]
