"""The one place that turns the store into per-annotation records for every export format.

Records stream source by source, in text order, so exporting 100,000 annotations never builds a list of
them. Actor and theory names come from the codebook, loaded once (it is small). A ``Scope`` filters by
source ids and/or annotator; every format honours it the same way because they all read from here.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kzannotate.formats.atomic import ExportError
from kzannotate.store.models import CREDIBILITY_NAMES, RELIABILITY_NAMES

if TYPE_CHECKING:
    from kzannotate.store.project import Project

# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool]
PROGRESS_EVERY = 500



class ExportCancelled(ExportError):
    """The user cancelled; nothing was written."""

    def __init__(self, message: str = "Export cancelled; nothing was saved.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Scope:
    """Which annotations an export covers: all, some sources, and/or one annotator."""

    source_ids: tuple[str, ...] | None = None
    annotator: str | None = None

    def describe(self) -> str:
        parts = []
        if self.source_ids is not None:
            parts.append(f"{len(self.source_ids)} chosen source(s)")
        if self.annotator:
            parts.append(f"annotator {self.annotator}")
        return ", ".join(parts) or "all sources"


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    author: str | None
    outlet: str | None
    published: str | None
    url: str | None
    language: str | None
    reliability: str | None
    notes: str | None
    imported_from: str | None
    sha256: str
    created_at: str
    updated_at: str
    length: int

    def meta(self) -> dict[str, str | None]:
        """The descriptive metadata (what jsonl nests and qdpx writes as Variables)."""
        return {"title": self.title, "author": self.author, "outlet": self.outlet, "published": self.published,
                "url": self.url, "language": self.language, "reliability": self.reliability}


@dataclass(slots=True, frozen=True)
class TheoryLink:
    id: str
    name: str
    stance: str


@dataclass(slots=True)
class AnnotationRecord:
    """One annotation with everything a format needs, names resolved."""

    id: str
    source: SourceInfo
    start: int
    end: int
    quote: str
    own_reliability: str | None
    credibility: int
    note: str | None
    annotator: str | None
    created_at: str
    updated_at: str
    actors: tuple[tuple[str, str], ...] = ()  # (id, name), by name; shared between records: never mutate
    theories: tuple[TheoryLink, ...] = ()  # by name; shared between records
    number: int = 0  # 1-based position in the export

    @property
    def reliability(self) -> str:
        """Effective letter: the annotation's own, else the source's, else F."""
        return self.own_reliability or self.source.reliability or "F"

    @property
    def reliability_from(self) -> str:
        if self.own_reliability:
            return "annotation"
        return "source" if self.source.reliability else "default"

    @property
    def rating(self) -> str:
        return f"{self.reliability}{self.credibility}"

    @property
    def reliability_name(self) -> str:
        return RELIABILITY_NAMES[self.reliability]

    @property
    def credibility_name(self) -> str:
        return CREDIBILITY_NAMES.get(self.credibility, "")

    def theories_by_stance(self, stance: str) -> list[str]:
        return [t.name for t in self.theories if t.stance == stance]


@dataclass(frozen=True)
class CodeInfo:
    id: str
    name: str
    color: str | None
    description: str | None
    parent_id: str | None = None
    kind: str | None = None
    aliases: tuple[str, ...] = ()


_SOURCE_SQL = ("SELECT id, title, author, outlet, published, url, language, reliability, notes, imported_from, "
               "sha256, created_at, updated_at, length(text) FROM sources")

_ANN_COLS = ("a.start_offset, a.end_offset, a.quote, a.reliability, a.credibility, a.note, a.annotator, "
             "a.created_at, a.updated_at")
_ANN_WHERE = " FROM annotations a WHERE a.source_id = :sid {extra} ORDER BY a.start_offset, a.end_offset, a.id"
_SEP, _PAIR = "\x1f", "\x1e"
# A link key: the annotation's actor ids (or theory id + stance pairs) in one string. Keys repeat a lot
# (the codebook is small), so each distinct key is parsed, named and sorted once (``Memo``).
_ACTOR_KEY = f"group_concat(actor_id, '{_SEP}')"
_THEORY_KEY = f"group_concat(theory_id || '{_PAIR}' || stance, '{_SEP}')"
# Fallback for very large projects: keys per row through the link tables' primary keys (bounded memory).
_KEY_SUBQUERIES = (f", (SELECT {_ACTOR_KEY} FROM annotation_actors WHERE annotation_id = a.id), "
                   f"(SELECT {_THEORY_KEY} FROM annotation_theories WHERE annotation_id = a.id)")
# Up to this many links, every key is read once into two dicts (two sequential scans: much faster).
PRELOAD_LINKS_MAX = 600_000

Row = tuple  # one SQL row: (annotation id, *the format's columns)
Params = Callable[["SourceInfo"], dict[str, object]]


class Memo(dict):
    """``memo[key]`` computes ``fn(key)`` once per distinct key; lookups after that run in C."""

    def __init__(self, fn: Callable[[object], object]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, key: object) -> object:
        value = self[key] = self.fn(key)
        return value


class ExportContext:
    """A consistent read of the project for one export (codebook, sources in scope, counts)."""

    def __init__(self, project: Project, scope: Scope | None = None) -> None:
        self.project = project
        self.conn: sqlite3.Connection = project.conn
        self.scope = scope or Scope()
        self.actors: dict[str, CodeInfo] = {}
        self.theories: dict[str, CodeInfo] = {}
        self.sources: list[SourceInfo] = []
        self.total = 0
        self._keys: tuple[dict[str, str], dict[str, str]] | None = None
        self._n_links = 0
        self.actor_links: Memo = Memo(self._actor_links)  # key -> ((id, name), ...) sorted by name
        self.theory_links: Memo = Memo(self._theory_links)  # key -> (TheoryLink, ...) sorted by name

    # -------------------------------------------------------------- loading
    def load(self) -> ExportContext:
        import json

        for r in self.conn.execute("SELECT id, name, color, description, kind, aliases FROM actors "
                                   "ORDER BY name COLLATE NOCASE, id"):
            self.actors[r[0]] = CodeInfo(r[0], r[1], r[2], r[3], kind=r[4], aliases=tuple(json.loads(r[5] or "[]")))
        for r in self.conn.execute("SELECT id, name, color, description, parent_id FROM theories "
                                   "ORDER BY name COLLATE NOCASE, id"):
            self.theories[r[0]] = CodeInfo(r[0], r[1], r[2], r[3], parent_id=r[4])
        rows = self.conn.execute(_SOURCE_SQL + " ORDER BY title COLLATE NOCASE, id").fetchall()
        if self.scope.source_ids is not None:
            wanted = set(self.scope.source_ids)
            known = {r[0] for r in rows}
            missing = sorted(wanted - known)
            if missing:
                raise ExportError(f"No source with id {missing[0]} in this project.")
            rows = [r for r in rows if r[0] in wanted]
        self.sources = [SourceInfo(*r) for r in rows]
        self.total = sum(self.count_for(s.id) for s in self.sources)
        self._n_links = sum(self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                            for t in ("annotation_actors", "annotation_theories"))
        self._keys = None
        self.actor_links.clear()
        self.theory_links.clear()
        return self

    def _extra(self) -> str:
        return "AND a.annotator = :annotator" if self.scope.annotator else ""

    def count_for(self, source_id: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM annotations a WHERE a.source_id = :sid {self._extra()}",
                                 {"sid": source_id, "annotator": self.scope.annotator}).fetchone()[0]

    def source_text(self, source_id: str) -> str:
        return self.conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()[0]

    def annotators(self) -> list[str]:
        """Annotator names in scope (qdpx Users)."""
        names: set[str] = set()
        for s in self.sources:
            names.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT annotator FROM annotations a WHERE a.source_id = :sid {self._extra()} "
                "AND annotator IS NOT NULL", {"sid": s.id, "annotator": self.scope.annotator}))
        return sorted(names, key=str.casefold)

    # -------------------------------------------------------------- records
    def _actor_links(self, key: str | None) -> tuple[tuple[str, str], ...]:
        if not key:
            return ()
        actors = self.actors
        links = [(a, actors[a].name if a in actors else a) for a in key.split(_SEP)]
        links.sort(key=lambda x: (x[1].casefold(), x[0]))
        return tuple(links)

    def _theory_links(self, key: str | None) -> tuple[TheoryLink, ...]:
        if not key:
            return ()
        theories = self.theories
        links = []
        for pair in key.split(_SEP):
            tid, stance = pair.rsplit(_PAIR, 1)
            links.append(TheoryLink(tid, theories[tid].name if tid in theories else tid, stance))
        links.sort(key=lambda t: (t.name.casefold(), t.id))
        return tuple(links)

    def _link_keys(self) -> tuple[dict[str, str], dict[str, str]] | None:
        """Every annotation's link keys, read once (``dict`` over the cursor runs in C), unless there are
        too many links to hold: then each row carries its keys from two primary-key subqueries."""
        if self._keys is None and self._n_links <= PRELOAD_LINKS_MAX:
            self._keys = (
                dict(self.conn.execute(f"SELECT annotation_id, {_ACTOR_KEY} FROM annotation_actors "
                                       "GROUP BY annotation_id")),
                dict(self.conn.execute(f"SELECT annotation_id, {_THEORY_KEY} FROM annotation_theories "
                                       "GROUP BY annotation_id")))
        return self._keys

    def chunks_for(self, source: SourceInfo, select: str, params: dict[str, object] | None = None
                   ) -> Iterator[tuple[list[Row], dict[str, str], dict[str, str]]]:
        """One source's annotations in text order, in chunks, as ``(rows, actor keys, theory keys)``.

        Each row is ``(a.id, *select)``: formats put what SQLite can compute (coalesced ratings, JSON
        fragments) into ``select``, with ``:named`` parameters from ``params``. The key dicts map an
        annotation id to its link keys; resolve them with ``actor_links``/``theory_links`` or a format's own
        ``Memo``. Chunks are ``PROGRESS_EVERY`` rows, so callers can report progress between them.
        """
        keys = self._link_keys()
        sql = (f"SELECT a.id, {select}" + ("" if keys else _KEY_SUBQUERIES)
               + _ANN_WHERE.format(extra=self._extra()))
        args = {**(params or {}), "sid": source.id, "annotator": self.scope.annotator}
        cur = self.conn.execute(sql, args)
        size = max(1, PROGRESS_EVERY)
        while True:
            rows = cur.fetchmany(size)
            if not rows:
                return
            if keys is not None:
                yield rows, keys[0], keys[1]
            else:
                yield rows, {r[0]: r[-2] for r in rows}, {r[0]: r[-1] for r in rows}

    def row_chunks(self, select: str, params: Params | None = None, progress: Progress | None = None
                   ) -> Iterator[tuple[SourceInfo, list[Row], dict[str, str], dict[str, str]]]:
        """``chunks_for`` over every source in scope (title order), checking ``progress`` between chunks."""
        done = 0
        check(progress, 0, self.total)
        for source in self.sources:
            for rows, akeys, tkeys in self.chunks_for(source, select, params(source) if params else None):
                yield source, rows, akeys, tkeys
                done += len(rows)
                check(progress, done, self.total)
        check(progress, done, self.total)

    def records_for(self, source: SourceInfo) -> Iterator[AnnotationRecord]:
        actor_links, theory_links = self.actor_links, self.theory_links
        for rows, akeys, tkeys in self.chunks_for(source, _ANN_COLS):
            ak, tk = akeys.get, tkeys.get
            for r in rows:
                ann_id = r[0]
                yield AnnotationRecord(ann_id, source, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                                       actor_links[ak(ann_id)], theory_links[tk(ann_id)])

    def records(self, progress: Progress | None = None) -> Iterator[AnnotationRecord]:
        """Every record in scope, sources in title order, spans in text order; checks ``progress``."""
        done = 0
        check(progress, 0, self.total)
        for source in self.sources:
            for rec in self.records_for(source):
                done += 1
                rec.number = done
                if done % PROGRESS_EVERY == 0:
                    check(progress, done, self.total)
                yield rec
        check(progress, done, self.total)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[ExportContext]:
        """Hold one read transaction so the export sees one consistent state of the file."""
        own = not self.conn.in_transaction
        if own:
            self.conn.execute("BEGIN")
        try:
            yield self.load()
        finally:
            if own and self.conn.in_transaction:
                self.conn.execute("COMMIT")


def check(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ExportCancelled()


def open_context(project: Project, scope: Scope | None = None) -> ExportContext:
    return ExportContext(project, scope)


GUID_NAMESPACE = uuid.UUID("6f1c1b8e-2d64-4c55-9a55-6b7a5a6e6b7a")
# The form str(uuid.UUID(x)) gives; ids we create are already in it, so as_guid can skip parsing them
# (qdpx exports call it and derived_guid about ten times per annotation).
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def as_guid(value: str) -> str:
    """A REFI-QDA GUID for an id: the id itself when it is a UUID, else a stable UUID derived from it."""
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return _uuid5(GUID_NAMESPACE.bytes, str(value))


def _uuid5(namespace: bytes, name: str) -> str:
    """``str(uuid.uuid5(UUID(bytes=namespace), name))`` without building UUID objects (same bytes)."""
    digest = bytearray(hashlib.sha1(namespace + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def derived_guid(base: str, what: str) -> str:
    """A stable GUID for something that belongs to ``base`` (a note, a stance code...)."""
    return _uuid5(bytes.fromhex(as_guid(base).replace("-", "")), what)


def iri(value: str) -> str:
    """A W3C id: ``urn:uuid:`` for UUIDs, else a urn in our own namespace."""
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return f"urn:uuid:{value}"
    try:
        return f"urn:uuid:{uuid.UUID(value)}"
    except (ValueError, AttributeError, TypeError):
        from urllib.parse import quote

        return f"urn:kzannotate:{quote(str(value), safe='')}"
