"""HTML and RTF reports made with pygments."""

from __future__ import annotations

import html
import re

from pygments.token import Token

from kzannotate.formats.exports import run_export
from kzannotate.formats.report import AnnotatedSourceLexer, Marker, codebook_style, span_token
from tests.formats.test_tabular import check_golden


def test_html_golden(golden, tmp_path):
    out = tmp_path / "r.html"
    run_export(golden, "html", out)
    check_golden("golden.html", out.read_text(encoding="utf-8"))


def test_html_escapes_everything(golden, tmp_path):
    out = tmp_path / "r.html"
    run_export(golden, "html", out)
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>bold" not in page and "<i>x</i>" not in page
    assert "&lt;script&gt;" in page and "&lt;i&gt;x&lt;/i&gt;" in page
    assert "<title>Golden — annotation report</title>" in page
    assert "@media print" in page and "<link" not in page and "src=" not in page  # self-contained


def test_html_numbers_spans_and_lists_them(golden, tmp_path):
    out = tmp_path / "r.html"
    run_export(golden, "html", out)
    page = out.read_text(encoding="utf-8")
    for n in range(1, 7):
        assert f">[{n}]</span>" in page and f'<tr id="a{n}">' in page
    assert "Palace coup (neutral)" in page and html.escape("B3") in page
    assert page.count('class="swatch"') >= 4


def test_lexer_covers_the_text_exactly():
    text = "abcdefghij"
    lexer = AnnotatedSourceLexer(spans=[(2, 6, 1, "#ff0000"), (4, 8, 2, "#00ff00")])
    tokens = list(lexer.get_tokens_unprocessed(text))
    assert "".join(v for _, t, v in tokens if t is not Marker) == text
    assert [v for _, t, v in tokens if t is Marker] == ["[1]", "[2]"]
    kinds = [(v, str(t)) for _, t, v in tokens if t is not Marker]
    assert ("ef", "Token.Kz.Overlap.C00ff00") in kinds and ("cd", "Token.Kz.Span.Cff0000") in kinds
    style = codebook_style({"#ff0000"})
    assert style.style_for_token(span_token("#ff0000"))["bgcolor"]


def test_rtf_is_structurally_sound(golden, tmp_path):
    out = tmp_path / "r.rtf"
    run_export(golden, "rtf", out)
    rtf = out.read_text(encoding="ascii")
    assert rtf.startswith("{\\rtf1") and rtf.rstrip().endswith("}")
    depth = 0
    for i, ch in enumerate(rtf):
        if ch in "{}" and rtf[i - 1] != "\\":
            depth += 1 if ch == "{" else -1
            assert depth >= 0
    assert depth == 0
    assert "<script>alert('x')</script>" in rtf  # plain text in RTF, nothing to execute
    assert "\\chcbpat" in rtf and "{\\colortbl" in rtf
    # \uN takes a signed 16-bit N: 🔥 (U+1F525) is the surrogate pair D83D DD25 written minus 65536
    assert "{\\u-10179}{\\u-8923}" in rtf
    values = [int(n) for n in re.findall(r"(?<!\\)\\u(-?\d+)", rtf)]
    assert values and all(-32768 <= n <= 32767 for n in values)
    assert "{\\u233}" in rtf  # é stays positive


def test_lexer_matches_a_per_character_definition_on_deep_overlaps():
    """Each character is coloured by its innermost span (latest start, earliest end, lowest number) and is
    an overlap when two or more spans cover it; markers come in position then number order."""
    import random

    from kzannotate.formats.report import overlap_token

    rng = random.Random(3)
    text = "".join(rng.choice("ab🔥 \n") for _ in range(300))
    colors = ["#ff0000", "#00ff00", "#0000ff", "#123456"]
    spans = []
    for n in range(1, 400):
        start = rng.randrange(len(text) - 1)
        spans.append((start, min(len(text), start + rng.choice((1, 2, 5, 40, 200))), n, rng.choice(colors)))
    spans += [(10, 20, 400, "#ff0000"), (10, 20, 401, "#00ff00")]  # exact ties: the lower number wins
    want = []
    for i in range(len(text)):
        covering = [s for s in spans if s[0] <= i < s[1]]
        if not covering:
            want.append(str(Token.Text))
            continue
        inner = max(covering, key=lambda s: (s[0], -s[1], -s[2]))
        want.append(str((overlap_token if len(covering) > 1 else span_token)(inner[3])))
    got = []
    markers = []
    for _, token, value in AnnotatedSourceLexer(spans=spans).get_tokens_unprocessed(text):
        if token is Marker:
            markers.append(value)
        else:
            got.extend([str(token)] * len(value))
    assert got == want
    assert markers == [f"[{n}]" for _, _, n, _ in sorted(spans, key=lambda s: (s[0], s[2]))]


def test_counts_are_singular_for_one(golden, tmp_path):
    from kzannotate.formats.common import Scope

    out = tmp_path / "r.rtf"
    run_export(golden, "rtf", out, scope=Scope(source_ids=("00000000-0000-4000-8000-000000000023",)))
    assert "1 annotation in 1 source (" in out.read_text(encoding="ascii")
