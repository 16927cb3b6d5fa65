"""What every benchmark reports: a figure of ours, its baseline measured in the same run and
their ratio, next to the goal issue 17 set for it.

``record`` prints the line at once and keeps it; ``make perf`` ends with the table of every
figure recorded (tests/perf/conftest.py), so one run shows them all. Nothing is asserted
about time: a figure over its goal is marked, never failed.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desk_app.store.db import SQLITE_PRAGMAS


@dataclass(frozen=True)
class Figure:
    name: str
    ours: float
    baseline: float
    unit: str
    goal: float | None  # the largest ratio issue 17 accepts (None: reported only)
    higher_is_better: bool = False  # throughput: the ratio is baseline / ours

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.baseline / self.ours if self.ours else float("inf")
        return self.ours / self.baseline if self.baseline else float("nan")

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        return "within goal" if self.ratio <= self.goal else "OVER GOAL"

    def line(self) -> str:
        goal = f"goal <= {self.goal:.2f}x" if self.goal is not None else ""
        return (f"{self.name:<52} {self.ours:10.1f} {self.unit:<5} baseline "
                f"{self.baseline:10.1f} {self.unit:<5} ratio {self.ratio:6.2f}x  {goal:<14} "
                f"{self.verdict}").rstrip()


RECORDED: list[Figure] = []


def record(name: str, ours: float, baseline: float, unit: str = "ms",
           goal: float | None = None, higher_is_better: bool = False) -> Figure:
    """Print and keep one figure (``ratio`` is ours / baseline; for a throughput, where
    more is better, baseline / ours, so a ratio above 1 always means slower)."""
    figure = Figure(name, ours, baseline, unit, goal, higher_is_better)
    RECORDED.append(figure)
    print(figure.line(), flush=True)
    return figure


def raw_sqlite(path: Path | str) -> sqlite3.Connection:
    """A plain sqlite3 connection set up as the app sets up its own (store.db): a baseline
    that does the same work, not less (no WAL, no foreign keys) or more."""
    conn = sqlite3.connect(str(path))
    for name, value in SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {name} = {value}")
    return conn


def median_ms(operation: Callable[[], object], repeat: int,
              clock: Callable[[], float] = time.perf_counter) -> float:
    """The median of ``repeat`` timed calls in ms, after one untimed call (the first reads
    the pages from disk, for ours and the baseline alike). ``clock=time.process_time``
    for work of a few ms done in this process: the wall clock also counts the time the
    process waited for a core, which on a busy 2-core machine doubled single calls."""
    operation()
    times = []
    for _ in range(repeat):
        started = clock()
        operation()
        times.append((clock() - started) * 1000)
    return statistics.median(times)
