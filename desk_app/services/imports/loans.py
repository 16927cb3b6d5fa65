"""The loan book (借阅登记簿) as historical loans: they keep the ledger's dates (the one
documented exception to the standard clock, R8), name the import they came from
(``Loan.import_batch``), close when returned and put the item on loan when still open.

Loans are checked against each other (an item lent twice at once is an error on both rows,
not a guess), so the rows are kept until the end: a loan book is thousands of rows, not
hundreds of thousands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from desk_app.domain import archive as rules
from desk_app.domain import text
from desk_app.domain.ledger import clean_free_text, clean_text, parse_condition, parse_ledger_date
from desk_app.i18n import _
from desk_app.services.archive import visible_levels
from desk_app.services.borrowers import pinyin_keys
from desk_app.services.imports.job import Importer, Job, Row, chunks, local_moment
from desk_app.store import numbers
from desk_app.store.archive import Borrower, Item, Kind, Loan, LoanSlip, tuples
from desk_app.store.models import User

LENT_HOUR, RETURNED_HOUR = 9, 17  # a ledger gives days: lent in the morning, back by evening


@dataclass
class LoanRecord:
    row: int
    ref: str
    borrower: str
    contact: str
    organisation: str
    purpose: str
    handler: str
    lent_on: date
    due_on: date | None
    returned_on: date | None
    lent_time: time | None = None
    returned_time: time | None = None
    condition: str | None = None


_TIME = re.compile(r".*\d[ T](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?", re.ASCII)


def _day(name: str) -> Any:
    return lambda value: parse_ledger_date(value, name) if clean_text(value) else None


def _time_of_day(value: object) -> time | None:
    """The time a cell gives with its date (an exported register writes ``2024-03-05 10:52``;
    a hand-kept ledger only the day)."""
    if isinstance(value, datetime):
        return value.time() if value.time() != time.min else None
    match = _TIME.fullmatch(clean_text(value))
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _moment(day: date, at: time | None, hour: int) -> datetime:
    if at is None:
        return local_moment(day, hour)
    return datetime.combine(day, at).astimezone(UTC).replace(tzinfo=None)


def _line(name: str, label: str, limit: int) -> Any:
    return lambda value: text.line(clean_free_text(value), name, label, limit)


class LoanImporter(Importer):
    def __init__(self, job: Job) -> None:
        super().__init__(job)
        self.records: list[LoanRecord] = []

    def add(self, row: Row) -> None:
        ref = row.take("ref", lambda v: rules.check_ref(clean_text(v)), "")
        borrower = row.take("borrower", lambda v: text.required(
            text.line(clean_free_text(v), "borrower", _("The name"), 64), "borrower",
            _("Who borrowed? Give a name.")), "")
        lent_on = row.take("lent_on", _day("lent_on"), None)
        if lent_on is None and row.ok:
            row.fail("lent_on", _("Give the day the file was lent."))
        due_on = row.take("due_on", _day("due_on"), None)
        returned_on = row.take("returned_on", _day("returned_on"), None)
        if lent_on and due_on and due_on < lent_on:
            row.fail("due_on", _("Due before it was lent."))
        if lent_on and returned_on and returned_on < lent_on:
            row.fail("returned_on", _("Returned before it was lent."))
        if lent_on and lent_on > self.job.at.date() + timedelta(days=1):
            row.fail("lent_on", _("Lent in the future."))
        record = LoanRecord(
            row=row.number, ref=ref, borrower=borrower,
            contact=row.take("contact", _line("contact", _("The contact"), 120), ""),
            organisation=row.take("organisation", _line("org", _("The organisation"), 120), ""),
            purpose=row.take("purpose", _line("purpose", _("The purpose"), 500), ""),
            handler=row.take("handler", _line("handler", _("Handled by"), 64), ""),
            lent_on=lent_on or date.min, due_on=due_on, returned_on=returned_on,
            lent_time=_time_of_day(row.raw("lent_on")),
            returned_time=_time_of_day(row.raw("returned_on")),
            condition=row.take("condition", parse_condition, None))
        if record.condition and returned_on is None and row.ok:
            row.fail("condition", _("A condition is given, but no day the file came back."))
        if row.ok:
            self.records.append(record)

    def finish(self) -> None:
        items = self._items()
        self._overlaps()
        good = [record for record in self.records if record.row not in self.job.bad_rows]
        self.imported = len(good)
        if self.job.dry or not good:
            return
        self._write(good, items)

    def _items(self) -> dict[str, tuple[int, int, str]]:
        """ref → (item id, loan days, status) of the items the actor may see (R6: a sealed
        file is "no such item", like an unknown one)."""
        refs = sorted({record.ref for record in self.records})
        found: dict[str, tuple[int, int, str]] = {}
        open_in_db: set[str] = set()
        seen = Item.level.in_(visible_levels(self.job.actor))
        for part in chunks(refs):
            for ref, item_id, days, status in tuples(
                    Item.select(Item.ref, Item.id, Kind.loan_days, Item.status).join(Kind)
                    .where(Item.ref.in_(part) & seen)):
                found[ref] = (item_id, days, status)
            open_in_db.update(ref for (ref,) in tuples(
                Item.select(Item.ref).join(Loan).where(Item.ref.in_(part)
                                                       & Loan.returned_at.is_null())))
        for record in self.records:
            item = found.get(record.ref)
            if item is None:
                self.job.problem(record.row, "ref", str(rules.no_such_item(record.ref)),
                                 record.ref)
            elif record.returned_on is None and record.ref in open_in_db:
                self.job.problem(record.row, "ref", _("{ref} is on loan already.").format(
                    ref=record.ref), record.ref)
            elif record.returned_on is None and item[2] == rules.Status.DESTROYED:
                self.job.problem(record.row, "ref", _("{ref} was destroyed.").format(
                    ref=record.ref), record.ref)
        return found

    def _overlaps(self) -> None:
        """An item lent twice at once (periods overlapping, or two open loans): an error on
        both rows — which one is right is for the office to say."""
        by_item: dict[str, list[LoanRecord]] = {}
        for record in self.records:
            by_item.setdefault(record.ref, []).append(record)
        for loans in by_item.values():
            loans.sort(key=lambda record: (record.lent_on, record.row))
            for index, earlier in enumerate(loans):
                for later in loans[index + 1:]:
                    if earlier.returned_on is not None and later.lent_on >= earlier.returned_on:
                        break
                    for one, other in ((earlier, later), (later, earlier)):
                        self.job.problem(one.row, "ref", _(
                            "{ref} is lent twice at once: here and in row {row}.").format(
                                ref=one.ref, row=other.row), one.ref)

    def _write(self, records: list[LoanRecord], items: dict[str, tuple[int, int, str]]) -> None:
        people = People(self.job)
        rows = []
        for record in records:
            item_id, loan_days, _status = items[record.ref]
            lent_at = _moment(record.lent_on, record.lent_time, LENT_HOUR)
            due_on = record.due_on or record.lent_on + timedelta(days=loan_days)
            borrower = people.borrower(record)
            handler, ledger_handler = people.handler(record.handler)
            slip = LoanSlip.create(number=_slip_number(lent_at.year), borrower=borrower,
                                   purpose=record.purpose, handler=handler, lent_at=lent_at,
                                   due_on=due_on)
            returned_at = _moment(record.returned_on, record.returned_time, RETURNED_HOUR) \
                if record.returned_on else None
            rows.append({
                "slip": slip.id, "item": item_id, "borrower": borrower,
                "purpose": record.purpose, "handler": handler, "lent_at": lent_at,
                "due_on": due_on, "returned_at": returned_at,
                "returned_by": handler if returned_at else None,
                "return_condition": (record.condition or "good") if returned_at else None,
                "import_batch": self.job.batch_id, "ledger_handler": ledger_handler})
        for chunk in chunks(rows):
            Loan.insert_many(chunk).execute()
        lent = [items[record.ref][0] for record in records if record.returned_on is None]
        for ids in chunks(lent):
            Item.update(status=rules.Status.ON_LOAN.value).where(Item.id.in_(ids)).execute()


def _slip_number(year: int) -> str:
    """JY<year>-000123 of the year the loan was made (store.numbers: gap-free per year)."""
    prefix = f"JY{year}-"
    seq = numbers.next_number(f"{LoanSlip._meta.table_name}:{prefix}",  # type: ignore[attr-defined]
                              lambda: numbers.highest_suffix(LoanSlip, LoanSlip.number, prefix))
    return f"{prefix}{seq:06d}"


class People:
    """Borrowers and handlers named in the ledger: staff by full name or user name, else an
    outside borrower (found by name and contact, or by name alone when the ledger gives no
    contact) or, for a handler, the importing user with the ledger's text kept."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.staff: dict[str, tuple[int, str]] = {}
        for user_id, name, full_name in tuples(User.select(User.id, User.name, User.full_name)):
            self.staff.setdefault(name, (user_id, full_name or name))
            if full_name:
                self.staff.setdefault(clean_text(full_name), (user_id, full_name))
        self.borrowers: dict[tuple[str, str], int] = {}

    def handler(self, name: str) -> tuple[int, str]:
        found = self.staff.get(name) or self.staff.get(name.lower())
        if found:
            return found[0], ""
        assert self.job.actor.user_id is not None  # an import is made by a signed-in user
        return self.job.actor.user_id, name

    def borrower(self, record: LoanRecord) -> int:
        key = (record.borrower, record.contact)
        if key not in self.borrowers:
            self.borrowers[key] = self._borrower(record)
        return self.borrowers[key]

    def _borrower(self, record: LoanRecord) -> int:
        staff = self.staff.get(record.borrower) or self.staff.get(record.borrower.lower())
        at = self.job.at
        if staff:
            user_id, shown = staff
            Borrower.insert(user=user_id, name=shown, created_at=at,
                            **pinyin_keys(shown)).on_conflict_ignore().execute()
            return int(Borrower.get(Borrower.user == user_id).id)
        outside = Borrower.select().where(Borrower.user.is_null()
                                          & (Borrower.name == record.borrower))
        if record.contact:
            outside = outside.where(Borrower.contact == record.contact)
        person = outside.order_by(Borrower.id).first()
        if person is None:
            person = Borrower.create(name=record.borrower, contact=record.contact,
                                     organisation=record.organisation, created_at=at,
                                     **pinyin_keys(record.borrower))
        return int(person.id)
