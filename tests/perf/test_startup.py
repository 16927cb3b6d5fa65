"""Start-up time of the GUI against a bare PySide6 window (run with ``make perf``).

Both are measured the same way, in fresh subprocesses on the offscreen platform: from
spawning the interpreter to the line it prints once its window is shown. The database is
the scale-100 one of tests/perf/test_archive_perf.py when it was built, else a fresh demo.
No threshold is asserted; the figures and their ratio are printed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.perf.figures import record
from tests.perf.test_archive_perf import DB as BIG

ROUNDS = 5
BARE = """
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
window = QWidget()
window.show()
app.processEvents()
print("shown", flush=True)
"""


def times_of_lines(command: list[str], markers: tuple[str, ...], env: dict[str, str]) -> list[float]:
    """Seconds from spawning ``command`` to the first line containing each marker."""
    start = time.perf_counter()
    seen: dict[str, float] = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, env=env) as process:
        assert process.stdout is not None
        for line in process.stdout:
            for marker in markers:
                if marker in line and marker not in seen:
                    seen[marker] = time.perf_counter() - start
        assert process.wait(timeout=60) == 0
    assert set(seen) == set(markers), f"{command} printed only {sorted(seen)}"
    return [seen[marker] for marker in markers]


def medians(command: list[str], markers: tuple[str, ...], env: dict[str, str]) -> list[float]:
    times_of_lines(command, markers, env)  # warm the file cache
    runs = [times_of_lines(command, markers, env) for _ in range(ROUNDS)]
    return [statistics.median(run[i] for run in runs) for i in range(len(markers))]


def test_login_window_start_up_against_bare_pyside6(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DESK_LOG_DIR": str(tmp_path)}
    # As installed (pip writes bytecode) or frozen: modules load compiled, not from source
    # at every start (the first, unmeasured run of each writes the cache).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if BIG.exists():
        url = f"sqlite:///{BIG}"
    else:
        url = f"sqlite:///{tmp_path / 'perf.db'}"
        subprocess.run([sys.executable, "-m", "desk_app", "--db", url, "demo"], check=True,
                       env=env, stdout=subprocess.DEVNULL)
    (bare,) = medians([sys.executable, "-c", BARE], ("shown",), env)
    gui_env = {**env, "DESK_EXIT_AFTER_LOGIN_SHOWN": "1"}
    login, ready = medians([sys.executable, "-m", "desk_app", "--db", url],
                           ("login shown", "database open"), gui_env)
    print(f"\ndatabase {url}")
    record("process start -> sign-in window shown", login * 1000, bare * 1000, goal=1.5)
    record("process start -> database open, sign-in possible", ready * 1000, bare * 1000)
