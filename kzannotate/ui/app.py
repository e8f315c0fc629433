"""Application start-up: settings, logging, error dialogs, the main window."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kzannotate import APP_NAME, APP_ORG, __version__, paths
from kzannotate.store.errors import UserError

log = logging.getLogger("kzannotate")


def make_settings() -> QSettings:
    """QSettings in the platform's place, or an ini file under KZANNOTATE_HOME (tests)."""
    ini = paths.settings_file()
    if ini is not None:
        return QSettings(str(ini), QSettings.Format.IniFormat)
    return QSettings(APP_ORG, APP_NAME)


def setup_logging() -> Path:
    """Bugs go to a rotating log file in the user log folder."""
    logfile = paths.log_dir() / "kzannotate.log"
    if not any(getattr(h, "kza", False) for h in log.handlers):
        handler = logging.handlers.RotatingFileHandler(logfile, maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.kza = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return logfile


def show_user_error(parent: QWidget | None, exc: BaseException, title: str = "kzannotate") -> None:
    QMessageBox.warning(parent, title, str(exc))


def show_bug(parent: QWidget | None, exc_type: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> None:
    """An unexpected error: log it, tell the user, offer the details for a bug report."""
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("Unexpected error\n%s", details)
    box = QMessageBox(parent)
    box.setObjectName("bugDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("kzannotate: unexpected error")
    box.setText("Something went wrong inside kzannotate. Your annotations are safe: every change is saved "
                "as it is made.")
    box.setInformativeText(f"{exc_type.__name__}: {exc}\n\nThe details were written to "
                           f"{paths.log_dir() / 'kzannotate.log'}.")
    box.setDetailedText(details)
    copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(details))
    box.exec()


def install_excepthook() -> None:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        parent = QApplication.activeWindow()
        if isinstance(exc, UserError):
            show_user_error(parent, exc)
        else:
            show_bug(parent, exc_type, exc, tb)

    sys.excepthook = hook


ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    """The SVG for any size, plus the pre-rendered PNGs: the 16 px one is hand-fitted and sharper."""
    icon_file = paths.resource("icons", "kzannotate.svg")
    icon = QIcon(str(icon_file)) if icon_file.is_file() else QIcon()
    for size in ICON_SIZES:
        png = paths.resource("icons", "hicolor", f"{size}x{size}", "apps", "io.github.kzannotate.kzannotate.png")
        if png.is_file():
            icon.addFile(str(png), QSize(size, size))
    return icon


def ensure_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_ORG)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.kzannotate.kzannotate")
    app.setWindowIcon(app_icon())
    return app  # type: ignore[return-value]


def run_app(project_path: Path | None) -> int:
    """Open the window on ``project_path`` (or the default sample project) and run the event loop."""
    app = ensure_app(sys.argv[:1])
    setup_logging()
    install_excepthook()
    from kzannotate.ui.main_window import MainWindow

    window = MainWindow(make_settings())
    window.open_initial(project_path)
    window.show()
    return app.exec()
