"""Start-up: the kzannotate window on the default project vs a bare PySide6 QMainWindow (goal ≤ 1.5×)."""

from __future__ import annotations

import subprocess
import sys

from benchmarks.common import ROOT, env_for, median, row, time_script
from benchmarks.probes import BARE_STARTUP, KZA_STARTUP

GOAL_RATIO = 1.5

PROFILE_STARTUP = """
import cProfile, pstats, io, sys
prof = cProfile.Profile()
prof.enable()
try:
    exec(compile(sys.argv[1], "<startup>", "exec"))
except SystemExit:
    pass
prof.disable()
buf = io.StringIO()
pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
print(buf.getvalue())
"""


def _profile(home) -> str:
    proc = subprocess.run([sys.executable, "-c", PROFILE_STARTUP, KZA_STARTUP], cwd=ROOT, env=env_for(home),
                          capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip() and not ln.startswith("RESULT")]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    return "\n".join(lines[start:start + 26])


def _compile_bytecode() -> None:
    """An installed kzannotate has its bytecode compiled (pip does it on install); a source checkout run with
    PYTHONDONTWRITEBYTECODE would compile ~100 modules on every start, which a user never pays."""
    import compileall

    compileall.compile_dir(str(ROOT / "kzannotate"), quiet=1)


def run(ctx) -> list[dict]:
    _compile_bytecode()
    home = ctx.scratch("startup-home")
    time_script(KZA_STARTUP, home=home)  # first run creates the default project (not measured)
    repeats = 3 if ctx.quick else 7
    bare, kza = [], []
    for _ in range(repeats):  # interleaved, so background load affects both alike
        bare.append(time_script(BARE_STARTUP))
        kza.append(time_script(KZA_STARTUP, home=home))
    b, k = median(bare), median(kza)
    ok = k <= GOAL_RATIO * b
    return [row("Start-up to the shown main window (default project)", k, "s", f"≤ {GOAL_RATIO}× baseline",
                baseline={"name": "bare PySide6 QMainWindow script", "value": b}, ok=ok,
                note=f"median of {repeats} runs each, interleaved; fresh interpreter each time, bytecode "
                     "compiled beforehand (as installed)",
                profile=None if ok else _profile(home))]
