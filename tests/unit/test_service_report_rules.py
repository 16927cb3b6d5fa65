"""The service report's arithmetic (domain/service_report.py): percentiles by nearest rank,
the median of an even count, changes in per cent and in percentage points, and 002's words."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk_app.domain import service_report as rules
from desk_app.domain.service_report import Figures, VisitRow


def test_nearest_rank_percentile_and_median():
    values = [30.0, 10.0, 20.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    assert rules.percentile(values, 0.9) == 90.0  # 9 of 10 at or below it
    assert rules.percentile([5.0], 0.9) == 5.0
    assert rules.percentile([], 0.9) is None
    assert rules.median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert rules.median([]) is None


def test_changes_in_per_cent_and_in_points():
    before, now = Figures(), Figures()
    before.reply_times, now.reply_times = [400.0], [300.0]
    before.reached, before.satisfied = 4, 2  # 50 %
    now.reached, now.satisfied = 5, 4  # 80 %
    reply = rules.change("reply_median", now, before)
    assert (reply.percent, reply.points, reply.better) == (-25.0, False, True)
    assert rules.change_words(reply) == "shortened by 25.0%"
    assert rules.change_sentence(reply) == \
        "Reply time (median) shortened by 25.0% (6:40 → 5:00)"
    satisfied = rules.change("satisfaction", now, before)
    assert (satisfied.percent, satisfied.points, satisfied.better) == (30.0, True, True)
    assert rules.change_words(satisfied) == "up by 30.0 pts"
    nothing = rules.change("messages_confirmed", now, before)
    assert nothing.percent is None and rules.change_words(nothing) == "—"
    entries = rules.change("entries", now, None)
    assert entries.percent is None


def test_a_visit_counts_once_for_the_desk_and_once_for_its_handler():
    start = datetime(2026, 11, 3, 2, 0)
    rows = [VisitRow("wangfang", "visit", start, start + timedelta(seconds=5),
                     start + timedelta(minutes=3), 0, start + timedelta(minutes=2), ""),
            VisitRow("sunli", "phone_out", start, None, start + timedelta(minutes=1), 1, None,
                     "")]
    month = rules.month_figures("2026-11", rows, [], [], [], start + timedelta(days=1))
    assert (month.desk.visits, month.desk.calls, month.desk.answer_times) == (1, 1, [5.0])
    assert month.agents["wangfang"].promises == 1 and month.agents["wangfang"].promises_kept == 0
    assert month.agents["sunli"].timeouts == {1: 1, 2: 0, 3: 0}


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-11", "2026/11", "", "1999-12"])
def test_a_month_is_yyyy_mm(text):
    with pytest.raises(ValueError):
        rules.parse_month(text)


def test_months_back_cross_the_year():
    assert rules.months_back(2027, 2, 4) == [(2026, 11), (2026, 12), (2027, 1), (2027, 2)]
    assert rules.parse_month("2026-11") == (2026, 11)


def test_a_month_not_ended_is_not_compared_on_its_counts():
    before, now = Figures(), Figures()
    before.calls, now.calls = 360, 16  # a whole month against its first two days
    before.reply_times, now.reply_times = [240.0], [200.0]
    months = [rules.MonthFigures("2026-11", before, {}), rules.MonthFigures("2026-12", now, {})]
    ended = {item.key: item.percent for item in rules.trend(months)}
    running = {item.key: item.percent for item in rules.trend(months, complete=False)}
    assert ended["entries"] == -95.6 and running["entries"] is None
    assert running["timeouts"] is None and running["complaints"] is None
    assert running["reply_median"] == ended["reply_median"] == -16.7  # times still compared
