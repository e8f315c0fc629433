"""The seeds corpus and the default codebook, and the default project made from them on first run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kzannotate import paths
from kzannotate.setup_project import DEFAULT_PROJECT_TITLE, create_project, open_default_project
from kzannotate.store import Project
from kzannotate.text.normalize import normalise_text

ROOT = Path(__file__).parent.parent
ENTRIES = json.loads((ROOT / "seeds" / "sources.json").read_text(encoding="utf-8"))["sources"]


def test_sources_json_describes_the_five_seed_files() -> None:
    files = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert len(files) == 5
    assert sorted(e["file"] for e in ENTRIES) == files
    for entry in ENTRIES:
        assert entry["title"].strip()
        assert entry["language"] == "en"
        if entry.get("published"):
            assert len(entry["published"]) == 10 and entry["published"][4] == "-"


def test_seed_texts_match_the_shared_originals() -> None:
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("the shared seeds folder is not next to this checkout")
    for entry in ENTRIES:
        assert (ROOT / "seeds" / entry["file"]).read_bytes() == (shared / entry["file"]).read_bytes()


def test_all_five_seeds_imported_with_metadata(seeds_project: Project) -> None:
    sources = [seeds_project.get_source(s.id) for s in seeds_project.list_sources()]
    by_file = {s.imported_from: s for s in sources}
    assert len(by_file) == 5
    for entry in ENTRIES:
        source = by_file[f"seeds/{entry['file']}"]
        assert source.title == entry["title"]
        for field in ("author", "outlet", "published", "url", "language", "reliability", "notes"):
            assert getattr(source, field) == entry.get(field), field
        raw = (ROOT / "seeds" / entry["file"]).read_text(encoding="utf-8")
        assert source.text == normalise_text(raw)  # byte for byte, noise included
        assert source.text.encode("utf-8") == normalise_text(raw).encode("utf-8")
    escobar = by_file["seeds/003_4c9573c04f8e7a8d.txt"]
    assert (escobar.author, escobar.published) == ("Pepe Escobar", "2022-01-06")


def test_default_codebook_loaded(seeds_project: Project) -> None:
    actors = {a.name: a for a in seeds_project.list_actors()}
    tokayev = actors["Kassym-Jomart Tokayev"]
    for alias in ("Tokayev", "Tokaev", "Kassym-Jomart", "Kassym-Zhomart", "Kasym-Jomart"):
        assert alias in tokayev.aliases
    nazarbayev = actors["Nursultan Nazarbayev"]
    for alias in ("Nazarbaev", "Narzabajev", "Elbasy", "Yelbasi", "the old man"):
        assert alias in nazarbayev.aliases
    assert "Massimov" in actors["Karim Masimov"].aliases
    names = " | ".join(actors)
    for expected in ("CSTO", "KNB", "Russia", "China", "Ablyazov", "Satybaldy", "Lukashenko", "Putin",
                     "Xi Jinping"):
        assert expected in names
    theories = {t.name: t for t in seeds_project.list_theories()}
    assert len(theories) >= 10
    children = [t for t in theories.values() if t.parent_id]
    assert children, "the theories form a tree"
    assert all(t.parent_id in {x.id for x in theories.values()} for t in children)
    colours = [t.color for t in theories.values()] + [a.color for a in actors.values()]
    assert all(c and c.startswith("#") and len(c) == 7 for c in colours)
    assert all(t.description for t in theories.values())


def test_default_project_created_on_first_run_and_reused(kza_home: Path) -> None:
    path = paths.default_project_path()
    assert path.parent == kza_home and not path.exists()
    with open_default_project() as project:
        assert project.path == path
        assert project.name == DEFAULT_PROJECT_TITLE
        assert project.info()["sources"] == 5
        first = project.add_source("An analyst's own note, added on the first day.", "My note")
    assert not list(kza_home.glob(".*.part*")), "no temporary files left behind"
    with open_default_project() as project:  # second run: the same file, with the user's work
        assert project.info()["sources"] == 6
        assert project.get_source(first.id).title == "My note"


def test_new_project_with_seeds_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kzannotate.setup_project as setup

    def broken_codebook() -> dict:
        raise RuntimeError("resource missing")

    monkeypatch.setattr(setup, "default_codebook", broken_codebook)
    target = tmp_path / "seeded.kza"
    with pytest.raises(RuntimeError):
        create_project(target, seeds=True)
    assert list(tmp_path.iterdir()) == [], "a failed creation leaves no half-made project"
