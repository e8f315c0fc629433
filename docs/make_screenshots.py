"""Write the README's screenshots: the main window and each view and dialog at fixed sizes.

Runs offscreen with a throw-away KZANNOTATE_HOME (your own settings and projects are never touched)::

    .venv/bin/python docs/make_screenshots.py            # all shots into docs/screenshots/
    .venv/bin/python docs/make_screenshots.py --out /tmp/shots --only main

The project is the seeds project (kzannotate.setup_project.create_project) with the sources rated and the
demo annotations of tests/ui/analysis_demo.py added through the store, as an analyst would have made them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"1280": (1280, 800), "1440": (1440, 900), "1920": (1920, 1080)}


def _setup_env(home: Path) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["KZANNOTATE_HOME"] = str(home)
    # the offscreen platform warns about what it cannot do (raise windows, size hints): not our concern here
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests" / "ui"))


class Shooter:
    def __init__(self, out: Path, home: Path, only: set[str] | None) -> None:
        from PySide6.QtCore import qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        from kzannotate.ui.app import ensure_app, make_settings

        def quiet(_mode, _context, message: str) -> None:
            if "This plugin does not support" not in message:
                print(message, file=sys.stderr)

        qInstallMessageHandler(quiet)
        self.app: QApplication = ensure_app(["kzannotate"])
        self.out = out
        self.home = home
        self.only = only
        self.make_settings = make_settings
        self.saved: list[Path] = []
        out.mkdir(parents=True, exist_ok=True)

    # ----------------------------------------------------------- helpers
    def wanted(self, group: str) -> bool:
        return self.only is None or group in self.only

    def settle(self, rounds: int = 6) -> None:
        from PySide6.QtCore import QCoreApplication, QEventLoop, QThread

        for _ in range(rounds):
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            QCoreApplication.sendPostedEvents()
            QThread.msleep(20)

    def save(self, widget, name: str) -> None:
        self.settle()
        pixmap = widget.grab()
        path = self.out / f"{name}.png"
        if not pixmap.save(str(path)):
            raise SystemExit(f"could not write {path}")
        self.saved.append(path)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {pixmap.width()}×{pixmap.height()}")

    def project(self, name: str, *, annotated: bool = True):
        from analysis_demo import annotate_demo

        from kzannotate.setup_project import create_project

        path = self.home / f"{name}.kza"
        project = create_project(path, seeds=True, name="Kazakhstan, January 2022")
        if annotated:
            annotate_demo(project)
        return project

    def window(self, project, size: tuple[int, int], settings_name: str = "settings"):
        """A fresh main window (own settings file: the default layout, no earlier run's state)."""
        from PySide6.QtCore import QSettings

        from kzannotate.ui.main_window import MainWindow

        settings = QSettings(str(self.home / f"{settings_name}.ini"), QSettings.Format.IniFormat)
        settings.setValue("annotator", "aigerim")
        win = MainWindow(settings)
        win.resize(*size)
        win.show()
        if project is not None:
            win.set_project(project)
        self.settle()
        return win

    @staticmethod
    def close(win) -> None:
        win.save_layout = lambda: None  # leave no layout behind for the next shot
        project = win.project
        win.close()
        if project is not None and project.conn is not None:
            project.close()
        win.deleteLater()

    @staticmethod
    def select_source(win, prefix: str) -> str:
        for s in win.project.list_sources():
            full = win.project.get_source(s.id)
            if (full.imported_from or "").split("/")[-1].startswith(prefix):
                win.show_source(s.id)
                return s.id
        raise LookupError(prefix)

    @staticmethod
    def select_annotation(win, quote_start: str) -> None:
        ann = getattr(win, "annotating", None)
        if ann is None:
            return
        for a in ann.annotations.values():
            if a.quote.startswith(quote_start):
                ann.select(a.id)
                return

    # ------------------------------------------------------------- shots
    def main_windows(self) -> None:
        for key, size in SIZES.items():
            project = self.project(f"main-{key}")
            win = self.window(project, size, f"main-{key}")
            self.select_source(win, "002")
            self.select_annotation(win, "When the current crisis")
            self.save(win, "main-window" if key == "1280" else f"main-window-{key}")
            self.close(win)

    def empty_states(self) -> None:
        from kzannotate.store import Project

        win = self.window(None, SIZES["1280"], "nothing")
        self.save(win, "empty-no-project")
        self.close(win)
        project = Project.create(self.home / "empty.kza", name="New project")
        win = self.window(project, SIZES["1280"], "empty")
        self.save(win, "empty-project")
        self.close(win)
        project = self.project("unannotated", annotated=False)
        win = self.window(project, SIZES["1280"], "unannotated")
        self.save(win, "empty-source")
        self.close(win)

    def codebook(self) -> None:
        project = self.project("codebook")
        win = self.window(project, SIZES["1440"], "codebook")
        self.select_source(win, "004")
        win.actions["show_codebook"].setChecked(True)
        feature = next((f for f in win.features if hasattr(f, "dock") and f.dock.objectName() == "codebookDock"),
                       None)
        if feature is not None:
            self.save(win, "codebook-window")
            tabs = feature.dock.tabs
            for i in range(tabs.count()):
                if tabs.tabText(i).startswith("Mentions"):
                    tabs.setCurrentIndex(i)
            self.settle(12)
            self.save(win, "mentions-window")
        self.close(win)

    def analysis(self) -> None:
        project = self.project("analysis")
        win = self.window(project, SIZES["1440"], "analysis")
        self.select_source(win, "001")
        feature = getattr(win, "analysis", None)
        if feature is None:
            self.close(win)
            return
        for key, name in (("matrix", "matrix-window"), ("ach", "ach-window"),
                          ("sources_overview", "sources-overview-window"),
                          ("annotation_browser", "browser-window")):
            win.actions[f"show_{key}"].trigger()
            feature.refresh(force=True)
            self.save(win, name)
        for dock in feature.docks.values():
            dock.hide()
        # each view on its own, large enough to read
        for key, name in (("matrix", "matrix"), ("ach", "ach"), ("sources_overview", "sources-overview"),
                          ("annotation_browser", "browser")):
            dock = feature.docks[key]
            dock.show()
            dock.setFloating(True)
            dock.resize(1300, 760)
            feature.refresh(force=True)
            self.save(dock, name)
            dock.setFloating(False)
            dock.hide()
        feature.search_panel.show()
        feature.search_panel.edit.setText("Tokayev gas")
        feature.search_panel.run()
        self.settle(12)
        self.save(win, "search-window")
        self.close(win)

    def dialogs(self) -> None:
        project = self.project("dialogs")
        win = self.window(project, SIZES["1280"], "dialogs")
        source_id = self.select_source(win, "002")
        from kzannotate.ui.source_dialog import SourceDialog

        dialog = SourceDialog(win.project.get_source(source_id), 9, win)
        dialog.show()
        self.save(dialog, "source-dialog")
        dialog.close()
        try:
            from kzannotate.ui.exchange import ExportDialog
        except ImportError:
            ExportDialog = None  # noqa: N806
        if ExportDialog is not None:
            export = ExportDialog(win)
            export.show()
            self.save(export, "export-dialog")
            export.close()
        helpf = next((f for f in win.features if hasattr(f, "show_about")), None)
        if helpf is not None:
            self.save(helpf.show_about(), "help-about")
            helpf.about_dialog.close()
            self.save(helpf.show_shortcuts(), "help-shortcuts")
            helpf.shortcuts_dialog.close()
        self.close(win)

    def dark(self) -> None:
        from PySide6.QtGui import QColor, QPalette

        old = self.app.palette()
        self.app.setStyle("Fusion")
        pal = QPalette()
        role = QPalette.ColorRole
        for r, c in ((role.Window, "#2b2b2b"), (role.WindowText, "#e6e6e6"), (role.Base, "#1f1f1f"),
                     (role.AlternateBase, "#2a2a2a"), (role.Text, "#e6e6e6"), (role.Button, "#353535"),
                     (role.ButtonText, "#e6e6e6"), (role.Highlight, "#3d6fb4"), (role.HighlightedText, "#ffffff"),
                     (role.ToolTipBase, "#353535"), (role.ToolTipText, "#e6e6e6"), (role.Link, "#7ab4ff"),
                     (role.PlaceholderText, "#9a9a9a"), (role.Mid, "#444444"), (role.Dark, "#1a1a1a"),
                     (role.Light, "#505050"), (role.Midlight, "#404040"), (role.Shadow, "#101010")):
            pal.setColor(r, QColor(c))
        disabled = QPalette.ColorGroup.Disabled
        for r in (role.Text, role.ButtonText, role.WindowText):
            pal.setColor(disabled, r, QColor("#7a7a7a"))
        self.app.setPalette(pal)
        try:
            project = self.project("dark")
            win = self.window(project, SIZES["1280"], "dark")
            self.select_source(win, "002")
            self.select_annotation(win, "When the current crisis")
            self.save(win, "main-window-dark")
            self.close(win)
        finally:
            self.app.setPalette(old)

    def run(self) -> None:
        groups: dict[str, Callable[[], None]] = {
            "main": self.main_windows, "empty": self.empty_states, "codebook": self.codebook,
            "analysis": self.analysis, "dialogs": self.dialogs, "dark": self.dark}
        for name, shoot in groups.items():
            if self.wanted(name):
                shoot()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", action="append",
                        help="main, empty, codebook, analysis, dialogs, dark (repeatable; default all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kza-shots-") as tmp:
        _setup_env(Path(tmp))
        shooter = Shooter(args.out.resolve(), Path(tmp), set(args.only) if args.only else None)
        shooter.run()
        print(f"{len(shooter.saved)} screenshots")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
