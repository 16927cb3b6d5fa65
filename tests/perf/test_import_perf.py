"""Importing a large catalogue (issue 16: a 100,000-row .xlsx imports in under 60 s with flat
memory, its dry run reports in under 30 s).

Run with ``make perf`` (or ``pytest tests/perf/test_import_perf.py -s``). The workbook
(``DESK_PERF_IMPORT_ROWS`` rows, default 100,000: a title row, the header, realistic rows of
the demo's kinds and departments — tests/services/ledger_files.big_catalogue_xlsx) is built
once into ``var/`` and reused. Each run imports it into a fresh demo database.

The baseline, measured in the same run: openpyxl reading the same file raw in read-only mode
(``iter_rows(values_only=True)``), which every import must do at least once. The figures are
the check (dry run) and the import, each with its ratio to that baseline, and the growth of
the process's resident memory while each runs (sampled every 50 ms). Figures only; the
issue's goals are printed beside them, nothing is asserted about time.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from desk_app.demo import documents as demo_documents
from desk_app.demo import handover as demo_handover
from desk_app.desk import Desk
from desk_app.services.imports.service import ImportOptions
from tests.services.ledger_files import big_catalogue_xlsx

ROWS = int(os.environ.get("DESK_PERF_IMPORT_ROWS", "100000"))
ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "var" / f"perf-import-{ROWS}.xlsx"
PASSWORD = "demo1234"


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Measured:
    """Wall time and the peak growth of resident memory while ``work`` runs."""

    def __init__(self, work: Callable[[], Any]) -> None:
        start_rss = peak = _rss_mb()
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, _rss_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        try:
            self.result = work()
        finally:
            self.seconds = time.perf_counter() - started
            done.set()
            sampler.join()
        self.grew_mb = max(peak, _rss_mb()) - start_rss


@pytest.fixture(scope="module")
def workbook() -> Path:
    if not WORKBOOK.exists():
        WORKBOOK.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        partial = WORKBOOK.with_suffix(".partial.xlsx")
        big_catalogue_xlsx(partial, ROWS)
        partial.rename(WORKBOOK)
        print(f"\n{ROWS} rows written to {WORKBOOK.name} in {time.perf_counter() - started:.1f} s")
    return WORKBOOK


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Desk:
    monkeypatch.setattr(demo_handover, "WEEKS", 0)
    monkeypatch.setattr(demo_documents, "SIGNED", False)
    desk = Desk.open(f"sqlite:///{tmp_path / 'desk.db'}", create=True)
    desk.demo.generate(None)
    yield desk
    desk.close()


def _raw_read(path: Path) -> int:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def test_import_figures(workbook: Path, demo: Desk) -> None:
    admin = demo.auth.login("admin", PASSWORD)
    before = demo.ctx.db.execute_sql("SELECT count(*) FROM item").fetchone()[0]
    raw = Measured(lambda: _raw_read(workbook))
    check = Measured(lambda: demo.imports.check(admin, "items", workbook, ImportOptions()))
    run = Measured(lambda: demo.imports.run(admin, "items", workbook, ImportOptions()))
    after = demo.ctx.db.execute_sql("SELECT count(*) FROM item").fetchone()[0]
    assert check.result.error_count == 0 and check.result.rows == ROWS
    assert run.result.imported == ROWS and after - before == ROWS

    print(f"\n{ROWS} catalogue rows, {workbook.stat().st_size / 2**20:.1f} MB .xlsx")
    print(f"{'openpyxl read-only, raw (baseline)':<40} {raw.seconds:7.1f} s   "
          f"memory +{raw.grew_mb:5.0f} MB")
    for name, measured, goal in (("check (dry run)", check, 30), ("import", run, 60)):
        print(f"{name:<40} {measured.seconds:7.1f} s   memory +{measured.grew_mb:5.0f} MB   "
              f"ratio {measured.seconds / raw.seconds:5.2f}x   (goal < {goal} s)")
