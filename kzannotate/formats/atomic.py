"""Write files so that an error (disk full, permission denied, cancel) never leaves a partial file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kzannotate.store.errors import UserError


class ExportError(UserError):
    pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()  # read once at import: changing the umask later is not thread-safe


def public_mode(fd_or_path: int | str | os.PathLike[str]) -> None:
    """mkstemp makes files private (0600); an export is a normal document, so give it the usual mode."""
    with contextlib.suppress(OSError, NotImplementedError):
        os.chmod(fd_or_path, 0o666 & ~_UMASK)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "w", **kwargs) -> Iterator[IO]:
    """Yield a temporary file beside ``path``; it replaces ``path`` only if the block finishes."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    except OSError as exc:
        raise ExportError(f"Cannot write to {path.parent}: {exc.strerror or exc}.") from exc
    public_mode(tmp)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ExportError(f"Could not write {path.name}: {exc.strerror or exc}. Nothing was saved.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_output(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
