"""REFI-QDA: schema validity, lossless round trips, foreign files, and hostile archives."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
import xmlschema

from kzannotate.formats import qdpx_safety
from kzannotate.formats.common import Scope
from kzannotate.formats.exports import run_export
from kzannotate.formats.qdpx import cli_import, import_qdpx
from kzannotate.store import Project
from kzannotate.store.errors import UserError
from tests.formats.conftest import STANDARDS, ids

XSD = STANDARDS / "refi-qda"


@pytest.fixture(scope="module")
def project_schema():
    return xmlschema.XMLSchema(XSD / "Project-mrt2019.xsd")


def qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


def counts(p: Project) -> dict:
    return {k: p.info()[k] for k in ("sources", "actors", "theories", "annotations")}


def test_qdpx_validates_and_has_the_required_layout(golden, tmp_path, project_schema):
    out = tmp_path / "g.qdpx"
    run_export(golden, "qdpx", out)
    xml = qde(out)
    project_schema.validate(xml.decode("utf-8"))
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names[0] == "project.qde"
        txts = [n for n in names if n != "project.qde"]
        assert len(txts) == 3 and all(n.startswith("sources/") and n.count("/") == 1 for n in txts)
        for n in txts:
            data = zf.read(n)
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
            assert f'plainTextPath="internal://{n.split("/")[1]}"'.encode() in xml
    assert b'origin="kzannotate' in xml
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    names = [c.get("name").casefold() for c in root.iter("{urn:QDA-XML:project:1.0}Code")]
    assert len(names) == len(set(names)), "code names must be unique across the codebook"
    order = [c.tag.split("}")[1] for c in root]
    expected = ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                "Description", "NoteRef"]
    assert order == sorted(order, key=expected.index)
    sels = list(root.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"))
    assert len(sels) == 6
    users = {u.get("name") for u in root.iter("{urn:QDA-XML:project:1.0}User")}
    assert users == {"ann", "bob"}


def test_qdc_validates(golden, tmp_path):
    out = tmp_path / "g.qdc"
    result = run_export(golden, "qdc", out)
    assert result.count == 6
    xmlschema.XMLSchema(XSD / "Codebook-mrt2019.xsd").validate(str(out))
    text = out.read_text(encoding="utf-8")
    assert "Masimov&apos;s bid (supports)" in text or "Masimov's bid (supports)" in text


def test_round_trip_is_lossless(golden, tmp_path):
    # an actor and a theory with the same name: the file must call one of them "Coup (theory)"
    golden.add_actor("Coup", id=ids(4))
    golden.add_theory("Coup", parent_id=ids(11), id=ids(14), description="Seizure of power")
    golden.update_annotation(ids(36), theories={ids(14): "contradicts"}, actor_ids=[ids(4)])
    out = tmp_path / "g.qdpx"
    run_export(golden, "qdpx", out)
    assert b'name="Coup (theory)"' in qde(out)
    fresh = Project.create(tmp_path / "fresh.kza")
    try:
        line = cli_import(fresh, out)
        assert "6 annotations added" in line
        coup = fresh.get_theory(ids(14))
        assert (coup.name, coup.parent_id, coup.description) == ("Coup", ids(11), "Seizure of power")
        assert fresh.get_actor(ids(4)).name == "Coup" and fresh.theory_by_name("Coup (theory)") is None
        for sid in (ids(21), ids(22), ids(23)):
            a = golden.annotations_for_source(sid)
            b = fresh.annotations_for_source(sid)
            assert a == b  # ids, offsets, quotes, links, stances, ratings, notes, annotators, times
            assert golden.get_source(sid).text == fresh.get_source(sid).text
        src = fresh.get_source(ids(21))
        assert (src.title, src.author, src.outlet, src.reliability, src.notes) == (
            "Plain report", "A. Writer", "Outlet \"Q\"", "B", "Source note, with a comma")
        assert {(t.name, t.parent_id) for t in fresh.list_theories()} == {
            (t.name, t.parent_id) for t in golden.list_theories()}
        csto = fresh.get_actor(ids(3))
        assert (csto.kind, csto.aliases, csto.color) == ("organisation", ("ОДКБ",), None)
        assert fresh.get_actor(ids(1)).description == "President"
        # importing the same file again adds nothing
        before = counts(fresh)
        assert "0 annotations added (6 already present)" in cli_import(fresh, out)
        assert counts(fresh) == before
    finally:
        fresh.close()


def test_a_renamed_theory_matches_by_its_real_name(golden, tmp_path):
    """A project that already has a theory "Coup" (another id) gets the file's "Coup (theory)" matched to
    it, not a duplicate; a code renamed in another tool keeps the new name."""
    golden.add_actor("Coup", id=ids(4))
    golden.add_theory("Coup", id=ids(14))
    golden.add_theory("Purge", id=ids(15))
    golden.add_actor("Purge", id=ids(5))
    golden.update_annotation(ids(36), theories={ids(14): "supports", ids(15): "neutral"})
    out = tmp_path / "g.qdpx"
    run_export(golden, "qdpx", out)
    renamed = qde(out).replace(b'name="Purge (theory)"', b'name="Purge of elites"')
    with zipfile.ZipFile(out) as zf:
        files = {n: zf.read(n) for n in zf.namelist() if n != "project.qde"}
    other = make_qdpx(tmp_path / "renamed.qdpx", renamed.decode("utf-8"), files)
    mine = Project.create(tmp_path / "mine.kza")
    try:
        mine_coup = mine.add_theory("coup", id=ids(77))
        report = import_qdpx(mine, other)
        assert mine.theory_by_name("Coup").id == ids(77) and report.theories_matched == 1
        assert {t.name for t in mine.list_theories()} == {
            "coup", "Purge of elites", "Palace coup", "Masimov's bid", "Foreign terrorists"}
        (ann,) = [a for a in mine.annotations_for_source(ids(23))]
        assert ann.theories == tuple(sorted(((mine_coup.id, "supports"), (ids(15), "neutral"))))
    finally:
        mine.close()


def test_round_trip_keeps_own_and_inherited_reliability(golden, tmp_path, project_schema):
    """Own letter equal to the source's, own letter on an unrated source (F included) and inherited
    letters all come back as they were; other tools still see the effective letter on every selection."""
    plain = golden.get_source(ids(21)).text
    emoji = golden.get_source(ids(22)).text
    start = plain.index("Zhanaozen")
    golden.add_annotation(ids(21), start, start + 9, reliability="B", id=ids(41))  # == the source's B
    start = emoji.index("Almaty")
    golden.add_annotation(ids(22), start, start + 6, reliability="F", id=ids(42))  # own F, unrated source
    golden.add_annotation(ids(22), 0, 6, reliability="D", id=ids(43))  # own D, unrated source
    out = tmp_path / "g.qdpx"
    run_export(golden, "qdpx", out)
    xml = qde(out)
    project_schema.validate(xml.decode("utf-8"))
    assert b'name="Reliability: as the source"' in xml
    fresh = Project.create(tmp_path / "fresh.kza")
    try:
        import_qdpx(fresh, out)
        want = {a: golden.get_annotation(ids(a)).reliability for a in (31, 33, 34, 41, 42, 43)}
        assert want == {31: None, 33: "C", 34: None, 41: "B", 42: "F", 43: "D"}
        assert {a: fresh.get_annotation(ids(a)).reliability for a in want} == want
    finally:
        fresh.close()
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    ns = "{urn:QDA-XML:project:1.0}"
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{ns}Code")}
    coded = {s.get("guid"): sorted(names[r.get("targetGUID")] for r in s.iter(f"{ns}CodeRef")
                                   if names[r.get("targetGUID")].startswith("Reliability"))
             for s in root.iter(f"{ns}PlainTextSelection")}
    assert coded[ids(41)] == ["Reliability B – Usually reliable"]
    assert coded[ids(31)] == ["Reliability B – Usually reliable", "Reliability: as the source"]
    assert coded[ids(34)] == ["Reliability F – Reliability cannot be judged", "Reliability: as the source"]
    assert coded[ids(42)] == ["Reliability F – Reliability cannot be judged"]


def test_filtered_qdpx_only_has_the_scope(golden, tmp_path, project_schema):
    out = tmp_path / "g.qdpx"
    run_export(golden, "qdpx", out, scope=Scope(annotator="bob"))
    xml = qde(out)
    project_schema.validate(xml.decode())
    assert xml.count(b"<PlainTextSelection") == 1



def test_streamed_project_with_bare_sources_validates_and_round_trips(golden, tmp_path, project_schema):
    """project.qde is written element by element: sources without selections (with and without notes and
    variables) and a note-only source must still give a valid file that re-imports whole."""
    golden.add_source("Nothing annotated here.\n", "Bare", id=ids(24))
    golden.add_source("Only a note on this one.\n", "Noted", id=ids(25), notes="Source-level note", author="Z")
    out = tmp_path / "g.qdpx"
    run_export(golden, "qdpx", out)
    xml = qde(out).decode("utf-8")
    project_schema.validate(xml)
    assert f'<TextSource guid="{ids(24)}" name="Bare"' in xml and xml.count("<PlainTextSelection") == 6
    fresh = Project.create(tmp_path / "fresh.kza")
    try:
        cli_import(fresh, out)
        assert counts(fresh)["sources"] == 5 and counts(fresh)["annotations"] == 6
        noted = fresh.get_source(ids(25))
        assert (noted.notes, noted.author) == ("Source-level note", "Z")
    finally:
        fresh.close()


# ------------------------------------------------------------------ foreign files
def make_qdpx(path: Path, project_xml: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", project_xml.encode("utf-8"))
        for name, data in files.items():
            zf.writestr(name, data)
    return path


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{ns}" name="QualCoder export" origin="QualCoder 3.5">
  <Users><User guid="AAAAAAAA-0000-4000-8000-000000000001" name="Zhanar"/></Users>
  <CodeBook><Codes>
    <Code guid="BBBBBBBB-0000-4000-8000-000000000001" name="Actors" isCodable="false">
      <Code guid="BBBBBBBB-0000-4000-8000-000000000002" name="Organisations" isCodable="false">
        <Code guid="BBBBBBBB-0000-4000-8000-000000000003" name="KNB" isCodable="true" color="#FF0000"/>
      </Code>
      <Code guid="BBBBBBBB-0000-4000-8000-000000000004" name="Nazarbayev" isCodable="true"/>
    </Code>
    <Code guid="BBBBBBBB-0000-4000-8000-000000000005" name="Theories" isCodable="false">
      <Code guid="BBBBBBBB-0000-4000-8000-000000000006" name="Coup" isCodable="true">
        <Code guid="BBBBBBBB-0000-4000-8000-000000000007" name="Coup (contradicts)" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="BBBBBBBB-0000-4000-8000-000000000008" name="Emotions" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="CCCCCCCC-0000-4000-8000-000000000001" name="crlf.txt"
        plainTextPath="internal://CCCCCCCC-0000-4000-8000-000000000001.txt">
      <PlainTextSelection guid="DDDDDDDD-0000-4000-8000-000000000001" startPosition="{s1}" endPosition="{e1}"
          creatingUser="AAAAAAAA-0000-4000-8000-000000000001">
        <Coding guid="EEEEEEEE-0000-4000-8000-000000000001"><CodeRef targetGUID="BBBBBBBB-0000-4000-8000-000000000003"/></Coding>
        <Coding guid="EEEEEEEE-0000-4000-8000-000000000002"><CodeRef targetGUID="BBBBBBBB-0000-4000-8000-000000000007"/></Coding>
        <NoteRef targetGUID="FFFFFFFF-0000-4000-8000-000000000001"/>
      </PlainTextSelection>
      <PlainTextSelection guid="DDDDDDDD-0000-4000-8000-000000000002" startPosition="{s2}" endPosition="{e2}">
        <Description>a memo in the description</Description>
        <Coding guid="EEEEEEEE-0000-4000-8000-000000000003"><CodeRef targetGUID="BBBBBBBB-0000-4000-8000-000000000008"/></Coding>
        <Coding guid="EEEEEEEE-0000-4000-8000-000000000004"><CodeRef targetGUID="BBBBBBBB-0000-4000-8000-000000000004"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes><Note guid="FFFFFFFF-0000-4000-8000-000000000001" name="memo"><PlainTextContent>Check with KNB sources</PlainTextContent></Note></Notes>
</Project>"""

CRLF_TEXT = "Line one 🔥 café\r\nThe KNB acted.\r\n\r\nNazarbayev was silent.\r\n"


def foreign(tmp_path: Path, *, ns: str = "urn:QDA-XML:project:1.0", folder: str = "sources", bom: bool = True,
            name: str = "foreign.qdpx") -> Path:
    # foreign offsets count \r\n as two code points
    s1 = CRLF_TEXT.index("KNB acted")
    s2 = CRLF_TEXT.index("Nazarbayev")
    xml = FOREIGN.format(ns=ns, s1=s1, e1=s1 + len("KNB acted"), s2=s2, e2=s2 + len("Nazarbayev was silent"))
    data = (b"\xef\xbb\xbf" if bom else b"") + CRLF_TEXT.encode("utf-8")
    return make_qdpx(tmp_path / name, xml, {f"{folder}/CCCCCCCC-0000-4000-8000-000000000001.txt": data})


@pytest.mark.parametrize("ns, folder, bom", [
    ("urn:QDA-XML:project:1.0", "sources", True),
    ("urn:QDA-XML:project:1:0", "Sources", False),  # the namespace typo some tools write
])
def test_foreign_project_with_crlf_bom_and_branches(project, tmp_path, ns, folder, bom):
    report = import_qdpx(project, foreign(tmp_path, ns=ns, folder=folder, bom=bom))
    assert report.annotations_added == 2 and report.sources_added == 1
    (src,) = project.list_sources()
    text = project.get_source(src.id).text
    assert "\r" not in text and not text.startswith("\ufeff")
    anns = {a.quote: a for a in project.annotations_for_source(src.id)}
    assert set(anns) == {"KNB acted", "Nazarbayev was silent"}
    knb = project.actor_by_name("KNB")
    assert knb is not None and knb.kind == "organisation" and knb.color == "#ff0000"
    assert project.actor_by_name("Nazarbayev") is not None
    coup = project.theory_by_name("Coup")
    emotions = project.theory_by_name("Emotions")  # codes outside the branches become theories
    assert emotions is not None and project.theory_by_name("Coup (contradicts)") is None
    a1 = anns["KNB acted"]
    assert a1.actor_ids == (knb.id,) and a1.theories == ((coup.id, "contradicts"),)
    assert a1.note == "Check with KNB sources" and a1.annotator == "Zhanar"
    a2 = anns["Nazarbayev was silent"]
    assert a2.theories == ((emotions.id, "supports"),) and a2.note == "a memo in the description"


def test_offset_mapper_handles_crlf_cr_nfd_and_astral():
    raw = "e\u0301t\u00e9\r\nx\ry\u2029z 🔥"
    m = qdpx_safety.OffsetMapper(raw)
    from kzannotate.text.normalize import normalise_text

    assert m.text == normalise_text(raw)
    for needle in ("x", "y", "z 🔥", "🔥"):
        start = raw.index(needle)
        assert m.text[m.map(start):m.map(start + len(needle))] == needle
    assert m.map(len(raw)) == len(m.text)


def test_atlasti_sample_imports(project, tmp_path):
    sample = (XSD / "samples" / "atlasti-annex-a-project.qde").read_bytes()
    import re

    files = {}
    for path in set(re.findall(rb'plainTextPath="internal://([^"]+)"', sample)):
        name = path.decode()
        files[f"sources/{name}"] = (f"Synthetic text for {name}. " * 40).encode("utf-8")
    with zipfile.ZipFile(tmp_path / "atlas.qdpx", "w") as zf:
        zf.writestr("project.qde", sample)
        for n, d in files.items():
            zf.writestr(n, d)
    report = import_qdpx(project, tmp_path / "atlas.qdpx")
    assert report.sources_added >= 5
    assert report.annotations_added >= 8
    assert any("picture/audio/video" in s for s in report.skipped)
    names = {t.name for t in project.list_theories()}
    assert {"happiness", "Coke::diet Coke", '"rushed"'} <= names
    mabel = [a for s in project.list_sources() for a in project.annotations_for_source(s.id)
             if a.note and "Coke for breakfast" in a.note]
    assert mabel, "the selection's Description became its note"
    users = {a.annotator for s in project.list_sources() for a in project.annotations_for_source(s.id)}
    assert "Friedrich Markgraf" in users


# ------------------------------------------------------------------ hostile files
def refused(project: Project, path: Path, match: str) -> None:
    before = counts(project)
    with pytest.raises(UserError, match=match):
        import_qdpx(project, path)
    assert counts(project) == before


def test_zip_slip_is_refused(seeds_project, tmp_path):
    path = foreign(tmp_path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("sources/../../evil.txt", b"x")
    refused(seeds_project, path, "outside the project folder")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_absolute_entry_is_refused(seeds_project, tmp_path):
    path = foreign(tmp_path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("/etc/evil", b"x")
    refused(seeds_project, path, "outside the project folder")


def test_external_entity_is_refused(seeds_project, tmp_path):
    xml = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>')
    refused(seeds_project, make_qdpx(tmp_path / "x.qdpx", xml, {}), "entities or external references")


def test_billion_laughs_is_refused(seeds_project, tmp_path):
    ents = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?><!DOCTYPE Project [{ents}]><Project xmlns="urn:QDA-XML:project:1.0" name="&a9;"/>'
    refused(seeds_project, make_qdpx(tmp_path / "b.qdpx", xml, {}), "entities")


def test_missing_project_qde_is_refused(seeds_project, tmp_path):
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("sources/a.txt", b"hello")
    refused(seeds_project, path, "contains no project.qde")


def test_not_a_zip_is_refused(seeds_project, tmp_path):
    path = tmp_path / "plain.qdpx"
    path.write_text("hello")
    refused(seeds_project, path, "not a zip archive")


def test_huge_compressed_entry_is_refused(seeds_project, tmp_path):
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", b"<Project/>")
        with zf.open("sources/bomb.txt", "w") as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(64):
                fh.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    refused(seeds_project, path, "compressed suspiciously well")


def understate_size(data: bytes, name: str, claimed: int) -> bytes:
    """The archive with ``name``'s uncompressed size in both its headers replaced by ``claimed``."""
    out = bytearray(data)
    encoded = name.encode()
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        pos = out.find(sig)
        while pos != -1:
            if out[pos + name_at:pos + name_at + len(encoded)] == encoded:
                out[pos + size_at:pos + size_at + 4] = struct.pack("<I", claimed)
                break
            pos = out.find(sig, pos + 1)
        else:
            raise AssertionError(f"no {sig!r} header for {name}")
    return bytes(out)


def test_size_caps_do_not_trust_headers(seeds_project, tmp_path, monkeypatch):
    """The source file claims 100 bytes (under the cap, so the header check lets it through) but holds
    20,000: only the capped read sees the real size."""
    monkeypatch.setattr(qdpx_safety, "MAX_ENTRY_BYTES", 4096)
    path = foreign(tmp_path)
    name = "sources/CCCCCCCC-0000-4000-8000-000000000001.txt"
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("project.qde").decode("utf-8")
    big = (CRLF_TEXT * 400).encode("utf-8")
    assert len(big) > 4096 * 4
    make_qdpx(path, xml, {name: big})
    path.write_bytes(understate_size(path.read_bytes(), name, 100))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(name).file_size == 100  # the lie is what the archive says
    refused(seeds_project, path, f"the entry “{name}” is larger than it claims or than the size limit")


def test_an_understated_size_under_the_cap_is_refused_too(seeds_project, tmp_path):
    """Within the caps, more data than the header claims is still a lie: refused, not cut short."""
    path = foreign(tmp_path)
    name = "sources/CCCCCCCC-0000-4000-8000-000000000001.txt"
    path.write_bytes(understate_size(path.read_bytes(), name, 20))
    refused(seeds_project, path, "larger than it claims")


def test_a_failure_half_way_rolls_everything_back(seeds_project, tmp_path, monkeypatch):
    from kzannotate.formats import qdpx_import

    def boom(self, *a, **k):
        raise UserError("disk trouble")

    monkeypatch.setattr(qdpx_import._Importer, "_annotation", boom)
    refused(seeds_project, foreign(tmp_path), "disk trouble")
    assert seeds_project.actor_by_name("KNB") is None
