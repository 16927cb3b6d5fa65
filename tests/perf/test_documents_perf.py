"""The document register at office scale (issue 15: with 100k documents the register's first
page and the chase list under 100 ms, scan-to-find under 50 ms).

Run with ``make perf`` (or ``pytest tests/perf/test_documents_perf.py -s``). The database is
the demo (scale 1: its people, archive, the signed documents made today) with
``DESK_PERF_DOCUMENTS`` (default 100,000) documents of history inserted directly by
demo/documents.py, built once into ``var/perf-documents-<N>.db`` and reused; the build time
is printed.

Each figure is the median time of one call through the service, next to raw SQL on a plain
``sqlite3`` connection in the same run that reads the same rows (the page's columns, the
count, the chase notes) — for scan-to-find, one indexed SELECT of the document. The ratio is
the cost of everything above the database (the row dicts, names, "where", the timeline).
Figures only; no thresholds are asserted (the issue's targets are printed beside them).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desk_app.demo import documents as demo_documents
from desk_app.demo import handover as demo_handover
from desk_app.desk import Desk
from desk_app.domain.clock import local_today
from desk_app.services.documents.registers import DocumentFilter
from tests.perf.figures import median_ms, raw_sqlite, record

DOCUMENTS = int(os.environ.get("DESK_PERF_DOCUMENTS", "100000"))
ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "var" / f"perf-documents-{DOCUMENTS}.db"
REPEAT = 7
PASSWORD = "demo1234"
COLUMNS = ("id, number, direction, status, title, sender, addressee, issued_no, received_on, "
           "due_on, created_at, level, dept_id, to_dept_id, handler_dept_id, drafted_by_id, "
           "created_by_id, item_id, execution, refusal_reason, void_reason")


@pytest.fixture(scope="module")
def doc_desk():
    if not DB.exists():
        DB.parent.mkdir(exist_ok=True)
        started = time.perf_counter()
        partial = DB.with_suffix(".partial")
        for leftover in partial.parent.glob(partial.name + "*"):
            leftover.unlink()
        built = Desk.open(f"sqlite:///{partial}", create=True)
        saved = demo_documents.DOCS_PER_SCALE, demo_handover.WEEKS
        demo_documents.DOCS_PER_SCALE, demo_handover.WEEKS = DOCUMENTS, 0
        try:
            built.demo.generate(None)
        finally:
            demo_documents.DOCS_PER_SCALE, demo_handover.WEEKS = saved
            built.close()
        partial.rename(DB)
        print(f"\ndemo with {DOCUMENTS} documents: built in {time.perf_counter() - started:.1f} s")
    desk = Desk.open(f"sqlite:///{DB}")
    yield desk
    desk.close()


class Figures:
    def __init__(self, desk: Desk) -> None:
        self.raw = raw_sqlite(DB)
        self.statements: list[str] = []
        desk.ctx.db.connection().set_trace_callback(self.statements.append)

    @staticmethod
    def _median(operation: Callable[[], object]) -> float:
        return median_ms(operation, REPEAT)

    def compare(self, name: str, ours: Callable[[], object], raw: list[tuple[str, tuple]],
                goal: float | None = None) -> float:
        self.statements.clear()
        ours()
        count = len(self.statements)
        mine = self._median(ours)
        theirs = self._median(lambda: [self.raw.execute(sql, args).fetchall()
                                       for sql, args in raw])
        target = f", goal < {goal:.0f} ms" if goal else ""
        record(f"{name} ({count} statements{target})", mine, theirs)
        return mine


def test_document_register_figures(doc_desk):
    desk = doc_desk
    clerk = desk.auth.login("wangfang", PASSWORD)
    figures = Figures(desk)
    raw = figures.raw
    total = raw.execute("SELECT count(*) FROM document").fetchone()[0]
    overdue_total = raw.execute(
        "SELECT count(*) FROM document WHERE status IN ('circulating', 'handling') "
        "AND due_on < ?", (local_today(desk.ctx.clock.now()).isoformat(),)).fetchone()[0]
    print(f"\n{total} documents, {overdue_total} overdue (chase list)")
    today = local_today(desk.ctx.clock.now()).isoformat()

    everything = DocumentFilter()
    figures.compare("register first page (count + 200 rows)",
                    lambda: (desk.documents.count(clerk, everything),
                             desk.documents.page(clerk, everything, 0, 200)),
                    [("SELECT count(*) FROM document", ()),
                     (f"SELECT {COLUMNS} FROM document ORDER BY id DESC LIMIT 200", ())], 100)
    incoming = DocumentFilter(direction="incoming")
    figures.compare("incoming register first page",
                    lambda: (desk.documents.count(clerk, incoming),
                             desk.documents.page(clerk, incoming, 0, 200)),
                    [("SELECT count(*) FROM document WHERE direction = 'incoming'", ()),
                     (f"SELECT {COLUMNS} FROM document WHERE direction = 'incoming' "
                      "ORDER BY direction DESC, number DESC LIMIT 200", ())], 100)
    figures.compare("register page in the middle",
                    lambda: desk.documents.page(clerk, everything, total // 2, 200),
                    [(f"SELECT {COLUMNS} FROM document ORDER BY id DESC LIMIT 200 OFFSET ?",
                      (total // 2,))], 100)
    overdue = ("FROM document WHERE status IN ('circulating', 'handling') AND due_on < ?")
    figures.compare("chase list (count + 200 rows)",
                    lambda: (desk.documents.chase_count(clerk),
                             desk.documents.chase_list(clerk, 0, 200)),
                    [(f"SELECT count(*) {overdue}", (today,)),
                     (f"SELECT {COLUMNS} {overdue} ORDER BY due_on, id LIMIT 200", (today,)),
                     ("SELECT document_id, count(*), max(at) FROM document_note "
                      f"WHERE kind = 'chase' AND document_id IN (SELECT id {overdue} "
                      "ORDER BY due_on, id LIMIT 200) GROUP BY document_id", (today,))], 100)
    typed = DocumentFilter(text="电梯")
    figures.compare("search '电梯' (count + 200 rows)",
                    lambda: (desk.documents.count(clerk, typed),
                             desk.documents.page(clerk, typed, 0, 200)),
                    [("SELECT count(*) FROM document WHERE title LIKE '%电梯%'", ()),
                     (f"SELECT {COLUMNS} FROM document WHERE title LIKE '%电梯%' "
                      "ORDER BY id DESC LIMIT 200", ())])

    middle = raw.execute("SELECT number, issued_no, sender_ref FROM document "
                         "WHERE direction = 'incoming' AND id > ? ORDER BY id LIMIT 1",
                         (total // 2,)).fetchone()
    issued = raw.execute("SELECT issued_no FROM document WHERE issued_no IS NOT NULL "
                         "ORDER BY id LIMIT 1 OFFSET 1000").fetchone()[0]
    by_number = "SELECT * FROM document WHERE number = ?"
    for label, typed_text, sql, value in (
            ("running number", middle[0].lower(), by_number, middle[0]),
            ("issued number", issued, "SELECT * FROM document WHERE issued_no = ?", issued),
            ("sender's number", middle[2],
             "SELECT * FROM document WHERE sender_ref = ? ORDER BY id DESC LIMIT 1",
             middle[2])):
        figures.compare(f"scan-to-find by {label} (find = show)",
                        functools.partial(desk.documents.find, clerk, typed_text),
                        [(sql, (value,))], 50)
    manager = desk.auth.login("zhangwei", PASSWORD)
    figures.compare("waiting for me (manager; raw: 'instruct' only)",
                    lambda: desk.documents.waiting_for_me(manager),
                    [(f"SELECT {COLUMNS} FROM document WHERE status = 'registered' "
                      "ORDER BY id LIMIT 50", ())])
