"""Code points (stored) versus UTF-16 units (Qt): the conversion at the widget boundary."""

from __future__ import annotations

import pytest

from kzannotate.text.offsets import OffsetMap, qt_selection_to_text

SAMPLES = ["", "plain ascii", "Қазақстан — Алматы", "😀", "a😀b", "😀😀", "x👍🏽y🇰🇿z", "𝔸𠜎\n🏁 end"]


def _u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


@pytest.mark.parametrize("text", SAMPLES)
def test_round_trip_matches_python_utf16(text: str) -> None:
    m = OffsetMap(text)
    assert m.length == len(text)
    assert m.utf16_length == len(text.encode("utf-16-le")) // 2
    for cp in range(len(text) + 1):
        u = m.to_utf16(cp)
        assert u == _u16(text, cp)
        assert m.to_cp(u) == cp


def test_inside_a_surrogate_pair_snaps_to_the_character_start() -> None:
    text = "a😀b"
    m = OffsetMap(text)
    assert m.to_utf16(1) == 1 and m.to_utf16(2) == 3
    assert m.to_cp(2) == 1  # between the two halves of 😀


def test_qt_paragraph_separators_become_newlines() -> None:
    assert qt_selection_to_text("one\u2029two\u2028three") == "one\ntwo\nthree"
    assert qt_selection_to_text("no breaks 😀") == "no breaks 😀"
