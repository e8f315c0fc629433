"""Code points (what we store) versus UTF-16 code units (what Qt counts).

Characters outside the Basic Multilingual Plane (emoji, many CJK extensions) are one code point but two
UTF-16 units. Convert only at the widget boundary, with these helpers.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class OffsetMap:
    """Fast conversion between code-point and UTF-16 offsets for one text.

    Keeps the positions of astral characters only, so a text without any costs nothing extra.
    """

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # code-point index of each astral character, ascending
        self._astral = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []
        # utf-16 index of each astral character
        self._astral16 = [cp + n for n, cp in enumerate(self._astral)]

    @property
    def utf16_length(self) -> int:
        return self.length + len(self._astral)

    def to_utf16(self, cp: int) -> int:
        """Code-point offset → UTF-16 offset."""
        return cp + bisect_left(self._astral, cp)

    def to_cp(self, u16: int) -> int:
        """UTF-16 offset → code-point offset. An offset inside a surrogate pair snaps to the pair's start."""
        n = bisect_right(self._astral16, u16 - 1)
        if n and self._astral16[n - 1] == u16 - 1:
            # u16 points between the two halves of astral char n-1: snap back to its start
            return u16 - 1 - (n - 1)
        return u16 - n


def qt_selection_to_text(selected: str) -> str:
    """Qt's ``selectedText`` uses U+2029 for paragraph breaks; the stored text uses ``\\n``."""
    return selected.replace("\u2029", "\n").replace("\u2028", "\n")
