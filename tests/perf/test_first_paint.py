"""Sign-in to the first rows of a register on screen, at demo scale 100 (issue 17).

Measured in this process on the offscreen platform, from the moment the password was
accepted (the password check itself, argon2 at the product's cost, is printed apart: it is
meant to take its time) to the first paint of the register's table with rows in it:

- ours: the main window is built and shown (its first page, Today, painted), then the
  page of the register is opened, as a user clicking it at once;
- baseline: a bare ``QMainWindow`` with a ``QTableView`` over a minimal table model that
  reads the same first 200 rows and the row count with one ``sqlite3`` connection set up
  as the app's (tests/perf/figures.raw_sqlite).

Medians of ``DESK_PERF_REPEAT`` (default 3) fresh windows each. No threshold is asserted.

Two settings. *Warm*: repeated windows in this process (as at a switch of user), against a
warm bare table: ~13 ms. *First sign-in*: each in a fresh process (as a user starting the
app, which is when the issue's bare 0.07 s was taken): ours runs the real ``Session`` — its
sign-in window shown and the database opened, then the sign-in accepted (the password
check left out, as above), the main window built and the register opened; the bare one
shows a small dialog (the same font installed, standing in for the sign-in window) and then
opens its window over raw sqlite3. The goal is held against the first sign-in; the warm
figures are printed beside it.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QTableView

from desk_app.domain.manifest import pages_for
from desk_app.ui.main_window import MainWindow
from tests.perf.figures import record
from tests.perf.paint_probe import bare, painted_at, table_of
from tests.perf.test_archive_perf import DB, big_desk  # noqa: F401 (the fixture)

REPEAT = int(os.environ.get("DESK_PERF_REPEAT", "3"))
GOAL = 2.0


def _ours(app: QApplication, desk, actor, register: str) -> tuple[float, float]:
    """(ms to the main window shown with its first page painted, ms to the register's rows)."""
    started = time.perf_counter()
    window = MainWindow(desk, actor, idle_ms=3_600_000)
    window.resize(1100, 720)
    window.show()
    first = window.stack.currentWidget()
    today_table = first.findChild(QTableView) or first
    shown = painted_at(app, today_table) if isinstance(today_table, QTableView) else None
    if shown is None:
        while not first.isVisible():
            app.processEvents()
        app.processEvents()
        shown = time.perf_counter()
    window.show_area(register)
    painted = painted_at(app, table_of(window, register))
    window.close()
    window.deleteLater()
    app.processEvents()
    gc.collect()
    return (shown - started) * 1000, (painted - started) * 1000


def _median(measure: Callable[[], Any]) -> Any:
    measure()  # warm the file cache for both alike
    runs = [measure() for _ in range(REPEAT)]
    if isinstance(runs[0], tuple):
        return tuple(statistics.median(run[i] for run in runs) for i in range(len(runs[0])))
    return statistics.median(runs)


# Who signs in for each figure: a clerk's Loans page opens on Circulation (the Open tab is a
# second click, and both are in the figure); a manager's opens on the Open register.
FIGURES = [("archive", "wangfang"), ("loans", "wangfang"), ("loans", "zhangwei"),
           ("audit", "admin")]

# Each prints the milliseconds from the sign-in accepted (ours) or the dialog closed (bare)
# to the register's first rows painted; argv: register, database path, user.
FIRST_SIGN_IN = """
import sys, time
from tests.perf.paint_probe import painted_at, table_of
from desk_app.ui.app import Session, install_cjk_font, make_application
register, path, user = sys.argv[1:4]
app = make_application()
install_cjk_font()
session = Session(f"sqlite:///{path}", idle_ms=3_600_000)
session.start()
while session.desk is None or session.login is None or not session.login.isVisible():
    app.processEvents()
typing = time.perf_counter() + 2  # a user types a name and a password (the app may work)
while time.perf_counter() < typing:
    app.processEvents()
dialog = session.login
dialog.actor = session.desk.auth.login(user, "demo1234")
started = time.perf_counter()
dialog.accept()
session.window.show_area(register)
painted = painted_at(app, table_of(session.window, register))
print("ms", (painted - started) * 1000, flush=True)
"""
BARE_FIRST = """
import sys, time
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout
from tests.perf.paint_probe import bare
from desk_app.ui.app import install_cjk_font, make_application
register = sys.argv[1]
app = make_application()
install_cjk_font()
dialog = QDialog()
QVBoxLayout(dialog).addWidget(QLineEdit())
dialog.show()
while not dialog.isVisible():
    app.processEvents()
typing = time.perf_counter() + 2
while time.perf_counter() < typing:
    app.processEvents()
dialog.accept()
print("ms", bare(app, register, sys.argv[2]), flush=True)
"""


def _first_sign_in(script: str, register: str, user: str) -> float:
    """Median ms over fresh processes (one unmeasured first, for the file cache)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # modules load compiled, as installed
    runs = []
    for _ in range(REPEAT + 1):
        done = subprocess.run([sys.executable, "-c", script, register, str(DB), user],
                              capture_output=True, text=True, timeout=300, env=env,
                              cwd=Path(__file__).resolve().parents[2], check=True)
        runs.append(float(done.stdout.split("ms")[-1]))
    return statistics.median(runs[1:])


@pytest.mark.parametrize(("register", "user"), FIGURES)
def test_sign_in_to_first_rows_painted(big_desk, qapp, register, user):  # noqa: F811
    started = time.perf_counter()
    actor = big_desk.auth.login(user, "demo1234")
    print(f"\n{user}: password checked and signed in in {(time.perf_counter() - started) * 1000:.0f} ms")
    if register not in [spec.key for spec in pages_for(actor.roles)]:
        pytest.skip(f"{user} has no {register} page")
    bare_ms = _median(lambda: bare(qapp, register, DB))
    shown, painted = _median(lambda: _ours(qapp, big_desk, actor, register))
    record(f"sign-in -> window with its first page ({user}), warm", shown, bare_ms)
    record(f"sign-in -> {register} ({user}): first 200 rows painted, warm", painted, bare_ms)
    bare_first = _first_sign_in(BARE_FIRST, register, user)
    ours_first = _first_sign_in(FIRST_SIGN_IN, register, user)
    record(f"first sign-in -> {register} ({user}): first 200 rows painted", ours_first,
           bare_first, goal=GOAL)
