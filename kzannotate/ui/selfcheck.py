"""The window part of ``kzannotate --self-check`` (kzannotate/selfcheck.py runs the rest without Qt)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from kzannotate.selfcheck import SelfCheckFailed
from kzannotate.store import Project
from kzannotate.ui.app import ensure_app


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SelfCheckFailed(message)


def check_window(project: Project, folder: Path) -> None:
    """Build the whole window (every feature module) on the project, offscreen, and close it.

    The window takes the project over and closes it when it closes.
    """
    from kzannotate.ui.main_window import MainWindow

    app = ensure_app()
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    try:
        window.set_project(project)
        QApplication.processEvents()  # not shown: the offscreen platform warns about size hints
        _expect(window.source_panel.model.rowCount() == project.info()["sources"],
                "the window does not list the project's sources")
        _expect(not app.windowIcon().pixmap(32, 32).isNull(),
                "the application icon could not be drawn (icon file or SVG plugin missing)")
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
    _expect(window.project is None, "closing the window did not close the project")
