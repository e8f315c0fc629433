"""Finding where actors are mentioned by name or alias, and which of those mentions are not annotated yet.

The text is folded with a *length-preserving* table (case, diacritics, typographic quotes, dash variants):
every character maps to exactly one character, so offsets into the folded text are offsets into the
source. Each actor set compiles to one trie-shaped regular expression (cached), which keeps a 5 MB source
well under a second.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from kzannotate.store.models import Actor

if TYPE_CHECKING:
    from kzannotate.store.project import Project

Span = tuple[int, int]

# Characters that differ only typographically fold onto one ASCII form.
_QUOTES = "'\u2018\u2019\u201a\u201b\u2032\u02bc\u02bb\u0060\u00b4"
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad\ufe63\uff0d"
_SPACES = "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"


class Mention(NamedTuple):
    """An occurrence of an actor's name or alias. Offsets are code points, end exclusive.

    A named tuple rather than a frozen dataclass: a 5 MB source has tens of thousands of mentions, and a
    tuple is made three times faster."""

    start: int
    end: int
    text: str
    actor_id: str
    actor_name: str
    source_id: str | None = None


_EXTRA_FOLDS = {ord(src): ord(dst) for src, dst in (
    ("ø", "o"), ("Ø", "o"), ("đ", "d"), ("Đ", "d"), ("ł", "l"), ("Ł", "l"), ("ı", "i"), ("ħ", "h"), ("Ħ", "h"),
    ("ŧ", "t"), ("Ŧ", "t"))}  # letters NFKD leaves alone but readers treat as plain Latin letters
_EXTRA_FOLDS.update({ord(q): ord("'") for q in _QUOTES})
_EXTRA_FOLDS.update({ord(d): ord("-") for d in _DASHES})
_EXTRA_FOLDS.update({ord(s): ord(" ") for s in _SPACES})


@lru_cache(maxsize=4096)
def _fold_target(cp: int) -> int | None:
    """The one character ``chr(cp)`` folds onto, or None when it stays as it is."""
    extra = _EXTRA_FOLDS.get(cp)
    if extra is not None:
        return extra
    if not 0x41 <= cp < 0x3000 or 0xD800 <= cp <= 0xDFFF:
        return None
    ch = chr(cp)
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    lower = base.lower()
    if len(lower) != 1:
        lower = ch.lower()
        if len(lower) != 1:
            return None
    return ord(lower) if lower != ch else None


class _FoldTable(dict):
    """``str.translate`` table filled on demand (building all 12,000 entries up front cost start-up time)."""

    def __missing__(self, cp: int) -> int:
        target = _fold_target(cp)
        self[cp] = cp if target is None else target
        return self[cp]


FOLD_TABLE: dict[int, int] = _FoldTable()
_NON_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def fold(text: str) -> str:
    """Case-, diacritic-, quote- and dash-insensitive form of ``text`` with exactly the same length."""
    if text.isascii():
        return text.lower()
    if len(text) < 20_000:
        return text.translate(FOLD_TABLE)
    # str.translate costs ~50 ns a character; most sources use a handful of non-ASCII characters, and
    # replacing those one by one, then lower() (both C loops), is ten times faster. The distinct
    # non-ASCII characters come from deleting the ASCII runs (a C loop too; set(text) is four times slower).
    special = set(_NON_ASCII_RUNS.sub("", text))
    if len(special) > 64 or any(len(c.lower()) != 1 and _fold_target(ord(c)) is None for c in special):
        return text.translate(FOLD_TABLE)
    left = set()
    for c in special:
        target = _fold_target(ord(c))
        if target is not None:
            text = text.replace(c, chr(target))
            c = chr(target)
        left.add(c)
    if all(ord(c) < 256 for c in left):
        # str.replace keeps the wide storage; one-byte storage makes lower() and the regex scan faster
        text = text.encode("latin-1").decode("latin-1")
    return text.lower()


_SEP_IN_ALIAS = re.compile(r"[\s\-]+")
_SEP_PATTERN = r"[\s\-]+"
_WORD_CHAR = re.compile(r"\w")


def alias_key(alias: str) -> str:
    """The form two spellings share when they should count as the same (``Kassym–Jomart`` = ``kassym jomart``)."""
    return _SEP_IN_ALIAS.sub(" ", fold(unicodedata.normalize("NFC", alias)).strip(" -"))


def _trie_regex(keys: Iterable[str]) -> str:
    """A regex matching any of ``keys`` (longest first at each branch); a space matches any separator run."""
    trie: dict[str, dict] = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            atom = _SEP_PATTERN if ch == " " else re.escape(ch)
            branches.append(atom + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            body = body if len(branches) > 1 else "(?:" + body + ")"
            return body + "?"
        return body

    return emit(trie)


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str] | None
    by_key: Mapping[str, tuple[tuple[str, str], ...]]  # alias key -> ((actor_id, actor_name), ...)


@lru_cache(maxsize=32)
def _compile(spellings: tuple[tuple[str, str, tuple[str, ...]], ...]) -> _Matcher:
    by_key: dict[str, list[tuple[str, str]]] = {}
    for actor_id, name, names in spellings:
        for spelling in names:
            key = alias_key(spelling)
            if len(key) < 2 or not _WORD_CHAR.search(key):
                continue
            owners = by_key.setdefault(key, [])
            if (actor_id, name) not in owners:
                owners.append((actor_id, name))
    if not by_key:
        return _Matcher(None, {})
    # Both word boundaries are part of the pattern: the right one makes the greedy trie back off to the
    # longest *whole-word* alias; the left one (a look-behind) skips positions inside words cheaply.
    pattern = re.compile(r"(?<!\w)(?:" + _trie_regex(by_key) + r")(?!\w)")
    return _Matcher(pattern, {k: tuple(v) for k, v in by_key.items()})


def matcher_for(actors: Sequence[Actor]) -> _Matcher:
    return _compile(tuple((a.id, a.name, a.spellings) for a in actors))


class _Coverage:
    """Spans per actor, for fast "does any span overlap [start, end)?" (sorted starts, running max of ends)."""

    def __init__(self, covered: Mapping[str, Sequence[Span]]) -> None:
        self._raw = covered
        self._index: dict[str, tuple[list[int], list[int]]] = {}

    def overlaps(self, actor_id: str, start: int, end: int) -> bool:
        index = self._index.get(actor_id)
        if index is None:
            spans = sorted(self._raw.get(actor_id) or ())
            starts, max_end, top = [], [], -1
            for s, e in spans:
                starts.append(s)
                top = max(top, e)
                max_end.append(top)
            index = self._index[actor_id] = (starts, max_end)
        starts, max_end = index
        i = bisect_left(starts, end)  # spans starting before the mention ends
        return i > 0 and max_end[i - 1] > start


def find_mentions(text: str, actors: Sequence[Actor], covered: Mapping[str, list[Span]] | None = None
                  ) -> list[Mention]:
    """Every whole-word occurrence of an actor's name or alias in ``text``, in text order.

    Where aliases overlap the longest wins (``Kassym-Jomart Tokayev`` rather than ``Tokayev``). A mention
    that overlaps a span in ``covered[actor_id]`` (an annotation already linked to that actor) is left out.
    """
    gen = iter_mentions(text, actors, covered, chunk=len(text) + 1)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def iter_mentions(text: str, actors: Sequence[Actor], covered: Mapping[str, list[Span]] | None = None,
                  chunk: int = 250_000, source_id: str | None = None) -> Generator[None, None, list[Mention]]:
    """``find_mentions`` as a generator that yields after every ``chunk`` characters (folding, then
    matching): the window runs it in slices between paints. Its return value is the list of mentions
    (carrying ``source_id``)."""
    matcher = matcher_for(actors)
    if matcher.pattern is None or not text:
        return []
    n = len(text)
    if n <= chunk:
        folded = fold(text)
    else:
        parts = []
        for a in range(0, n, chunk):  # folding is per character, so chunks fold independently
            parts.append(fold(text[a:a + chunk]))
            yield
        folded = "".join(parts)
    coverage = _Coverage(covered) if covered else None
    out: list[Mention] = []
    by_key = matcher.by_key
    sep = _SEP_IN_ALIAS.sub
    append = out.append
    finditer = matcher.pattern.finditer
    pos = 0
    while pos < n:
        limit = pos + chunk
        for m in finditer(folded, pos):
            start = m.start()
            if start >= limit:
                pos = start
                break
            end = m.end()
            key = m.group()
            owners = by_key.get(key)
            if owners is None:
                owners = by_key.get(sep(" ", key), ())
            for actor_id, actor_name in owners:
                if coverage is None or not coverage.overlaps(actor_id, start, end):
                    append(Mention(start, end, text[start:end], actor_id, actor_name, source_id))
        else:
            break
        yield
    return out


def without_covered(mentions: Sequence[Mention], covered: Mapping[str, Sequence[Span]]) -> list[Mention]:
    """The mentions no span in ``covered[actor_id]`` overlaps (re-filtering after annotations changed)."""
    if not covered:
        return list(mentions)
    coverage = _Coverage(covered)
    return [m for m in mentions if not coverage.overlaps(m.actor_id, m.start, m.end)]


def covered_spans(project: Project, source_id: str) -> dict[str, list[Span]]:
    """Spans of a source's annotations by linked actor: what already counts as annotated."""
    covered: dict[str, list[Span]] = {}
    rows = project.conn.execute(
        "SELECT aa.actor_id, a.start_offset, a.end_offset FROM annotations a "
        "JOIN annotation_actors aa ON aa.annotation_id = a.id WHERE a.source_id = ?", (source_id,))
    for actor_id, start, end in rows:
        covered.setdefault(actor_id, []).append((start, end))
    return covered


def unlinked_mentions(project: Project, source_id: str | None = None, actor_id: str | None = None
                      ) -> list[Mention]:
    """Mentions no annotation linked to that actor covers yet, for one source or all (source title order)."""
    actors = project.list_actors()
    if actor_id is not None:
        actors = [a for a in actors if a.id == actor_id]
    if not actors:
        return []
    source_ids = [source_id] if source_id is not None else project.source_ids()
    out: list[Mention] = []
    for sid in source_ids:
        text = project.get_source(sid).text
        gen = iter_mentions(text, actors, covered_spans(project, sid), chunk=len(text) + 1, source_id=sid)
        while True:
            try:
                next(gen)
            except StopIteration as stop:
                out.extend(stop.value)
                break
    return out


def mention_counts(mentions: Iterable[Mention]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.actor_id] = counts.get(m.actor_id, 0) + 1
    return counts

