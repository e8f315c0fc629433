"""``kzannotate --self-check``: prove an installed or frozen build works end to end, without a display.

Packaged builds fail in ways unit tests never see (a data file or plugin left out of the bundle), so this
walks the paths a first session takes: bundled seeds and codebook, the SQLite store (create, read back,
delete an annotation), the web-page importer (trafilatura, lxml, charset-normalizer data), and the main
window with every feature module, offscreen. Nothing touches the user's own data: the project, settings
and KZANNOTATE_HOME all live in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SAMPLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Self-check page</title></head>
<body><article><h1>Self-check page</h1>
<p>Protesters gathered in Almaty on 5 January 2022 after the price of liquefied gas doubled overnight.</p>
<p>The government resigned the same day; the president later asked the CSTO for help.</p>
</article></body></html>
"""


class SelfCheckFailed(Exception):
    """A check whose outcome was wrong (as opposed to one that raised)."""


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SelfCheckFailed(message)


@contextmanager
def _temporary_home(folder: Path) -> Iterator[None]:
    """Point KZANNOTATE_HOME (data, backups, logs, settings) at ``folder`` for the duration."""
    old = os.environ.get("KZANNOTATE_HOME")
    os.environ["KZANNOTATE_HOME"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("KZANNOTATE_HOME", None)
        else:
            os.environ["KZANNOTATE_HOME"] = old


def _check_store(folder: Path):
    """Seeds project; one annotation created, read back and deleted. Returns the open project."""
    from kzannotate.setup_project import create_project, seed_entries
    from kzannotate.store.errors import NotFoundError

    project = create_project(folder / "self-check.kza", seeds=True, name="self-check")
    try:
        info = project.info()
        _expect(info["sources"] == len(seed_entries()) > 0,
                f"expected {len(seed_entries())} seed sources, found {info['sources']}")
        actors, theories = project.list_actors(), project.list_theories()
        _expect(bool(actors) and bool(theories), "the default codebook has no actors or theories")
        source = project.get_source(project.list_sources()[0].id)
        end = min(40, len(source.text))
        made = project.add_annotation(source.id, 0, end, actor_ids=[actors[0].id],
                                      theories={theories[0].id: "supports"}, reliability="B",
                                      credibility=2, note="self-check")
        back = project.get_annotation(made.id)
        _expect((back.source_id, back.start, back.end, back.quote) == (source.id, 0, end, source.text[:end]),
                "the annotation read back does not match the one written")
        _expect(back.actor_ids == (actors[0].id,) and back.theories == ((theories[0].id, "supports"),),
                "the annotation's actor or theory links were not stored")
        _expect((back.reliability, back.credibility, back.note) == ("B", 2, "self-check"),
                "the annotation's rating or note was not stored")
        project.delete_annotation(made.id)
        try:
            project.get_annotation(made.id)
        except NotFoundError:
            pass
        else:
            raise SelfCheckFailed("the deleted annotation is still in the project")
        _expect(project.annotation_count() == 0, "annotations left over after deleting")
    except BaseException:
        project.close()
        raise
    return project


def _check_import(project, folder: Path) -> None:
    from kzannotate.text.importer import import_files

    page = folder / "self-check.html"
    page.write_text(SAMPLE_PAGE, encoding="utf-8")
    (result,) = import_files(project, [page])
    _expect(result.ok, f"importing a web page failed: {result.line()}")
    text = project.get_source(result.source_id).text
    _expect("liquefied gas" in text, "the imported web page lost its article text")


def self_check() -> int:
    """Run every check; print "self-check ok" and return 0, or print what failed and return 1."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    step = "start"
    project = None
    try:
        with tempfile.TemporaryDirectory(prefix="kzannotate-self-check-") as tmp:
            folder = Path(tmp)
            with _temporary_home(folder / "home"):
                try:
                    step = "seeds and store"
                    project = _check_store(folder)
                    step = "web page import"
                    _check_import(project, folder)
                    step = "main window"
                    from kzannotate.ui.selfcheck import check_window  # Qt stays inside kzannotate/ui

                    check_window(project, folder)  # the window closes the project
                    project = None
                finally:
                    if project is not None:
                        project.close()
    except SelfCheckFailed as exc:
        print(f"self-check failed ({step}): {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a missing module or data file in a bundle lands here
        print(f"self-check failed ({step}): {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return 1
    print("self-check ok")
    return 0
