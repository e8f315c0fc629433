"""The window never exits silently: user errors are messages, bugs a dialog with "Copy details" + a log."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton

from kzannotate import paths
from kzannotate.store.errors import ValidationError
from kzannotate.ui import app as app_module
from kzannotate.ui.app import install_excepthook, setup_logging


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch):
    """The app's excepthook, with modal dialogs captured instead of shown."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    setup_logging()
    install_excepthook()
    shown: dict[str, list] = {"bug": [], "warning": []}

    def fake_exec(box: QMessageBox) -> int:
        shown["bug"].append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown["warning"].append(args))
    yield sys.excepthook, shown
    for handler in list(app_module.log.handlers):
        if getattr(handler, "kza", False):
            handler.close()
            app_module.log.removeHandler(handler)


def _raise(exc: BaseException):
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_a_bug_shows_the_dialog_and_is_logged(qtbot, hook) -> None:
    excepthook, shown = hook
    excepthook(*_raise(ZeroDivisionError("division by zero in the matrix")))
    [box] = shown["bug"]
    assert box.objectName() == "bugDialog"
    assert "annotations are safe" in box.text()
    assert "ZeroDivisionError" in box.informativeText()
    assert str(paths.log_dir()) in box.informativeText()
    assert "Traceback" in box.detailedText()
    copy = next(b for b in box.findChildren(QPushButton) if b.text() == "Copy details")
    copy.click()
    assert "ZeroDivisionError" in QGuiApplication.clipboard().text()
    for handler in app_module.log.handlers:
        handler.flush()
    log_text = (paths.log_dir() / "kzannotate.log").read_text(encoding="utf-8")
    assert "division by zero in the matrix" in log_text and "Traceback" in log_text
    assert shown["warning"] == []


def test_a_user_error_is_a_plain_message(qtbot, hook) -> None:
    excepthook, shown = hook
    excepthook(*_raise(ValidationError("Credibility must be a number from 1 to 6, not 9.")))
    assert shown["bug"] == []
    [(parent, title, text)] = shown["warning"]
    assert text == "Credibility must be a number from 1 to 6, not 9."


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_dialog(qtbot, hook) -> None:
    _, shown = hook

    def broken_slot() -> None:
        raise KeyError("missing-actor-id")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: bool(shown["bug"]), timeout=3000)
    assert "KeyError" in shown["bug"][0].informativeText()
