"""Full-text search over the sources (FTS5) and literal find inside one text.

The user's query is never handed to FTS5 as typed: it is tokenised here the way FTS5's ``unicode61``
tokenizer does and rebuilt from quoted strings, so nothing the user types (quotes, ``AND(``, ``*``, ``-``,
``NEAR``, SQL quotes, emoji) can be read as FTS syntax. Two forms keep their meaning: ``"a phrase"`` and
``prefix*``. FTS5 only says *which* sources match; the hits (code-point offsets) are located in the text
here, with the same tokenisation, case- and accent-insensitively.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kzannotate.store.project import Project

MAX_QUERY_CHARS = 1000  # longer input is cut here (nobody types more; FTS needs no novel)
MAX_TERMS = 32
CONTEXT_CHARS = 60  # characters of context either side of a hit in the snippet
MAX_HITS_PER_SOURCE = 500


@dataclass(frozen=True)
class Term:
    """One query term: a run of tokens that must appear together (a phrase or a single word)."""

    tokens: tuple[str, ...]  # folded (see ``fold``)
    prefix: bool = False  # the last token may be the start of a longer word

    def fts(self) -> str:
        """This term as an FTS5 string: every token double-quoted, so no token is ever an operator."""
        body = " ".join(self.tokens).replace('"', '""')
        return f'"{body}"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    text: str  # what the user typed (possibly shortened)
    terms: tuple[Term, ...]
    literal: str  # fallback when there are no word tokens (emoji, punctuation): matched as typed

    @property
    def empty(self) -> bool:
        return not self.terms and not self.literal

    def match_expression(self) -> str:
        """The MATCH string sent to FTS5: quoted terms joined by implicit AND."""
        return " ".join(t.fts() for t in self.terms)


@dataclass(frozen=True)
class SearchHit:
    source_id: str
    title: str
    start: int  # code points into sources.text, end exclusive
    end: int
    left: str  # context before the hit (whitespace collapsed)
    match: str  # the hit as it stands in the text
    right: str  # context after the hit

    @property
    def snippet(self) -> str:
        """Keyword in context: ``… left [match] right …``."""
        return f"{self.left}[{self.match}]{self.right}"

    def to_json(self) -> dict[str, object]:
        return {"source_id": self.source_id, "start": self.start, "end": self.end, "snippet": self.snippet,
                "title": self.title, "text": self.match}


@dataclass
class SearchResult:
    query: Query
    hits: list[SearchHit]
    title_only: list[tuple[str, str]]  # (source_id, title) of sources matching by title alone
    truncated: bool = False  # the query was shortened


# ------------------------------------------------------------------ tokens
def _is_token_char(ch: str) -> bool:
    """What FTS5 unicode61 keeps in tokens: letters, numbers, private use; plus combining marks."""
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or cat == "Co"


def _is_latin(ch: str) -> bool:
    o = ord(ch)
    return o < 0x250 or 0x1E00 <= o <= 0x1EFF


def fold(token: str) -> str:
    """Case-fold and strip diacritics from Latin letters (as unicode61 with remove_diacritics does)."""
    out = []
    for ch in unicodedata.normalize("NFD", token):
        if unicodedata.combining(ch) and out and _is_latin(out[-1][-1:] or "a"):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).casefold()


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) for every token of ``text``; offsets in code points."""
    out: list[tuple[str, int, int]] = []
    start = -1
    for i, ch in enumerate(text):
        if _is_token_char(ch):
            if start < 0:
                start = i
        elif start >= 0:
            out.append((fold(text[start:i]), start, i))
            start = -1
    if start >= 0:
        out.append((fold(text[start:]), start, len(text)))
    return out


def _words(text: str) -> list[str]:
    return [t for t, _, _ in tokens_with_offsets(text)]


def parse_query(raw: str) -> Query:
    """Turn anything typed into a safe ``Query``.

    ``"…"`` groups words into a phrase (an unclosed quote runs to the end); a word directly followed by
    ``*`` is a prefix; every other character is either part of a word or a separator. Operator words
    (AND, OR, NOT, NEAR) are ordinary words.
    """
    text = (raw or "")[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    for i, part in enumerate(text.split('"')):
        if i % 2 == 1:  # inside quotes: one phrase (a trailing * makes its last word a prefix)
            words = _words(part)
            if words:
                terms.append(Term(tuple(words), prefix=part.rstrip().endswith("*")))
            continue
        for chunk in part.split():
            prefix = chunk.endswith("*")
            words = _words(chunk)
            if not words:
                continue
            # "U.S." or "e-mail" stay together as a phrase, as FTS would read the text
            terms.append(Term(tuple(words), prefix=prefix))
    unique: list[Term] = []
    for t in terms:
        if t not in unique:
            unique.append(t)
    literal = "" if unique else " ".join(text.split())
    return Query(text=text, terms=tuple(unique[:MAX_TERMS]), literal=literal)


# ------------------------------------------------------------------ locating
def locate_terms(text: str, terms: tuple[Term, ...], *, tokens: list[tuple[str, int, int]] | None = None
                 ) -> list[tuple[int, int]]:
    """Code-point spans where any term occurs in ``text`` (sorted, non-overlapping)."""
    toks = tokens if tokens is not None else tokens_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        n = len(term.tokens)
        first = term.tokens[0]
        for i in range(len(toks) - n + 1):
            if n == 1:
                ok = toks[i][0].startswith(first) if term.prefix else toks[i][0] == first
            else:
                if toks[i][0] != first:
                    continue
                ok = all(toks[i + k][0] == term.tokens[k] for k in range(1, n - 1))
                last = toks[i + n - 1][0]
                ok = ok and (last.startswith(term.tokens[-1]) if term.prefix else last == term.tokens[-1])
            if ok:
                spans.append((toks[i][1], toks[i + n - 1][2]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
            continue
        merged.append((s, e))
    return merged


def find_literal(text: str, needle: str, *, case_sensitive: bool = False) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` taken literally (find in source). Offsets are code points."""
    if not needle:
        return []
    flags = 0 if case_sensitive else re.IGNORECASE
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text, flags)]


def _collapse(s: str) -> str:
    return " ".join(s.split())


def kwic(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """(left, match, right) around a span, cut at word boundaries, with ellipses where text was cut."""
    lo = max(0, start - context)
    hi = min(len(text), end + context)
    left = text[lo:start]
    right = text[end:hi]
    if lo > 0:
        cut = left.find(" ")
        left = "… " + (left[cut + 1:] if 0 <= cut < len(left) // 2 else left)
    if hi < len(text):
        cut = right.rfind(" ")
        right = (right[:cut] if cut > len(right) // 2 else right) + " …"
    return _collapse(left) + (" " if left[-1:].isspace() else ""), _collapse(text[start:end]), \
        (" " if right[:1].isspace() else "") + _collapse(right)


# ------------------------------------------------------------------ search
def search(project: Project, raw: str, *, limit_per_source: int = MAX_HITS_PER_SOURCE) -> SearchResult:
    """Search every source; sources in FTS rank order, hits in text order. Never raises on any input."""
    query = parse_query(raw)
    truncated = len(raw or "") > MAX_QUERY_CHARS
    result = SearchResult(query, [], [], truncated)
    if query.empty:
        return result
    if query.terms:
        try:
            rows = project.conn.execute(
                "SELECT s.id, s.title, s.text FROM sources_fts JOIN sources s ON s.rowid = sources_fts.rowid "
                "WHERE sources_fts MATCH ? ORDER BY sources_fts.rank", (query.match_expression(),)).fetchall()
        except sqlite3.OperationalError:  # a damaged index must not break searching: scan instead
            rows = project.conn.execute("SELECT id, title, text FROM sources ORDER BY title").fetchall()
    else:
        rows = project.conn.execute("SELECT id, title, text FROM sources ORDER BY title").fetchall()
    for source_id, title, text in rows:
        if query.terms:
            spans = locate_terms(text, query.terms)
        else:
            spans = find_literal(text, query.literal)
        if not spans:
            if query.terms and locate_terms(title, query.terms):
                result.title_only.append((source_id, title))
            continue
        for s, e in spans[:limit_per_source]:
            left, match, right = kwic(text, s, e)
            result.hits.append(SearchHit(source_id, title, s, e, left, match, right))
    return result
