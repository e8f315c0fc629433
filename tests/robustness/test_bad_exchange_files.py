"""Hostile or broken exchange files: refused before anything is written, with a message naming the file.

REFI-QDA projects (.qdpx) via ``kzannotate import`` and ``kzannotate.formats.qdpx.import_qdpx``; a broken
codebook JSON via ``load_codebook_file``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kzannotate import cli
from kzannotate.formats import qdpx
from kzannotate.formats.codebook_json import CodebookFormatError, load_codebook_file
from kzannotate.store import Project
from kzannotate.store.errors import UserError

GUID = "A1B2C3D4-0000-4000-8000-000000000001"


def qde(body: str = "", doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>{doctype}'
            '<Project xmlns="urn:QDA-XML:project:1.0" name="hostile" origin="test">'
            f'<Sources><TextSource guid="{GUID}" name="a" plainTextPath="internal://{GUID}.txt">'
            f"{body}</TextSource></Sources></Project>").encode()


def _zip(path: Path, entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def zip_slip(path: Path) -> Path:
    return _zip(path, {"project.qde": qde(), f"sources/{GUID}.txt": b"text",
                       "../../escaped.txt": b"owned", "sources/../../../escaped2.txt": b"owned"})


def external_entity(path: Path) -> Path:
    doctype = '<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return _zip(path, {"project.qde": qde("<Description>&xxe;</Description>", doctype),
                       f"sources/{GUID}.txt": b"text"})


def entity_expansion(path: Path) -> Path:
    ents = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">'
                                          for i in range(1, 10))
    return _zip(path, {"project.qde": qde("<Description>&a9;</Description>", f"<!DOCTYPE Project [{ents}]>"),
                       f"sources/{GUID}.txt": b"text"})


def huge_entry(path: Path) -> Path:
    return _zip(path, {"project.qde": qde(), f"sources/{GUID}.txt": b"\0" * (64 * 1024 * 1024)})


def no_project_qde(path: Path) -> Path:
    return _zip(path, {f"sources/{GUID}.txt": b"text", "readme.txt": b"hello"})


def invalid_xml(path: Path) -> Path:
    return _zip(path, {"project.qde": b"<Project><Sources><TextSource></Project", f"sources/{GUID}.txt": b"t"})


def not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 but then nothing sensible" * 10)
    return path


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], Path]
    words: tuple[str, ...]


CASES = [
    Case("zip-slip", zip_slip, ("outside", "path", "unsafe", "..")),
    Case("external-entity", external_entity, ("entit", "external")),
    Case("entity-expansion", entity_expansion, ("entit",)),
    Case("huge-compressed-entry", huge_entry, ("size", "large", "ratio", "compress")),
    Case("no-project-qde", no_project_qde, ("project.qde",)),
    Case("invalid-xml", invalid_xml, ("xml", "well-formed")),
    Case("not-a-zip", not_a_zip, ("zip", "not a REFI-QDA")),
]


def counts(project: Project) -> dict:
    return project.info() | {"links": project.conn.execute(
        "SELECT (SELECT count(*) FROM annotation_actors) + (SELECT count(*) FROM annotation_theories)"
    ).fetchone()[0]}


def check_message(message: str, path: Path, words: tuple[str, ...]) -> None:
    assert path.name in message, f"the message must name the file: {message!r}"
    assert any(w.lower() in message.lower() for w in words), message
    assert "Traceback" not in message


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_qdpx_via_import_function(seeds_project: Project, tmp_path: Path, case: Case) -> None:
    path = case.make(tmp_path / "hostile.qdpx")
    before = counts(seeds_project)
    with pytest.raises(UserError) as info:
        qdpx.import_qdpx(seeds_project, path)
    check_message(str(info.value), path, case.words)
    assert counts(seeds_project) == before
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert not any(p.name.startswith("escaped") for p in tmp_path.parent.rglob("escaped*"))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_qdpx_via_cli(seeds_project: Project, tmp_path: Path, case: Case,
                      capsys: pytest.CaptureFixture[str]) -> None:
    path = case.make(tmp_path / "hostile file.qdpx")
    before = counts(seeds_project)
    project_path = seeds_project.path
    seeds_project.close()
    assert cli.main(["import", str(project_path), str(path)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = [ln for ln in (out + err).splitlines() if ln.strip()]
    assert len(lines) == 1, out + err
    check_message(lines[0], path, case.words)
    with Project.open(project_path) as project:
        assert counts(project) == before


MALFORMED_CODEBOOKS = {
    "not-json": (b'{"format": "kzannotate-codebook", "actors": [', ("not valid JSON", "line")),
    "not-utf8": ("{\"name\": \"Тест\"}".encode("cp1251"), ("UTF-8",)),
    "wrong-format": (json.dumps({"format": "something-else", "version": 1}).encode(), ("format",)),
    "actor-without-name": (json.dumps({"format": "kzannotate-codebook", "version": 1,
                                       "actors": [{"kind": "person"}], "theories": []}).encode(), ("name",)),
    "theories-not-a-list": (json.dumps({"format": "kzannotate-codebook", "version": 1, "actors": [],
                                        "theories": {"name": "A"}}).encode(), ("list",)),
    "top-level-list": (b"[1, 2, 3]", ("object",)),
}


@pytest.mark.parametrize("key", MALFORMED_CODEBOOKS)
def test_malformed_codebook_json(tmp_path: Path, key: str) -> None:
    data, words = MALFORMED_CODEBOOKS[key]
    path = tmp_path / f"codebook {key}.json"
    path.write_bytes(data)
    with pytest.raises(CodebookFormatError) as info:
        load_codebook_file(path)
    message = str(info.value)
    assert any(w.lower() in message.lower() for w in words), message
    if key in ("not-json", "not-utf8"):
        assert path.name in message
