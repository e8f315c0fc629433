"""Read a file (plain text, Markdown or a saved web page) into canonical text plus metadata.

Nothing here touches the project: ``read_source_file`` returns an ``ImportedText`` or raises
``ImportRefusedError`` with a message a user can act on. ``import_files`` adds results to a project.
"""

from __future__ import annotations

import codecs
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kzannotate.store.errors import DuplicateSourceError, ImportRefusedError, UserError
from kzannotate.text.normalize import normalise_text

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".rst", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".mhtml"}
TITLE_MAX = 160


@dataclass
class ImportedText:
    text: str
    title: str
    author: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    language: str | None = None
    imported_from: str | None = None
    encoding: str = "utf-8"
    notes: str | None = None

    def metadata(self) -> dict[str, str | None]:
        return {"author": self.author, "outlet": self.outlet, "published": self.published, "url": self.url,
                "language": self.language, "imported_from": self.imported_from}


@dataclass
class ImportResult:
    """One line of an import report: the file, and either the new source id or why it was refused."""

    path: str
    source_id: str | None = None
    title: str | None = None
    error: str | None = None
    duplicate_of: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.source_id is not None

    def line(self) -> str:
        name = Path(self.path).name
        if self.ok:
            return f"added: {name} → “{self.title}”"
        return f"refused: {name}: {self.error}"


# ------------------------------------------------------------------ decoding
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes, name: str = "the file") -> tuple[str, str]:
    """Decode bytes to str and name the encoding used. BOMs win; then strict UTF-8; then detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ImportRefusedError(f"{name} starts with a {encoding} mark but is not valid {encoding}.") from exc
    if b"\x00" in data[:65536]:
        raise ImportRefusedError(f"{name} looks like a binary file (it contains NUL bytes), not text.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is None or best.encoding is None:
        raise ImportRefusedError(f"{name} is not readable text in any encoding kzannotate recognises.")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportRefusedError(f"{name} could not be decoded as {best.encoding}.") from exc


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return "\x00" in sample or controls / len(sample) > 0.05


# ------------------------------------------------------------------- titles
def _shorten(line: str) -> str:
    line = " ".join(line.split())
    if len(line) <= TITLE_MAX:
        return line
    cut = line[:TITLE_MAX].rsplit(" ", 1)[0]
    return cut + "…"


def title_from_text(text: str, fallback: str) -> str:
    """A Markdown heading if there is one near the top, else the first non-empty line."""
    lines = [ln.strip() for ln in text.splitlines()[:200] if ln.strip()]
    for ln in lines[:40]:
        m = re.match(r"^#{1,3}\s+(.+?)\s*#*$", ln)
        if m:
            return _shorten(m.group(1))
    if lines:
        first = re.sub(r"^[#>*\-\s]+", "", lines[0]) or lines[0]
        return _shorten(first)
    return fallback


# --------------------------------------------------------------------- HTML
def _html_to_text(raw: str, name: str) -> ImportedText:
    import trafilatura
    from lxml import html as lxml_html

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False,
                                          include_tables=True, include_links=False, include_images=False)
    if doc is None:
        raise ImportRefusedError(f"{name}: no readable article text found in this web page.")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    language = data.get("language")
    if not language:
        try:
            root = lxml_html.document_fromstring(raw.encode("utf-8"))
            language = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
        except (ValueError, lxml_html.etree.ParserError):
            language = ""
    text = normalise_text(text)
    if not text.strip():
        raise ImportRefusedError(f"{name}: no readable article text found in this web page.")
    title = data.get("title") or title_from_text(text, Path(name).stem)
    return ImportedText(text=text, title=_shorten(title), author=data.get("author") or None,
                        outlet=data.get("sitename") or data.get("hostname") or None,
                        published=data.get("date") or None, url=data.get("url") or None,
                        language=(language or None) and language.split("-")[0].lower())


# ------------------------------------------------------------------ reading
def read_source_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportedText:
    """Read one file into canonical text and metadata, or refuse it with a clear reason."""
    path = Path(path)
    name = path.name or str(path)
    if path.is_dir():
        raise ImportRefusedError(f"{name} is a folder, not a file.")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportRefusedError(
                f"{name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for one source.")
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise ImportRefusedError(f"{name} does not exist (or was removed during the import).") from exc
    except PermissionError as exc:
        raise ImportRefusedError(f"{name} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise ImportRefusedError(f"{name} cannot be read: {exc.strerror or exc}.") from exc
    if len(data) > max_bytes:
        raise ImportRefusedError(f"{name} is over the {max_bytes / 1e6:.0f} MB limit for one source.")
    if not data.strip():
        raise ImportRefusedError(f"{name} is empty.")
    raw, encoding = decode_bytes(data, name)
    if _looks_binary(raw):
        raise ImportRefusedError(f"{name} looks like a binary file, not text.")
    suffix = path.suffix.lower()
    head = raw[:2048].lstrip().lower()
    if suffix in HTML_SUFFIXES or head.startswith(("<!doctype html", "<html")):
        imported = _html_to_text(raw, name)
    else:
        text = normalise_text(raw)
        if not text.strip():
            raise ImportRefusedError(f"{name} contains only white space.")
        imported = ImportedText(text=text, title=title_from_text(text, path.stem))
    imported.imported_from = str(path)
    imported.encoding = encoding
    return imported


def import_files(project, paths: Iterable[str | os.PathLike[str]], *, max_bytes: int = DEFAULT_MAX_BYTES,
                 progress: Callable[[int, str], bool] | None = None) -> list[ImportResult]:
    """Add files to a project, one transaction each; a refused file never stops the others.

    ``progress(index, path)`` is called before each file; returning False cancels the rest.
    """
    results: list[ImportResult] = []
    for index, p in enumerate(paths):
        if progress is not None and progress(index, str(p)) is False:
            break
        try:
            imported = read_source_file(p, max_bytes=max_bytes)
            source = project.add_source(imported.text, imported.title, **imported.metadata())
            results.append(ImportResult(str(p), source.id, source.title))
        except DuplicateSourceError as exc:
            results.append(ImportResult(str(p), error=str(exc), duplicate_of=exc.existing_id))
        except UserError as exc:
            results.append(ImportResult(str(p), error=str(exc)))
    return results
