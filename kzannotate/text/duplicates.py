"""Long repeated passages inside a source and across sources (scraped articles repeat themselves).

Texts are compared as sequences of folded words (case, diacritics, quotes, punctuation and line breaks
do not matter). The scan is LZ77-like: walking through all texts in order, each stretch that repeats an
earlier stretch of at least ``min_chars`` characters becomes a copy of it. Copies of the same original are
grouped into one :class:`Repeat`; the first copy is the original. Seeds of ``SEED_WORDS`` words find the
candidates, so the cost is close to linear in the size of the corpus.
"""

from __future__ import annotations

import bisect
import itertools
import re
from array import array
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass

from kzannotate.text.mentions import fold

SEED_WORDS = 8
_YIELD_CHARS = 30_000  # a cooperative caller gets control back this often (a few ms)
_YIELD_WORDS = 1024
MAX_CANDIDATES = 24  # earlier occurrences of a seed tried at each position (keeps boilerplate cheap)
_WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"\W")

Copy = tuple[str, int, int]  # (source_id, start, end): code points, end exclusive


@dataclass(frozen=True)
class Repeat:
    """A passage found more than once. ``copies[0]`` is the first occurrence; ``length`` its length."""

    length: int
    copies: tuple[Copy, ...]

    def to_json(self) -> dict:
        return {"length": self.length,
                "copies": [{"source_id": s, "start": a, "end": b} for s, a, b in self.copies]}


class _Corpus:
    """All texts as one word sequence (word ids, owning text, character spans)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        for _ in self.fill(texts):
            pass

    @classmethod
    def building(cls, texts: Mapping[str, str]) -> Generator[None, None, _Corpus]:
        """Build step by step, yielding every ``_YIELD_WORDS`` words (for cooperative callers)."""
        corpus = cls.__new__(cls)
        yield from corpus.fill(texts)
        return corpus

    def fill(self, texts: Mapping[str, str]) -> Generator[None, None, None]:
        self.ids: list[str] = list(texts)
        # Arrays, not lists: the garbage collector walks every item of a list on each full pass, and four
        # lists of a million ints made each pass a 40 ms stall of the window.
        self.words = array("q")
        self.doc = array("q")
        self.starts = array("q")
        self.ends = array("q")
        self.doc_end: list[int] = []  # first word index after each text
        vocab: dict[str, int] = {}
        counter = itertools.count()
        words, starts, ends = self.words, self.starts, self.ends
        for d, source_id in enumerate(self.ids):
            text = texts[source_id]
            a, n = 0, len(text)
            while a < n:
                # chunks end before a non-word character, so no word is cut in two
                cut = _NON_WORD.search(text, a + _YIELD_CHARS) if a + _YIELD_CHARS < n else None
                b = cut.start() if cut else n
                # map() over the match objects keeps the per-word work in C (word ids need only be
                # equal for equal words, so a running counter may skip numbers)
                found = list(_WORD.finditer(fold(text[a:b])))
                words.extend(map(vocab.setdefault, map(re.Match.group, found), counter))
                starts.extend(map(a.__add__, map(re.Match.start, found)))
                ends.extend(map(a.__add__, map(re.Match.end, found)))
                a = b
                yield
            self.doc.extend(array("q", [d]) * (len(words) - len(self.doc)))
            self.doc_end.append(len(words))

    def chars(self, i: int, n: int) -> int:
        """Characters spanned by ``n`` words from word ``i`` (same text)."""
        return self.ends[i + n - 1] - self.starts[i]

    def copy(self, i: int, n: int) -> Copy:
        return (self.ids[self.doc[i]], self.starts[i], self.ends[i + n - 1])


def _extend(c: _Corpus, i: int, j: int) -> int:
    """How many words from ``j`` (earlier) equal those from ``i``, without the two stretches overlapping."""
    words = c.words
    limit = min(c.doc_end[c.doc[i]] - i, c.doc_end[c.doc[j]] - j)
    if c.doc[i] == c.doc[j]:
        limit = min(limit, i - j)
    # Gallop: compare growing blocks as list slices (C speed), then halve the block inside the first
    # differing one. A stretch of n words costs O(log n) slice comparisons instead of n Python steps.
    n, step, growing = 0, 16, True
    while step:
        if n + step <= limit and words[i + n:i + n + step] == words[j + n:j + n + step]:
            n += step
            if growing:
                step = min(step * 2, 4096)
        else:
            growing = False
            step //= 2
    return n


class Cancelled(Exception):
    """``find_repeats`` was told to stop (its input changed meanwhile)."""


def _scan(c: _Corpus, min_chars: int) -> Generator[None, None, list[tuple[int, int, int]]]:
    """(copy word index, original word index, word count) for each repeated stretch, in text order.

    A generator: it yields every ``_YIELD_WORDS`` positions so a caller can stop or pause it."""
    k = SEED_WORDS
    words, doc = c.words, c.doc
    # Earlier occurrences of each seed as chains through two arrays (previous / next position with the same
    # seed) plus the first and last position per seed: only ints and arrays, which the garbage collector
    # never walks (a dict of a million small lists made each of its full passes a 40 ms stall).
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    found: list[tuple[int, int, int]] = []
    total = len(words)

    def seed(p: int) -> int | None:
        # The hash of the words, not their tuple: an int key is no work for the garbage collector, whose
        # full passes over a million fresh tuples stalled the window. A collision only adds a candidate
        # that _extend then finds too short.
        if p + k > total or doc[p + k - 1] != doc[p]:
            return None
        return hash(tuple(words[p:p + k]))

    back = array("q", [-1]) * len(words)
    ahead = array("q", [-1]) * len(words)

    def remember(p: int) -> None:
        key = seed(p)
        if key is None:
            return
        q = last.get(key)
        if q is None:
            first[key] = p
        else:
            back[p] = q
            ahead[q] = p
        last[key] = p

    def earlier_of(key: int) -> list[int]:
        """Earlier positions of a seed, oldest first: all, or the first and the most recent ones."""
        q = first.get(key)
        if q is None:
            return []
        out = []
        while q >= 0 and len(out) <= MAX_CANDIDATES:
            out.append(q)
            q = ahead[q]
        if len(out) <= MAX_CANDIDATES:
            return out
        half = MAX_CANDIDATES // 2
        recent = []
        q = last[key]
        while len(recent) < half:
            recent.append(q)
            q = back[q]
        return out[:half] + recent[::-1]

    i = 0
    check_at = _YIELD_WORDS
    while i < total:
        if i >= check_at:
            check_at = i + _YIELD_WORDS
            yield
        key = seed(i)
        best_n, best_j = 0, -1
        if key is not None:
            for j in earlier_of(key):
                n = _extend(c, i, j)
                if n > best_n:
                    best_n, best_j = n, j
        if best_n >= k and c.chars(i, best_n) >= min_chars:
            found.append((i, best_j, best_n))
            for p in range(i, i + best_n):
                remember(p)
            i += best_n
            check_at = min(check_at, i)  # a long copy was a lot of work: let the caller in
        elif best_n > k:
            # A shared phrase too short to report: the positions inside it would find the same phrase,
            # shorter, so step over most of it (a long repeat starting inside it is found a few words on).
            step = max(1, (best_n - k) // 2)
            for p in range(i, i + step):
                remember(p)
            i += step
        else:
            remember(i)
            i += 1
    return found


def find_repeats(texts: Mapping[str, str], min_chars: int = 200, *,
                 should_stop: Callable[[], bool] | None = None) -> list[Repeat]:
    """Passages of at least ``min_chars`` characters that occur more than once, within or across texts.

    ``texts`` maps source id to text; its order decides which occurrence counts as the original.
    Repeats come sorted by their first copy. ``should_stop`` (polled now and then) lets a caller
    abandon it: it then raises ``Cancelled``.
    """
    gen = iter_repeats(texts, min_chars)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
        if should_stop is not None and should_stop():
            gen.close()
            raise Cancelled


def iter_repeats(texts: Mapping[str, str], min_chars: int = 200) -> Generator[None, None, list[Repeat]]:
    """``find_repeats`` as a generator yielding every few milliseconds of work; returns the repeats.
    The window runs it in slices between paints (see ``kzannotate.ui.jobs``)."""
    if min_chars < 1:
        raise ValueError("min_chars must be positive")
    c = yield from _Corpus.building(texts)
    found = yield from _scan(c, min_chars)
    # An original that lies inside an earlier copy stands for the same place in that copy's original.
    copy_starts: list[int] = []
    canon: list[tuple[int, int, int]] = []
    for i, j, n in found:
        k = bisect.bisect_right(copy_starts, j) - 1
        while k >= 0:
            ci, cj, cn = canon[k]
            if not ci <= j < ci + cn:
                break
            j = cj + (j - ci)
            k = bisect.bisect_right(copy_starts, j) - 1
        copy_starts.append(i)
        canon.append((i, j, n))
    # Copies of (nearly) the same stretch form one group even when one ends a word earlier or later.
    groups: list[dict] = []
    for index, (i, j, n) in enumerate(canon):
        if index % 256 == 255:
            yield
        for grp in groups:
            if abs(grp["j"] - j) <= 3 and abs(grp["n"] - n) <= max(3, grp["n"] // 50):
                grp["copies"].append((i, n))
                grp["min"] = min(grp["min"], n)
                break
        else:
            groups.append({"j": j, "n": n, "min": n, "copies": [(i, n)]})
    repeats = []
    for grp in groups:
        copies = sorted({c.copy(p, m) for p, _ in [(grp["j"], 0), *grp["copies"]] for m in [grp["min"]]},
                        key=lambda cp: (c.ids.index(cp[0]), cp[1]))
        first = copies[0]
        repeats.append(Repeat(first[2] - first[1], tuple(copies)))
    repeats.sort(key=lambda r: (c.ids.index(r.copies[0][0]), r.copies[0][1]))
    return repeats


def repeat_of(repeats: Sequence[Repeat], source_id: str, start: int, end: int
              ) -> tuple[Repeat, int] | None:
    """The repeat and copy index a span lies in (inside one copy, or mostly: over half of it), else None."""
    best: tuple[int, Repeat, int] | None = None
    span = max(1, end - start)
    for rep in repeats:
        for index, (sid, a, b) in enumerate(rep.copies):
            if sid != source_id:
                continue
            overlap = min(b, end) - max(a, start)
            if overlap <= 0:
                continue
            if a <= start and end <= b:
                overlap = span + 1  # full containment beats any partial overlap
            if overlap * 2 > span and (best is None or overlap > best[0]):
                best = (overlap, rep, index)
    return (best[1], best[2]) if best else None


def map_offset(rep: Repeat, from_index: int, to_index: int, offset: int) -> int:
    """Where ``offset`` in one copy falls in another (proportionally: copies differ at most in spacing)."""
    _, a, b = rep.copies[from_index]
    _, c, d = rep.copies[to_index]
    if b == a:
        return c
    return c + round((offset - a) * (d - c) / (b - a))


class LineIndex:
    """Line numbers of offsets in one text, by bisecting the newline positions (built once per text)."""

    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        """1-based line number of the character at ``offset``."""
        return bisect.bisect_left(self.newlines, offset) + 1

    def range(self, start: int, end: int) -> tuple[int, int]:
        return self.line(start), self.line(max(start, end - 1))


_LINE_INDEXES: dict[int, tuple[str, LineIndex]] = {}


def line_index(text: str) -> LineIndex:
    """A cached ``LineIndex`` for ``text`` (the last few texts asked about)."""
    hit = _LINE_INDEXES.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    if len(_LINE_INDEXES) > 16:
        _LINE_INDEXES.clear()
    index = LineIndex(text)
    _LINE_INDEXES[id(text)] = (text, index)
    return index


def line_range(text: str, start: int, end: int) -> tuple[int, int]:
    """1-based first and last line numbers of a span (for messages such as "lines 12–30")."""
    if len(text) < 20_000:
        first = text.count("\n", 0, start) + 1
        return first, first + text.count("\n", start, max(start, end - 1))
    return line_index(text).range(start, end)


def copies_in(repeats: Sequence[Repeat], source_id: str) -> list[tuple[Repeat, int]]:
    """Every (repeat, copy index) lying in one source, in text order."""
    out = [(rep, i) for rep in repeats for i, cp in enumerate(rep.copies) if cp[0] == source_id]
    out.sort(key=lambda pair: pair[0].copies[pair[1]][1])
    return out


__all__ = ["LineIndex", "Repeat", "copies_in", "find_repeats", "line_index", "line_range", "map_offset", "repeat_of"]
