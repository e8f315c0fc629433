"""Layering: only kzannotate/ui imports Qt, so the store, text, formats and analysis work without a display."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import kzannotate

PACKAGE = Path(kzannotate.__file__).parent
QT_FREE = ("store", "text", "formats", "analysis")
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6")


def _python_files() -> list[Path]:
    files = [f for name in QT_FREE for f in sorted((PACKAGE / name).rglob("*.py"))]
    assert len(files) > len(QT_FREE), "the packages were not found"
    return files


def _imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", ""))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)):
            names.add(str(node.args[0].value))
    return names


def test_no_qt_import_in_the_source() -> None:
    offenders = []
    for path in _python_files():
        for name in _imported_names(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if name.split(".")[0] in QT_MODULES or name.startswith("kzannotate.ui"):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}: {name}")
    assert offenders == []


def test_the_scan_would_notice_a_qt_import() -> None:
    tree = ast.parse("import os\nfrom PySide6.QtCore import Qt\nimportlib.import_module('kzannotate.ui.app')")
    assert {"PySide6.QtCore", "kzannotate.ui.app"} <= _imported_names(tree)


IMPORT_ALL = """
import importlib, json, pkgutil, sys
import kzannotate
names = []
for sub in {subs!r}:
    pkg = importlib.import_module("kzannotate." + sub)
    names.append(pkg.__name__)
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in {qt!r})
print(json.dumps({{"modules": names, "qt": qt}}))
"""


def test_importing_every_module_loads_no_qt() -> None:
    code = IMPORT_ALL.format(subs=QT_FREE, qt=QT_MODULES)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    expected = {f"kzannotate.{info.name}" if not info.name.startswith("kzannotate") else info.name
                for info in pkgutil.walk_packages([str(PACKAGE)], "kzannotate.")
                if info.name.split(".")[1] in QT_FREE}
    assert expected <= set(result["modules"])
    assert "kzannotate.store.project" in result["modules"]
    assert result["qt"] == []


def test_cli_core_commands_do_not_load_qt() -> None:
    code = ("import sys, kzannotate.cli as c; c._load_plugins(); c.build_parser(); "
            "print(sorted(m for m in sys.modules if m.startswith('PySide6')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", "kzannotate info/import must work on a machine without a display"
