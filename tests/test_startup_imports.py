"""Opening the window must not import what only a command, an import or an export needs (start-up time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kzannotate import cli

# Each of these costs start-up time and is only needed once the user asks for its feature.
NOT_AT_STARTUP = ("sqlite_utils", "click", "trafilatura", "lxml", "rapidfuzz", "pygments", "charset_normalizer",
                  "kzannotate.formats.qdpx", "kzannotate.analysis.ach", "kzannotate.text.importer",
                  "kzannotate.cli_codebook", "kzannotate.cli_exchange", "kzannotate.cli_analysis")

SHOW_WINDOW = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
_exec = QApplication.exec
def _exec_and_report(*args):
    app = QApplication.instance()
    def shown():
        win = [w for w in app.topLevelWidgets() if w.objectName() == "mainWindow"]
        print("RESULT " + json.dumps({"shown": bool(win and win[0].isVisible()), "modules": sorted(sys.modules)}),
              flush=True)
        app.quit()
    QTimer.singleShot(0, shown)
    return _exec()
QApplication.exec = _exec_and_report
from kzannotate.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _modules_after_showing(tmp_path, *args: str) -> set[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KZANNOTATE_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-c", SHOW_WINDOW, *args], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))[7:])
    assert result["shown"], "the main window was not shown"
    return set(result["modules"])


@pytest.mark.parametrize("first_run", [True, False], ids=["creates-default-project", "opens-it-again"])
def test_showing_the_window_does_not_import_feature_modules(tmp_path, first_run) -> None:
    if not first_run:
        _modules_after_showing(tmp_path)  # the default project now exists: the usual start
    loaded = _modules_after_showing(tmp_path)
    assert "kzannotate.ui.main_window" in loaded
    # Creating the default project (first run only) builds the full-text index with sqlite-utils.
    allowed = {"sqlite_utils", "click"} if first_run else set()
    assert sorted(m for m in NOT_AT_STARTUP if m in loaded and m not in allowed) == []


def test_window_on_a_given_project_does_not_import_feature_modules(tmp_path, seeds_project) -> None:
    path = seeds_project.path
    seeds_project.close()
    loaded = _modules_after_showing(tmp_path, str(path))
    assert sorted(m for m in NOT_AT_STARTUP if m in loaded) == []


def test_plugin_command_table_matches_the_registered_commands() -> None:
    """cli.PLUGIN_COMMANDS says which module registers each command; a stale entry would hide a command."""
    cli._load_plugins()
    registered = {name: handler.__module__ for name, (_add, handler) in cli.COMMANDS.items()
                  if handler.__module__ != "kzannotate.cli"}
    assert registered == cli.PLUGIN_COMMANDS


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_every_command_in_a_fresh_process(flag) -> None:
    done = subprocess.run([sys.executable, "-m", "kzannotate", flag], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name in [*cli.PLUGIN_COMMANDS, "new", "import", "info"]:
        assert f"    {name} " in done.stdout or f"    {name}\n" in done.stdout, name


def test_a_plugin_command_works_in_a_fresh_process(tmp_path, seeds_project) -> None:
    path = seeds_project.path
    seeds_project.close()
    done = subprocess.run([sys.executable, "-m", "kzannotate", "report", str(path), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage: kzannotate report" in done.stdout
