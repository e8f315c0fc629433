"""Highlighted reports (HTML and RTF) made with pygments.

``AnnotatedSourceLexer`` turns one source plus its annotations into tokens: plain text, highlighted spans
(one token type per codebook colour, another for overlaps) and numbered markers ``[n]`` where spans start.
``codebook_style`` builds a pygments Style from the codebook colours, lightened so text stays readable.
The HTML report is one self-contained file (inline CSS, print rules); the RTF uses pygments' RtfFormatter
over one token stream for the whole document. Every piece of text is escaped by the formatter or by
``html.escape``.
"""

from __future__ import annotations

import heapq
import html
import io
import os
import re
from collections.abc import Iterator
from typing import Any

from pygments.formatters import HtmlFormatter, RtfFormatter
from pygments.lexer import Lexer
from pygments.style import Style
from pygments.token import Token, _TokenType

from kzannotate import __version__
from kzannotate.formats.atomic import atomic_output
from kzannotate.formats.common import AnnotationRecord, ExportContext, Progress, SourceInfo, check
from kzannotate.store.schema import now_iso

Span = Token.Kz.Span
Overlap = Token.Kz.Overlap
Marker = Token.Kz.Marker
Heading = Token.Kz.Heading
Meta = Token.Kz.Meta
DEFAULT_COLOR = "#999999"
_CB = re.compile(r"(?<!\\)\\cb(\d+)")


def span_color(rec: AnnotationRecord, ctx: ExportContext) -> str:
    """A span takes its first theory's colour, else its first actor's, else grey."""
    for t in rec.theories:
        info = ctx.theories.get(t.id)
        if info is not None and info.color:
            return info.color.lower()
    for actor_id, _ in rec.actors:
        info = ctx.actors.get(actor_id)
        if info is not None and info.color:
            return info.color.lower()
    return DEFAULT_COLOR


def lighten(color: str, amount: float = 0.62) -> str:
    """Blend with white so black text on it stays readable (and prints)."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def span_token(color: str) -> _TokenType:
    return getattr(Span, "C" + color.lstrip("#").lower())


def overlap_token(color: str) -> _TokenType:
    return getattr(Overlap, "C" + color.lstrip("#").lower())


class AnnotatedSourceLexer(Lexer):
    """Tokens for a source with its spans. Pass ``spans=[(start, end, number, color), ...]``."""

    name = "kzannotate annotated source"
    aliases = ["kzannotate"]

    def __init__(self, **options: Any) -> None:
        options.setdefault("stripnl", False)
        options.setdefault("ensurenl", False)
        super().__init__(**options)
        self.spans: list[tuple[int, int, int, str]] = sorted(options.get("spans", []))

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, _TokenType, str]]:
        """Pieces between span boundaries; a piece takes its innermost span's colour (latest start, then
        earliest end, then lowest number). Two heaps keep this O(n log n) however deeply spans overlap."""
        starts: dict[int, list[tuple[int, str, int]]] = {}
        bounds = {0, len(text)}
        for start, end, number, color in self.spans:
            starts.setdefault(start, []).append((number, color, end))
            bounds.update((start, end))
        ends: list[int] = []  # ends of the spans covering the current piece (min-heap): how many
        inner: list[tuple[int, int, int, str]] = []  # (-start, end, number, colour): innermost on top
        points = sorted(b for b in bounds if 0 <= b <= len(text))
        for i, pos in enumerate(points):
            while ends and ends[0] <= pos:
                heapq.heappop(ends)
            for number, color, end in sorted(starts.get(pos, [])):
                yield pos, Marker, f"[{number}]"
                heapq.heappush(ends, end)
                heapq.heappush(inner, (-pos, end, number, color))
            while inner and inner[0][1] <= pos:
                heapq.heappop(inner)
            if i + 1 == len(points):
                break
            piece = text[pos:points[i + 1]]
            if not piece:
                continue
            if not ends:
                yield pos, Token.Text, piece
            else:
                color = inner[0][3]
                yield pos, (overlap_token(color) if len(ends) > 1 else span_token(color)), piece


def codebook_style(colors: set[str]) -> type[Style]:
    styles: dict[_TokenType, str] = {
        Token: "#1a1a1a", Token.Text: "", Marker: "bold #333333 bg:#e8e8e8", Heading: "bold #000000",
        Meta: "italic #555555",
    }
    for color in sorted(colors):
        styles[span_token(color)] = f"bg:{lighten(color)}"
        styles[overlap_token(color)] = f"underline bg:{lighten(color, 0.4)}"
    return type("KzannotateStyle", (Style,), {"styles": styles, "background_color": "#ffffff",
                                               "highlight_color": "#ffffcc"})


# ------------------------------------------------------------------- model
def _collect(ctx: ExportContext, progress: Progress | None
             ) -> tuple[list[tuple[SourceInfo, str, list[AnnotationRecord]]], set[str]]:
    """Per source: its text and records. Reports hold the text anyway, so records of one source are kept."""
    out: list[tuple[SourceInfo, str, list[AnnotationRecord]]] = []
    colors = {DEFAULT_COLOR}
    done = 0
    check(progress, 0, ctx.total)
    for source in ctx.sources:
        recs = []
        for rec in ctx.records_for(source):
            done += 1
            rec.number = done
            recs.append(rec)
            colors.add(span_color(rec, ctx))
            if done % 200 == 0:
                check(progress, done, ctx.total)
        out.append((source, ctx.source_text(source.id), recs))
    check(progress, done, ctx.total)
    return out, colors


def _spans(recs: list[AnnotationRecord], ctx: ExportContext) -> list[tuple[int, int, int, str]]:
    return [(r.start, r.end, r.number, span_color(r, ctx)) for r in recs]


def _source_meta(source: SourceInfo) -> str:
    labelled = (("By", source.author), ("in", source.outlet), ("published", source.published),
                ("language", source.language), ("source reliability", source.reliability), ("", source.url))
    return " · ".join(f"{label} {value}".strip() for label, value in labelled if value)


def _counts(annotations: int, sources: int) -> str:
    return (f"{annotations} annotation{'' if annotations == 1 else 's'} in "
            f"{sources} source{'' if sources == 1 else 's'}")


def _theories_text(rec: AnnotationRecord) -> str:
    return "; ".join(f"{t.name} ({t.stance})" for t in rec.theories)


def _legend(ctx: ExportContext, data: list[tuple[SourceInfo, str, list[AnnotationRecord]]]
            ) -> list[tuple[str, str, str]]:
    """(kind, name, colour) of the codes used in this report, theories first (their colour wins)."""
    theory_ids: set[str] = set()
    actor_ids: set[str] = set()
    for _, _, recs in data:
        for r in recs:
            theory_ids.update(t.id for t in r.theories)
            actor_ids.update(a for a, _ in r.actors)
    rows = [("Theory", t.name, (t.color or DEFAULT_COLOR).lower()) for t in ctx.theories.values()
            if t.id in theory_ids]
    rows += [("Actor", a.name, (a.color or DEFAULT_COLOR).lower()) for a in ctx.actors.values()
             if a.id in actor_ids]
    rows.append(("", "no coloured theory or actor", DEFAULT_COLOR))
    return rows


# -------------------------------------------------------------------- HTML
PAGE_CSS = """
body { font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; margin: 2em auto;
       max-width: 60em; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 2em; }
.generated, .meta { color: #555; font-size: 0.9em; }
.highlight pre { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; line-height: 1.7;
                 border: 1px solid #ddd; padding: 0.8em 1em; border-radius: 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 0.3em 1.2em; padding: 0; list-style: none; font-size: 0.9em; }
.swatch { display: inline-block; width: 1.1em; height: 1.1em; vertical-align: -0.2em; margin-right: 0.35em;
          border: 1px solid #888; border-radius: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 0.88em; margin-top: 0.8em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #f0f0f0; } td.num { text-align: right; white-space: nowrap; }
td.quote { max-width: 22em; } td.quote, td.note { white-space: pre-wrap; } .empty { color: #777; font-style: italic; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  section.source { break-before: page; } section.source:first-of-type { break-before: auto; }
  h2, thead { break-after: avoid; } tr { break-inside: avoid; }
  .highlight pre { border: none; padding: 0; }
}
"""


def _html_table(recs: list[AnnotationRecord]) -> str:
    if not recs:
        return '<p class="empty">No annotations in this export.</p>'
    e = html.escape
    rows = ["<table class=\"annotations\"><thead><tr><th>#</th><th>Quote</th><th>Actors</th>"
            "<th>Theories (stance)</th><th>Rating</th><th>Note</th><th>Annotator</th></tr></thead><tbody>"]
    for r in recs:
        rows.append(
            f'<tr id="a{r.number}"><td class="num">{r.number}</td><td class="quote">{e(r.quote)}</td>'
            f"<td>{e('; '.join(n for _, n in r.actors))}</td><td>{e(_theories_text(r))}</td>"
            f'<td title="{e(r.reliability_name)}; {e(r.credibility_name)}">{e(r.rating)}</td>'
            f"<td class=\"note\">{e(r.note or '')}</td><td>{e(r.annotator or '')}</td></tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def render_html(ctx: ExportContext, progress: Progress | None = None, *, generated: str | None = None) -> str:
    data, colors = _collect(ctx, progress)
    style = codebook_style(colors | {c for _, _, c in _legend(ctx, data)})
    formatter = HtmlFormatter(style=style, cssclass="highlight")
    e = html.escape
    title = f"{ctx.project.name} — annotation report"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>", f'<meta name="generator" content="kzannotate {e(__version__)}">',
        "<style>", PAGE_CSS, formatter.get_style_defs(".highlight"), "</style>", "</head>", "<body>",
        f"<header><h1>{e(title)}</h1>",
        f'<p class="generated">{e(_counts(ctx.total, len(data)))} ({e(ctx.scope.describe())}). '
        f"Generated by kzannotate {e(__version__)} on {e(generated or now_iso())}.</p></header>",
        "<section><h2>Legend</h2>",
        '<p class="meta">A span takes the colour of its first theory, else of its first actor.</p>',
        '<ul class="legend">',
    ]
    for kind, name, color in _legend(ctx, data):
        label = f"{kind}: {name}" if kind else name
        parts.append(f'<li><span class="swatch" style="background:{lighten(color)}"></span>{e(label)}</li>')
    parts.append('<li><span class="swatch" style="background:#e8e8e8"></span>[n] where annotation n starts; '
                 "underlined text lies in more than one annotation</li></ul></section>")
    for source, text, recs in data:
        lexer = AnnotatedSourceLexer(spans=_spans(recs, ctx))
        buf = io.StringIO()
        formatter.format(((t, v) for _, t, v in lexer.get_tokens_unprocessed(text)), buf)
        meta = _source_meta(source)
        parts.append(f'<section class="source"><h2>{e(source.title)}</h2>')
        if meta:
            parts.append(f'<p class="meta">{e(meta)}</p>')
        parts.append(buf.getvalue())
        parts.append(_html_table(recs))
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def export_html(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
                **_: Any) -> int:
    page = render_html(ctx, progress)
    with atomic_output(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(page)
    return ctx.total


# --------------------------------------------------------------------- RTF
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _rtf_unicode(match: re.Match[str]) -> str:
    """``\\uN`` takes a signed 16-bit N (the RTF spec): code units above 32767 are written minus 65536;
    characters beyond the BMP become their UTF-16 surrogate pair. The header's ``\\uc0`` means no
    fallback character follows."""
    code = ord(match.group())
    units = [code] if code < 0x10000 else [0xD800 + ((code - 0x10000) >> 10), 0xDC00 + (code & 0x3FF)]
    return "".join(f"{{\\u{u - 0x10000 if u > 0x7FFF else u}}}" for u in units)


class _RtfFormatter(RtfFormatter):
    """pygments' RtfFormatter writes ``\\uN`` unsigned (e.g. ``\\u55357`` for half an emoji), which
    strict readers reject or misread; this one writes the signed values the spec asks for."""

    def _escape_text(self, text: str) -> str:
        if not text:
            return ""
        return _NON_ASCII.sub(_rtf_unicode, self._escape(text)).replace("\n", "\\par")


def _rtf_tokens(ctx: ExportContext, data: list[tuple[SourceInfo, str, list[AnnotationRecord]]],
                generated: str) -> Iterator[tuple[_TokenType, str]]:
    yield Heading, f"{ctx.project.name} — annotation report\n"
    yield Meta, (f"{_counts(ctx.total, len(data))} ({ctx.scope.describe()}). "
                 f"Generated by kzannotate {__version__} on {generated}.\n\n")
    yield Heading, "Legend\n"
    for kind, name, color in _legend(ctx, data):
        yield span_token(color), "      "
        yield Token.Text, f"  {kind + ': ' if kind else ''}{name}\n"
    yield Marker, "[n]"
    yield Token.Text, " where annotation n starts; underlined text lies in more than one annotation.\n"
    for source, text, recs in data:
        yield Token.Text, "\n"
        yield Heading, f"{source.title}\n"
        meta = _source_meta(source)
        if meta:
            yield Meta, meta + "\n"
        yield Token.Text, "\n"
        lexer = AnnotatedSourceLexer(spans=_spans(recs, ctx))
        for _, t, v in lexer.get_tokens_unprocessed(text):
            yield t, v
        yield Token.Text, "\n\n"
        yield Heading, "Annotations\n"
        if not recs:
            yield Meta, "No annotations in this export.\n"
        for r in recs:
            yield Marker, f"[{r.number}]"
            yield Token.Text, f" “{r.quote}”\n"
            lines = [("Actors", "; ".join(n for _, n in r.actors)), ("Theories", _theories_text(r)),
                     ("Rating", f"{r.rating} ({r.reliability_name}; {r.credibility_name})"),
                     ("Note", r.note or ""), ("Annotator", r.annotator or "")]
            for label, value in lines:
                if value:
                    yield Meta, f"    {label}: "
                    yield Token.Text, f"{value}\n"


def export_rtf(ctx: ExportContext, path: str | os.PathLike[str], *, progress: Progress | None = None,
               **_: Any) -> int:
    data, colors = _collect(ctx, progress)
    style = codebook_style(colors | {c for _, _, c in _legend(ctx, data)})
    formatter = _RtfFormatter(style=style, fontface="Calibri", fontsize=22)
    buf = io.StringIO()
    formatter.format(_rtf_tokens(ctx, data, now_iso()), buf)
    # Word ignores \cb (character background) and wants \chcbpat; LibreOffice reads both.
    rtf = _CB.sub(lambda m: f"\\chcbpat{m.group(1)}\\cb{m.group(1)}", buf.getvalue())
    rtf = rtf.replace("\\fmodern\\fprq1", "\\fswiss\\fprq2", 1)
    with atomic_output(path, "w", encoding="ascii", newline="\n") as fh:
        fh.write(rtf)
    return ctx.total
