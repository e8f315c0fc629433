"""One read of the project into plain rows every analysis uses (so views and reports agree)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kzannotate.store.models import RELIABILITY_LETTERS

if TYPE_CHECKING:
    from kzannotate.store.project import Project


@dataclass(frozen=True)
class Item:
    """An annotation with everything analyses need, names resolved."""

    id: str
    source_id: str
    source_title: str
    start: int
    end: int
    quote: str
    reliability: str  # effective: the annotation's own letter, else the source's, else F
    credibility: int
    annotator: str | None
    note: str | None
    created_at: str
    actor_ids: tuple[str, ...] = ()
    theories: tuple[tuple[str, str], ...] = ()  # (theory_id, stance)

    @property
    def rating(self) -> str:
        return f"{self.reliability}{self.credibility}"

    @property
    def stances(self) -> dict[str, str]:
        return dict(self.theories)


@dataclass(frozen=True)
class SourceInfo:
    id: str
    title: str
    reliability: str | None
    published: str | None
    outlet: str | None
    author: str | None


@dataclass
class Dataset:
    items: list[Item]
    sources: dict[str, SourceInfo]
    actors: dict[str, str]  # id -> name
    theories: dict[str, str]  # id -> name
    actor_colors: dict[str, str | None] = field(default_factory=dict)
    theory_colors: dict[str, str | None] = field(default_factory=dict)

    def actor_order(self) -> list[str]:
        return sorted(self.actors, key=lambda i: self.actors[i].casefold())

    def theory_order(self) -> list[str]:
        return sorted(self.theories, key=lambda i: self.theories[i].casefold())


def load(project: Project) -> Dataset:
    """Everything in five queries, whatever the project size."""
    conn = project.conn
    sources = {r[0]: SourceInfo(*r) for r in conn.execute(
        "SELECT id, title, reliability, published, outlet, author FROM sources")}
    actors: dict[str, str] = {}
    actor_colors: dict[str, str | None] = {}
    for aid, name, color in conn.execute("SELECT id, name, color FROM actors"):
        actors[aid] = name
        actor_colors[aid] = color
    theories: dict[str, str] = {}
    theory_colors: dict[str, str | None] = {}
    for tid, name, color in conn.execute("SELECT id, name, color FROM theories"):
        theories[tid] = name
        theory_colors[tid] = color
    links_a: dict[str, list[str]] = {}
    for ann_id, actor_id in conn.execute("SELECT annotation_id, actor_id FROM annotation_actors"):
        links_a.setdefault(ann_id, []).append(actor_id)
    links_t: dict[str, list[tuple[str, str]]] = {}
    for ann_id, theory_id, stance in conn.execute(
            "SELECT annotation_id, theory_id, stance FROM annotation_theories"):
        links_t.setdefault(ann_id, []).append((theory_id, stance))
    items = []
    for (ann_id, source_id, start, end, quote, rel, cred, annotator, note, created) in conn.execute(
            "SELECT a.id, a.source_id, a.start_offset, a.end_offset, a.quote, "
            "COALESCE(a.reliability, s.reliability, 'F'), a.credibility, a.annotator, a.note, a.created_at "
            "FROM annotations a JOIN sources s ON s.id = a.source_id "
            "ORDER BY s.title COLLATE NOCASE, s.id, a.start_offset, a.end_offset, a.id"):
        items.append(Item(ann_id, source_id, sources[source_id].title, start, end, quote, rel, cred, annotator,
                          note, created, tuple(sorted(links_a.get(ann_id, ()))),
                          tuple(sorted(links_t.get(ann_id, ())))))
    return Dataset(items, sources, actors, theories, actor_colors, theory_colors)


def reliability_sort_key(letter: str | None) -> int:
    """A…F in order, unrated last."""
    return RELIABILITY_LETTERS.index(letter) if letter in RELIABILITY_LETTERS else len(RELIABILITY_LETTERS)
