"""Read a file (plain text, Markdown or a saved web page) into canonical text plus metadata.

Nothing here touches the project: ``read_source_file`` returns an ``ImportedText`` or raises
``ImportRefusedError`` with a message a user can act on. ``import_files`` adds results to a project.
"""

from __future__ import annotations

import codecs
import contextlib
import email
import email.policy
import os
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kzannotate.store.errors import DuplicateSourceError, ImportRefusedError, UserError
from kzannotate.text.normalize import normalise_text

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".rst", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
MHTML_SUFFIXES = {".mhtml", ".mht"}
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
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


# Legacy code pages worth considering when a file is not UTF-8: Cyrillic (Russian, Kazakh), Western and
# Central European, and the common East Asian ones. Detection among all ~100 codecs misreads short texts.
LEGACY_ENCODINGS = ("cp1251", "cp1252", "kz1048", "ptcp154", "koi8_r", "koi8_u", "cp866", "iso8859_5",
                    "mac_cyrillic", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1254", "cp1257",
                    "cp1253", "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr")
# When detection cannot tell code pages apart (short texts), the likelier one for this tool's sources wins.
PREFERRED_ENCODINGS = ("cp1252", "cp1251", "kz1048", "koi8_r", "cp1250", "latin_1")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a BOM has a NUL in every other byte of its ASCII characters."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) > 0.4 * len(zeros) and (even if zeros is odd else odd).count(0) == 0:
            return encoding
    return None


def _mixed_script_words(text: str) -> int:
    """Words mixing Latin and Cyrillic letters: the signature of a wrong code page ("Cafй")."""
    count = 0
    for word in text.split()[:2000]:
        latin = any("a" <= ch.lower() <= "z" or "\u00c0" <= ch <= "\u024f" for ch in word)
        cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
        count += latin and cyrillic
    return count


# Cyrillic code pages, in the order that wins a tie (Russian text reads the same in the first three).
CYRILLIC_ENCODINGS = ("cp1251", "kz1048", "ptcp154", "koi8_r", "koi8_u", "cp866", "iso8859_5", "mac_cyrillic")
KAZAKH_LETTERS = frozenset("ӘәҒғҚқҢңӨөҰұҮүҺһІі")
# Letters of the Cyrillic alphabets a source here is written in (Russian, Kazakh; Ukrainian and Belarusian
# so that their letters do not pass for Kazakh ones), and the punctuation such texts use beyond ASCII.
_CYRILLIC_LETTERS = frozenset(
    [chr(c) for c in range(0x0410, 0x0450)] + list("ЁёЄєІіЇїҐґЎў") + list(KAZAKH_LETTERS))
_CYRILLIC_PUNCT = frozenset("«»—–„“”…№’‘•°§©\u00a0")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
CYRILLIC_MARGIN = 0.02  # a better share of fitting characters than this overrides the detector's guess
CYRILLIC_MIN_FIT = 0.9  # and the winner must read as Cyrillic text at all
CYRILLIC_SAMPLE = 100_000  # bytes weighed


def _cyrillic_fit(text: str) -> tuple[float, int]:
    """(share, Kazakh letters): the share of non-ASCII characters that belong in a Russian or Kazakh text
    (letters of those alphabets in words without Latin letters, and their punctuation), and how many
    Kazakh-specific letters it has. A wrong Cyrillic code page turns letters into ``Ќ ѕ ‰ †`` or controls."""
    good = bad = kazakh = 0
    # each distinct word and character is judged once (texts repeat them): fast enough for every import
    for run, n in Counter(_LETTER_RUN.findall(text)).items():  # "Telegram-арнасы" is two runs, "Cafй" one
        if run.isascii():
            continue
        latin = any(ch.isascii() for ch in run)
        previous = ""
        for ch in run:
            lower_then_upper = previous.islower() and ch.isupper()  # "кеЯменб": Greek read as cp1251
            previous = ch
            if ch.isascii():
                continue
            if ch in _CYRILLIC_LETTERS and not latin and not lower_then_upper:
                good += n
                kazakh += n * (ch in KAZAKH_LETTERS)
            else:
                bad += n
    for ch, n in Counter(text).items():  # not letters: the punctuation such texts use; not symbols, controls
        if not ch.isascii() and not ch.isalpha():
            if ch in _CYRILLIC_PUNCT:
                good += n
            elif not ch.isspace() or "\x80" <= ch <= "\x9f":
                bad += n
    total = good + bad
    return (good / total if total else 0.0), kazakh


def _prefer_cyrillic(sample: bytes, guess: str | None) -> str | None:
    """A Cyrillic code page that reads ``sample`` clearly better than ``guess`` (None when there is none).

    charset-normalizer takes short Kazakh texts in kz1048 for cp1251 ("Жаѕаґзен" for "Жаңаөзен") and finds
    nothing at all in long ones in ptcp154; counting which code page yields only real letters settles it.
    """
    fits: dict[str, tuple[float, int]] = {}
    for encoding in CYRILLIC_ENCODINGS:
        try:
            fits[encoding] = _cyrillic_fit(sample.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not fits:
        return None
    order = {e: i for i, e in enumerate(CYRILLIC_ENCODINGS)}
    best = max(fits, key=lambda e: (fits[e][0], fits[e][1], -order[e]))
    share = fits[best][0]
    if share < CYRILLIC_MIN_FIT or best == guess or guess not in (None, *CYRILLIC_ENCODINGS):
        return None  # a Western or Greek guess stands: only Cyrillic code pages are weighed here
    if guess is None:
        return best
    try:
        guess_share = fits[guess][0] if guess in fits else _cyrillic_fit(sample.decode(guess))[0]
    except (UnicodeDecodeError, LookupError):
        return best
    return best if share > guess_share + CYRILLIC_MARGIN else None


def _detect_legacy(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    sample = data[: 1024 * 1024]
    matches = list(from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)))
    guess = None
    if matches:
        chaos = min(m.chaos for m in matches)
        coherence = max(m.coherence for m in matches if m.chaos <= chaos + 0.01)
        ties = [m for m in matches if m.chaos <= chaos + 0.01 and m.coherence >= coherence - 0.01]
        clean = [m for m in ties if _mixed_script_words(str(m)) == 0] or ties
        names = [m.encoding for m in clean]
        guess = next((p for p in PREFERRED_ENCODINGS if p in names), names[0])
    return _prefer_cyrillic(sample[:CYRILLIC_SAMPLE], guess) or guess  # single-byte pages: any cut is clean


def decode_bytes(data: bytes, name: str = "the file", *, declared: str | None = None) -> tuple[str, str]:
    """Decode bytes to str and name the encoding used.

    Order: a BOM; UTF-16 without BOM; strict UTF-8; an encoding the document declares (HTML); detection
    among legacy code pages with charset-normalizer.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise ImportRefusedError(
                    f"{name} starts with a {encoding} mark but is not valid {encoding}.") from exc
    if b"\x00" in data[:65536]:
        encoding = _utf16_without_bom(data)
        if encoding:
            with contextlib.suppress(UnicodeDecodeError):
                return data.decode(encoding), encoding
        raise ImportRefusedError(f"{name} looks like a binary file (it contains NUL bytes), not text.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        with contextlib.suppress(UnicodeDecodeError, LookupError):
            return data.decode(declared), codecs.lookup(declared).name
    encoding = _detect_legacy(data)
    if encoding is None:
        raise ImportRefusedError(f"{name} is not readable text in any encoding kzannotate recognises.")
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportRefusedError(f"{name} could not be decoded as {encoding}.") from exc


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
    # trafilatura gives one paragraph per line; a blank line between them reads like the page did.
    text = normalise_text(text).strip()
    text = re.sub(r"\n+", "\n\n", text)
    if not text.strip():
        raise ImportRefusedError(f"{name}: no readable article text found in this web page.")
    title = data.get("title") or title_from_text(text, Path(name).stem)
    url = data.get("url") or None
    if not url:
        saved = _SAVED_FROM.search(raw[:4096])
        url = saved.group(1) if saved and saved.group(1).startswith("http") else None
    return ImportedText(text=text, title=_shorten(title), author=data.get("author") or None,
                        outlet=data.get("sitename") or data.get("hostname") or None,
                        published=data.get("date") or None, url=url,
                        language=(language or None) and language.split("-")[0].lower())


def _mhtml_to_html(data: bytes, name: str) -> tuple[str, str, str | None]:
    """The HTML part of a single-file web archive (.mhtml/.mht, as Chrome and Edge save pages).

    Returns ``(html, encoding, url)``.
    """
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        html, encoding = decode_bytes(payload, name, declared=part.get_content_charset())
        url = part.get("Content-Location") or message.get("Snapshot-Content-Location")
        return html, encoding, url
    raise ImportRefusedError(f"{name} is a web archive without an HTML page inside.")


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii", "replace") if match else None


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} GB"  # pragma: no cover


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
                f"{name} is {_size(size)}, over the {_size(max_bytes)} limit for one source.")
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise ImportRefusedError(f"{name} does not exist (or was removed during the import).") from exc
    except PermissionError as exc:
        raise ImportRefusedError(f"{name} cannot be read: permission denied.") from exc
    except OSError as exc:
        raise ImportRefusedError(f"{name} cannot be read: {exc.strerror or exc}.") from exc
    if len(data) > max_bytes:
        raise ImportRefusedError(f"{name} is over the {_size(max_bytes)} limit for one source.")
    if not data:
        raise ImportRefusedError(f"{name} is empty (0 bytes).")
    suffix = path.suffix.lower()
    url = None
    if suffix in MHTML_SUFFIXES or data[:2048].lower().startswith((b"from: <saved by", b"mime-version:")):
        raw, encoding, url = _mhtml_to_html(data, name)
        is_html = True
    else:
        raw, encoding = decode_bytes(data, name, declared=_declared_charset(data))
        if _looks_binary(raw):
            raise ImportRefusedError(f"{name} looks like a binary file, not text.")
        head = _SAVED_FROM.sub("", raw[:4096]).lstrip().lower()
        is_html = suffix in HTML_SUFFIXES or head.startswith(("<!doctype html", "<html"))
    if not raw.strip():
        raise ImportRefusedError(f"{name} contains only white space.")
    if is_html:
        imported = _html_to_text(raw, name)
        imported.url = imported.url or url
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
