"""The fast CSV/JSONL writers (SQLite builds most of each line) must match the readable definitions
(``csv_export.row`` through ``csv.writer``, ``jsonl_export.obj`` through ``json.dumps``) byte for byte,
on awkward text, in both link-reading modes and across chunk boundaries."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest

from kzannotate.formats import common, csv_export, jsonl_export
from kzannotate.formats.common import ExportContext, Scope
from kzannotate.formats.exports import run_export
from kzannotate.store import Project

NASTY = ['plain', 'comma, here', 'say "hi"', 'line\nbreak', 'cr\ronly', 'crlf\r\nend', '\ttab', '',
         '"', ',', 'ctrl \x00\x01\x1f\x7f', 'emoji 🔥🇰🇿', 'rtl שלום', 'back\\slash /', 'u2028 \u2028 end',
         ' lead and trail ', "'single'"]
NAMES = ["alpha", "Beta", "école", "Écrou", "zeta", "ÄRGER", "ärger2", "Ωmega", "σίγμα", "Σ capital", "İstanbul"]


def build(path, seed: int = 7) -> Project:
    rng = random.Random(seed)
    p = Project.create(path, name="Fast paths")
    with p.transaction():
        actors = [p.add_actor(n).id for n in NAMES]
        theories = [p.add_theory(n.upper() + " t").id for n in NAMES[:6]]
        sources = []
        for i, rel in enumerate((None, "B", "E")):
            text = " ".join(rng.choice(["Tokayev", "said", '"terrorists"', "attacked,", "Almaty;", "🔥", "café"])
                            for _ in range(400)) + f" {i}\n"
            sources.append((p.add_source(text, f"Source {i}", reliability=rel, author="A, \"B\"",
                                         outlet=rng.choice(NASTY) or None).id, text))
        for _ in range(300):
            sid, text = rng.choice(sources)
            start = rng.randrange(len(text) - 40)
            end = start + rng.randrange(1, 40)
            theory_pick = rng.sample(theories, rng.randint(0, 3))
            p.add_annotation(sid, start, end, actor_ids=rng.sample(actors, rng.randint(0, 4)),
                             theories={t: rng.choice(("supports", "contradicts", "neutral")) for t in theory_pick},
                             reliability=rng.choice([None, None, "A", "C", "F"]), credibility=rng.randint(1, 6),
                             note=rng.choice([None, *NASTY]), annotator=rng.choice([None, "ann", "b, \"o\" b"]))
        p.add_annotation(sources[0][0], 3, 9, id='odd,"id"\n1', actor_ids=actors[:3], note="\r")
    # what the store API will not produce but a file may hold: a CR in a title
    p.conn.execute("UPDATE sources SET title = ? WHERE title = 'Source 1'", ('Title with\r\nCRLF, "quotes"',))
    p.conn.commit()
    return p


def reference_csv(ctx: ExportContext) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, dialect="excel", lineterminator="\r\n")
    writer.writerow(csv_export.COLUMNS)
    writer.writerows(map(csv_export.row, ctx.records()))
    return buf.getvalue()


def reference_jsonl(ctx: ExportContext) -> str:
    return "".join(json.dumps(jsonl_export.obj(r), ensure_ascii=False, separators=(",", ":")) + "\n"
                   for r in ctx.records())


@pytest.fixture
def nasty(tmp_path):
    p = build(tmp_path / "nasty.kza")
    yield p
    p.close()


@pytest.mark.parametrize("preload", [True, False], ids=["preloaded-links", "per-row-links"])
@pytest.mark.parametrize("chunk", [500, 7])
@pytest.mark.parametrize("scope", [None, Scope(annotator="ann")], ids=["all", "annotator"])
def test_fast_writers_match_the_reference(nasty, tmp_path, monkeypatch, preload, chunk, scope):
    if not preload:
        monkeypatch.setattr(common, "PRELOAD_LINKS_MAX", -1)
    monkeypatch.setattr(common, "PROGRESS_EVERY", chunk)
    with ExportContext(nasty, scope).snapshot() as ctx:
        want_csv, want_jsonl = reference_csv(ctx), reference_jsonl(ctx)
    if scope is None:  # the awkward bits are in there
        assert "CRLF" in want_csv and 'odd,""id""' in want_csv and "\\u0000" in want_jsonl
    assert want_jsonl.count("\n") > 50
    for fmt, want in (("csv", want_csv), ("jsonl", want_jsonl)):
        out = tmp_path / f"x.{fmt}"
        result = run_export(nasty, fmt, out, scope=scope)
        assert out.read_bytes().decode("utf-8") == want, fmt
        assert result.count == want_jsonl.count("\n")


def test_csv_reads_back_to_the_same_cells(nasty, tmp_path):
    out = tmp_path / "x.csv"
    run_export(nasty, "csv", out)
    with ExportContext(nasty).snapshot() as ctx:
        want = [[str(v) for v in csv_export.row(r)] for r in ctx.records()]
    with open(out, encoding="utf-8", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == list(csv_export.COLUMNS) and got[1:] == want


def test_jsonl_falls_back_to_python_when_sqlite_escapes_differently(nasty, tmp_path, monkeypatch):
    fast = tmp_path / "fast.jsonl"
    run_export(nasty, "jsonl", fast)
    monkeypatch.setattr(jsonl_export, "_sqlite_json_ok", False)
    slow = tmp_path / "slow.jsonl"
    run_export(nasty, "jsonl", slow)
    assert slow.read_bytes() == fast.read_bytes()
    assert jsonl_export.sqlite_json_matches(nasty.conn) is False


def test_this_sqlite_escapes_json_like_python(nasty):
    assert jsonl_export.sqlite_json_matches(nasty.conn), "the fast JSONL path would never run on this SQLite"


def test_link_order_is_by_casefolded_name(nasty, tmp_path):
    out = tmp_path / "x.jsonl"
    run_export(nasty, "jsonl", out)
    seen_multi = 0
    for line in out.read_text(encoding="utf-8").rstrip("\n").split("\n"):
        o = json.loads(line)
        names = [a["name"] for a in o["actors"]]
        assert names == sorted(names, key=str.casefold)
        seen_multi += len(names) > 2
    assert seen_multi > 5


@pytest.mark.parametrize("value", ["00000000-0000-4000-8000-000000000001", "ABCDEF01-1234-5678-1234-567812345678",
                                   "{12345678-1234-5678-1234-567812345678}", "12345678123456781234567812345678",
                                   "not a uuid", "", 'odd,"id"\n', "🔥", 42])
def test_guids_are_the_uuid_module_s(value):
    """as_guid/derived_guid skip the uuid module for speed; the GUIDs must stay what it gives (files
    exported before re-import onto the same codes)."""
    import uuid

    try:
        want = str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        want = str(uuid.uuid5(common.GUID_NAMESPACE, str(value)))
    assert common.as_guid(value) == want
    assert common.derived_guid(value, "stance:supports é") == str(uuid.uuid5(uuid.UUID(want), "stance:supports é"))


@pytest.mark.parametrize("value", ["00000000-0000-4000-8000-000000000001", "ABCDEF01-1234-5678-1234-567812345678",
                                   "not a uuid", "a/b c"])
def test_iri_is_what_the_uuid_module_gives(value):
    import uuid
    from urllib.parse import quote

    try:
        want = f"urn:uuid:{uuid.UUID(value)}"
    except ValueError:
        want = f"urn:kzannotate:{quote(value, safe='')}"
    assert common.iri(value) == want
