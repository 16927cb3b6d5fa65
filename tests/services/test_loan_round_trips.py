"""What one lend and one return cost in statements (issue 17: several desks queue behind
each other's writes, so every statement of a lend is paid by every desk), and that the
cheaper path keeps the guarantees: gap-free numbers, one audit entry each, an intact chain."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from desk_app.domain.errors import Conflict
from desk_app.services.loans import BorrowerInput
from desk_app.store.db import is_postgresql
from desk_app.store.models import AuditEntry
from tests.services.test_archive_loans import items, people  # noqa: F401 (fixtures)

VISITOR = BorrowerInput(name="赵六", contact="139-0000-0001", organisation="业主委员会")
# Statements peewee sends for one lend / one return of one item, the slip or receipt shown
# afterwards included (SQLite; PostgreSQL adds the server clock and the advisory locks).
LEND, RETURN = 10, 9  # were 16 and 12
POSTGRESQL_EXTRA = {"lend": 3, "return": 2}


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg[0] if isinstance(record.msg, tuple) else record.getMessage()
        self.statements.append(str(message))


@contextmanager
def counted() -> Iterator[list[str]]:
    logger = logging.getLogger("peewee")
    handler, level = _Count(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.statements
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _measure(fn: Callable[[], Any]) -> tuple[Any, list[str]]:
    with counted() as statements:
        result = fn()
    return result, statements


def test_a_lend_and_a_return_take_few_statements(desk, people, items):  # noqa: F811
    clerk = people["clerk"]
    ref = items["Fire safety manual"]
    extra = POSTGRESQL_EXTRA if is_postgresql(desk.ctx.db) else {"lend": 0, "return": 0}
    desk.loans.lend(clerk, [ref], VISITOR, "查阅")  # registers the visitor, starts the series
    desk.loans.return_items(clerk, [ref])

    slip, lent = _measure(lambda: desk.loans.lend(clerk, [ref], VISITOR, "查阅"))
    receipt, returned = _measure(lambda: desk.loans.return_items(clerk, [ref]))

    assert len(lent) <= LEND + extra["lend"], "\n".join(lent)
    assert len(returned) <= RETURN + extra["return"], "\n".join(returned)
    # What the joined queries show is what the separate ones showed.
    assert (slip["borrower"], slip["contact"], slip["handler"]) == ("赵六", "139-0000-0001", "王芳")
    assert [item["ref"] for item in slip["items"]] == [ref]
    assert slip["items"][0]["kind"] and slip["items"][0]["dept"]
    assert slip["items"][0]["approval"] is None
    assert (receipt["borrower"], receipt["handler"]) == ("赵六", "王芳")
    assert receipt["items"][0]["condition"] == "good"


def test_refused_lend_leaves_no_gap_and_the_chain_intact(desk, people, items):  # noqa: F811
    clerk = people["clerk"]
    ref = items["Fire safety manual"]
    first = desk.loans.lend(clerk, [ref], VISITOR, "查阅")
    entries = AuditEntry.select().count()
    with pytest.raises(Conflict):  # already on loan: refused, the slip number not used up
        desk.loans.lend(clerk, [ref], VISITOR, "查阅")
    assert AuditEntry.select().count() == entries
    back = desk.loans.return_items(clerk, [ref])
    second = desk.loans.lend(clerk, [ref], VISITOR, "查阅")
    again = desk.loans.return_items(clerk, [ref])

    def serial(number: str) -> int:
        return int(number.rsplit("-", 1)[1])

    assert serial(second["number"]) == serial(first["number"]) + 1
    assert serial(again["number"]) == serial(back["number"]) + 1
    last = list(AuditEntry.select().order_by(AuditEntry.seq.desc()).limit(4))
    assert [entry.action for entry in reversed(last)] == [
        "loan.lend", "loan.return", "loan.lend", "loan.return"][-len(last):]
    assert [entry.seq for entry in last] == list(range(last[0].seq, last[0].seq - 4, -1))
    assert last[0].entity_id == str(again["id"])
    report = desk.audit.verify(people["admin"])
    assert report.ok, report
