"""The sdist and wheel carry resources and seeds, and an installed wheel works away from the repository.

Builds with ``python -m build`` (sdist, then the wheel from the sdist, as pip and distributions do),
installs the wheel into a fresh virtual environment (no system site-packages, dependencies from the
package index) and runs it from a temporary folder, so nothing can be found through the source tree.
Takes about half a minute with a warm index; skipped only when there is no network.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kzannotate import __version__

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(600)


def _index_reachable() -> bool:
    """Whether pip's index (PIP_INDEX_URL or PyPI) answers at all."""
    host = urlparse(os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple").hostname or "pypi.org"
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError:
        return False
    return True


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _tail(proc: subprocess.CompletedProcess) -> str:
    return f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _repo_files(folder: str) -> set[str]:
    """Files under ``folder`` that belong in a distribution (no caches)."""
    base = ROOT / folder
    return {p.relative_to(base).as_posix() for p in base.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    proc = _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=out, timeout=400)
    if proc.returncode != 0:
        if not _index_reachable():
            pytest.skip("no network: python -m build fetches setuptools from the package index")
        pytest.fail(f"python -m build failed:\n{_tail(proc)}")
    (wheel,) = out.glob("kzannotate-*.whl")
    (sdist,) = out.glob("kzannotate-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_wheel_carries_every_module_resource_and_seed(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    expected = {f"kzannotate/resources/{f}" for f in _repo_files("resources")}
    expected |= {f"kzannotate/seeds/{f}" for f in _repo_files("seeds")}
    expected |= {f"kzannotate/{f}" for f in _repo_files("kzannotate") if f.endswith(".py")}
    assert not expected - names, f"missing from the wheel: {sorted(expected - names)}"
    assert "kzannotate/resources/codebook/kazakhstan-2022.json" in names
    assert "kzannotate/resources/icons/hicolor/16x16/apps/io.github.kzannotate.kzannotate.png" in names
    assert "kzannotate/seeds/sources.json" in names
    dist_info = f"kzannotate-{__version__}.dist-info"
    assert "kzannotate = kzannotate.cli:main" in zipfile.ZipFile(dists["wheel"]).read(
        f"{dist_info}/entry_points.txt").decode()
    assert any(n.startswith(dist_info) and n.endswith("LICENSE") for n in names)


def test_sdist_carries_resources_seeds_and_desktop_files(dists):
    with tarfile.open(dists["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    expected = {f"resources/{f}" for f in _repo_files("resources")} | {f"seeds/{f}" for f in _repo_files("seeds")}
    expected |= {"LICENSE", "pyproject.toml", "packaging/kzannotate.spec", "packaging/install-desktop.sh",
                 "packaging/io.github.kzannotate.kzannotate.desktop",
                 "packaging/io.github.kzannotate.kzannotate.metainfo.xml",
                 "packaging/io.github.kzannotate.kzannotate.mime.xml"}
    assert not expected - names, f"missing from the sdist: {sorted(expected - names)}"


CHECK_INSTALLED = r"""
import json, sys
from importlib import resources
import kzannotate
from kzannotate import paths, setup_project
codebook = resources.files("kzannotate.resources") / "codebook" / "kazakhstan-2022.json"
entries = setup_project.seed_entries()
print(json.dumps({
    "module": kzannotate.__file__,
    "codebook_file": codebook.is_file(),
    "actors": len(setup_project.default_codebook()["actors"]),
    "seeds": len(entries),
    "seed_files": all(paths.seed(e["file"]).is_file() for e in entries),
    "icon": paths.resource("icons", "kzannotate.svg").is_file(),
    "sys_path_has_repo": any(p and p.rstrip("/") == sys.argv[1].rstrip("/") for p in sys.path),
}))
"""


def test_installed_wheel_works_outside_the_repository(dists, tmp_path):
    venv = tmp_path / "venv"
    proc = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    assert proc.returncode == 0, _tail(proc)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    proc = _run([str(python), "-m", "pip", "install", "--quiet", str(dists["wheel"])], cwd=tmp_path, timeout=500)
    if proc.returncode != 0:
        if not _index_reachable():
            pytest.skip("no network: installing the wheel needs its dependencies from the package index")
        pytest.fail(f"pip install of the wheel failed:\n{_tail(proc)}")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", KZANNOTATE_HOME=str(tmp_path / "home"))
    proc = _run([str(python), "-c", CHECK_INSTALLED, str(ROOT)], cwd=tmp_path, env=env)
    assert proc.returncode == 0, _tail(proc)
    found = json.loads(proc.stdout)
    assert Path(found["module"]).resolve().is_relative_to(venv.resolve()), found["module"]
    assert not found["sys_path_has_repo"]
    assert found["codebook_file"] and found["actors"] > 0
    assert found["seeds"] == 5 and found["seed_files"]
    assert found["icon"]

    kzannotate = str(bindir / "kzannotate")
    proc = _run([kzannotate, "--version"], cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"kzannotate {__version__}"), _tail(proc)
    proc = _run([kzannotate, "new", "sample.kza", "--seeds"], cwd=tmp_path, env=env)
    assert proc.returncode == 0, _tail(proc)
    proc = _run([kzannotate, "info", "sample.kza", "--json"], cwd=tmp_path, env=env)
    assert proc.returncode == 0, _tail(proc)
    assert json.loads(proc.stdout)["sources"] == 5
    # The whole app, window included, from the installed files only.
    proc = _run([kzannotate, "--self-check"], cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stdout.strip()) == (0, "self-check ok"), _tail(proc)
