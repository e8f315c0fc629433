"""Reading untrusted REFI-QDA archives safely: zip paths, sizes, XML entities, text decoding, offsets.

Nothing is ever extracted to disk; entries are read into memory with hard caps that do not trust the sizes
the zip headers claim. XML goes through defusedxml (no DTD entities, no external references).
"""

from __future__ import annotations

import copy
import posixpath
import stat
import unicodedata
import zipfile
import zlib
from bisect import bisect_right
from pathlib import Path
from typing import Any

from kzannotate.store.errors import ImportRefusedError

# Caps (module level so tests can lower them).
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # one uncompressed entry
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all entries we read, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for entries over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_ENTRIES = 100_000


class QdpxRefused(ImportRefusedError):
    """The file was refused before anything was written; the project is untouched."""


def _refuse(name: str, why: str) -> QdpxRefused:
    return QdpxRefused(f"{name} was not imported: {why}. The project was not changed.")


class SafeArchive:
    """A .qdpx opened for reading with zip-slip, size and ratio checks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_total = 0
        try:
            self.zf = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise QdpxRefused(f"{path} does not exist.") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise _refuse(path.name, f"it is not a REFI-QDA project (not a zip archive: {exc})") from exc
        infos = self.zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(path.name, f"it has more than {MAX_ENTRIES} entries")
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename.replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if (name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in parts
                    or posixpath.normpath(name).startswith("..")):
                raise _refuse(path.name, f"the entry “{info.filename}” points outside the project folder")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _refuse(path.name, f"the entry “{info.filename}” is a symbolic link")
            if info.is_dir():
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                raise _refuse(path.name, f"the entry “{info.filename}” is too large "
                                         f"({info.file_size // (1024 * 1024)} MB uncompressed)")
            if (info.file_size > RATIO_FLOOR and info.compress_size
                    and info.file_size / info.compress_size > MAX_RATIO):
                raise _refuse(path.name, f"the entry “{info.filename}” is compressed suspiciously well "
                                         "(a zip bomb?)")
            total += info.file_size
            self.by_name["/".join(parts).casefold()] = info
        if total > MAX_TOTAL_BYTES:
            raise _refuse(path.name, f"its contents are too large ({total // (1024 * 1024)} MB uncompressed)")

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def find(self, *candidates: str) -> zipfile.ZipInfo | None:
        for c in candidates:
            info = self.by_name.get(c.replace("\\", "/").lstrip("/").casefold())
            if info is not None:
                return info
        return None

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """Read one entry, never more than the caps whatever its header claims.

        zipfile stops at the size the central directory claims, so a header that understates the size
        would hide the real data (and fail its CRC). The entry is therefore decompressed as if it were
        as large as the cap allows; more data than claimed, or than the cap, is refused."""
        limit = min(MAX_ENTRY_BYTES, MAX_TOTAL_BYTES - self.read_total)
        probe = copy.copy(info)
        probe.file_size = 1 << 62  # decompress to the real end (the CRC is checked there), not the claim
        try:
            with self.zf.open(probe) as fh:
                data = fh.read(limit + 1)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, zlib.error) as exc:
            raise _refuse(self.path.name, f"the entry “{info.filename}” cannot be read ({exc})") from exc
        if len(data) > limit or len(data) > info.file_size:
            raise _refuse(self.path.name, f"the entry “{info.filename}” is larger than it claims or than "
                                          "the size limit")
        self.read_total += len(data)
        return data


def parse_xml(data: bytes, name: str) -> Any:
    """Parse with defusedxml: DTD entities and external references are refused."""
    import xml.etree.ElementTree as ET

    import defusedxml
    import defusedxml.ElementTree as DET

    try:
        return DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise _refuse(name, "project.qde declares XML entities or external references, which are refused "
                            f"for safety ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise _refuse(name, f"project.qde is not well-formed XML ({exc})") from exc


def decode_text(data: bytes) -> str:
    """Source files should be UTF-8 (BOM allowed); UTF-16 with a BOM and legacy encodings are tolerated."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnicodeDecodeError("utf-8", data, 0, 1, "not text in any known encoding")
    return str(best)


_BREAKS = {"\r\n": "\n", "\r": "\n", "\n": "\n", "\u2028": "\n", "\u2029": "\n\n"}


class OffsetMapper:
    """Canonical text (NFC, LF, no BOM) plus a map from the foreign file's code-point offsets into it.

    A CRLF file counts ``\\r\\n`` as two characters; after normalisation it is one. NFC composition can
    shorten runs too. Offsets inside a shrunk piece clamp to its normalised length.
    """

    def __init__(self, raw: str) -> None:
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw_length = len(raw)
        pieces: list[str] = []
        # segments: raw start, normalised start, raw length, normalised length
        self._raw_starts: list[int] = []
        self._segs: list[tuple[int, int, int, int]] = []
        norm_pos = 0
        i = 0
        n = len(raw)
        run_start = 0

        def add(raw_start: int, raw_piece: str, norm_piece: str) -> None:
            nonlocal norm_pos
            self._raw_starts.append(raw_start)
            self._segs.append((raw_start, norm_pos, len(raw_piece), len(norm_piece)))
            pieces.append(norm_piece)
            norm_pos += len(norm_piece)

        def flush_run(end: int) -> None:
            if end <= run_start:
                return
            run = raw[run_start:end]
            if unicodedata.is_normalized("NFC", run):
                add(run_start, run, run)
                return
            whole = unicodedata.normalize("NFC", run)
            clusters: list[tuple[int, str]] = []
            start = 0
            for k in range(1, len(run) + 1):
                if k == len(run) or unicodedata.combining(run[k]) == 0:
                    clusters.append((start, run[start:k]))
                    start = k
            normed = [unicodedata.normalize("NFC", c) for _, c in clusters]
            if "".join(normed) != whole:
                add(run_start, run, whole)
                return
            for (off, c), nc in zip(clusters, normed, strict=True):
                add(run_start + off, c, nc)

        while i < n:
            ch = raw[i]
            if ch in "\r\n\u2028\u2029":
                flush_run(i)
                br = "\r\n" if raw.startswith("\r\n", i) else ch
                add(i, br, _BREAKS[br])
                i += len(br)
                run_start = i
            else:
                i += 1
        flush_run(n)
        self.text = "".join(pieces)
        self.length = len(self.text)

    def map(self, offset: int) -> int:
        """Foreign offset → offset into ``text`` (clamped to the text)."""
        if offset <= 0:
            return 0
        if offset >= self.raw_length:
            return self.length
        k = bisect_right(self._raw_starts, offset) - 1
        raw_start, norm_start, raw_len, norm_len = self._segs[k]
        return norm_start + min(offset - raw_start, norm_len)
