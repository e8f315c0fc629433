"""The command line: each command, its output, and exit statuses 0 (ok), 1 (user error), 2 (usage)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kzannotate import __version__
from kzannotate.cli import main
from kzannotate.store import Project
from kzannotate.store.schema import SCHEMA_VERSION

VENV_SCRIPT = Path(sys.executable).parent / "kzannotate"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, err: str, *words: str) -> None:
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("kzannotate: ")
    assert "Traceback" not in err
    for word in words:
        assert word in err


# ----------------------------------------------------------------------------- new
def test_new_empty_and_with_seeds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "new", tmp_path / "empty.kza")
    assert (code, err) == (0, "")
    assert out.strip() == f"created {tmp_path / 'empty.kza'}: 0 sources, 0 actors, 0 theories"
    code, out, _ = run(capsys, "new", tmp_path / "study.kza", "--seeds")
    assert code == 0 and "5 sources" in out
    with Project.open(tmp_path / "study.kza") as p:
        assert p.info()["sources"] == 5 and p.info()["actors"] > 10


def test_new_adds_the_suffix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "new", tmp_path / "plain")
    assert code == 0 and (tmp_path / "plain.kza").exists()


def test_new_refuses_an_existing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "notes.kza"
    path.write_text("my notes", encoding="utf-8")
    code, out, err = run(capsys, "new", path)
    assert_user_error(code, err, "already exists")
    assert path.read_text(encoding="utf-8") == "my notes"


# -------------------------------------------------------------------------- import
def test_import_reports_each_file_and_exits_1_if_any_refused(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    proj = tmp_path / "p.kza"
    Project.create(proj).close()
    good = tmp_path / "good.txt"
    good.write_text("Protests in Zhanaozen\nThe text.\n", encoding="utf-8")
    ru = tmp_path / "ru.txt"
    ru.write_bytes("Токаев обратился к ОДКБ за помощью, и в страну были введены миротворцы.".encode("cp1251"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run(capsys, "import", proj, good, empty, ru, tmp_path / "missing.txt")
    assert code == 1
    lines = out.splitlines()
    assert lines == [
        "added: good.txt → “Protests in Zhanaozen”",
        "refused: empty.txt: empty.txt is empty (0 bytes).",
        "added: ru.txt → “Токаев обратился к ОДКБ за помощью, и в страну были введены миротворцы.”",
        "refused: missing.txt: missing.txt does not exist (or was removed during the import).",
    ]
    with Project.open(proj) as p:
        assert p.info()["sources"] == 2  # the refused files did not stop the others
    code, out, _ = run(capsys, "import", proj, good)
    assert code == 1 and "Already in the project" in out


def test_import_all_good_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    proj = tmp_path / "p.kza"
    Project.create(proj).close()
    a = tmp_path / "a.md"
    a.write_text("# Heading A\n\nBody.\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", proj, a)
    assert code == 0 and out == "added: a.md → “Heading A”\n"


def test_import_max_mb(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    proj = tmp_path / "p.kza"
    Project.create(proj).close()
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 30_000)
    code, out, _ = run(capsys, "import", proj, big, "--max-mb", "0.1")
    assert code == 1 and "over the 102.4 KB limit" in out


def test_import_into_a_locked_project(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    proj = tmp_path / "p.kza"
    a = tmp_path / "a.txt"
    a.write_text("Text.", encoding="utf-8")
    with Project.create(proj):
        code, _, err = run(capsys, "import", proj, a)
    assert_user_error(code, err, "already open")


# ---------------------------------------------------------------------------- info
def test_info_text_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    proj = tmp_path / "p.kza"
    with Project.create(proj, name="Study") as p:
        s = p.add_source("Tokayev spoke.", "T")
        p.add_annotation(s.id, 0, 7)
        p.add_actor("Tokayev")
    code, out, err = run(capsys, "info", proj)
    assert (code, err) == (0, "")
    assert out.splitlines() == ["name: Study", f"schema_version: {SCHEMA_VERSION}", "sources: 1", "actors: 1",
                                "theories: 0", "annotations: 1"]
    code, out, _ = run(capsys, "info", proj, "--json")
    data = json.loads(out)
    assert code == 0
    assert {k: data[k] for k in ("schema_version", "sources", "actors", "theories", "annotations")} == {
        "schema_version": SCHEMA_VERSION, "sources": 1, "actors": 1, "theories": 0, "annotations": 1}
    assert data["name"] == "Study" and data["app_version"] == __version__


def test_info_works_while_the_project_is_open_elsewhere(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    proj = tmp_path / "p.kza"
    with Project.create(proj):
        code, out, _ = run(capsys, "info", proj, "--json")
    assert code == 0 and json.loads(out)["sources"] == 0


@pytest.mark.parametrize("content,words", [
    (None, ("does not exist",)),
    (b"", ("empty file",)),
    (b"hello, I am text", ("not a kzannotate project",)),
])
def test_info_user_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None,
                          words: tuple[str, ...]) -> None:
    path = tmp_path / "x.kza"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "info", path)
    assert out == ""
    assert_user_error(code, err, *words)


def test_info_on_a_newer_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "future.kza"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 42")
    conn.close()
    code, _, err = run(capsys, "info", path)
    assert_user_error(code, err, "newer version", "update kzannotate")


# --------------------------------------------------------------------- usage, version
@pytest.mark.parametrize("argv", [
    ["import"],
    ["import", "p.kza"],
    ["new"],
    ["info", "p.kza", "--bogus"],
    ["new", "a.kza", "b.kza"],
    ["frobnicate"],
    ["a.kza", "b.kza"],
])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err and "Traceback" not in err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"kzannotate {__version__}\n")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in ("new", "import", "info"):
        assert name in out
    code, out, _ = run(capsys, "import", "--help")
    assert code == 0 and "--max-mb" in out


def test_opening_a_missing_project_fails_before_the_window(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path / "nowhere.kza")
    assert_user_error(code, err, "does not exist", "kzannotate new")


# ------------------------------------------------------------------ real processes
def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_version_in_a_real_process() -> None:
    done = subprocess.run([sys.executable, "-m", "kzannotate", "--version"], capture_output=True, text=True,
                          timeout=60, env=_env())
    assert (done.returncode, done.stdout, done.stderr) == (0, f"kzannotate {__version__}\n", "")


@pytest.mark.skipif(not VENV_SCRIPT.exists(), reason="the kzannotate script is not installed next to python")
def test_installed_script_end_to_end(tmp_path: Path) -> None:
    proj = tmp_path / "Мой проект.kza"
    text = tmp_path / "source one.txt"
    text.write_text("First line\nSecond line\n", encoding="utf-8")

    def kza(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(VENV_SCRIPT), *argv], capture_output=True, text=True, timeout=60, env=_env())

    assert kza("--version").stdout.strip() == f"kzannotate {__version__}"
    assert kza("new", str(proj)).returncode == 0
    done = kza("import", str(proj), str(text), str(tmp_path / "gone.txt"))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == "added: source one.txt → “First line”"
    assert "Traceback" not in done.stderr
    info = json.loads(kza("info", str(proj), "--json").stdout)
    assert info["sources"] == 1
    done = kza("info", str(tmp_path / "gone.kza"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert kza("info").returncode == 2
