"""`kzannotate --self-check`: the smoke test packaged builds run. It must pass on a healthy install and
say what broke (exit 1) when a step goes wrong, without touching the user's data."""

from __future__ import annotations

import os

import pytest

from kzannotate import cli, selfcheck
from kzannotate.store.project import Project


def test_self_check_passes_and_leaves_user_data_alone(qtbot, kza_home, capsys):
    before = sorted(p.name for p in kza_home.rglob("*"))
    assert selfcheck.self_check() == 0
    out = capsys.readouterr()
    assert out.out.strip().splitlines()[-1] == "self-check ok"
    assert out.err == ""
    # Everything happened in a temporary KZANNOTATE_HOME, which is restored afterwards.
    assert os.environ["KZANNOTATE_HOME"] == str(kza_home)
    assert sorted(p.name for p in kza_home.rglob("*")) == before


def test_cli_flag_runs_it(qtbot, capsys):
    assert cli.main(["--self-check"]) == 0
    assert "self-check ok" in capsys.readouterr().out


def test_reports_an_annotation_that_is_not_deleted(qtbot, monkeypatch, capsys):
    monkeypatch.setattr(Project, "delete_annotation", lambda self, annotation_id: None)
    assert selfcheck.self_check() == 1
    err = capsys.readouterr().err
    assert "self-check failed (seeds and store)" in err
    assert "still in the project" in err


def test_reports_missing_seeds(qtbot, monkeypatch, capsys):
    import kzannotate.setup_project as setup_project

    real = setup_project.seed_entries
    monkeypatch.setattr(setup_project, "seed_entries", lambda: real() + real()[:1])
    assert selfcheck.self_check() == 1
    assert "expected 6 seed sources, found 5" in capsys.readouterr().err


def test_reports_a_crash_with_its_step(qtbot, monkeypatch, capsys):
    import kzannotate.text.importer as importer

    def broken(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'trafilatura'")

    monkeypatch.setattr(importer, "import_files", broken)
    assert selfcheck.self_check() == 1
    err = capsys.readouterr().err
    assert "self-check failed (web page import): ModuleNotFoundError" in err


@pytest.mark.parametrize("preset", ["minimal", None])
def test_keeps_an_explicit_platform(qtbot, monkeypatch, preset):
    """QT_QPA_PLATFORM is only defaulted to offscreen, never overridden."""
    if preset is None:
        monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    else:
        monkeypatch.setenv("QT_QPA_PLATFORM", preset)
    assert selfcheck.self_check() == 0
    assert os.environ["QT_QPA_PLATFORM"] == (preset or "offscreen")


def test_reports_a_window_that_cannot_be_built(qtbot, monkeypatch, capsys):
    import kzannotate.ui.main_window as main_window

    def broken(*args, **kwargs):
        raise ImportError("libxcb-cursor.so.0: cannot open shared object file")

    monkeypatch.setattr(main_window, "MainWindow", broken)
    assert selfcheck.self_check() == 1
    assert "self-check failed (main window): ImportError: libxcb-cursor" in capsys.readouterr().err
