"""A few rounds of the crash-safety torture test (100 run in ``make torture`` / ``make bench``)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import torture


def test_killed_annotator_loses_nothing(tmp_path: Path) -> None:
    report = torture.run_torture(5, tmp_path, seed=7, max_delay=0.25)
    assert len(report.rounds) == 5
    assert report.ok, report.problems
    assert report.rounds[-1].logged_adds > 0, "the child never got to annotate"


def test_checker_reports_a_lost_annotation(tmp_path: Path) -> None:
    """The check must be able to fail: a logged id that is not in the file is reported."""
    project = tmp_path / "p.kza"
    torture.make_project(project)
    log = tmp_path / "log"
    log.write_text("ready\nintent-add\nadd 00000000-lost\n", encoding="utf-8")
    logged, present, problems = torture.check(project, log)
    assert logged == 1 and present == 0
    assert problems and "missing" in problems[0]


def test_checker_allows_a_delete_cut_off_by_the_kill(tmp_path: Path) -> None:
    project = tmp_path / "p.kza"
    torture.make_project(project)
    log = tmp_path / "log"
    log.write_text("ready\nadd gone-1\nintent-del gone-1\nready\nintent-add\n", encoding="utf-8")
    assert torture.check(project, log)[2] == []


def test_checker_reports_a_damaged_file(tmp_path: Path) -> None:
    project = tmp_path / "p.kza"
    torture.make_project(project)
    data = project.read_bytes()
    project.write_bytes(data[:4096] + bytes(range(256)) * ((len(data) - 4096) // 256))  # scribbled pages
    (tmp_path / "log").write_text("ready\n", encoding="utf-8")
    problems = torture.check(project, tmp_path / "log")[2]
    assert problems
