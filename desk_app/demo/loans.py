"""The demo's loan history: 10,000 loans per scale over three years, each on its own slip.

Mostly returned loans; a few percent still open, some of them overdue. The random values of
a batch are drawn a column at a time (``random.choices``), from the demo's seeded generator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

_PURPOSES = ("核对合同条款", "准备业主大会材料", "年度审计", "处理业主投诉", "工程验收", "查阅历史记录",
             "培训学习", "对外报送", "复印存档（已登记）", "政府检查")
_CONDITIONS = ("good", "good", "good", "worn")
SPAN_SECONDS = 3 * 365 * 24 * 3600  # how far back the history goes
RECENT_SECONDS = 60 * 24 * 3600  # closed loans were lent at least this long ago
OPEN_DAYS = 45  # loans still open were lent at most this long ago

SLIP_COLUMNS = ("id", "number", "borrower_id", "purpose", "handler_id", "lent_at", "due_on")
LOAN_COLUMNS = ("id", "slip_id", "item_id", "borrower_id", "purpose", "handler_id", "lent_at",
                "due_on", "returned_at", "returned_by_id", "return_condition", "renewals",
                "return_notes")


class _Bookings:
    """The periods each item was out, so that no item is lent twice at once (a ledger import
    of the demo's loan register refuses such pairs, issue 16). A closed loan that would
    overlap another is moved back to end the day before the earliest one it meets; one of an
    item chosen to be out now ends before its open loan can start (45 days back at most)."""

    def __init__(self, open_items: set[int], now: datetime) -> None:
        self.periods: dict[int, list[tuple[datetime, datetime]]] = {}
        self.open_items, self.open_from = open_items, now - timedelta(days=OPEN_DAYS + 1)

    def closed(self, position: int, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        if position in self.open_items and end > self.open_from:
            start, end = self.open_from - (end - start), self.open_from
        periods = self.periods.get(position)
        if periods is None:
            self.periods[position] = [(start, end)]
            return start, end
        length = end - start
        while True:
            met = [other for other in periods if other[0] < end and start < other[1]]
            if not met:
                break
            end = min(other[0] for other in met) - timedelta(days=1)
            start = end - length
        periods.append((start, end))
        return start, end


def _plan(rng: random.Random, item_count: int, open_items: set[int], now: datetime,
          count: int, batch: int) -> Iterator[list[tuple[int, datetime, float | None]]]:
    """Batches of (item position, lent at, a draw in [0, 1) of the loan's length or None when
    it is still open): closed loans first, then the one open loan of each item out now."""
    choices, uniform = rng.choices, rng.random
    closed = count - len(open_items)
    for start in range(0, closed, batch):
        size = min(batch, closed - start)
        yield list(zip(choices(range(item_count), k=size),
                       [now - timedelta(seconds=age) for age in
                        choices(range(RECENT_SECONDS, SPAN_SECONDS + 1), k=size)],
                       [uniform() for _ in range(size)], strict=True))
    out = sorted(open_items)
    for start in range(0, len(out), batch):
        positions = out[start:start + batch]
        yield [(position, now - timedelta(days=days, minutes=minutes), None)
               for position, days, minutes in zip(
                   positions, choices(range(OPEN_DAYS + 1), k=len(positions)),
                   choices(range(601), k=len(positions)), strict=True)]


def loan_rows(rng: random.Random, items: list[tuple[int, int]], open_items: set[int],
              borrowers: list[int], clerk_id: int, now: datetime, count: int,
              first_ids: tuple[int, int], batch: int) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """(slips, loans) in batches of ``batch``: one slip per loan, numbered per year. A closed
    loan lasts 1 to its kind's loan days + 10 days."""
    first_slip, first_loan = first_ids
    booked = _Bookings(open_items, now)
    spans = [timedelta(days=days) for days in range(max(days for _id, days in items) + 11)]
    per_year: dict[int, int] = {}
    index = 0
    choices = rng.choices
    for plan in _plan(rng, len(items), open_items, now, count, batch):
        slips: list[tuple] = []
        loans: list[tuple] = []
        for (position, lent_at, length), borrower, purpose, condition in zip(
                plan, choices(borrowers, k=len(plan)), choices(_PURPOSES, k=len(plan)),
                choices(_CONDITIONS, k=len(plan)), strict=True):
            item_id, days = items[position]
            returned = None
            if length is not None:  # never lent twice at once (the same draws, moved back)
                lent_at, returned_at = booked.closed(
                    position, lent_at, lent_at + spans[1 + int(length * (days + 10))])
                returned = returned_at.isoformat(" ")
            year = lent_at.year
            per_year[year] = number = per_year.get(year, 0) + 1
            slip_id = first_slip + index
            # times as the driver's adapters write them (isoformat), each made once
            lent = lent_at.isoformat(" ")
            due = (lent_at.date() + spans[days]).isoformat()
            slips.append((slip_id, f"JY{year}-{number:06d}", borrower, purpose, clerk_id, lent,
                          due))
            loans.append((first_loan + index, slip_id, item_id, borrower, purpose, clerk_id,
                          lent, due, returned, clerk_id if returned else None,
                          condition if returned else None, 0, ""))
            index += 1
        yield slips, loans
