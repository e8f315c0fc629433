"""File menu: New Project…, Open Project…, Open Recent, Save a Copy As…, Import Sources….

Dialog calls go through small module functions (``ask_open_path``, ``ask_save_path``, ``ask_import_paths``)
so tests can stub them. There is no Save: every edit is already committed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QProgressDialog, QWidget

from kzannotate.store import Project
from kzannotate.store.errors import ProjectError, ProjectLockedError, UserError
from kzannotate.store.project import PROJECT_SUFFIX
from kzannotate.ui.preferences import import_limit_bytes
from kzannotate.ui.undo_commands import ImportSourcesCommand

if TYPE_CHECKING:
    from kzannotate.ui.main_window import MainWindow

RECENT_KEY = "recent_projects"
RECENT_MAX = 8
PROJECT_FILTER = "kzannotate projects (*.kza);;All files (*)"
IMPORT_FILTER = "Texts and web pages (*.txt *.text *.md *.markdown *.rst *.html *.htm *.xhtml);;All files (*)"
PROGRESS_THRESHOLD = 4  # show a progress dialog from this many files


def ask_open_path(parent: QWidget, title: str, start: str) -> str:
    return QFileDialog.getOpenFileName(parent, title, start, PROJECT_FILTER)[0]


def ask_save_path(parent: QWidget, title: str, start: str) -> str:
    return QFileDialog.getSaveFileName(parent, title, start, PROJECT_FILTER)[0]


def ask_import_paths(parent: QWidget, start: str) -> list[str]:
    return QFileDialog.getOpenFileNames(parent, "Import sources", start, IMPORT_FILTER)[0]


def ask_yes_no(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def show_message(parent: QWidget, title: str, text: str, details: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("messageBox")
    if details:
        box.setDetailedText(details)
    box.exec()


def save_copy(project: Project, target: str | os.PathLike[str]) -> Path:
    """A consistent copy of the open project via SQLite's online backup API, written all-or-nothing."""
    target = Path(target)
    if target.resolve() == project.path.resolve():
        raise ProjectError("Choose a different file: that is the project itself.")
    if not target.parent.is_dir():
        raise ProjectError(f"The folder {target.parent} does not exist.")
    tmp = target.with_name(f".{target.name}.part")
    try:
        dest = sqlite3.connect(tmp)
        try:
            project.conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ProjectError(f"Could not write {target.name}: {exc}.") from exc
    return target


class FileMenu:
    """Wires the File actions of ``window`` and keeps the Open Recent list."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        a = window.actions
        a["new_project"].triggered.connect(self.new_project)
        a["open_project"].triggered.connect(self.open_project)
        a["save_copy"].triggered.connect(self.save_copy)
        a["import_sources"].triggered.connect(self.import_sources)
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setObjectName("recentMenu")
        window.menus["file"].insertMenu(a["save_copy"], self.recent_menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()

    # ----------------------------------------------------------------- recent
    def recent(self) -> list[str]:
        value = self.window.settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [p for p in (value or []) if isinstance(p, str)]

    def remember(self, path: Path) -> None:
        path_s = str(Path(path).resolve())
        items = [path_s] + [p for p in self.recent() if p != path_s]
        self.window.settings.setValue(RECENT_KEY, items[:RECENT_MAX])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        current = str(self.window.project.path.resolve()) if self.window.project else None
        entries = [p for p in self.recent() if p != current]
        for n, path in enumerate(entries, 1):
            action = self.recent_menu.addAction(f"&{n} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setEnabled(Path(path).exists())
            action.triggered.connect(lambda _=False, p=path: self.open_path(Path(p)))
        if not entries:
            self.recent_menu.addAction("No recent projects").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear List").triggered.connect(
                lambda: self.window.settings.setValue(RECENT_KEY, [current] if current else []))

    # --------------------------------------------------------------- projects
    def _start_dir(self) -> str:
        return str(self.window.project.path.parent) if self.window.project else str(Path.home())

    def new_project(self) -> None:
        path = ask_save_path(self.window, "New project", self._start_dir())
        if not path:
            return
        path_p = Path(path)
        if not path_p.suffix:
            path_p = path_p.with_suffix(PROJECT_SUFFIX)
        try:
            project = Project.create(path_p)
        except UserError as exc:
            QMessageBox.warning(self.window, "Cannot create project", str(exc))
            return
        self.window.set_project(project)

    def open_project(self) -> None:
        path = ask_open_path(self.window, "Open project", self._start_dir())
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> bool:
        if self.window.project is not None and self.window.project.path.resolve() == path.resolve():
            return True
        try:
            project = Project.open(path)
        except ProjectLockedError as exc:
            if not ask_yes_no(self.window, "Project in use", f"{exc}\n\nOpen it read-only instead?"):
                return False
            try:
                project = Project.open(path, read_only=True)
            except UserError as exc2:
                QMessageBox.warning(self.window, "Cannot open project", str(exc2))
                return False
        except UserError as exc:
            QMessageBox.warning(self.window, "Cannot open project", str(exc))
            return False
        self.window.set_project(project)
        return True

    def save_copy(self) -> None:
        project = self.window.project
        if project is None:
            return
        start = str(project.path.with_name(f"{project.path.stem} copy{PROJECT_SUFFIX}"))
        path = ask_save_path(self.window, "Save a copy as", start)
        if not path:
            return
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(PROJECT_SUFFIX)
        try:
            save_copy(project, target)
        except UserError as exc:
            QMessageBox.warning(self.window, "Copy not saved", str(exc))
            return
        self.window.statusBar().showMessage(f"Saved a copy as {target}", 6000)

    # ---------------------------------------------------------------- imports
    def import_sources(self) -> None:
        window = self.window
        if window.project is None:
            return
        if window.project.read_only:
            QMessageBox.warning(window, "Read-only project", "This project is open read-only.")
            return
        paths = ask_import_paths(window, str(window.settings.value("import_dir", str(Path.home()))))
        if paths:
            window.settings.setValue("import_dir", str(Path(paths[0]).parent))
            self.import_paths(paths)

    def import_paths(self, paths: list[str]) -> list:
        """Import files with progress for many, then one summary; the import is one undo step."""
        window = self.window
        project = window.project
        assert project is not None
        dialog: QProgressDialog | None = None
        if len(paths) >= PROGRESS_THRESHOLD:
            dialog = QProgressDialog("Importing sources…", "Stop", 0, len(paths), window)
            dialog.setObjectName("importProgress")
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)

        def progress(index: int, path: str) -> bool:
            if dialog is None:
                return True
            dialog.setValue(index)
            dialog.setLabelText(f"Importing {Path(path).name}…")
            return not dialog.wasCanceled()

        from kzannotate.text.importer import import_files  # charset detection, html extraction: on first use

        before = set(project.source_ids())
        try:
            results = import_files(project, paths, progress=progress,
                                   max_bytes=import_limit_bytes(window.settings))  # Edit › Preferences
        except BaseException:
            # Each file is its own transaction: if something fails mid-way (not a refused file, those are
            # reported), the sources added so far still become the one undo step, so undo stays truthful.
            if dialog is not None:
                dialog.close()
            done = [i for i in project.source_ids() if i not in before]
            if done:
                window.undo_stack.push(ImportSourcesCommand(
                    project, done, report=lambda e: QMessageBox.warning(window, "Undo", str(e))))
            raise
        if dialog is not None:
            dialog.setValue(len(paths))
            dialog.close()
        added = [r for r in results if r.ok]
        refused = [r for r in results if not r.ok]
        if added:
            window.undo_stack.push(ImportSourcesCommand(project, [r.source_id for r in added],
                                                        report=lambda e: QMessageBox.warning(window, "Undo", str(e))))
            window.show_source(added[0].source_id)
        stopped = len(results) < len(paths)
        text = f"Added {len(added)} source{'s' if len(added) != 1 else ''}."
        if refused:
            text += f" {len(refused)} file{'s were' if len(refused) != 1 else ' was'} not imported."
        if stopped:
            text += f" Stopped before the last {len(paths) - len(results)}."
        show_message(window, "Import finished", text, "\n".join(r.line() for r in results))
        return results
