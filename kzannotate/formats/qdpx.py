"""REFI-QDA 1.5 projects (.qdpx): export, and import via ``qdpx_import``.

The codebook mapping (chosen so NVivo, ATLAS.ti, MAXQDA and QualCoder show a readable tree, and so our
own file re-imports losslessly):

    Actors                      (branch, not codable)
      <actor>                   one code per actor; kind and aliases in the description
    Theories                    (branch, not codable)
      <theory>                  codable (a coding here means "supports" on re-import)
        <theory> (supports)     stance codes: every coding of an annotation goes to one of these
        <theory> (contradicts)
        <theory> (neutral)
        <sub-theory> ...        the theory tree as it is in kzannotate
    Reliability                 (branch) Reliability A – Completely reliable … F
      Reliability: as the source  marks a letter taken from the source (see below)
    Credibility                 (branch) Credibility 1 – Confirmed by other sources … 6

Each annotation is one PlainTextSelection (guid = annotation id) coded with its actors, its theory
stances, its effective reliability letter and its credibility. Source metadata are Variables; notes are
Notes referenced by NoteRef. Stance codes have GUIDs derived from the theory's GUID, so they are
recognised even if another tool renames them; names are unique across the whole codebook.

Every selection is coded with its effective reliability letter, so other tools see a letter. An annotation
without a letter of its own (it takes its source's, or F) is also coded "Reliability: as the source"; our
import restores own and inherited letters exactly from that. (A foreign file without that code: a letter
equal to the source's Variable "Reliability" re-imports as inherited, which is what it most likely meant.)

Code names must be unique, so an actor and a theory both called "Coup" are written as "Coup" and
"Coup (theory)"; the code's description then carries "Name in kzannotate: Coup", and the import restores it
(unless the code was renamed in another tool).
"""

from __future__ import annotations

import os
import re
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kzannotate import __version__
from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import (
    AnnotationRecord,
    CodeInfo,
    ExportContext,
    Progress,
    as_guid,
    derived_guid,
)
from kzannotate.store.models import CREDIBILITY_NAMES, RELIABILITY_LETTERS, RELIABILITY_NAMES, STANCES
from kzannotate.store.schema import now_iso

if TYPE_CHECKING:
    from kzannotate.store.project import Project

NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ROOT = "5d0f4f3e-7d0b-4a8a-9c1e-4b7a2e9f0c11"  # anchors the derived GUIDs of our fixed codes

BRANCHES = {"actors": "Actors", "theories": "Theories", "reliability": "Reliability",
            "credibility": "Credibility"}
# source metadata written as Variables (name in the file, field in kzannotate)
VARIABLES = (("Author", "author"), ("Outlet", "outlet"), ("Published", "published"), ("URL", "url"),
             ("Language", "language"), ("Reliability", "reliability"), ("Imported from", "imported_from"))
KIND_PREFIX = "Kind: "
ALIASES_PREFIX = "Also known as: "
# When a code name had to be made unique ("Coup (theory)", "Coup [2]"), the description keeps the real one.
NAME_PREFIX = "Name in kzannotate: "
INHERITED_NAME = "Reliability: as the source"

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str | None) -> str:
    """XML 1.0 cannot hold most control characters; drop them (they never carry meaning in our texts)."""
    return _XML_BAD.sub("", value or "")


def branch_guid(key: str) -> str:
    return derived_guid(ROOT, f"branch:{key}")


def stance_guid(theory_id: str, stance: str) -> str:
    return derived_guid(theory_id, f"stance:{stance}")


def reliability_guid(letter: str) -> str:
    return derived_guid(ROOT, f"reliability:{letter}")


def credibility_guid(number: int) -> str:
    return derived_guid(ROOT, f"credibility:{number}")


def user_guid(name: str) -> str:
    return derived_guid(ROOT, f"user:{name}")


def variable_guid(field: str) -> str:
    return derived_guid(ROOT, f"variable:{field}")


def stance_name(theory: str, stance: str) -> str:
    return f"{theory} ({stance})"


def inherited_guid() -> str:
    return derived_guid(ROOT, "reliability:inherited")


def reliability_code_name(letter: str) -> str:
    return f"Reliability {letter} – {RELIABILITY_NAMES[letter]}"


def credibility_code_name(number: int) -> str:
    return f"Credibility {number} – {CREDIBILITY_NAMES[number]}"


class _Names:
    """Code names unique across the whole codebook (case-insensitive: some readers merge equal names)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, name: str, qualifier: str = "") -> str:
        name = " ".join(xml_text(name).split()) or "Unnamed"
        candidates = [name] + ([f"{name} ({qualifier})"] if qualifier else [])
        for c in candidates:
            if c.casefold() not in self.used:
                self.used.add(c.casefold())
                return c
        n = 2
        while f"{name} [{n}]".casefold() in self.used:
            n += 1
        self.used.add(f"{name} [{n}]".casefold())
        return f"{name} [{n}]"


def _name_line(info: CodeInfo, written: str) -> list[str]:
    """The real name, when the code had to be written under another one (restored on import)."""
    real = " ".join(xml_text(info.name).split())
    return [f"{NAME_PREFIX}{real}"] if real and written != real else []


def actor_description(actor: CodeInfo, written: str | None = None) -> str:
    lines = [actor.description] if actor.description else []
    if actor.kind and actor.kind != "person":
        lines.append(f"{KIND_PREFIX}{actor.kind}")
    if actor.aliases:
        lines.append(f"{ALIASES_PREFIX}{'; '.join(actor.aliases)}")
    lines += _name_line(actor, written if written is not None else actor.name)
    return "\n".join(lines)


def theory_description(theory: CodeInfo, written: str) -> str:
    return "\n".join(([theory.description] if theory.description else []) + _name_line(theory, written))


def build_codebook(codes: ET.Element, ctx: ExportContext, ns: str) -> dict[str, str]:
    """Fill ``codes`` with our branches; returns code key → GUID (keys: actor/theory ids, stance, R/C).
    ``ns`` "" writes plain tags (for fragments inside a document that declares the default namespace)."""
    names = _Names()
    for label in BRANCHES.values():
        names.used.add(label.casefold())

    def code(parent: ET.Element, guid: str, name: str, codable: bool, color: str | None = None,
             description: str | None = None) -> ET.Element:
        attrs = {"guid": guid, "name": name, "isCodable": "true" if codable else "false"}
        if color:
            attrs["color"] = color.upper()
        el = ET.SubElement(parent, f"{{{ns}}}Code" if ns else "Code", attrs)
        if description:
            ET.SubElement(el, f"{{{ns}}}Description" if ns else "Description").text = xml_text(description)
        return el

    guids: dict[str, str] = {}
    actors = code(codes, branch_guid("actors"), BRANCHES["actors"], False,
                  description="People, organisations and states named in the sources (kzannotate actors).")
    for actor in ctx.actors.values():
        guid = as_guid(actor.id)
        guids[f"actor:{actor.id}"] = guid
        name = names.take(actor.name, "actor")
        code(actors, guid, name, True, actor.color, actor_description(actor, name))

    theories = code(codes, branch_guid("theories"), BRANCHES["theories"], False,
                    description="Competing explanations; each has one code per stance an annotation takes.")
    children: dict[str | None, list[CodeInfo]] = {}
    for t in ctx.theories.values():
        parent = t.parent_id if t.parent_id in ctx.theories else None
        children.setdefault(parent, []).append(t)

    def add_theory(parent_el: ET.Element, t: CodeInfo, depth: int) -> None:
        guid = as_guid(t.id)
        guids[f"theory:{t.id}"] = guid
        name = names.take(t.name, "theory")
        el = code(parent_el, guid, name, True, t.color, theory_description(t, name))
        for stance in STANCES:
            sg = stance_guid(t.id, stance)
            guids[f"stance:{t.id}:{stance}"] = sg
            code(el, sg, names.take(stance_name(name, stance)), True, t.color)
        if depth < 50:
            for child in children.get(t.id, []):
                add_theory(el, child, depth + 1)

    for t in children.get(None, []):
        add_theory(theories, t, 0)

    rel = code(codes, branch_guid("reliability"), BRANCHES["reliability"], False,
               description="Admiralty code: reliability of the source of the information (A–F).")
    for letter in RELIABILITY_LETTERS:
        guids[f"reliability:{letter}"] = reliability_guid(letter)
        code(rel, reliability_guid(letter), names.take(reliability_code_name(letter)), True)
    guids["reliability:inherited"] = inherited_guid()
    code(rel, inherited_guid(), names.take(INHERITED_NAME), True,
         description="Coded together with a letter when the annotation has no reliability of its own and "
                     "takes its source's (the letter coded is then the source's).")
    cred = code(codes, branch_guid("credibility"), BRANCHES["credibility"], False,
                description="Admiralty code: credibility of the information itself (1–6).")
    for number in range(1, 7):
        guids[f"credibility:{number}"] = credibility_guid(number)
        code(cred, credibility_guid(number), names.take(credibility_code_name(number)), True)
    return guids


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(xml_text(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _codes_of(rec: AnnotationRecord, guids: dict[str, str]) -> Iterator[str]:
    for actor_id, _ in rec.actors:
        if f"actor:{actor_id}" in guids:
            yield guids[f"actor:{actor_id}"]
    for t in rec.theories:
        if f"stance:{t.id}:{t.stance}" in guids:
            yield guids[f"stance:{t.id}:{t.stance}"]
    yield guids[f"reliability:{rec.reliability}"]
    if not rec.own_reliability:
        yield guids["reliability:inherited"]
    yield guids[f"credibility:{rec.credibility}"]


def _fragment(el: ET.Element) -> str:
    """One element (un-namespaced tags) as text; inside our document it is in the default namespace."""
    return ET.tostring(el, encoding="unicode")


def _start_tag(tag: str, attrs: dict[str, str]) -> str:
    """``<tag a="…">`` with ElementTree's attribute escaping (the element's children are streamed)."""
    empty = _fragment(ET.Element(tag, attrs))
    return empty[:-3] + ">"  # '<tag … />' -> '<tag …>'


def _selection(rec: AnnotationRecord, guids: dict[str, str],
               notes: list[tuple[str, str, str, AnnotationRecord | None, str]]) -> ET.Element:
    attrs = {"guid": as_guid(rec.id), "name": _short(rec.quote), "startPosition": str(rec.start),
             "endPosition": str(rec.end), "creationDateTime": rec.created_at,
             "modifiedDateTime": rec.updated_at}
    if rec.annotator:
        attrs["creatingUser"] = attrs["modifyingUser"] = user_guid(rec.annotator)
    sel = ET.Element("PlainTextSelection", attrs)
    for code_guid in _codes_of(rec, guids):
        c_attrs = {"guid": derived_guid(rec.id, f"coding:{code_guid}"), "creationDateTime": rec.created_at}
        if rec.annotator:
            c_attrs["creatingUser"] = user_guid(rec.annotator)
        coding = ET.SubElement(sel, "Coding", c_attrs)
        ET.SubElement(coding, "CodeRef", {"targetGUID": code_guid})
    if rec.note:
        nguid = derived_guid(rec.id, "note")
        ET.SubElement(sel, "NoteRef", {"targetGUID": nguid})
        notes.append((nguid, f"Note on “{_short(rec.quote, 60)}”", rec.note, rec, rec.updated_at))
    return sel


def write_project(ctx: ExportContext, write: Callable[[str], object], progress: Progress | None = None
                  ) -> list[tuple[str, str]]:
    """Stream project.qde to ``write``, one selection at a time (memory does not grow with the number of
    annotations); returns the (guid, source id) of every source file to add."""
    stamp = now_iso()
    write("<?xml version='1.0' encoding='utf-8'?>\n")
    write(_start_tag("Project", {"xmlns": NS, "name": xml_text(ctx.project.name),
                                 "origin": f"kzannotate {__version__}", "creationDateTime": stamp,
                                 "modifiedDateTime": stamp}))
    users = ctx.annotators()
    if users:
        users_el = ET.Element("Users")
        for name in users:
            ET.SubElement(users_el, "User", {"guid": user_guid(name), "name": xml_text(name)})
        write(_fragment(users_el))
    codebook = ET.Element("CodeBook")
    guids = build_codebook(ET.SubElement(codebook, "Codes"), ctx, "")
    write(_fragment(codebook))
    variables = ET.Element("Variables")
    for label, field in VARIABLES:
        ET.SubElement(variables, "Variable", {"guid": variable_guid(field), "name": label,
                                              "typeOfVariable": "Text"})
    write(_fragment(variables))
    notes: list[tuple[str, str, str, AnnotationRecord | None, str]] = []  # guid, name, text, rec, stamp
    files: list[tuple[str, str]] = []
    records = ctx.records(progress)
    pending = next(records, None)
    if ctx.sources:
        write("<Sources>")
    for source in ctx.sources:
        sguid = as_guid(source.id)
        files.append((sguid, source.id))
        attrs = {"guid": sguid, "name": xml_text(source.title), "plainTextPath": f"internal://{sguid}.txt",
                 "creationDateTime": source.created_at, "modifiedDateTime": source.updated_at}
        tail = ET.Element("tail")  # what follows the selections: the source's NoteRef and VariableValues
        if source.notes:  # its Note follows those of the selections
            ET.SubElement(tail, "NoteRef", {"targetGUID": derived_guid(source.id, "note")})
        for _label, field in VARIABLES:
            value = getattr(source, field)
            if value:
                vv = ET.SubElement(tail, "VariableValue")
                ET.SubElement(vv, "VariableRef", {"targetGUID": variable_guid(field)})
                ET.SubElement(vv, "TextValue").text = xml_text(value)
        has_selections = pending is not None and pending.source.id == source.id
        if not has_selections and not len(tail):
            write(_fragment(ET.Element("TextSource", attrs)))
            continue
        write(_start_tag("TextSource", attrs))
        while pending is not None and pending.source.id == source.id:
            write(_fragment(_selection(pending, guids, notes)))
            pending = next(records, None)
        for el in tail:
            write(_fragment(el))
        write("</TextSource>")
        if source.notes:
            notes.append((derived_guid(source.id, "note"), f"Notes on {_short(source.title, 60)}", source.notes,
                          None, source.updated_at))
    if ctx.sources:
        write("</Sources>")
    for _ in records:  # drain: lets the progress reach its end
        pass
    if notes:
        write("<Notes>")
        for nguid, name, text, rec, when in notes:
            attrs = {"guid": nguid, "name": xml_text(name), "creationDateTime": when, "modifiedDateTime": when}
            if rec is not None and rec.annotator:
                attrs["creatingUser"] = user_guid(rec.annotator)
            note = ET.Element("Note", attrs)
            ET.SubElement(note, "PlainTextContent").text = xml_text(text)
            write(_fragment(note))
        write("</Notes>")
    description = ET.Element("Description")
    description.text = xml_text(
        f"Exported by kzannotate {__version__} from {ctx.project.path.name} ({ctx.scope.describe()}).")
    write(_fragment(description))
    write("</Project>")
    return files


class _Chunked:
    """Collects text and hands it on encoded in ~1 MB pieces (the zip stream wants few, large writes)."""

    def __init__(self, raw: IO[bytes], size: int = 1 << 20) -> None:
        self.raw, self.size, self.parts, self.n = raw, size, [], 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.n += len(text)
        if self.n >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.raw.write("".join(self.parts).encode("utf-8"))
            self.parts, self.n = [], 0


def export(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
           **_: Any) -> int:
    """Write ``project.qde`` and ``sources/<guid>.txt`` (UTF-8, no BOM, LF) into the zip."""
    with atomic_output(path, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
        # zip64 only when project.qde might pass 2 GiB (some readers dislike zip64 needlessly)
        with zf.open(_qde_info(), "w", force_zip64=ctx.total > 500_000) as raw:
            out = _Chunked(raw)
            files = write_project(ctx, out.write, progress)
            out.flush()
        for guid, source_id in files:
            zf.writestr(f"sources/{guid}.txt", ctx.source_text(source_id).encode("utf-8"))
    return ctx.total


def _qde_info() -> zipfile.ZipInfo:
    """The entry as ``writestr`` would make it (deflated, rw-------), with the time now."""
    info = zipfile.ZipInfo("project.qde", date_time=time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def export_codebook(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
                    **_: Any) -> int:
    """The codebook alone (.qdc, Codebook-mrt2019.xsd)."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": f"kzannotate {__version__}"})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    build_codebook(codes, ctx, CODEBOOK_NS)
    with atomic_output(path, "wb") as fh:
        fh.write(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return len(ctx.actors) + len(ctx.theories)


# ---------------------------------------------------------------- importing
def import_qdpx(project: Project, path: str | os.PathLike[str]):
    """Import a REFI-QDA project into ``project`` in one transaction; returns an ``ImportReport``."""
    from kzannotate.formats.qdpx_import import import_qdpx as _import

    return _import(project, Path(path))


def cli_import(project: Project, path: str | os.PathLike[str]) -> str:
    """What ``kzannotate import PROJECT FILE.qdpx`` prints: one line."""
    return f"imported {Path(path).name}: {import_qdpx(project, path).summary()}"
