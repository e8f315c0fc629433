"""``restore_source_fields``: undo's way to put metadata back as it was, in one transaction."""

from __future__ import annotations

import pytest

from kzannotate.store import Project
from kzannotate.store.errors import NotFoundError, ValidationError

TEXT = "Protests began in Zhanaozen.\nTokayev called in the CSTO."


def test_restores_values_an_edit_would_refuse(project: Project) -> None:
    src = project.add_source(TEXT, "Unrest", published="Winter 2022")
    project.update_source(src.id, published="2022-01-05", author="A. Author")
    changes = []
    project.subscribe(changes.append)
    statements: list[str] = []
    project.conn.set_trace_callback(statements.append)
    project.restore_source_fields(src.id, {"published": "Winter 2022", "author": None})
    project.conn.set_trace_callback(None)
    got = project.get_source(src.id)
    assert (got.published, got.author) == ("Winter 2022", None)
    assert sum(s.startswith("BEGIN") for s in statements) == 1
    assert [(c.kind, c.ids) for c in changes] == [("source", (src.id,))]


def test_refuses_unknown_fields_and_missing_sources(project: Project) -> None:
    src = project.add_source(TEXT, "Unrest")
    with pytest.raises(ValidationError):
        project.restore_source_fields(src.id, {"text": "other"})
    with pytest.raises(NotFoundError):
        project.restore_source_fields("no-such-id", {"title": "x"})
