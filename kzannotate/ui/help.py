"""Help › About and Help › Keyboard Shortcuts.

About answers the questions people ask when something goes wrong: which version, under what licence, and
where the project file, its backups, the logs and the settings are. Every line is selectable and "Copy"
puts it all on the clipboard for a bug report. The shortcuts table is generated from the window's
actions (``shortcut_rows``), so it lists exactly the keys that work, whatever the platform.
"""

from __future__ import annotations

import platform
import sqlite3
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSortFilterProxyModel, Qt, QUrl, qVersion
from PySide6.QtGui import QGuiApplication, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kzannotate import __version__, paths
from kzannotate.ui.actions import MENUS, SPECS, shortcut_rows

LICENCE = "MIT licence: free to use, copy, modify and share; provided without warranty."
SELECTABLE = (Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
              | Qt.TextInteractionFlag.LinksAccessibleByMouse)


def _project_backups(project_path: Path | None) -> Path:
    """The project's own backup folder when the backup module knows it, else the backups root."""
    if project_path is not None:
        try:
            from kzannotate.store.backup import backup_folder
        except ImportError:
            pass
        else:
            return backup_folder(project_path)
    return paths.backups_dir()


def _folder_link(path: Path, *, folder: Path | None = None) -> str:
    """Rich text: the path, as a link that opens its folder in the file manager."""
    target = folder or (path if path.is_dir() else path.parent)
    url = QUrl.fromLocalFile(str(target)).toString()
    shown = str(path).replace("&", "&amp;").replace("<", "&lt;")
    return f'<a href="{url}">{shown}</a>'


class AboutDialog(QDialog):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About kzannotate")
        self.window_ = window
        layout = QVBoxLayout(self)

        head = QHBoxLayout()
        icon = QLabel(self)
        icon.setPixmap(QGuiApplication.windowIcon().pixmap(64, 64))
        icon.setObjectName("aboutIcon")
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.title = QLabel(self)
        self.title.setObjectName("aboutTitle")
        self.title.setTextInteractionFlags(SELECTABLE)
        self.title.setWordWrap(True)
        head.addWidget(self.title, 1)
        layout.addLayout(head)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("version", "Version"), ("licence", "Licence"), ("project", "Project file"),
                           ("backups", "Backups"), ("logs", "Logs"), ("settings", "Settings"),
                           ("runtime", "Running on")):
            value = QLabel(self)
            value.setObjectName(f"about_{key}")
            value.setTextInteractionFlags(SELECTABLE)
            value.setOpenExternalLinks(True)
            value.setWordWrap(key in ("licence", "runtime"))  # paths stay on one line, whole
            value.setTextFormat(Qt.TextFormat.RichText)
            self.fields[key] = value
            form.addRow(f"{label}:", value)
        layout.addLayout(form)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("aboutCopy")
        copy.setToolTip("Copy version and locations, e.g. for a bug report")
        copy.clicked.connect(self.copy_to_clipboard)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)
        self.refresh()

    def info(self) -> dict[str, str]:
        """Plain-text values shown in the dialog (also what "Copy" puts on the clipboard)."""
        project = getattr(self.window_, "project", None)
        project_path = Path(project.path) if project is not None else None
        settings = getattr(self.window_, "settings", None)
        return {
            "version": f"kzannotate {__version__}",
            "licence": LICENCE,
            "project": str(project_path) if project_path else "no project open",
            "backups": str(_project_backups(project_path)),
            "logs": str(paths.log_dir()),
            "settings": settings.fileName() if settings is not None else "",
            "runtime": (f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
                        f"Qt {qVersion()}, PySide6 {pyside_version}, SQLite {sqlite3.sqlite_version}"),
        }

    def refresh(self) -> None:
        info = self.info()
        self.title.setText(
            f"<h2 style='margin:0'>kzannotate {__version__}</h2>"
            "<p>Annotate contested sources: link spans to actors, theories and Admiralty reliability "
            "ratings.</p>")
        for key in ("version", "licence", "runtime", "settings"):
            self.fields[key].setText(info[key].replace("&", "&amp;").replace("<", "&lt;"))
        project = getattr(self.window_, "project", None)
        self.fields["project"].setText(_folder_link(Path(info["project"])) if project is not None
                                       else info["project"])
        for key in ("backups", "logs"):
            self.fields[key].setText(_folder_link(Path(info[key])))
        if info["settings"] and Path(info["settings"]).suffix:
            self.fields["settings"].setText(_folder_link(Path(info["settings"]),
                                                         folder=Path(info["settings"]).parent))

    def copy_to_clipboard(self) -> None:
        info = self.info()
        lines = [f"{key}: {value}" for key, value in info.items()]
        QGuiApplication.clipboard().setText("\n".join(lines))


class ShortcutsDialog(QDialog):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.window_ = window
        layout = QVBoxLayout(self)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("shortcutsFilter")
        self.filter.setPlaceholderText("Filter by action or key…")
        self.filter.setClearButtonEnabled(True)
        layout.addWidget(self.filter)

        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels(["Action", "Shortcut", "Menu"])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)

        self.table = QTableView(self)
        self.table.setObjectName("shortcutsTable")
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(560, 600)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild from the live actions (features may have changed or added shortcuts)."""
        self.model.removeRows(0, self.model.rowCount())
        menus = self._menu_of_text()
        for text, keys in shortcut_rows(self.window_.actions):
            row = [QStandardItem(text), QStandardItem(keys), QStandardItem(menus.get(text, ""))]
            for item in row:
                item.setEditable(False)
            self.model.appendRow(row)

    def _menu_of_text(self) -> dict[str, str]:
        """Action text (as shortcut_rows shows it) → the menu it is in, e.g. "Edit"."""
        titles = {key: title.replace("&", "") for key, title in MENUS}
        out = {}
        for spec in SPECS:
            action = self.window_.actions.get(spec.name)
            if action is not None:
                out[action.text().replace("&", "").rstrip("…")] = titles.get(spec.menu, "")
        return out

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows now (after filtering), for tests and assistive tools."""
        return [(self.proxy.index(r, 0).data(), self.proxy.index(r, 1).data())
                for r in range(self.proxy.rowCount())]


class HelpFeature:
    """Owns the two dialogs; they are created on first use and refreshed every time they are shown."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.about_dialog: AboutDialog | None = None
        self.shortcuts_dialog: ShortcutsDialog | None = None
        window.actions["about"].triggered.connect(self.show_about)
        window.actions["shortcuts"].triggered.connect(self.show_shortcuts)

    def show_about(self) -> AboutDialog:
        if self.about_dialog is None:
            self.about_dialog = AboutDialog(self.window)
        self.about_dialog.refresh()
        self._present(self.about_dialog)
        return self.about_dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self.window)
        self.shortcuts_dialog.refresh()
        self._present(self.shortcuts_dialog)
        return self.shortcuts_dialog

    @staticmethod
    def _present(dialog: QWidget) -> None:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def project_changed(self) -> None:
        if self.about_dialog is not None and self.about_dialog.isVisible():
            self.about_dialog.refresh()


def install(window: QMainWindow) -> HelpFeature:
    return HelpFeature(window)
