"""Linux desktop integration: launcher, AppStream metadata, the .kza MIME type, icons, install script."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml import ElementTree

from kzannotate import __version__
from kzannotate.setup_project import create_project
from kzannotate.store.schema import APPLICATION_ID

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
APP_ID = "io.github.kzannotate.kzannotate"
MIME = "application/x-kzannotate-project"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
MIME_XML = PACKAGING / f"{APP_ID}.mime.xml"
SMI = "{http://www.freedesktop.org/standards/shared-mime-info}"


def desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_desktop_entry_keys():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "kzannotate"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "kzannotate" and entry["Exec"].split()[-1] in ("%f", "%F")
    assert entry["Terminal"] == "false"
    assert entry["MimeType"] == f"{MIME};"
    assert entry["Categories"].endswith(";") and entry["Keywords"].endswith(";")
    # Qt reports the window's class as the application name: the launcher must claim that window.
    assert entry["StartupWMClass"] == "kzannotate"


def test_desktop_file_name_matches_the_running_app(qtbot):
    """Wayland and GNOME match windows to launchers by this name; app.py must use the same id."""
    from PySide6.QtGui import QGuiApplication

    from kzannotate.ui.app import ensure_app

    ensure_app()
    assert QGuiApplication.desktopFileName() == APP_ID
    assert DESKTOP.is_file()


def test_desktop_file_validate():
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (apt-get install desktop-file-utils)")
    proc = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_metainfo_has_the_required_elements():
    root = ElementTree.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("name") == "kzannotate"
    assert root.findtext("summary")
    assert len(root.findall("description/p")) >= 1
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("provides/mediatype") == MIME
    assert root.findtext("provides/binary") == "kzannotate"
    assert root.find("content_rating") is not None
    # The newest release listed is the version being built (catches a forgotten metainfo on a bump).
    assert root.find("releases/release").get("version") == __version__


def test_appstreamcli_validate():
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli not installed (apt-get install appstream)")
    proc = subprocess.run([tool, "validate", "--no-net", "--pedantic", str(METAINFO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # No errors or warnings; infos only (e.g. tags newer than this appstreamcli knows).
    problems = [ln for ln in proc.stdout.splitlines() if ln.startswith(("E:", "W:"))]
    assert not problems, proc.stdout


def test_mime_type_glob_and_magic_match_the_store():
    root = ElementTree.parse(MIME_XML).getroot()
    (mime,) = root.findall(f"{SMI}mime-type")
    assert mime.get("type") == MIME
    assert mime.find(f"{SMI}glob").get("pattern") == "*.kza"
    assert mime.find(f"{SMI}sub-class-of").get("type") == "application/vnd.sqlite3"
    outer = mime.find(f"{SMI}magic/{SMI}match")
    assert (outer.get("type"), outer.get("offset"), outer.get("value")) == ("string", "0", "SQLite format 3")
    inner = outer.find(f"{SMI}match")
    assert (inner.get("type"), inner.get("offset")) == ("big32", "68")
    assert int(inner.get("value"), 16) == APPLICATION_ID


def test_a_real_project_has_the_magic(tmp_path):
    """The bytes the MIME magic looks for are really in a project file the store writes."""
    create_project(tmp_path / "p.kza").close()
    header = (tmp_path / "p.kza").read_bytes()[:100]
    assert header.startswith(b"SQLite format 3\0")
    assert struct.unpack(">I", header[68:72])[0] == APPLICATION_ID


def test_icons_exist_at_every_size(qtbot):
    from PySide6.QtGui import QImage

    for size in SIZES:
        png = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        image = QImage(str(png))
        assert not image.isNull(), png
        assert (image.width(), image.height()) == (size, size), png
        assert image.hasAlphaChannel()
    scalable = ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (ICONS / "kzannotate.svg").read_bytes(), "run packaging/make_icons.py"


def test_windows_and_macos_icon_files():
    ico = (ICONS / "kzannotate.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
    icns = (ICONS / "kzannotate.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic08" in icns and b"icp4" in icns


def _install(datadir: Path, *args: str, program: str = "/opt/kz apps/kzannotate") -> str:
    env = dict(os.environ, DATADIR=str(datadir), EXEC=program)
    proc = subprocess.run(["sh", str(PACKAGING / "install-desktop.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_install_script_installs_and_uninstalls(tmp_path):
    share = tmp_path / "share"
    _install(share)
    desktop = share / "applications" / DESKTOP.name
    text = desktop.read_text(encoding="utf-8")
    assert 'Exec="/opt/kz apps/kzannotate" %f' in text and "TryExec=/opt/kz apps/kzannotate" in text
    assert (share / "metainfo" / METAINFO.name).is_file()
    assert (share / "mime" / "packages" / f"{APP_ID}.xml").read_bytes() == MIME_XML.read_bytes()
    for size in SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    if shutil.which("update-mime-database"):
        assert f"{MIME}:*.kza" in (share / "mime" / "globs2").read_text()
    _install(share, "--uninstall")
    leftovers = [p for p in share.rglob(f"{APP_ID}*") if p.is_file()]
    assert not leftovers


def test_install_script_refuses_unsafe_exec(tmp_path):
    env = dict(os.environ, DATADIR=str(tmp_path), EXEC='/opt/"quoted"/kzannotate')
    proc = subprocess.run(["sh", str(PACKAGING / "install-desktop.sh")], env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and "must not contain" in proc.stderr
    assert not (tmp_path / "applications").exists()


DETECT = """
import sys
from PySide6.QtCore import QMimeDatabase
db = QMimeDatabase()
for name in sys.argv[1:]:
    print(db.mimeTypeForFile(name).name())
"""


def test_file_managers_recognise_projects_by_name_and_content(tmp_path):
    """With the MIME package installed, a .kza and a renamed project are both kzannotate projects and a
    plain SQLite file is not (Qt reads the same shared-mime-info database as file managers)."""
    if shutil.which("update-mime-database") is None:
        pytest.skip("update-mime-database not installed (apt-get install shared-mime-info)")
    share = tmp_path / "share"
    _install(share)
    create_project(tmp_path / "notes.kza").close()
    shutil.copy(tmp_path / "notes.kza", tmp_path / "renamed.bin")
    import sqlite3

    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    env = dict(os.environ, XDG_DATA_DIRS=f"{share}:/usr/share", QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", DETECT, "notes.kza", "renamed.bin", "other.db"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [MIME, MIME, "application/vnd.sqlite3"]


def test_window_icon_uses_the_hand_fitted_small_png(qtbot):
    from PySide6.QtGui import QImage

    from kzannotate.ui.app import app_icon

    icon = app_icon()
    small = icon.pixmap(16, 16).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    png = QImage(str(ICONS / "hicolor" / "16x16" / "apps" / f"{APP_ID}.png"))
    assert small == png.convertToFormat(QImage.Format.Format_ARGB32)
    assert not icon.pixmap(100, 100).isNull()  # other sizes come from the SVG
