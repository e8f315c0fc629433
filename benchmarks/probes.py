"""Measurements that need a fresh process (start-up, peak memory): ``python -m benchmarks.probes NAME JSON``.

Each probe prints one line ``RESULT {json}``. With ``"profile": true`` in its arguments, a probe wraps the
measured part in cProfile and adds the top entries, which docs/performance.md shows for a missed target.
Keep imports inside the probes: what a probe imports is part of what it measures.
"""

from __future__ import annotations

import json
import sys
import time

BARE_STARTUP = """
import sys, time, json
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow()
w.resize(1280, 800)
w.setWindowTitle("bare")
w.show()
def shown():
    print("RESULT " + json.dumps({"shown": time.time()}), flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

KZA_STARTUP = """
import sys, time, json
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
_exec = QApplication.exec
def _exec_and_report(*args):
    app = QApplication.instance()
    def shown():
        print("RESULT " + json.dumps({"shown": time.time()}), flush=True)
        app.quit()
    QTimer.singleShot(0, shown)
    return _exec()
QApplication.exec = _exec_and_report
import os, traceback
import kzannotate.ui.app as _kapp
def _bug(parent, exc_type, exc, tb):  # a benchmark must fail loudly, not wait on a modal dialog
    traceback.print_exception(exc_type, exc, tb)
    os._exit(3)
_kapp.show_bug = _bug
from kzannotate.cli import main
raise SystemExit(main([]))
"""


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _profiled(args: dict, func):
    """Run ``func()``; with profiling requested, also return the top cumulative entries."""
    if not args.get("profile"):
        return func(), None
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(func)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return result, "\n".join(lines[start:start + 26])


class _PaintWatch:
    """Notes when a widget receives a paint event."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QObject

        class Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
                if event.type() == QEvent.Type.Paint:
                    watch.painted = True
                return False

        watch = self
        self.painted = False
        self._filter = Filter()
        widget.installEventFilter(self._filter)

    def wait(self, app, timeout: float = 30.0) -> bool:
        deadline = time.perf_counter() + timeout
        while not self.painted and time.perf_counter() < deadline:
            app.processEvents()
        return self.painted


def _window():
    from kzannotate.ui.app import ensure_app, make_settings, setup_logging
    from kzannotate.ui.main_window import MainWindow

    app = ensure_app()
    setup_logging()
    window = MainWindow(make_settings())
    window.show()
    app.processEvents()
    return app, window


def probe_open_big(args: dict) -> dict:
    """Switch the reader from a small seed to the 5 MB source: time until painted, and peak memory."""
    from kzannotate.store import Project

    app, window = _window()
    project = Project.open(args["path"])
    window.set_project(project)
    small = next(s.id for s in project.list_sources() if s.id != args["source_id"])
    window.show_source(small)
    app.processEvents()
    watch = _PaintWatch(window.source_view.viewport())

    def show() -> None:
        watch.painted = False
        window.source_panel.select(args["source_id"])
        if window.current_source_id != args["source_id"]:
            window.show_source(args["source_id"])
        watch.wait(app)

    t0 = time.perf_counter()
    _, profile = _profiled(args, show)
    elapsed = time.perf_counter() - t0
    painted = watch.painted
    stall, settled = _settle(app, window)
    return {"seconds": elapsed, "painted": painted, "rss_mb": _rss_mb(), "profile": profile,
            "max_stall_ms": stall * 1000, "settled_seconds": settled}


def _settle(app, window, cap: float = 60.0) -> tuple[float, float]:
    """After the first paint: run the event loop until the background work (remaining annotations, mentions,
    repeated passages) is done; return the longest single turn of the loop (a stall the user would feel)
    and how long it all took."""
    from kzannotate.ui.jobs import Jobs

    jobs = window.findChildren(Jobs)
    start = time.perf_counter()
    longest = 0.0
    idle_turns = 0
    while time.perf_counter() - start < cap and idle_turns < 20:
        t = time.perf_counter()
        app.processEvents()
        longest = max(longest, time.perf_counter() - t)
        busy = any(j._jobs for j in jobs)
        idle_turns = 0 if busy else idle_turns + 1
        if busy:
            continue
        time.sleep(0.005)
    return longest, time.perf_counter() - start


def probe_open_big_bare(args: dict) -> dict:
    """Baseline: a bare QPlainTextEdit showing the same text."""
    import sqlite3

    from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

    conn = sqlite3.connect(args["path"])
    text = conn.execute("SELECT text FROM sources WHERE id = ?", (args["source_id"],)).fetchone()[0]
    conn.close()
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    edit = QPlainTextEdit()
    edit.setReadOnly(True)
    window.setCentralWidget(edit)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    watch = _PaintWatch(edit.viewport())
    t0 = time.perf_counter()
    watch.painted = False
    edit.setPlainText(text)
    watch.wait(app)
    return {"seconds": time.perf_counter() - t0, "painted": watch.painted, "rss_mb": _rss_mb()}


def probe_open_million(args: dict) -> dict:
    """Open a 1,000,000-annotation project: the store's open + list, and the window showing it."""
    t0 = time.perf_counter()
    from kzannotate.store import Project

    def store_open():
        project = Project.open(args["path"])
        return project, project.list_sources()

    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    (project, sources), profile_store = _profiled(args, store_open)
    store_seconds = time.perf_counter() - t1
    project.close()
    app, window = _window()

    def window_open() -> None:
        window.set_project(Project.open(args["path"]))
        watch = _PaintWatch(window.source_view.viewport())
        window.source_view.viewport().update()
        watch.wait(app)

    t2 = time.perf_counter()
    _, profile_window = _profiled(args, window_open)
    window_seconds = time.perf_counter() - t2
    return {"store_seconds": store_seconds, "import_seconds": t_import, "sources": len(sources),
            "window_seconds": window_seconds, "rss_mb": _rss_mb(), "profile_store": profile_store,
            "profile_window": profile_window}


def probe_million_raw(args: dict) -> dict:
    """Baseline: plain sqlite3 connect and the same listing query, no kzannotate."""
    import sqlite3

    t0 = time.perf_counter()
    conn = sqlite3.connect(args["path"])
    rows = conn.execute(
        "SELECT s.id, s.title, length(s.text), (SELECT count(*) FROM annotations a WHERE a.source_id = s.id) "
        "FROM sources s ORDER BY s.title COLLATE NOCASE").fetchall()
    conn.close()
    return {"seconds": time.perf_counter() - t0, "sources": len(rows)}


PROBES = {name[len("probe_"):]: func for name, func in globals().items() if name.startswith("probe_")}


def main(argv: list[str]) -> int:
    import faulthandler

    name, raw = argv[0], (argv[1] if len(argv) > 1 else "{}")
    # A probe that hangs prints where it is stuck (the stack is the profile of a missed target) and exits.
    faulthandler.dump_traceback_later(float(json.loads(raw).get("cap_seconds", 120)), exit=True)
    result = PROBES[name](json.loads(raw))
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
