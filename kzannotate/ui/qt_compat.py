"""Work around a PySide6 6.12 reference-count bug on Python 3.11.

PySide6 6.12's generated wrappers return ``None`` from every void method (``setPosition``, ``setFocus``,
``setBackground``…) without taking a reference, as if ``None`` were immortal (it is only from Python 3.12 on,
PEP 683). On 3.11 each such call therefore drops one reference from ``None``; after ~10,000 calls, a few
seconds of scrolling in the reader, Python aborts with "none_dealloc: deallocating None".

Until the dependency is fixed (pin PySide6 below 6.12 on 3.11, or require Python 3.12), give ``None`` a
reference count so large no session can exhaust it, which is what 3.12 does by design (the same holds
for ``True``/``False``, seen drained the same way at exit). Imported by the UI
modules that make the most void calls; harmless and idempotent elsewhere.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 48


def make_none_immortal() -> None:
    if sys.version_info >= (3, 12) or getattr(sys, "_kzannotate_none_boosted", False):
        return
    # None, the two bools and the cached small ints are the shared objects such wrappers hand out.
    for obj in (None, True, False, *range(-5, 257)):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field of every object
        refcnt.value += _BOOST
    sys._kzannotate_none_boosted = True  # type: ignore[attr-defined]


make_none_immortal()
