"""Importing REFI-QDA projects (.qdpx) from QualCoder, ATLAS.ti, NVivo, MAXQDA — and our own exports.

Codes under a branch named like "Actors" become actors, under "Theories" theories (with the stance codes
our export writes), under "Reliability"/"Credibility" ratings; every other code becomes a theory, its tree
kept. Text sources become sources (offsets recomputed onto the canonical text), selections become
annotations (guid = annotation id, so importing twice adds nothing), memos become notes.

Everything is parsed and checked first, then written in one transaction: a refused or failing file leaves
the project exactly as it was.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kzannotate.formats import qdpx as Q
from kzannotate.formats.qdpx_safety import (
    OffsetMapper,
    QdpxRefused,
    SafeArchive,
    decode_text,
    parse_xml,
)
from kzannotate.store.errors import DuplicateError, NotFoundError
from kzannotate.store.models import ACTOR_KINDS, RELIABILITY_LETTERS, STANCES, Annotation
from kzannotate.store.schema import now_iso
from kzannotate.store.sources import text_sha256

if TYPE_CHECKING:
    from kzannotate.store.project import Project

ACTOR_BRANCH = {"actors", "actor", "akteure", "akteur", "acteurs", "actores", "people", "persons",
                "players", "stakeholders", "protagonists"}
THEORY_BRANCH = {"theories", "theory", "hypotheses", "hypothesis", "explanations", "narratives", "theorien",
                 "theorie", "théories", "claims", "versions"}
KIND_WORDS = {"person": "person", "persons": "person", "people": "person", "individuals": "person",
              "organisation": "organisation", "organisations": "organisation", "organization": "organisation",
              "organizations": "organisation", "state": "state", "states": "state", "countries": "state",
              "group": "group", "groups": "group", "other": "other", "others": "other"}
STANCE_WORDS = {"supports": "supports", "support": "supports", "supporting": "supports", "pro": "supports",
                "contradicts": "contradicts", "contradict": "contradicts", "contradicting": "contradicts",
                "against": "contradicts", "contra": "contradicts", "neutral": "neutral"}
VARIABLE_FIELDS = {"author": "author", "authors": "author", "outlet": "outlet", "publisher": "outlet",
                   "published": "published", "date": "published", "url": "url", "link": "url",
                   "language": "language", "reliability": "reliability", "imported from": "imported_from"}
_REL = re.compile(r"^(?:(?i:reliability)\s*)?([A-F])(?:\b|$)")
_CRED = re.compile(r"^(?:(?i:credibility)\s*)?([1-6])(?:\b|$)")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def kids(el: Any, name: str) -> Iterator[Any]:
    return (c for c in el if local(c.tag) == name)


def kid(el: Any, name: str) -> Any:
    return next(kids(el, name), None)


def text_of(el: Any, name: str) -> str | None:
    c = kid(el, name)
    return c.text if c is not None and c.text and c.text.strip() else None


def norm_guid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(uuid.UUID(value.strip().strip("{}")))
    except ValueError:
        return value.strip()


def _word(name: str) -> str:
    return re.sub(r"[^\w ]+", "", name.casefold()).strip()


def _real_name(description: str | None, name: str) -> tuple[str | None, str]:
    """(description without our name line, the code's kzannotate name). The name line is honoured only
    while the code still has the name our export gave it (the real name plus " (…)" or " [n]"): a code
    renamed in another tool keeps its new name."""
    if not description or Q.NAME_PREFIX not in description:
        return description, name
    lines, real = [], None
    for line in description.splitlines():
        if line.startswith(Q.NAME_PREFIX) and real is None:
            real = " ".join(line[len(Q.NAME_PREFIX):].split()) or None
        else:
            lines.append(line)
    rest = "\n".join(lines).strip() or None
    if real and (name == real or (name.startswith(real + " ") and re.fullmatch(
            r" (?:\([^()]*\)|\[\d+\])", name[len(real):]))):
        return rest, real
    return rest, name


def _color(value: str | None) -> str | None:
    m = _COLOR.match((value or "").strip())
    if not m:
        return None
    h = m.group(1)
    return "#" + ("".join(c * 2 for c in h) if len(h) == 3 else h).lower()


@dataclass
class ImportReport:
    sources_added: int = 0
    sources_matched: int = 0
    actors_added: int = 0
    actors_matched: int = 0
    theories_added: int = 0
    theories_matched: int = 0
    annotations_added: int = 0
    annotations_present: int = 0
    notes: int = 0
    skipped: list[str] = field(default_factory=list)
    added_ids: dict[str, list[str]] = field(default_factory=lambda: {
        "actors": [], "theories": [], "sources": [], "annotations": []})
    notes_before: str | None = None

    def summary(self) -> str:
        s = (f"{self.sources_added} sources added ({self.sources_matched} already present), "
             f"{self.actors_added} actors and {self.theories_added} theories added "
             f"({self.actors_matched + self.theories_matched} matched), "
             f"{self.annotations_added} annotations added ({self.annotations_present} already present)")
        if self.notes:
            s += f"; {self.notes} project memos kept as project notes"
        if self.skipped:
            s += "; skipped: " + "; ".join(self.skipped)
        return s + "."


@dataclass
class _Code:
    guid: str
    name: str
    color: str | None
    description: str | None
    parent: _Code | None
    role: str = "theory"  # actor | theory | stance | reliability | inherited | credibility | branch | kind
    kind: str | None = None
    stance: str | None = None
    value: Any = None
    target_id: str | None = None  # the actor/theory id in the project


class _Importer:
    def __init__(self, project: Project, path: Path) -> None:
        self.project = project
        self.path = path
        self.report = ImportReport()
        self.codes: dict[str, _Code] = {}
        self.users: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.notes: dict[str, str] = {}
        self.note_links: dict[str, list[str]] = {}  # target guid → note guids (Links)
        self.used_notes: set[str] = set()
        self.has_inherited_code = False  # our export's "Reliability: as the source" code is in the codebook

    # ------------------------------------------------------------ reading
    def read(self) -> Any:
        with SafeArchive(self.path) as archive:
            info = archive.find("project.qde")
            if info is None:
                others = [i for n, i in archive.by_name.items() if n.endswith(".qde") and "/" not in n]
                info = others[0] if others else None
            if info is None:
                raise QdpxRefused(f"{self.path.name} was not imported: it contains no project.qde, so it is not "
                                  "a REFI-QDA project. The project was not changed.")
            root = parse_xml(archive.read(info), self.path.name)
            if local(root.tag) != "Project":
                raise QdpxRefused(f"{self.path.name} was not imported: project.qde does not hold a REFI-QDA "
                                  "Project. The project was not changed.")
            self.sources = list(self._read_sources(root, archive))
        return root

    def _file_text(self, archive: SafeArchive, ref: str | None) -> str | None:
        if not ref:
            return None
        if not ref.startswith("internal://"):
            return None
        name = ref[len("internal://"):].lstrip("/")
        info = archive.find(f"sources/{name}", name)
        if info is None:
            return None
        try:
            return decode_text(archive.read(info))
        except UnicodeDecodeError:
            return None

    def _read_sources(self, root: Any, archive: SafeArchive) -> Iterator[tuple[Any, str, str]]:
        sources = kid(root, "Sources")
        if sources is None:
            return
        other = 0
        for el in sources:
            kind = local(el.tag)
            if kind == "TextSource":
                carrier, title = el, el.get("name")
            elif kind == "PDFSource" and kid(el, "Representation") is not None:
                carrier, title = kid(el, "Representation"), el.get("name")
            else:
                other += 1
                continue
            raw = self._file_text(archive, carrier.get("plainTextPath"))
            if raw is None:
                raw = text_of(carrier, "PlainTextContent")
            if raw is None or not raw.strip():
                self.report.skipped.append(f"“{title or el.get('guid')}” (text missing or empty)")
                continue
            yield el, carrier, raw
        if other:
            self.report.skipped.append(f"{other} picture/audio/video sources (kzannotate annotates text)")

    # ------------------------------------------------------------ codebook
    def _walk_codes(self, parent_el: Any, parent: _Code | None, mode: str | None) -> None:
        for el in kids(parent_el, "Code"):
            guid = norm_guid(el.get("guid")) or str(uuid.uuid4())
            name = " ".join((el.get("name") or "").split()) or "Unnamed code"
            description, real = _real_name(text_of(el, "Description"), name)
            code = _Code(guid, real, _color(el.get("color")), description, parent)
            word = _word(name)
            child_mode = mode
            if guid == Q.branch_guid("actors") or (mode != "actor" and word in ACTOR_BRANCH):
                code.role, child_mode = "branch", "actor"
            elif guid == Q.branch_guid("theories") or (mode != "actor" and word in THEORY_BRANCH):
                code.role, child_mode = "branch", "theory"
            elif guid == Q.branch_guid("reliability") or word == "reliability":
                code.role, child_mode = "branch", "reliability"
            elif guid == Q.branch_guid("credibility") or word == "credibility":
                code.role, child_mode = "branch", "credibility"
            elif guid == Q.inherited_guid() or (mode == "reliability" and word == _word(Q.INHERITED_NAME)):
                code.role = "inherited"
                self.has_inherited_code = True
            elif mode == "reliability" and _REL.match(name):
                code.role, code.value = "reliability", _REL.match(name).group(1)
            elif mode == "credibility" and _CRED.match(name):
                code.role, code.value = "credibility", int(_CRED.match(name).group(1))
            elif mode == "actor":
                if word in KIND_WORDS and len(list(kids(el, "Code"))):
                    code.role, code.kind = "kind", KIND_WORDS[word]
                else:
                    code.role = "actor"
            elif parent is not None and parent.role == "theory" and self._stance_of(code, parent):
                code.role, code.stance = "stance", self._stance_of(code, parent)
            else:
                code.role = "theory"
            self.codes[guid] = code
            self._walk_codes(el, code, child_mode)

    @staticmethod
    def _stance_of(code: _Code, parent: _Code) -> str | None:
        for stance in STANCES:
            if code.guid == Q.stance_guid(parent.guid, stance):
                return stance
        word = _word(code.name)
        if word in STANCE_WORDS:
            return STANCE_WORDS[word]
        m = re.match(r"^(.*)\((\w+)\)$", code.name.strip())
        if m and m.group(2).casefold() in STANCE_WORDS and _word(m.group(1)) == _word(parent.name):
            return STANCE_WORDS[m.group(2).casefold()]
        return None

    def _actor_fields(self, code: _Code) -> tuple[str, list[str], str | None]:
        kind = None
        p = code.parent
        while p is not None and kind is None:
            kind = p.kind
            p = p.parent
        aliases: list[str] = []
        lines = []
        for line in (code.description or "").splitlines():
            if line.startswith(Q.KIND_PREFIX) and line[len(Q.KIND_PREFIX):].strip() in ACTOR_KINDS:
                kind = line[len(Q.KIND_PREFIX):].strip()
            elif line.startswith(Q.ALIASES_PREFIX):
                aliases = [a.strip() for a in line[len(Q.ALIASES_PREFIX):].split(";") if a.strip()]
            else:
                lines.append(line)
        return kind or "person", aliases, "\n".join(lines).strip() or None

    def _apply_codebook(self) -> None:
        p = self.project
        for code in self.codes.values():
            if code.role == "actor":
                existing = None
                try:
                    existing = p.get_actor(code.guid)
                except NotFoundError:
                    existing = p.actor_by_name(code.name)
                if existing is not None:
                    code.target_id = existing.id
                    self.report.actors_matched += 1
                    continue
                kind, aliases, description = self._actor_fields(code)
                try:
                    actor = p.add_actor(code.name, kind=kind, aliases=aliases, description=description,
                                        color=code.color, id=code.guid)
                except DuplicateError as exc:
                    code.target_id = exc.existing_id
                    continue
                code.target_id = actor.id
                self.report.actors_added += 1
                self.report.added_ids["actors"].append(actor.id)
        for code in self.codes.values():  # parents come first: dict order is document order
            if code.role != "theory":
                continue
            existing = None
            try:
                existing = p.get_theory(code.guid)
            except NotFoundError:
                existing = p.theory_by_name(code.name)
            if existing is not None:
                code.target_id = existing.id
                self.report.theories_matched += 1
                continue
            parent_id = code.parent.target_id if code.parent is not None and code.parent.role == "theory" else None
            try:
                theory = p.add_theory(code.name, parent_id=parent_id, description=code.description,
                                      color=code.color, id=code.guid)
            except DuplicateError as exc:
                code.target_id = exc.existing_id
                continue
            code.target_id = theory.id
            self.report.theories_added += 1
            self.report.added_ids["theories"].append(theory.id)

    # ------------------------------------------------------------ sources
    def _source_meta(self, el: Any) -> tuple[dict[str, str], list[str]]:
        meta: dict[str, str] = {}
        extra: list[str] = []
        for vv in kids(el, "VariableValue"):
            ref = kid(vv, "VariableRef")
            name = self.variables.get(norm_guid(ref.get("targetGUID")) or "", "") if ref is not None else ""
            value = None
            for child in vv:
                if local(child.tag).endswith("Value") and child.text and child.text.strip():
                    value = child.text.strip()
            if not name or value is None:
                continue
            fieldname = VARIABLE_FIELDS.get(name.casefold())
            if fieldname == "reliability" and value.upper() not in RELIABILITY_LETTERS:
                fieldname = None
            if fieldname and fieldname not in meta:
                meta[fieldname] = value.upper() if fieldname == "reliability" else value
            else:
                extra.append(f"{name}: {value}")
        return meta, extra

    def _note_text(self, el: Any) -> list[str]:
        guids = [norm_guid(r.get("targetGUID")) for r in kids(el, "NoteRef")]
        guids += self.note_links.get(norm_guid(el.get("guid")) or "", [])
        out = []
        for g in guids:
            if g in self.notes:
                self.used_notes.add(g)
                out.append(self.notes[g])
        return out

    def _import_source(self, el: Any, carrier: Any, raw: str) -> None:
        p = self.project
        mapper = OffsetMapper(raw)
        text = mapper.text
        sha = text_sha256(text)
        existing = p.source_by_sha256(sha)
        meta, extra = self._source_meta(el)
        if existing is not None:
            source = existing
            self.report.sources_matched += 1
        else:
            notes = self._note_text(el) + ([d] if (d := text_of(el, "Description")) else []) + extra
            guid = norm_guid(el.get("guid")) or str(uuid.uuid4())
            if p.conn.execute("SELECT 1 FROM sources WHERE id = ?", (guid,)).fetchone():
                guid = str(uuid.uuid4())
            title = el.get("name") or meta.pop("title", None) or Path(carrier.get("plainTextPath") or "").name
            source = p.add_source(text, title or "Untitled", id=guid, imported_from=meta.pop(
                "imported_from", None) or f"{self.path.name}", created_at=el.get("creationDateTime"),
                updated_at=el.get("modifiedDateTime"), notes="\n\n".join(notes) or None,
                **{k: v for k, v in meta.items() if k != "title"})
            self.report.sources_added += 1
            self.report.added_ids["sources"].append(source.id)
        anns: list[Annotation] = []
        for sel in kids(carrier, "PlainTextSelection"):
            ann = self._annotation(sel, source, mapper)
            if ann is not None:
                anns.append(ann)
        p.insert_annotations(anns)
        self.report.annotations_added += len(anns)
        self.report.added_ids["annotations"] += [a.id for a in anns]

    def _annotation(self, sel: Any, source: Any, mapper: OffsetMapper) -> Annotation | None:
        p = self.project
        ann_id = norm_guid(sel.get("guid")) or str(uuid.uuid4())
        if p.conn.execute("SELECT 1 FROM annotations WHERE id = ?", (ann_id,)).fetchone():
            self.report.annotations_present += 1
            return None
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            self._skip("selections without valid positions")
            return None
        start, end = mapper.map(start), mapper.map(end)
        if not 0 <= start < end <= len(source.text):
            self._skip("empty or out-of-range selections")
            return None
        actors: set[str] = set()
        theories: dict[str, str] = {}
        reliability = None
        credibility = None
        inherited = False
        for coding in kids(sel, "Coding"):
            ref = kid(coding, "CodeRef")
            code = self.codes.get(norm_guid(ref.get("targetGUID")) or "") if ref is not None else None
            if code is None:
                continue
            if code.role == "actor" and code.target_id:
                actors.add(code.target_id)
            elif code.role == "theory" and code.target_id:
                theories.setdefault(code.target_id, "supports")
            elif code.role == "stance" and code.parent is not None and code.parent.target_id:
                theories[code.parent.target_id] = code.stance or "supports"
            elif code.role == "reliability" and reliability is None:
                reliability = code.value
            elif code.role == "inherited":
                inherited = True
            elif code.role == "credibility" and credibility is None:
                credibility = code.value
        if inherited or (not self.has_inherited_code and reliability == (source.reliability or "F")):
            reliability = None  # taken from the source (see the qdpx module docstring)
        notes = ([d] if (d := text_of(sel, "Description")) else []) + self._note_text(sel)
        user = self.users.get(norm_guid(sel.get("creatingUser")) or "")
        created = sel.get("creationDateTime") or now_iso()
        return Annotation(id=ann_id, source_id=source.id, start=start, end=end, quote=source.text[start:end],
                          reliability=reliability, credibility=credibility or 6,
                          note="\n\n".join(notes) or None, annotator=user, created_at=created,
                          updated_at=sel.get("modifiedDateTime") or created,
                          actor_ids=tuple(sorted(actors)), theories=tuple(sorted(theories.items())))

    def _skip(self, what: str) -> None:
        for i, s in enumerate(self.report.skipped):
            if s.endswith(f" {what}"):
                n = int(s.split(" ", 1)[0]) + 1
                self.report.skipped[i] = f"{n} {what}"
                return
        self.report.skipped.append(f"1 {what}")

    # ------------------------------------------------------------ main
    def run(self) -> ImportReport:
        root = self.read()  # everything that can be refused is refused before writing
        users = kid(root, "Users")
        for u in kids(users, "User") if users is not None else ():
            if u.get("name"):
                self.users[norm_guid(u.get("guid")) or ""] = u.get("name")
        variables = kid(root, "Variables")
        for v in kids(variables, "Variable") if variables is not None else ():
            self.variables[norm_guid(v.get("guid")) or ""] = v.get("name") or ""
        notes = kid(root, "Notes")
        for n in kids(notes, "Note") if notes is not None else ():
            body = text_of(n, "PlainTextContent") or text_of(n, "Description")
            if body:
                self.notes[norm_guid(n.get("guid")) or ""] = body.strip()
        links = kid(root, "Links")
        for link in kids(links, "Link") if links is not None else ():
            origin, target = norm_guid(link.get("originGUID")), norm_guid(link.get("targetGUID"))
            if origin in self.notes and target:
                self.note_links.setdefault(target, []).append(origin)
            elif target in self.notes and origin:
                self.note_links.setdefault(origin, []).append(target)
        self.used_notes = {norm_guid(r.get("targetGUID")) for r in root.iter() if local(r.tag) == "NoteRef"}
        self.used_notes.update(g for gs in self.note_links.values() for g in gs)
        codebook = kid(root, "CodeBook")
        codes = kid(codebook, "Codes") if codebook is not None else None
        if codes is not None:
            self._walk_codes(codes, None, None)
        with self.project.transaction():
            self._apply_codebook()
            for el, carrier, raw in self.sources:
                self._import_source(el, carrier, raw)
            free = [g for g in self.notes if g not in self.used_notes]
            if free:
                self.report.notes_before = self.project.get_meta("notes")
                kept = [self.project.get_meta("notes") or ""] + [self.notes[g] for g in free]
                self.project.set_meta("notes", "\n\n".join(k for k in kept if k))
                self.report.notes += len(free)
        return self.report


def import_qdpx(project: Project, path: Path) -> ImportReport:
    return _Importer(project, path).run()


def undo_import(project: Project, report: ImportReport) -> None:
    """Remove what an import added, in one transaction (the window's undo)."""
    from kzannotate.store.models import Change

    conn = project.conn
    ids = report.added_ids
    with project.transaction():
        conn.executemany("DELETE FROM annotations WHERE id = ?", [(i,) for i in ids["annotations"]])
        conn.executemany("DELETE FROM sources WHERE id = ?", [(i,) for i in ids["sources"]])
        conn.executemany("DELETE FROM theories WHERE id = ?", [(i,) for i in ids["theories"]])
        conn.executemany("DELETE FROM actors WHERE id = ?", [(i,) for i in ids["actors"]])
        if report.notes:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('notes', ?)", (report.notes_before,))
        project._changed(Change("project"))
