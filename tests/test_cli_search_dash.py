"""``kzannotate search p.kza -Tokayev``: a leading "-" is literal text (the search has no NOT), not an option."""

from __future__ import annotations

import json

import pytest

from kzannotate.cli import main


@pytest.fixture
def seeds_path(seeds_project):
    path = seeds_project.path
    seeds_project.close()  # the command opens it itself
    return path


def _hits(capsys, argv) -> list[dict]:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_a_query_starting_with_a_dash_finds_the_word(seeds_path, capsys):
    plain = _hits(capsys, ["search", str(seeds_path), "Tokayev", "--json"])
    assert plain and all(h["text"].casefold() == "tokayev" for h in plain)
    assert _hits(capsys, ["search", str(seeds_path), "-Tokayev", "--json"]) == plain
    assert _hits(capsys, ["search", str(seeds_path), "--json", "-Tokayev"]) == plain
    # after --, even --json is a query word: "tokayev json" occurs nowhere, and the output is text
    assert main(["search", str(seeds_path), "--", "-Tokayev", "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("0 hits")


def test_text_output_for_a_dash_query(seeds_path, capsys):
    assert main(["search", str(seeds_path), "-Tokayev"]) == 0
    captured = capsys.readouterr()
    assert "Tokayev" in captured.out and "hits in" in captured.err and "error" not in captured.err


def test_several_words_are_one_query(seeds_path, capsys):
    phrase = _hits(capsys, ["search", str(seeds_path), "colour revolution", "--json"])
    assert phrase
    assert _hits(capsys, ["search", str(seeds_path), "colour", "revolution", "--json"]) == phrase
    assert _hits(capsys, ["search", str(seeds_path), "-colour", "-revolution", "--json"]) == phrase


def test_options_and_usage_still_work(seeds_path, capsys):
    assert main(["search", str(seeds_path), "-h"]) == 0
    assert "QUERY" in capsys.readouterr().out
    assert main(["search", str(seeds_path)]) == 2
    assert main(["search", str(seeds_path), "--"]) == 2
    assert main(["search", "--bogus", str(seeds_path), "x"]) == 2  # before the project: a real unknown option
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    assert isinstance(_hits(capsys, ["search", str(seeds_path), "Tokayev", "--js"]), list)  # abbreviation
