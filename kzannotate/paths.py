"""Where files live: the user's data (default project, backups), logs, and bundled resources.

``KZANNOTATE_HOME`` overrides every user location (tests always set it to a temporary folder).
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

import platformdirs

from kzannotate import APP_NAME

DEFAULT_PROJECT_NAME = "Kazakhstan 2022 (sample).kza"


def _home_override() -> Path | None:
    value = os.environ.get("KZANNOTATE_HOME")
    return Path(value).expanduser() if value else None


def _ensure(path: Path, what: str) -> Path:
    """Create a user folder; a failure is the user's to fix (permissions, a file in the way), not a bug."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from kzannotate.store.errors import ReadOnlyError

        raise ReadOnlyError(f"Cannot create the {what} folder {path} ({exc.strerror or exc}). "
                            "Set KZANNOTATE_HOME to a folder you can write to.") from exc
    return path


def data_dir() -> Path:
    """The user data folder (created on demand)."""
    return _ensure(_home_override() or platformdirs.user_data_path(APP_NAME, appauthor=False), "data")


def default_project_path() -> Path:
    return data_dir() / DEFAULT_PROJECT_NAME


def backups_dir() -> Path:
    return _ensure(data_dir() / "backups", "backups")


def log_dir() -> Path:
    home = _home_override()
    return _ensure(home / "logs" if home else platformdirs.user_log_path(APP_NAME, appauthor=False), "log")


def settings_file() -> Path | None:
    """An ini file for QSettings when KZANNOTATE_HOME is set; None means the platform default."""
    home = _home_override()
    return home / "settings.ini" if home else None


def resource(*parts: str) -> Traversable:
    """A file shipped in ``resources/`` (installed as the ``kzannotate.resources`` package)."""
    node = resources.files("kzannotate.resources")
    for part in parts:
        node = node / part
    return node


def seed(*parts: str) -> Traversable:
    node = resources.files("kzannotate.seeds")
    for part in parts:
        node = node / part
    return node
