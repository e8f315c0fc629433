"""Plain data objects the store hands out. Frozen where sharing them between views must be safe."""

from __future__ import annotations

from dataclasses import dataclass, field

RELIABILITY_LETTERS = ("A", "B", "C", "D", "E", "F")
RELIABILITY_NAMES = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
CREDIBILITY_NAMES = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}
STANCES = ("supports", "contradicts", "neutral")
ACTOR_KINDS = ("person", "organisation", "state", "group", "other")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    text: str
    sha256: str
    author: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None
    reliability: str | None = None
    notes: str | None = None
    imported_from: str | None = None
    created_at: str = ""
    updated_at: str = ""


# Metadata fields a user may edit (the text and its hash never change).
SOURCE_META_FIELDS = ("title", "author", "outlet", "published", "url", "language", "reliability", "notes")


@dataclass(frozen=True)
class SourceSummary:
    """A source without its text, for lists."""

    id: str
    title: str
    author: str | None
    outlet: str | None
    published: str | None
    language: str | None
    reliability: str | None
    length: int
    annotation_count: int


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    kind: str = "person"
    aliases: tuple[str, ...] = ()
    description: str | None = None
    color: str | None = None
    usage: int = 0

    @property
    def spellings(self) -> tuple[str, ...]:
        """The name followed by every alias: what mention finding looks for."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Theory:
    id: str
    name: str
    parent_id: str | None = None
    description: str | None = None
    color: str | None = None
    usage: int = 0


@dataclass(frozen=True)
class Annotation:
    id: str
    source_id: str
    start: int
    end: int
    quote: str
    reliability: str | None = None
    credibility: int = 6
    note: str | None = None
    annotator: str | None = None
    created_at: str = ""
    updated_at: str = ""
    actor_ids: tuple[str, ...] = ()
    # (theory_id, stance) pairs, sorted by theory id
    theories: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def theory_stances(self) -> dict[str, str]:
        return dict(self.theories)

    def effective_reliability(self, source_reliability: str | None) -> str:
        """The annotation's own letter, else the source's, else F (cannot be judged)."""
        return self.reliability or source_reliability or "F"

    def rating(self, source_reliability: str | None) -> str:
        return f"{self.effective_reliability(source_reliability)}{self.credibility}"


@dataclass(frozen=True)
class Change:
    """What a store mutation touched; listeners (the window) refresh from it."""

    kind: str  # "source", "annotation", "actor", "theory", "project"
    ids: tuple[str, ...] = ()
    source_ids: tuple[str, ...] = ()
