"""Bad and unusual source files: each is accepted intact or refused with a message naming the file.

Nothing half-imported: the project's counts are the same before and after a refusal. Each case runs
through the store/text API (``import_files``) and through ``kzannotate import``.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from kzannotate import cli
from kzannotate.store import Project
from kzannotate.text import importer

RUSSIAN = "Протестующие собрались на площади Республики в Алматы 5 января 2022 года.\n"
ARABIC_HEBREW = ("احتج المتظاهرون في ألماتي في الخامس من يناير.\n"
                 "המפגינים התאספו באלמטי בחמישה בינואר.\n")
ASTRAL = "Protest 😀 in Almaty 𝔸𝕝𝕞𝕒𝕥𝕪 — flags 🇰🇿 and 𠀀 (CJK ext. B).\n"


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    data: bytes | None  # None: a folder
    refused: tuple[str, ...] = ()  # words the refusal must contain (any of); empty: accepted
    expected_text: str | None = None


CASES = [
    Case("cp1251", "russian-cp1251.txt", (RUSSIAN * 20).encode("cp1251"), expected_text=RUSSIAN * 20),
    Case("utf16le-bom", "utf16le.txt", codecs.BOM_UTF16_LE + (RUSSIAN * 3).encode("utf-16-le"),
         expected_text=RUSSIAN * 3),
    Case("utf16be-bom", "utf16be.txt", codecs.BOM_UTF16_BE + (RUSSIAN * 3).encode("utf-16-be"),
         expected_text=RUSSIAN * 3),
    Case("binary", "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, refused=("binary",)),
    Case("empty", "empty.txt", b"", refused=("empty",)),
    Case("whitespace", "blank.txt", b"  \n\t\n   \r\n  ", refused=("empty", "white space")),
    Case("nul-bytes", "nul.txt", b"Almaty protests\x00\x00\x00 more text\x00 " * 50, refused=("binary", "NUL")),
    Case("rtl", "rtl.txt", ARABIC_HEBREW.encode("utf-8"), expected_text=ARABIC_HEBREW),
    Case("astral", "astral.txt", ASTRAL.encode("utf-8"), expected_text=ASTRAL),
    Case("cr-only", "classic-mac.txt", b"First line\rSecond line\rThird line\r",
         expected_text="First line\nSecond line\nThird line\n"),
    Case("folder", "a folder.txt", None, refused=("folder",)),
]


def make_file(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / case.name
    if case.data is None:
        path.mkdir()
    else:
        path.write_bytes(case.data)
    return path


def counts(project_path: Path) -> dict:
    with Project.open(project_path, read_only=True) as p:
        info = p.info()
    return {k: info[k] for k in ("sources", "actors", "theories", "annotations")}


def check_refusal(message: str, case_name: str, words: tuple[str, ...]) -> None:
    assert case_name in message, f"the message must name the file: {message!r}"
    assert any(w.lower() in message.lower() for w in words), message
    assert "Traceback" not in message


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_source_via_api(project: Project, tmp_path: Path, case: Case) -> None:
    path = make_file(tmp_path, case)
    before = project.info()
    [result] = importer.import_files(project, [path])
    if case.refused:
        assert not result.ok
        check_refusal(result.error, case.name, case.refused)
        assert project.info() == before
        return
    assert result.ok, result.error
    source = project.get_source(result.source_id)
    assert source.text == unicodedata.normalize("NFC", case.expected_text)
    assert "\r" not in source.text
    # Offsets are code points: a span over the last line reads back exactly.
    start = source.text.rstrip("\n").rfind("\n") + 1
    ann = project.add_annotation(source.id, start, len(source.text) - 1)
    assert ann.quote == source.text[start:len(source.text) - 1]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_source_via_cli(tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    project_path = tmp_path / "cli project.kza"
    Project.create(project_path).close()
    path = make_file(tmp_path, case)
    before = counts(project_path)
    code = cli.main(["import", str(project_path), str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert len(lines) == 1, out
    if case.refused:
        assert code == 1
        assert lines[0].startswith(f"refused: {case.name}")
        check_refusal(lines[0], case.name, case.refused)
        assert counts(project_path) == before
    else:
        assert code == 0, out + err
        assert lines[0].startswith(f"added: {case.name}")
        assert counts(project_path)["sources"] == before["sources"] + 1


def test_over_the_size_limit(project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Almaty protests. " * 20_000)  # 340 KB
    before = project.info()
    [result] = importer.import_files(project, [path], max_bytes=100_000)
    check_refusal(result.error, "huge.txt", ("limit",))
    assert project.info() == before
    project_path = tmp_path / "limit.kza"
    Project.create(project_path).close()
    assert cli.main(["import", str(project_path), str(path), "--max-mb", "0.1"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("refused: huge.txt") and "limit" in out and "Traceback" not in out + err
    assert counts(project_path)["sources"] == 0


def test_one_megabyte_line_without_newline(project: Project, tmp_path: Path) -> None:
    words = ("Almaty", "Astana", "протест", "😀", "CSTO", "Tokayev")
    line = " ".join(words[i % len(words)] for i in range(200_000))[:1_000_000]
    path = tmp_path / "one-line.txt"
    path.write_text(line, encoding="utf-8")
    [result] = importer.import_files(project, [path])
    assert result.ok, result.error
    text = project.get_source(result.source_id).text
    assert text.rstrip("\n") == line
    for start in (0, 499_990, len(line) - 10):
        ann = project.add_annotation(result.source_id, start, start + 10)
        assert ann.quote == line[start:start + 10]


def test_file_that_disappears_mid_import(project: Project, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    path = tmp_path / "vanishing.txt"
    path.write_text("Almaty, 5 January.\n", encoding="utf-8")
    real_open = open

    def open_after_delete(file, *args, **kwargs):
        if Path(file) == path:
            path.unlink(missing_ok=True)  # another program removed it between stat() and open()
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(importer, "open", open_after_delete, raising=False)
    before = project.info()
    [result] = importer.import_files(project, [path])
    check_refusal(result.error, "vanishing.txt", ("removed", "does not exist"))
    assert project.info() == before
    path.write_text("Almaty, 5 January.\n", encoding="utf-8")
    project_path = tmp_path / "vanish.kza"
    Project.create(project_path).close()
    assert cli.main(["import", str(project_path), str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("refused: vanishing.txt") and "Traceback" not in out + err
    assert counts(project_path)["sources"] == 0


def test_a_refused_file_does_not_stop_the_others(project: Project, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Protesters in Almaty.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    results = importer.import_files(project, [bad, good])
    assert [r.ok for r in results] == [False, True]
    assert project.info()["sources"] == 1
