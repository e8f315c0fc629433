"""Suggesting new aliases: capitalised names in the text that look like a known actor's name but are not listed.

Transliterated names come in many spellings (Nazarbayev, Nazarbaev, Narzabajev). A candidate is a
capitalised word or hyphenated compound whose folded form is close (rapidfuzz ``ratio``) to a word of an
actor's name or aliases, starts with the same letter, and is not already a spelling of any actor.
Derived words (Russia → Russian) are not suggested.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from kzannotate.store.models import Actor
from kzannotate.text.mentions import alias_key, fold

if TYPE_CHECKING:
    from kzannotate.store.project import Project

DEFAULT_CUTOFF = 80.0
MIN_LENGTH = 5
# A known spelling followed by one of these is a derived word (Russian, Putinism), not a new spelling.
DERIVED_SUFFIXES = ("s", "'s", "n", "an", "ian", "ns", "ans", "ians", "ese", "ish", "ism", "ist", "ists", "ite",
                    "ites", "i", "ic", "ics", "al")
_NAME = re.compile(r"(?<![\w\-\u2010\u2011\u2013])[^\W\d_][\w'\u2019]*(?:[\-\u2010\u2011\u2013][^\W\d_][\w]*)*")


@dataclass(frozen=True)
class AliasSuggestion:
    """``alias`` (as written in the text) probably names ``actor_name``: it resembles ``similar_to``."""

    alias: str
    actor_id: str
    actor_name: str
    similar_to: str
    score: float
    count: int
    occurrences: tuple[tuple[str, int, int], ...]  # (source_id, start, end), first few

    def to_json(self) -> dict:
        return {"alias": self.alias, "actor_id": self.actor_id, "actor": self.actor_name,
                "similar_to": self.similar_to, "score": round(self.score, 1), "count": self.count,
                "occurrences": [{"source_id": s, "start": a, "end": b} for s, a, b in self.occurrences]}


def _known_words(actors: Sequence[Actor]) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """Every known spelling and every word of every spelling (folded); words map to (actor id, as written)."""
    known: set[str] = set()
    words: dict[str, tuple[str, str]] = {}
    for actor in actors:
        for spelling in actor.spellings:
            key = alias_key(spelling)
            known.add(key)
            for part in re.split(r"\s+", key):
                known.add(part)
            for word in re.split(r"\s+", spelling.strip()):
                wkey = alias_key(word)
                if len(wkey) >= MIN_LENGTH and word[:1].isupper():
                    words.setdefault(wkey, (actor.id, word))
            if " " not in key and len(key) >= MIN_LENGTH and spelling[:1].isupper():
                words.setdefault(key, (actor.id, spelling))
    return known, words


def _derived(candidate: str, known: Iterable[str]) -> bool:
    """Is one of the two the other plus a derivational ending (Russia/Russian, Europe/European)?"""
    for k in known:
        if len(k) < 3:
            continue
        if candidate.startswith(k) and candidate[len(k):] in DERIVED_SUFFIXES:
            return True
        if k.startswith(candidate) and k[len(candidate):] in DERIVED_SUFFIXES:
            return True
    return False


def suggest_aliases(texts: Mapping[str, str] | str, actors: Sequence[Actor], *, cutoff: float = DEFAULT_CUTOFF,
                    ignore: Iterable[str] = ()) -> list[AliasSuggestion]:
    """Spellings in ``texts`` (source id → text, or one text) that probably belong to an actor, best first.

    ``ignore`` holds spellings the user has dismissed (compared folded).
    """
    if isinstance(texts, str):
        texts = {"": texts}
    known, words = _known_words(actors)
    ignored = {alias_key(x) for x in ignore}
    names = {a.id: a.name for a in actors}
    choices = list(words)
    found: dict[str, dict] = {}
    verdicts: dict[str, tuple[str, float] | None] = {}
    for source_id, text in texts.items():
        for m in _NAME.finditer(text):
            word = m.group().rstrip("'\u2019")
            if word.endswith(("'s", "\u2019s")):
                word = word[:-2]
            if len(word) < MIN_LENGTH or not word[0].isupper():
                continue
            key = alias_key(word)
            if key not in verdicts:
                verdicts[key] = None
                if choices and key not in known and key not in ignored and not _derived(key, known):
                    best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
                    if best is not None and best[0][:1] == key[:1]:
                        verdicts[key] = (best[0], float(best[1]))
            verdict = verdicts[key]
            if verdict is None:
                continue
            entry = found.setdefault(key, {"alias": word, "match": verdict, "count": 0, "occ": []})
            entry["count"] += 1
            if len(entry["occ"]) < 20:
                entry["occ"].append((source_id, m.start(), m.start() + len(word)))
    out = []
    for entry in found.values():
        match_key, score = entry["match"]
        actor_id, written = words[match_key]
        out.append(AliasSuggestion(entry["alias"], actor_id, names[actor_id], written, score, entry["count"],
                                   tuple(entry["occ"])))
    out.sort(key=lambda s: (-s.score, -s.count, fold(s.alias)))
    return out


def alias_suggestions(project: Project, source_id: str | None = None, *, ignore: Iterable[str] = ()
                      ) -> list[AliasSuggestion]:
    """Suggestions for one source or for the whole project."""
    ids = [source_id] if source_id is not None else project.source_ids()
    texts = {sid: project.get_source(sid).text for sid in ids}
    return suggest_aliases(texts, project.list_actors(), ignore=ignore)
