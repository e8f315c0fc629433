"""Annotate all mentions signs the annotations: the first time, it asks for the annotator's name once."""

from __future__ import annotations

import pytest

from kzannotate.ui import annotating, codebook_dialogs, codebook_dock
from kzannotate.ui.app import make_settings
from kzannotate.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture
def window(qtbot, seeds_project, monkeypatch):
    monkeypatch.setattr(codebook_dock.CodebookFeature, "report", lambda self, exc: pytest.fail(str(exc)))
    monkeypatch.setattr(codebook_dialogs, "confirm_annotate_all", lambda parent, text, repeated: (True, True))
    w = MainWindow(make_settings())
    qtbot.addWidget(w)
    w.set_project(seeds_project)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    assert w.settings.value("annotator") is None  # a first annotation: the name was never asked
    return w


def _feature(window) -> codebook_dock.CodebookFeature:
    return next(f for f in window.features if isinstance(f, codebook_dock.CodebookFeature))


def _annotators(project) -> list:
    return [r[0] for r in project.conn.execute("SELECT annotator FROM annotations")]


def test_first_annotate_all_asks_the_name_once_and_signs_every_annotation(window, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(annotating, "ask_annotator", lambda parent, suggestion: asked.append(1) or "Aigerim")
    project, feat = window.project, _feature(window)
    made = feat.annotate_all(project.actor_by_name("Kassym-Jomart Tokayev").id, True)
    assert made > 0 and asked == [1]
    assert _annotators(project) == ["Aigerim"] * made
    more = feat.annotate_all(project.actor_by_name("Nursultan Nazarbayev").id, True)
    assert more > 0 and asked == [1], "the name is asked only once"
    assert set(_annotators(project)) == {"Aigerim"}
    assert window.settings.value("annotator") == "Aigerim"


def test_cancelling_the_name_question_creates_nothing(window, monkeypatch) -> None:
    monkeypatch.setattr(annotating, "ask_annotator", lambda parent, suggestion: None)
    project = window.project
    assert _feature(window).annotate_all(project.actor_by_name("Kassym-Jomart Tokayev").id, True) == 0
    assert project.annotation_count() == 0
    assert window.settings.value("annotator") is None


def test_declining_the_confirmation_does_not_ask_the_name(window, monkeypatch) -> None:
    monkeypatch.setattr(codebook_dialogs, "confirm_annotate_all", lambda parent, text, repeated: (False, False))
    monkeypatch.setattr(annotating, "ask_annotator", lambda parent, suggestion: pytest.fail("asked"))
    project = window.project
    assert _feature(window).annotate_all(project.actor_by_name("Kassym-Jomart Tokayev").id, True) == 0
    assert project.annotation_count() == 0
