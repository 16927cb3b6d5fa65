"""One import in progress: the rows it has read, the problems it found, and the pieces every
kind of ledger shares (reading a row's cells field by field, the chunked writes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from desk_app.domain.errors import ValidationError
from desk_app.domain.ledger import LedgerKind, clean_text
from desk_app.domain.users import Actor
from desk_app.services.imports.report import ImportOptions, ImportProblem, ImportReport

T = TypeVar("T")
CHUNK = 500  # rows per INSERT: SQLite allows 32,766 variables per statement; and per lookup


@dataclass
class Job:
    """What every importer of one run shares. ``dry``: the check — read the database,
    never write it (no transaction is open)."""

    actor: Actor
    kind: LedgerKind
    options: ImportOptions
    report: ImportReport
    columns: dict[str, str]  # field → the header text problems name
    at: datetime  # the standard clock (R8): when the import is recorded
    dry: bool
    batch_id: int | None = None
    bad_rows: set[int] = field(default_factory=set)

    def problem(self, row: int, field_name: str, message: str, value: object = "") -> None:
        self.bad_rows.add(row)
        column = self.columns.get(field_name, "")
        self.report.add(ImportProblem(row, column, message, clean_text(value)))

    def created(self, what: str, name: str) -> None:
        # Callers create each name once (they cache what they made): no search of the list.
        self.report.created.setdefault(what, []).append(name)

    def unknown(self, what: str, text: str) -> None:
        found = self.report.unknown.setdefault(what, [])
        if text not in found:
            found.append(text)
            found.sort()


class Row:
    """One row's cells by field; ``take`` parses one cell and records its problem (every
    bad cell of a row is reported, not only the first)."""

    def __init__(self, job: Job, number: int, cells: dict[str, object]) -> None:
        self.job, self.number, self.cells = job, number, cells
        self.ok = True

    def raw(self, name: str) -> object:
        return self.cells.get(name)

    def text(self, name: str) -> str:
        return clean_text(self.cells.get(name))

    def take(self, name: str, parse: Callable[[Any], T], default: T) -> T:
        value = self.cells.get(name)
        try:
            return parse(value)
        except ValidationError as error:
            self.fail(name, str(error), value)
            return default

    def fail(self, name: str, message: str, value: object = None) -> None:
        self.ok = False
        self.job.problem(self.number, name, message,
                         self.cells.get(name) if value is None else value)


class Importer:
    """A kind of ledger: ``add`` each row, then ``finish``; ``imported`` counts the rows
    written (or, in a check, that would be)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.imported = 0

    def add(self, row: Row) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


def chunks(values: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def local_moment(day: date, hour: int) -> datetime:
    """``hour`` o'clock local time on ``day``, as stored: naive UTC (a ledger gives days;
    a historical loan is lent at 09:00 and returned at 17:00 of its days)."""
    return datetime.combine(day, time(hour)).astimezone(UTC).replace(tzinfo=None)


def bulk_insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """``model.insert_many(rows)`` as one prepared statement run for every row: building
    peewee's SQL for 500 rows of 14 values took as long as the database's work."""
    if not rows:
        return
    db = model._meta.database
    names = list(rows[0])
    fields_ = [model._meta.fields[name] for name in names]
    columns = ", ".join(f'"{field_.column_name}"' for field_ in fields_)
    marks = ", ".join([db.param] * len(fields_))
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    values = [tuple(field_.db_value(row[name]) for name, field_ in zip(names, fields_, strict=True))
              for row in rows]
    db.cursor().executemany(sql, values)
