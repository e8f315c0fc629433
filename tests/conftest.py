"""Shared fixtures. Every test runs with KZANNOTATE_HOME in a temp dir and Qt offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kzannotate.setup_project import create_project  # noqa: E402
from kzannotate.store import Project  # noqa: E402


@pytest.fixture(autouse=True)
def kza_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("KZANNOTATE_HOME", str(home))
    return home


@pytest.fixture
def project(tmp_path: Path):
    """An empty project."""
    p = Project.create(tmp_path / "test.kza")
    yield p
    p.close()


@pytest.fixture(scope="session")
def _seeds_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeds") / "seeds.kza"
    create_project(path, seeds=True).close()
    return path


@pytest.fixture
def seeds_project(tmp_path: Path, _seeds_template: Path):
    """A project with the five seeds and the default codebook (copied from a session template: fast)."""
    import shutil

    path = tmp_path / "seeds.kza"
    shutil.copy(_seeds_template, path)
    p = Project.open(path)
    yield p
    p.close()
