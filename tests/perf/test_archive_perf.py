"""Archive and loan register at office scale (issue 4).

Run with ``make perf`` (or ``pytest tests/perf/test_archive_perf.py -s``). The database is
built once with ``desk-app demo --scale $DESK_PERF_SCALE`` (default 100: 500,000 items,
1,000,000 loans) into ``var/perf-<scale>.db`` and reused; the build time is printed.

Each figure is the median time of one user-level operation through the services, next to
the very SQL statements that operation ran (captured with SQLite's trace hook) replayed on
a plain ``sqlite3`` connection with the app's pragmas, in the same run: the ratio is the cost
of everything above the database. Figures only; no thresholds are asserted.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desk_app.desk import Desk
from desk_app.services.archive import ItemFilter
from desk_app.services.loans import BorrowerInput, LoanFilter
from tests.perf.figures import raw_sqlite, record

SCALE = int(os.environ.get("DESK_PERF_SCALE", "100"))
ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "var" / f"perf-{SCALE}.db"
REPEAT = 5


def big_database() -> Path:
    """``var/perf-<scale>.db``, built by the demo the first time (the build time printed)."""
    if not DB.exists():
        DB.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "desk_app", "--db", f"sqlite:///{DB}", "demo",
                        "--scale", str(SCALE)], check=True, capture_output=True)
        print(f"\ndemo --scale {SCALE}: built in {time.perf_counter() - started:.1f} s")
    return DB


@pytest.fixture(scope="module")
def big_desk():
    desk = Desk.open(f"sqlite:///{big_database()}")
    yield desk
    desk.close()


class Bench:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.raw = raw_sqlite(DB)
        self.statements: list[str] = []
        desk.ctx.db.connection().set_trace_callback(self.statements.append)

    def measure(self, name: str, operation: Callable[[], object], repeat: int = REPEAT) -> float:
        times = []
        for _ in range(repeat):
            self.statements.clear()
            started = time.perf_counter()
            operation()
            times.append((time.perf_counter() - started) * 1000)
        # Statements the FTS5 module runs on its own shadow tables ('main'.'item_fts_…') are
        # part of the outer SELECT; replaying them again would count them twice.
        ours_sql = [s for s in self.statements if "'main'." not in s]
        reads = [s for s in ours_sql if s.lstrip().upper().startswith("SELECT")]
        raw_times = []
        for _ in range(repeat):
            started = time.perf_counter()
            for statement in reads:
                self.raw.execute(statement).fetchall()
            raw_times.append((time.perf_counter() - started) * 1000)
        ours, raw = statistics.median(times), statistics.median(raw_times)
        writes = len(ours_sql) - len(reads)
        note = f" (+{writes} writes not replayed)" if writes else ""
        record(f"{name}{note}", ours, raw)
        return ours


def test_register_figures(big_desk):
    clerk = big_desk.auth.login("wangfang", "demo1234")
    bench = Bench(big_desk)
    items = bench.raw.execute("SELECT count(*) FROM item").fetchone()[0]
    loans = bench.raw.execute("SELECT count(*) FROM loan").fetchone()[0]
    print(f"\n{items} items, {loans} loans (scale {SCALE})")

    everything = ItemFilter()
    bench.measure("archive register first paint (count+page)",
                  lambda: (big_desk.archive.count(clerk, everything),
                           big_desk.archive.page(clerk, everything, 0, 200)))
    bench.measure("archive page in the middle",
                  lambda: big_desk.archive.page(clerk, everything, items // 2, 200))
    bench.measure("archive last page",
                  lambda: big_desk.archive.page(clerk, everything, items - 300, 200))
    bench.measure("archive sorted by title, first page",
                  lambda: big_desk.archive.page(clerk, ItemFilter(sort="title"), 0, 200))

    typed = "电梯维保"
    for length in range(1, len(typed) + 1):
        flt = ItemFilter(query=typed[:length])
        bench.measure(f"search keystroke {typed[:length]!r} (count+page)",
                      lambda flt=flt: (big_desk.archive.count(clerk, flt),
                                       big_desk.archive.page(clerk, flt, 0, 200)))
    for query in ("张伟", "規劃", "gc-bg-2020"):
        flt = ItemFilter(query=query)
        bench.measure(f"search {query!r} (count+page)",
                      lambda flt=flt: (big_desk.archive.count(clerk, flt),
                                       big_desk.archive.page(clerk, flt, 0, 200)))
    flt = ItemFilter(query="电梯", kind="BG", available_only=True)
    bench.measure("search '电梯' + kind + available",
                  lambda: (big_desk.archive.count(clerk, flt), big_desk.archive.page(clerk, flt, 0, 200)))

    overdue = LoanFilter(overdue_only=True)
    bench.measure("overdue list (count+page)",
                  lambda: (big_desk.loans.count(clerk, overdue),
                           big_desk.loans.page(clerk, overdue, 0, 200)))
    bench.measure("loan history (count+first page)",
                  lambda: (big_desk.loans.count(clerk, LoanFilter()),
                           big_desk.loans.page(clerk, LoanFilter(), 0, 200)))

    refs = [ref for (ref,) in bench.raw.execute(
        "SELECT ref FROM item WHERE status='available' AND level='public' LIMIT 12")]
    lend_times, return_times = [], []
    for ref in refs:
        started = time.perf_counter()
        item = big_desk.archive.scan(clerk, ref)
        big_desk.loans.lend(clerk, [item.ref], BorrowerInput(user_name="liqiang"), "性能测试")
        lend_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        big_desk.loans.return_items(clerk, [item.ref])
        return_times.append((time.perf_counter() - started) * 1000)
    print(f"{'scan + lend one item, committed':<40} {statistics.median(lend_times):8.1f} ms")
    print(f"{'return one item, committed':<40} {statistics.median(return_times):8.1f} ms")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def test_register_model_first_paint_and_flat_memory(big_desk, qtbot):
    """The paged model shown in a real view: first paint, then memory after scrolling."""
    from PySide6.QtWidgets import QTableView

    from desk_app.ui.models.paged import Column, PagedTableModel

    clerk = big_desk.auth.login("wangfang", "demo1234")
    flt = ItemFilter()
    started = time.perf_counter()
    model = PagedTableModel(lambda: big_desk.archive.count(clerk, flt),
                            lambda offset, limit: big_desk.archive.page(clerk, flt, offset, limit),
                            [Column(lambda: "ref", lambda row: row.ref),
                             Column(lambda: "title", lambda row: row.title)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: model.fetches > 0)
    first = (time.perf_counter() - started) * 1000
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scrollbar = view.verticalScrollBar()
    for step in range(1, 101):
        scrollbar.setValue(scrollbar.maximum() * step // 100)
        top_page = max(0, view.rowAt(0)) // model.page_size
        qtbot.waitUntil(lambda top_page=top_page: top_page in model.cached_pages())
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nregister view: {model.rowCount()} rows, scrollbar maximum {scrollbar.maximum()}, "
          f"first paint {first:.0f} ms; after 100 jumps across the register "
          f"{model.fetches} pages fetched, {len(model.cached_pages())} kept, "
          f"peak RSS +{(rss_after - rss_before) / 1024:.1f} MB")
