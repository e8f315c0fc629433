"""Helpers shared by the bench modules: running probes in fresh processes, and result rows.

A bench module ``benchmarks/bench_*.py`` exposes ``run(ctx: BenchContext) -> list[dict]``; each dict is
``{"name", "value", "unit", "target", "baseline": None, "ok": None, "note": None, "profile": None}``:
``target`` is readable text ("< 0.5 s", "≤ 3× baseline"), ``baseline`` a number in the same unit or
``{"name": ..., "value": ...}`` measured in the same run, ``ok`` whether the target was met (None: no
target), ``profile`` the top profile entries explaining a miss.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def env_for(home: Path | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), **extra)
    env.pop("PYTHONSTARTUP", None)
    if home is not None:
        env["KZANNOTATE_HOME"] = str(home)
    return env


class ProbeTimeout(RuntimeError):
    """A probe ran past its cap; ``stack`` is where it was stuck (faulthandler's dump)."""

    def __init__(self, what: str, cap: float, stack: str) -> None:
        super().__init__(f"{what} did not finish within {cap:.0f} s")
        self.cap = cap
        self.stack = stack


def _parse(proc: subprocess.CompletedProcess, what: str) -> dict[str, Any]:
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    if "Timeout (" in proc.stderr:
        stack = proc.stderr[proc.stderr.index("Timeout ("):]
        lines = [ln for ln in stack.splitlines() if "importlib" not in ln and "<frozen" not in ln]
        raise ProbeTimeout(what, 0, "\n".join(lines[:30]))
    raise RuntimeError(f"{what} printed no result (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def run_probe(name: str, args: dict[str, Any] | None = None, *, home: Path | None = None,
              timeout: float = 300) -> dict[str, Any]:
    """Run ``benchmarks.probes`` NAME in a new interpreter and return its result dict."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.probes", name, json.dumps(args or {})],
                          cwd=ROOT, env=env_for(home), capture_output=True, text=True, timeout=timeout)
    try:
        return _parse(proc, f"probe {name}")
    except ProbeTimeout as exc:
        exc.cap = float((args or {}).get("cap_seconds", 120))
        raise


def time_script(code: str, *, home: Path | None = None, timeout: float = 120) -> float:
    """Seconds from spawning ``python -c code`` until it reports ``{"shown": time.time()}``."""
    start = time.time()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env_for(home), capture_output=True,
                          text=True, timeout=timeout)
    return _parse(proc, "script")["shown"] - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def row(name: str, value: float, unit: str, target: str | None = None, *, baseline: Any = None,
        ok: bool | None = None, note: str | None = None, profile: str | None = None) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "target": target, "baseline": baseline, "ok": ok,
            "note": note, "profile": profile}
