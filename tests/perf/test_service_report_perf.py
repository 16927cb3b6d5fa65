"""The monthly service report at demo scale 100 (``var/perf-100.db``: about 36,000 log
entries a month), against the bare read of the same rows (issue 18).

Ours is ``service_reports.report``: six months of entries, complaints, call-backs and
messages read in one snapshot and every figure computed (medians, percentiles, the trend).
The baseline is the least any such report must do: a plain ``sqlite3`` connection fetching
the same six months' entry columns. Times are wall-clock medians; the test asserts that the
figures add up, never a time.
"""

from __future__ import annotations

from desk_app.domain import service_report as rules
from desk_app.services.reception.views import month_range
from tests.perf.figures import median_ms, raw_sqlite, record
from tests.perf.test_archive_perf import DB, big_desk  # noqa: F401 (the fixture)

REPEAT = 3
COLUMNS = ("handler, channel, arrived_at, answered_at, resolved_at, timeout_level, "
           "promised_at, promised_by")


def test_the_service_report_against_reading_its_rows(big_desk):  # noqa: F811
    desk = big_desk
    actor = desk.auth.login("liqiang", "demo1234")
    now = desk.ctx.clock.now()
    year, month = rules.previous_month(now.year, now.month)
    first, _end = month_range(*rules.months_back(year, month)[0])
    _start, end = month_range(year, month)
    raw = raw_sqlite(DB)

    def bare_read() -> int:
        return len(raw.execute(f"SELECT {COLUMNS} FROM visit WHERE arrived_at >= ? AND "
                               "arrived_at < ?", (str(first), str(end))).fetchall())

    entries = bare_read()
    report = desk.service_reports.report(actor, year, month)
    assert sum(m.desk.entries for m in report.history) == entries
    ours = median_ms(lambda: desk.service_reports.report(actor, year, month), REPEAT)
    baseline = median_ms(bare_read, REPEAT)
    record(f"service report, 6 months ({entries} entries)", ours, baseline, goal=None)
