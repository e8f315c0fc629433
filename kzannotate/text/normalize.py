"""Canonical text: NFC, ``\\n`` line ends, no BOM. Offsets everywhere are code points into this text."""

from __future__ import annotations

import unicodedata

BOM = "\ufeff"


def normalise_text(text: str) -> str:
    """Return the canonical form the store keeps (the only place text is ever transformed)."""
    if text.startswith(BOM):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", text)
