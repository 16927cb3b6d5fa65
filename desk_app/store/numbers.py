"""Running numbers that never collide across desks and never leave gaps.

Every series (loan slips of a year, return receipts of a year, the auto-numbered references
of a department/kind/year, and the numbers the coming areas need) is one row of
``number_counter``. ``next_number`` increments it inside the caller's write transaction:

- the UPDATE takes the row's lock until commit, so two desks on PostgreSQL get consecutive
  numbers one after the other (on SQLite ``BEGIN IMMEDIATE`` already serialises writers);
- a transaction that fails rolls its increment back with everything else, so the register
  stays gap-free (a PostgreSQL SEQUENCE would be faster but leaves gaps: not used for any
  register, whose numbers must be consecutive — 收文号 and slip numbers alike).

A series that has no row yet starts after the highest number already issued (``start_after``,
read once, under the same lock), so databases from before this table keep counting on.
"""

from __future__ import annotations

from collections.abc import Callable

import peewee

from desk_app.store.db import database_proxy
from desk_app.store.models import NumberCounter


def next_number(series: str, start_after: Callable[[], int]) -> int:
    """The next number of ``series``. Must run inside the caller's write transaction."""
    db = database_proxy.obj
    assert db.in_transaction(), "a number is drawn inside the transaction that uses it"
    drawn = _increment(series)
    if drawn is None:
        # First use of the series: create it (another desk may do so at the same moment;
        # the loser's insert waits for the winner, then does nothing) and draw again.
        NumberCounter.insert(series=series, value=start_after()).on_conflict_ignore().execute()
        drawn = _increment(series)
    assert drawn is not None
    return drawn


def _increment(series: str) -> int | None:
    """The counter of ``series`` plus one, in one statement (UPDATE … RETURNING); None when
    the series has no row yet."""
    db = database_proxy.obj  # fixed SQL: drawn holding the write lock, built once
    rows = db.execute_sql("UPDATE number_counter SET value = value + 1 WHERE series = "
                          f"{db.param} RETURNING value", (series,)).fetchall()
    return int(rows[0][0]) if rows else None


def highest_suffix(model: type[peewee.Model], column: peewee.Field, prefix: str) -> int:
    """The largest number after ``prefix`` among existing values (an index range scan)."""
    last = (model.select(column).where((column >= prefix) & (column < prefix + "\uffff"))
            .order_by(column.desc()).first())
    if last is None:
        return 0
    digits = "".join(ch for ch in getattr(last, column.name)[len(prefix):] if ch.isdigit())
    return int(digits) if digits else 0
