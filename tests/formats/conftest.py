"""A deterministic project for format tests: fixed ids and timestamps, awkward text on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from kzannotate.store import Project

DATA = Path(__file__).resolve().parent.parent / "data"
STANDARDS = DATA / "standards"
GOLDEN = DATA / "golden"
T0 = "2024-01-05T10:00:00.000000Z"
T1 = "2024-01-06T11:30:00.000000Z"

PLAIN = ("Protests began in Zhanaozen on 2 January 2022.\nTokayev said \"terrorists\" attacked Almaty;\n"
         "critics called it a \"palace coup\" by Masimov.\n")
EMOJI = "Crowds 🔥 in Almaty 🇰🇿 — Tokayev blamed 'foreign-trained' fighters 👀.\nOn se moque: café, naïve.\n"
SCRIPT = "<script>alert('x')</script> & <b>bold</b> claims about the CSTO.\n"


def ids(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def build(path: Path) -> Project:
    p = Project.create(path, name="Golden")
    with p.transaction():
        tok = p.add_actor("Kassym-Jomart Tokayev", aliases=["Tokayev"], color="#0072b2", id=ids(1),
                          description="President")
        mas = p.add_actor("Karim Masimov", kind="person", color="#e69f00", id=ids(2))
        csto = p.add_actor("CSTO", kind="organisation", aliases=["ОДКБ"], id=ids(3))
        coup = p.add_theory("Palace coup", color="#cc79a7", id=ids(11), description="Elite struggle")
        sub = p.add_theory("Masimov's bid", parent_id=coup.id, color="#d55e00", id=ids(12))
        terror = p.add_theory("Foreign terrorists", color="#009e73", id=ids(13))
        s1 = p.add_source(PLAIN, "Plain report", id=ids(21), author="A. Writer", outlet="Outlet \"Q\"",
                          published="2022-01-10", url="https://example.org/a", language="en", reliability="B",
                          notes="Source note, with a comma", created_at=T0, updated_at=T0)
        s2 = p.add_source(EMOJI, "Emoji & accents", id=ids(22), language="en", created_at=T0, updated_at=T0)
        s3 = p.add_source(SCRIPT, "<script> in title", id=ids(23), created_at=T0, updated_at=T0)

        def ann(n, src, text, needle, **kw):
            start = text.index(needle)
            return p.add_annotation(src.id, start, start + len(needle), id=ids(n), created_at=T0,
                                    updated_at=kw.pop("updated_at", T0), **kw)

        ann(31, s1, PLAIN, "Protests began in Zhanaozen", theories={terror.id: "contradicts"}, annotator="ann")
        ann(32, s1, PLAIN, "Tokayev said \"terrorists\" attacked Almaty;\ncritics",
            actor_ids=[tok.id], theories={terror.id: "supports", coup.id: "neutral"}, credibility=3,
            note="Quote with \"quotes\",\nand a newline", annotator="bob", updated_at=T1)
        ann(33, s1, PLAIN, "\"palace coup\" by Masimov", actor_ids=[mas.id], theories={sub.id: "supports"},
            reliability="C", credibility=2, annotator="ann")
        ann(34, s2, EMOJI, "🔥 in Almaty 🇰🇿", actor_ids=[tok.id, csto.id], note="emoji span 👀", annotator="ann")
        ann(35, s2, EMOJI, "café, naïve", theories={coup.id: "supports"}, reliability="A", credibility=1)
        ann(36, s3, SCRIPT, "<script>alert('x')</script>", theories={terror.id: "neutral"}, note="<i>x</i>")
    return p


@pytest.fixture
def golden(tmp_path: Path):
    p = build(tmp_path / "golden.kza")
    yield p
    p.close()
