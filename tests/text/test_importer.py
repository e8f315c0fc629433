"""Reading files into canonical text: encodings, line ends, NFC, refusals, web pages, titles, duplicates."""

from __future__ import annotations

import base64
import codecs
import unicodedata
from pathlib import Path

import pytest

from kzannotate.store import Project
from kzannotate.store.errors import ImportRefusedError
from kzannotate.text.importer import import_files, read_source_file

RU = ("Протесты в Казахстане начались в январе 2022 года после резкого повышения цен на сжиженный газ.\n"
      "Президент Токаев обратился к ОДКБ за помощью, и в страну были введены миротворцы.")
FR = ("Le président a déclaré l'état d'urgence après des émeutes à Almaty.\n"
      "Les manifestants réclamaient une baisse du prix du gaz liquéfié ; ça a duré une semaine.")
DE = "Präsident Tokajew bat das Militärbündnis um Unterstützung; Straßen in Almaty wurden gesperrt."
KK = "Қазақстан Республикасының Президенті Тоқаев өз үндеуінде елдегі жағдайды түсіндірді."


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------ encodings
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["no-bom", "bom"])
def test_utf8_with_and_without_bom(tmp_path: Path, bom: bytes) -> None:
    got = read_source_file(write(tmp_path, "a.txt", bom + RU.encode("utf-8")))
    assert got.text == RU
    assert not got.text.startswith("\ufeff")
    assert got.encoding == "utf-8"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, encoding: str) -> None:
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    got = read_source_file(write(tmp_path, "a.txt", bom + (FR + "\n" + RU).encode(encoding)))
    assert got.text == FR + "\n" + RU
    assert got.encoding == encoding


def test_utf16_without_bom_is_still_read(tmp_path: Path) -> None:
    got = read_source_file(write(tmp_path, "a.txt", "Plain words, saved by Notepad.".encode("utf-16-le")))
    assert got.text == "Plain words, saved by Notepad."


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
def test_legacy_cyrillic_is_detected(tmp_path: Path, encoding: str) -> None:
    got = read_source_file(write(tmp_path, "ru.txt", RU.encode(encoding)))
    assert got.text == RU
    assert got.encoding.replace("-", "_") == encoding


def test_kazakh_code_page_is_detected(tmp_path: Path) -> None:
    got = read_source_file(write(tmp_path, "kk.txt", KK.encode("kz1048")))
    assert got.text == KK


@pytest.mark.parametrize("text", [FR, DE, "Café crème, naïve résumé."], ids=["fr", "de", "short"])
@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_code_pages(tmp_path: Path, text: str, encoding: str) -> None:
    assert read_source_file(write(tmp_path, "w.txt", text.encode(encoding))).text == text


def test_crlf_and_cr_become_newlines(tmp_path: Path) -> None:
    got = read_source_file(write(tmp_path, "a.txt", b"One\r\nTwo\r\n\r\nThree\rFour\r"))
    assert got.text == "One\nTwo\n\nThree\nFour\n"
    assert "\r" not in got.text


def test_nfd_becomes_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Café Ә Й ё")
    assert nfd != "Café Ә Й ё"
    got = read_source_file(write(tmp_path, "a.txt", nfd.encode("utf-8")))
    assert got.text == "Café Ә Й ё"
    assert unicodedata.is_normalized("NFC", got.text)


# ------------------------------------------------------------------------- refusals
def test_binary_refused(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    with pytest.raises(ImportRefusedError, match="binary"):
        read_source_file(write(tmp_path, "picture.txt", png))


def test_control_characters_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefusedError, match="binary"):
        read_source_file(write(tmp_path, "x.txt", bytes(range(1, 32)) * 50))


def test_empty_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefusedError, match="empty"):
        read_source_file(write(tmp_path, "empty.txt", b""))


@pytest.mark.parametrize("data", [b"  \n\t\r\n  ", codecs.BOM_UTF8 + b"\n\n", "\u00a0\u2003\n".encode()])
def test_whitespace_only_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ImportRefusedError, match="white space"):
        read_source_file(write(tmp_path, "blank.txt", data))


def test_oversize_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"word " * 1000)
    with pytest.raises(ImportRefusedError, match=r"big.txt is 4.9 KB, over the 1000 bytes limit"):
        read_source_file(path, max_bytes=1000)
    assert read_source_file(path, max_bytes=5000).text.startswith("word word")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImportRefusedError, match="does not exist"):
        read_source_file(tmp_path / "gone.txt")
    with pytest.raises(ImportRefusedError, match="is a folder"):
        read_source_file(tmp_path)


# --------------------------------------------------------------------------- titles
def test_plain_text_title_is_the_first_line(tmp_path: Path) -> None:
    got = read_source_file(write(tmp_path, "0042_x.txt", b"\n\n  The situation in Kazakhstan  \n\nBody text.\n"))
    assert got.title == "The situation in Kazakhstan"


def test_long_first_line_is_shortened_at_a_word(tmp_path: Path) -> None:
    got = read_source_file(write(tmp_path, "x.txt", ("word " * 100).encode()))
    assert got.title.endswith("…") and len(got.title) <= 161 and "wor…" not in got.title


def test_markdown_title_from_first_heading(tmp_path: Path) -> None:
    md = "> quoted epigraph\n\n# Steppe on Fire: Kazakhstan’s Color Revolution\n\nBy *Pepe Escobar*\n\n## Part one\n"
    got = read_source_file(write(tmp_path, "notes.md", md.encode()))
    assert got.title == "Steppe on Fire: Kazakhstan’s Color Revolution"
    assert got.text == md  # Markdown is kept as written: offsets point into what the user sees


# ---------------------------------------------------------------------------- HTML
PAGE = """<!DOCTYPE html>
<!-- saved from url=(0048)https://example.org/2022/01/kazakhstan-unrest.html -->
<html lang="en-GB"><head><meta charset="utf-8">
<title>Unrest in Almaty: what we know | Steppe Monitor</title>
<meta name="author" content="Aigerim Sadykova">
<meta property="og:site_name" content="Steppe Monitor">
<meta property="article:published_time" content="2022-01-07T09:30:00+06:00">
<script>var tracking = "SECRET_TRACKER_CODE"; function track(){}</script>
<style>body { font-family: serif } .HIDDEN_STYLE {}</style>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World news</a> <a href="/about">About us</a></nav>
<article>
<h1>Unrest in Almaty: what we know</h1>
<p>Protests that began in Zhanaozen on 2 January over the doubling of liquefied gas prices spread to Almaty
within three days. President Kassym-Jomart Tokayev dismissed the government and declared an emergency.</p>
<p>On 5 January the president asked the Collective Security Treaty Organisation for help, and Russian
paratroopers arrived the next morning. Officials described the unrest as an attempted coup.</p>
<script>document.write("INLINE_SCRIPT_TEXT")</script>
<p>Independent observers note that the security services were strangely absent while the city hall
burned, and that former KNB chief Karim Masimov was arrested for high treason on 6 January.</p>
</article>
<footer>© 2022 Steppe Monitor. All rights reserved.</footer>
</body></html>
"""


def test_html_page_saved_from_a_browser(tmp_path: Path) -> None:
    got = read_source_file(write(tmp_path, "Unrest in Almaty_files.html", PAGE.encode("utf-8")))
    assert got.title == "Unrest in Almaty: what we know"
    assert got.author == "Aigerim Sadykova"
    assert got.outlet == "Steppe Monitor"
    assert got.published == "2022-01-07"
    assert got.url == "https://example.org/2022/01/kazakhstan-unrest.html"
    assert got.language == "en"
    assert "Karim Masimov was arrested for high treason" in got.text
    assert "Protests that began in Zhanaozen" in got.text
    for noise in ("SECRET_TRACKER_CODE", "INLINE_SCRIPT_TEXT", "HIDDEN_STYLE", "<p>", "About us"):
        assert noise not in got.text
    assert "\n\n" in got.text  # paragraphs stay paragraphs


def test_html_in_a_legacy_code_page_uses_its_meta_charset(tmp_path: Path) -> None:
    page = (PAGE.replace('<meta charset="utf-8">', '<meta charset="windows-1251">')
            .replace("Karim Masimov was arrested", "Карим Масимов был арестован"))
    got = read_source_file(write(tmp_path, "ru.htm", page.encode("cp1251")))
    assert "Карим Масимов был арестован" in got.text


def test_single_file_web_archive(tmp_path: Path) -> None:
    body = PAGE.replace("\n", "\r\n").encode("utf-8")
    mhtml = (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.org/x\r\n"
             b"Subject: Unrest\r\nMIME-Version: 1.0\r\n"
             b'Content-Type: multipart/related; type="text/html"; boundary="----B"\r\n\r\n'
             b"------B\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
             b"Content-Transfer-Encoding: base64\r\nContent-Location: https://example.org/x\r\n\r\n"
             + base64.encodebytes(body) + b"\r\n------B--\r\n")
    got = read_source_file(write(tmp_path, "page.mhtml", mhtml))
    assert got.title == "Unrest in Almaty: what we know"
    assert "Karim Masimov" in got.text and "SECRET_TRACKER_CODE" not in got.text


def test_html_without_article_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRefusedError, match="no readable article text"):
        read_source_file(write(tmp_path, "empty.html", b"<html><head><title>x</title></head><body></body></html>"))


# ------------------------------------------------------------------ into a project
def test_import_files_adds_reports_and_skips_duplicates(project: Project, tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", b"First line title\nBody of A.\n")
    same = write(tmp_path, "copy of a.txt", codecs.BOM_UTF8 + b"First line title\r\nBody of A.\r\n")
    ru = write(tmp_path, "ru.txt", RU.encode("cp1251"))
    empty = write(tmp_path, "empty.txt", b"")
    page = write(tmp_path, "page.html", PAGE.encode())
    gone = tmp_path / "vanished.txt"
    results = import_files(project, [a, same, ru, empty, gone, tmp_path, page])
    assert [r.ok for r in results] == [True, False, True, False, False, False, True]
    dup = results[1]
    assert dup.duplicate_of == results[0].source_id
    assert "Already in the project as “First line title”" in dup.line()
    assert dup.line().startswith("refused: copy of a.txt:")
    assert results[0].line() == "added: a.txt → “First line title”"
    assert "does not exist" in results[4].error and "folder" in results[5].error
    assert project.info()["sources"] == 3
    web = project.get_source(results[6].source_id)
    assert (web.author, web.outlet, web.published) == ("Aigerim Sadykova", "Steppe Monitor", "2022-01-07")
    assert web.imported_from == str(page)
    assert project.get_source(results[2].source_id).text == RU
    # importing again adds nothing
    again = import_files(project, [a, ru])
    assert not any(r.ok for r in again) and project.info()["sources"] == 3


def test_a_file_that_disappears_during_the_import(project: Project, tmp_path: Path) -> None:
    first = write(tmp_path, "first.txt", b"First file.\n")
    second = write(tmp_path, "second.txt", b"Second file.\n")
    third = write(tmp_path, "third.txt", b"Third file.\n")

    def progress(index: int, path: str) -> bool:
        if index == 1:
            second.unlink()  # removed by another program while we work through the list
        return True

    results = import_files(project, [first, second, third], progress=progress)
    assert [r.ok for r in results] == [True, False, True]
    assert "removed during the import" in results[1].error


def test_progress_can_cancel(project: Project, tmp_path: Path) -> None:
    files = [write(tmp_path, f"{i}.txt", f"Text {i}.".encode()) for i in range(5)]
    results = import_files(project, files, progress=lambda i, p: i < 2)
    assert len(results) == 2 and project.info()["sources"] == 2
