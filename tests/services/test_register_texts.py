"""The loan register's export makes its cells straight from SQLite's values (issue 17): the
same cells as the register's columns over peewee's own rows, R6 kept, the same count both
ways it is counted, and stored times read as ``format_datetime`` reads them in every zone."""

from __future__ import annotations

import csv
import io
import os
import random
import time
from datetime import datetime, timedelta

import pytest

from desk_app.demo.service import DEMO_PASSWORD
from desk_app.domain.clock import format_datetime, format_stored_datetime
from desk_app.services import archive_registers
from desk_app.services.registers import Period, texts_in_id_order
from desk_app.store.archive import SEALED_TITLE, Item, Loan

ZONES = ["Asia/Shanghai", "America/St_Johns", "Europe/Berlin", "Australia/Lord_Howe",
         "Asia/Kathmandu", "America/New_York", "UTC"]


@pytest.fixture
def zone():
    """Sets the local zone for the test (``time.tzset``) and restores it afterwards."""
    saved = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield use
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_stored_times_read_as_format_datetime_in_every_zone(zone):
    """Random times and times around every change of the clocks, as the database stores
    them, in the zones one after the other (no local hour of one zone is kept for the next)."""
    pick = random.Random(18)
    moments = [datetime(1950, 1, 1) + timedelta(seconds=pick.randint(0, 90 * 365 * 86400),
                                                microseconds=pick.choice((0, pick.randint(1, 999_999))))
               for _ in range(5000)]
    moment = datetime(2025, 1, 1)
    while moment < datetime(2027, 1, 1):
        moments += [moment, moment - timedelta(microseconds=1)]
        moment += timedelta(minutes=17, seconds=3)
    for name in ZONES:
        zone(name)
        for moment in moments:
            assert format_stored_datetime(str(moment)) == format_datetime(moment), (name, moment)
        for other in ("2026-03-29T01:30:00", "2026-03-29 01:30", "2026-03-29 01:30:00.5",
                      "2026-03-29 01:30:00+02:00", "0999-12-31 23:59:59"):
            assert format_stored_datetime(other) == format_datetime(
                datetime.fromisoformat(other)), (name, other)
    for malformed in ("2026-02-30 10:00:00", "2026-01-01 24:00:00", "2026-01-01 10:61:00",
                      "2026-01-01 10:00:60", "2026-01-01 1O:00:00", "２０２６-01-01 10:00:00"):
        with pytest.raises(ValueError):
            format_stored_datetime(malformed)


def _seal_two_loans(desk) -> tuple[int, int]:
    """Two returned loans moved onto personnel files; the auditor is granted the first file.
    Returns the two loans' ids."""
    files = list(Item.select(Item.id, Item.ref).where(Item.level == "personnel")
                 .order_by(Item.id).limit(2))
    loans = [loan.id for loan in Loan.select(Loan.id).where(Loan.returned_at.is_null(False))
             .order_by(Loan.id.desc()).limit(2)]
    assert len(files) == len(loans) == 2
    for loan, item in zip(loans, files, strict=True):
        Loan.update(item=item.id).where(Loan.id == loan).execute()
    officer = desk.auth.login("liuyang", DEMO_PASSWORD)
    desk.personnel.grant(officer, files[0].ref, "chenjing", desk.today() + timedelta(days=3),
                         "复核")
    return loans[0], loans[1]


@pytest.mark.parametrize("zone_name", ["Asia/Shanghai", "America/St_Johns"])
def test_loan_export_cells_are_the_registers_cells(demo_desk, tmp_path, monkeypatch, zone,
                                                   zone_name):
    """What the export writes equals the register's columns over the page query's rows
    (peewee's conversion, none of the export's); R6: a sealed loan only to the grantee, its
    title as "—"; the count, by each way of counting, equals the rows."""
    zone(zone_name)
    desk = demo_desk
    granted, sealed = _seal_two_loans(desk)
    source = desk.registers["loans"]
    until = desk.today()
    since = until - timedelta(days=3650)
    for user, sees in (("chenjing", {granted}), ("zhangwei", set())):
        actor = desk.auth.login(user, DEMO_PASSWORD)
        total, cells = source.export_rows(actor, Period(since, until))
        rows = list(cells)
        flt = source.period(Period(since, until))
        expected = [source.cells(row) for row in reversed(source.page(actor, flt, 0, total + 9))]
        assert rows == expected and len(rows) == total > 5000
        shown = {int(row[0]): row for row in rows}
        assert {granted, sealed} & shown.keys() == sees, user
        assert all(shown[loan][2] == SEALED_TITLE for loan in sees)
        for few in (0, 10**9):  # the sealed loans taken away / every loan checked
            monkeypatch.setattr(archive_registers, "_CHECKED_PER_LOAN", few)
            assert source.count(actor, flt) == total
            assert source.count(actor, source.period(Period(until, until))) == sum(
                1 for row in rows if row[6][:10] == until.isoformat())

        out = tmp_path / f"{user}.csv"
        result = desk.exports.export(actor, "loans", since, until, "csv", out)
        written = io.StringIO(newline="")
        writer = csv.writer(written)
        writer.writerow(source.header())
        writer.writerows(expected)
        assert result.rows == total
        assert out.read_bytes() == written.getvalue().encode("utf-8-sig")


def test_texts_of_columns_other_than_the_selects_own(demo_desk):
    """The item register's columns start at the select's second value and read some values
    their own way (kinds, levels, an empty location): straight from SQLite they read as the
    columns read peewee's rows."""
    source = demo_desk.registers["items"]
    first = Item.select(Item.id).order_by(Item.id).limit(1)
    Item.update(location=None, doc_date=None).where(Item.id.in_(first)).execute()
    query = source._select()
    texts = list(texts_in_id_order(query, Item.id, source.columns))
    assert texts == [source.cells(row) for row in query.order_by(Item.id).tuples()]
    assert len(texts) > 1000 and texts[0][4] == texts[0][-1] == ""  # no date, no place
