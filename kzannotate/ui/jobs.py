"""Cooperative background work on the UI thread: long computations in slices of a few milliseconds.

Scanning a 5 MB source for mentions or repeated passages takes a few hundred milliseconds of pure Python.
A worker thread would not help (the GIL makes the reader wait for it at every paint), so such work is
written as a generator that yields now and then; ``Jobs`` advances it from a zero-delay timer for at most
``SLICE_SECONDS`` per turn of the event loop, so the window paints and answers input in between. Starting
a job under a key that is already running cancels the old one (its generator is closed), which is how a
source switch abandons the previous source's scan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("kzannotate")

SLICE_SECONDS = 0.012  # per turn of the event loop: leaves most of a 60 Hz frame for painting
FIRST_DELAY_MS = 16

Work = Generator[Any, None, Any]


class _Job:
    __slots__ = ("done", "gen", "key")

    def __init__(self, key: str, gen: Work, done: Callable[[Any], None] | None) -> None:
        self.key = key
        self.gen = gen
        self.done = done


class Jobs(QObject):
    """Named cooperative jobs; ``done(result)`` receives the generator's return value."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[str, _Job] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    def start(self, key: str, gen: Work, done: Callable[[Any], None] | None = None) -> None:
        """Run ``gen`` in slices; a job already running under ``key`` is cancelled first."""
        self.cancel(key)
        idle = not self._jobs
        self._jobs[key] = _Job(key, gen, done)
        if idle:
            # the first slice waits a frame, so a paint that is due (a source was just shown) goes first
            self._timer.start(FIRST_DELAY_MS)

    def cancel(self, key: str) -> None:
        job = self._jobs.pop(key, None)
        if job is not None:
            job.gen.close()

    def cancel_all(self) -> None:
        for key in list(self._jobs):
            self.cancel(key)

    def running(self, key: str) -> bool:
        return key in self._jobs

    def finish(self, key: str) -> bool:
        """Run a job to its end now (when its result is needed at once); False if there was none."""
        job = self._jobs.get(key)
        if job is None:
            return False
        while self._jobs.get(key) is job:
            self._step(job, deadline=None)
        return True

    def _tick(self) -> None:
        deadline = time.perf_counter() + SLICE_SECONDS
        for job in list(self._jobs.values()):
            if self._jobs.get(job.key) is not job:
                continue
            self._step(job, deadline)
            if time.perf_counter() >= deadline:
                break
        if self._jobs:
            self._timer.start(0)

    def _step(self, job: _Job, deadline: float | None) -> None:
        try:
            while True:
                next(job.gen)
                if deadline is not None and time.perf_counter() >= deadline:
                    return
        except StopIteration as stop:
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]
            if job.done is not None:
                job.done(stop.value)
        except Exception:  # a bug in one job: log it, the others go on
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]
            log.exception("Background job %s failed", job.key)
            raise
