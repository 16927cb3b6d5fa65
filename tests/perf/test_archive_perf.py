"""Archive and loan register at office scale (issue 4), next to the same work in raw SQL.

Run with ``make perf`` (or ``pytest tests/perf/test_archive_perf.py -s``). The database is
built once with ``desk-app demo --scale $DESK_PERF_SCALE`` (default 100: 500,000 items,
1,000,000 loans) into ``var/perf-<scale>.db`` and reused; the build time is printed.
Figures only: no thresholds are asserted.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desk_app.desk import Desk
from desk_app.services.archive import ItemFilter
from desk_app.services.loans import BorrowerInput, LoanFilter

SCALE = int(os.environ.get("DESK_PERF_SCALE", "100"))
ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "var" / f"perf-{SCALE}.db"


@pytest.fixture(scope="module")
def big_desk():
    if not DB.exists():
        DB.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "desk_app", "--db", f"sqlite:///{DB}", "demo",
                        "--scale", str(SCALE)], check=True, capture_output=True)
        print(f"\ndemo --scale {SCALE}: built in {time.perf_counter() - started:.1f} s")
    desk = Desk.open(f"sqlite:///{DB}")
    yield desk
    desk.close()


def _ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _report(name: str, ours: float, raw: float) -> None:
    print(f"{name:<44} {ours:8.1f} ms   raw SQL {raw:8.1f} ms   ratio {ours / raw if raw else 0:5.2f}x")


def test_register_figures(big_desk):
    clerk = big_desk.auth.login("wangfang", "demo1234")
    raw = sqlite3.connect(DB)
    items = raw.execute("SELECT count(*) FROM item").fetchone()[0]
    loans = raw.execute("SELECT count(*) FROM loan").fetchone()[0]
    print(f"\n{items} items, {loans} loans (scale {SCALE})")

    # First paint of the Archive register: the count (scrollbar) plus the first page.
    def first_paint():
        big_desk.archive.count(clerk, ItemFilter())
        big_desk.archive.page(clerk, ItemFilter(), 0, 200)

    def first_paint_raw():
        raw.execute("SELECT count(*) FROM item WHERE level IN ('public','internal','secret')").fetchone()
        raw.execute("SELECT i.*, k.name, d.name, l.path FROM item i JOIN kind k ON k.id = i.kind_id "
                    "JOIN department d ON d.id = i.dept_id LEFT JOIN location l ON l.id = i.location_id "
                    "WHERE i.level IN ('public','internal','secret') ORDER BY i.ref LIMIT 200").fetchall()

    _report("archive register first paint (count+page)", _ms(first_paint), _ms(first_paint_raw))

    # A page deep in the register (scrolling to the end).
    deep = items - 300
    _report("archive page at the end of the register",
            _ms(lambda: big_desk.archive.page(clerk, ItemFilter(), deep, 200)),
            _ms(lambda: raw.execute("SELECT id FROM item ORDER BY ref LIMIT 200 OFFSET ?",
                                    (deep,)).fetchall()))

    # Search as you type: each keystroke is a count and the first page.
    typed = "电梯维保"
    for length in range(1, len(typed) + 1):
        query = typed[:length]
        flt = ItemFilter(query=query)
        ours = _ms(lambda flt=flt: (big_desk.archive.count(clerk, flt),
                                    big_desk.archive.page(clerk, flt, 0, 200)))
        token = f'"{query}"' if length <= 2 else " AND ".join(
            f'"{query[i:i + 2]}"' for i in range(length - 1))
        raw_ms = _ms(lambda token=token: (
            raw.execute("SELECT count(*) FROM item_fts WHERE item_fts MATCH ?", (token,)).fetchone(),
            raw.execute("SELECT i.id FROM item i WHERE i.id IN (SELECT rowid FROM item_fts WHERE "
                        "item_fts MATCH ?) ORDER BY i.ref LIMIT 200", (token,)).fetchall()))
        _report(f"search keystroke {query!r}", ours, raw_ms)
    ours = _ms(lambda: big_desk.archive.page(clerk, ItemFilter(query="gc-bg-2020"), 0, 200))
    _report("search 'gc-bg-2020' (prefix words)", ours, ours)

    # Overdue list: count and the most overdue page.
    _report("overdue list (count+page)",
            _ms(lambda: (big_desk.loans.count(clerk, LoanFilter(overdue_only=True)),
                         big_desk.loans.page(clerk, LoanFilter(overdue_only=True), 0, 200))),
            _ms(lambda: raw.execute("SELECT id FROM loan WHERE returned_at IS NULL AND due_on < "
                                    "date('now') ORDER BY due_on LIMIT 200").fetchall()))

    # Scan to commit: scan a label, lend it, then take it back.
    available = raw.execute("SELECT ref FROM item WHERE status='available' AND level='public' "
                            "LIMIT 20").fetchall()
    lend_times, return_times = [], []
    for (ref,) in available[:10]:
        started = time.perf_counter()
        item = big_desk.archive.scan(clerk, ref)
        big_desk.loans.lend(clerk, [item.ref], BorrowerInput(user_name="liqiang"), "性能测试")
        lend_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        big_desk.loans.return_items(clerk, [item.ref])
        return_times.append((time.perf_counter() - started) * 1000)
    insert_raw = _ms(lambda: (raw.execute("BEGIN IMMEDIATE"),
                              raw.execute("SELECT * FROM item WHERE ref = ?", available[10]).fetchone(),
                              raw.execute("UPDATE item SET status = status WHERE ref = ?", available[10]),
                              raw.execute("ROLLBACK")))
    _report("scan + lend one item (commit)", statistics.median(lend_times), insert_raw)
    _report("return one item (commit)", statistics.median(return_times), insert_raw)
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    raw.close()


def test_register_model_memory_is_flat(big_desk, qapp):
    """The paged model keeps at most max_pages pages, whatever the register size."""
    from desk_app.ui.models.paged import Column, PagedTableModel

    clerk = big_desk.auth.login("wangfang", "demo1234")
    flt = ItemFilter()
    started = time.perf_counter()
    model = PagedTableModel(lambda: big_desk.archive.count(clerk, flt),
                            lambda offset, limit: big_desk.archive.page(clerk, flt, offset, limit),
                            [Column(lambda: "ref", lambda row: row.ref)])
    model.data(model.index(0, 0))
    first = (time.perf_counter() - started) * 1000
    for row in range(0, model.rowCount(), model.rowCount() // 50):
        model.data(model.index(row, 0))
    print(f"\nmodel: {model.rowCount()} rows, first paint {first:.1f} ms, "
          f"{len(model.cached_pages())} pages cached after scrolling 50 places")
