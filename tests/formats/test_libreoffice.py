"""The RTF report and the CSV open in LibreOffice (when it is installed; skipped otherwise).

LibreOffice converts the RTF to plain text, which must hold the report's words, emoji and escaped markup;
Calc reads the CSV (RFC 4180, multi-line cells) and writes it back with every cell unchanged.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from kzannotate.formats.exports import run_export

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
              pytest.mark.timeout(180)]


def soffice(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: no clash with another running instance
    return subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=150)


def test_rtf_report_opens_in_libreoffice(golden, tmp_path):
    run_export(golden, "rtf", tmp_path / "report.rtf")
    soffice(tmp_path, "--convert-to", "txt:Text (encoded):UTF8", "report.rtf")
    text = (tmp_path / "report.txt").read_text(encoding="utf-8-sig")
    assert "Golden — annotation report" in text
    assert "[1]<script>alert('x')</script> & <b>bold</b> claims about the CSTO." in text
    assert "Crowds [2]🔥 in Almaty 🇰🇿 — Tokayev" in text and "café, naïve" in text
    assert "Rating: B3 (Usually reliable; Possibly true)" in text


def test_csv_opens_in_libreoffice_calc(golden, tmp_path):
    run_export(golden, "csv", tmp_path / "a.csv")
    soffice(tmp_path, "--infilter=CSV:44,34,76,1", "--convert-to", "ods", "a.csv")
    if not (tmp_path / "a.ods").exists():
        pytest.skip("LibreOffice Calc is not installed")
    (tmp_path / "back").mkdir()
    soffice(tmp_path, "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", "back", "a.ods")
    with open(tmp_path / "a.csv", encoding="utf-8", newline="") as fh:
        want = list(csv.reader(fh))
    with open(tmp_path / "back" / "a.csv", encoding="utf-8", newline="") as fh:
        got = list(csv.reader(fh))
    assert got == want
    assert any("\n" in cell for row in got for cell in row)  # a multi-line cell came through whole
