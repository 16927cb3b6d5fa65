"""Finding files with any combination of filters, against the best hand-written query
(issue 17), at demo scale 100 (``var/perf-100.db``, tests/perf/test_archive_perf.py).

For each combination, ours is what the register does for a keystroke or a filter change,
through the services: ``archive.page`` (the first 200 rows, what the window waits for) and
``archive.count`` (which the Archive page runs in a worker thread). The baseline gives the
same answers — the same ids in the same order with their kind, department and location, the
same (capped) count — with hand-written SQL on a plain ``sqlite3`` connection set up as the
app's: every variant below (the planner's own choice, a department's or kind's index, the
reference index walked, the search index first) is timed and the fastest counts. Times are
CPU-time medians of this process (``_median``). The test asserts the answers are equal, never
a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from desk_app.services.archive import SEARCH_COUNT_CAP, ItemFilter
from desk_app.store import search
from tests.perf.figures import median_ms, raw_sqlite, record
from tests.perf.test_archive_perf import DB, big_desk  # noqa: F401 (the fixture)

REPEAT = int(os.environ.get("DESK_PERF_REPEAT", "5"))
ROWS = ("SELECT i.id, i.ref, i.title, k.name, d.name, i.doc_date, i.level, i.status, l.path "
        "FROM item i JOIN kind k ON k.id = i.kind_id JOIN department d ON d.id = i.dept_id "
        "LEFT JOIN location l ON l.id = i.location_id WHERE i.id IN ({ids})")


def _median(operation: Callable[[], Any]) -> float:
    """CPU time: ours and every baseline run in this process, on pages already read (the
    first call reads them); a few ms of wall time each doubled whenever another job took
    the core (two modes, ~4.5 and ~8.6 ms, for ours and the baseline alike)."""
    return median_ms(operation, REPEAT, clock=time.process_time)


def _conditions(raw, flt: ItemFilter) -> tuple[list[str], list[Any]]:
    where, params = ["i.level != 'personnel'"], []
    for column, table, code in (("kind_id", "kind", flt.kind), ("dept_id", "department", flt.dept)):
        if code:
            where.append(f"i.{column} = ?")
            params.append(raw.execute(f"SELECT id FROM {table} WHERE code = ?", (code,)).fetchone()[0])
    if flt.status or flt.available_only:
        where.append("i.status = ?")
        params.append(flt.status or "available")
    if flt.level:
        where.append("i.level = ?")
        params.append(flt.level)
    if flt.year_from:
        where.append("i.doc_date >= ?")
        params.append(f"{flt.year_from}-01-01")
    if flt.year_to:
        where.append("i.doc_date <= ?")
        params.append(f"{flt.year_to}-12-31")
    return where, params


def _variants(raw, flt: ItemFilter) -> dict[str, tuple[Callable[[], int], Callable[[], tuple]]]:
    """Hand-written ways to the same (capped) count and the same first 200 ids in reference
    order with their rows: each variant is (count, page)."""
    where, params = _conditions(raw, flt)
    match = None
    if flt.query.strip():
        match = search._expression(search.terms_for(flt.query))
    plain = " AND ".join(where)

    def count(sql: str, args: list[Any]) -> Callable[[], int]:
        return lambda: raw.execute(sql, args).fetchone()[0]

    def page(sql: str, args: list[Any]) -> Callable[[], tuple[list[int], list]]:
        def run() -> tuple[list[int], list]:
            ids = [row[0] for row in raw.execute(sql, args)]
            marks = ", ".join("?" * len(ids))
            return ids, raw.execute(ROWS.format(ids=marks), ids).fetchall() if ids else []
        return run

    capped = ("SELECT count(*) FROM (SELECT 1 FROM item i {index} WHERE {where} LIMIT "
              + str(SEARCH_COUNT_CAP) + ")")
    indexes = {"planner": ""}
    if flt.dept:
        indexes["dept index"] = "INDEXED BY item_dept_ref"
    if flt.kind:
        indexes["kind index"] = "INDEXED BY item_kind_ref"
    variants = {}
    if match is None:
        for name, index in indexes.items():
            variants[name] = (
                count(capped.format(index=index, where=plain), params),
                page(f"SELECT i.id FROM item i {index} WHERE {plain} ORDER BY i.ref LIMIT 200",
                     params))
        return variants
    both = f"{plain} AND i.id IN (SELECT rowid FROM item_fts WHERE item_fts MATCH ?)"
    indexes["index walk"] = "INDEXED BY item_ref_level"
    for name, index in indexes.items():
        variants[name] = (
            count(capped.format(index=index, where=both), [*params, match]),
            page(f"SELECT i.id FROM item i {index} WHERE {both} ORDER BY i.ref LIMIT 200",
                 [*params, match]))
    variants["search index first"] = (
        count(f"SELECT count(*) FROM (SELECT 1 FROM item_fts f JOIN item i ON i.id = f.rowid "
              f"WHERE f.item_fts MATCH ? AND {plain} LIMIT {SEARCH_COUNT_CAP})", [match, *params]),
        page(f"SELECT i.id FROM item_fts f JOIN item i ON i.id = f.rowid WHERE f.item_fts "
             f"MATCH ? AND {plain} ORDER BY i.ref LIMIT 200", [match, *params]))
    return variants


COMBINATIONS = (
    ("department ZB alone", ItemFilter(dept="ZB")),
    ("department GC alone", ItemFilter(dept="GC")),
    ("'电梯' + department GC", ItemFilter(query="电梯", dept="GC")),
    ("'电梯' + department ZB", ItemFilter(query="电梯", dept="ZB")),
    ("'电梯' + kind BG + available", ItemFilter(query="电梯", kind="BG", available_only=True)),
    ("'维保' + years 2020-2021", ItemFilter(query="维保", year_from=2020, year_to=2021)),
    ("department CW + secret", ItemFilter(dept="CW", level="secret")),
    ("kind HJ + on loan", ItemFilter(kind="HJ", status="on_loan")),
    ("years 2019-2019 + department KF", ItemFilter(year_from=2019, year_to=2019, dept="KF")),
)


def _best(runs: dict[str, Callable[[], Any]], expected: Any) -> tuple[str, float]:
    best_name, best = "", float("inf")
    for name, run in runs.items():
        assert run() == expected, name
        took = _median(run)
        if took < best:
            best_name, best = name, took
    return best_name, best


def test_filters_against_the_best_hand_written_query(big_desk):  # noqa: F811
    """The first page is what a keystroke waits for (the Archive page counts in a worker
    thread, ui/models/paged.py); the count follows. Each against its fastest hand-written
    equal."""
    clerk = big_desk.auth.login("wangfang", "demo1234")
    raw = raw_sqlite(DB)
    print()
    for name, flt in COMBINATIONS:
        count = big_desk.archive.count(clerk, flt)
        ids = [item.id for item in big_desk.archive.page(clerk, flt, 0, 200)]
        variants = _variants(raw, flt)
        page_name, page_best = _best({variant: (lambda run=run[1]: run()[0])
                                      for variant, run in variants.items()}, ids)
        count_name, count_best = _best({variant: run[0] for variant, run in variants.items()},
                                       count)
        for _variant, (_count, page) in variants.items():
            assert len(page()[1]) == len(ids)
        first = _median(lambda flt=flt: big_desk.archive.page(clerk, flt, 0, 200))
        counting = _median(lambda flt=flt: big_desk.archive.count(clerk, flt))
        alone = flt.dept and not (flt.query or flt.kind or flt.level or flt.year_from)
        absolute = 50 if alone else 100
        record(f"{name}: first page (best: {page_name})", first, page_best, goal=1.5)
        print(f"    {'under' if first < absolute else 'OVER'} {absolute} ms (issue 17's "
              "absolute goal for the first page)")
        record(f"{name}: count, {count} (best: {count_name})", counting, count_best, goal=1.5)
