"""The document register as a register source: the Documents page's paged lists, the
chase list, and ``desk-app export documents``.

Every list is served by an index at 100k documents (tests/services/test_documents_queries.py
checks the plans): a direction's list walks ``document_direction_number`` backwards, the
whole register the primary key, the overdue lists ``document_status_due``. A secret
document's title reads "(secret)" to whoever may not read it (``progress.hidden_ids``)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

import peewee

from desk_app.domain import documents as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.clock import local_day_range, local_today
from desk_app.domain.text import LookupFilter
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _
from desk_app.services.documents import progress
from desk_app.services.registers import Period, RegisterSource, cell_text, keyset, positional
from desk_app.store.archive import Department, tuples
from desk_app.store.documents import Document

OPEN = (rules.Status.CIRCULATING.value, rules.Status.HANDLING.value)  # handling not done yet


@dataclass(frozen=True)
class DocumentFilter(LookupFilter):
    """``direction``: incoming, outgoing, internal or "" (all); ``status``: one status;
    ``overdue``: handling past its due date only (the chase list); ``text``: in number,
    title, sender, sender's number or issued number; ``since``/``until``: registered in.
    ``today``: the day "overdue" is judged on (the desk's today when None)."""

    direction: str = ""
    status: str = ""
    overdue: bool = False
    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    today: date | None = None


def where(flt: DocumentFilter, today: date) -> Any:
    D = Document
    conditions: list[Any] = [peewee.SQL("1 = 1")]
    if flt.direction:
        conditions.append(D.direction == flt.direction)
    if flt.status:
        conditions.append(D.status == flt.status)
    if flt.overdue:
        conditions.append(D.status.in_(OPEN) & (D.due_on < (flt.today or today)))
    if flt.text:
        like = f"%{flt.text}%"
        conditions.append(D.number ** like | D.title ** like | D.sender ** like
                          | D.sender_ref ** like | D.issued_no ** like)
    if flt.since is not None:
        conditions.append(D.created_at >= flt.since)
    if flt.until is not None:
        conditions.append(D.created_at < flt.until)
    return functools.reduce(operator.and_, conditions)


def order(flt: DocumentFilter) -> tuple[Any, ...]:
    """Newest first; the overdue list longest overdue first. Within one direction the
    running number's order is the registration order (both are drawn in the transaction
    that registers), and its index serves the page without sorting."""
    if flt.overdue:
        return Document.due_on, Document.id
    if flt.direction:
        return Document.direction.desc(), Document.number.desc()
    return (Document.id.desc(),)


# The columns a register row holds, in this order: the visible ones (from ``number``), then
# what the secret rule and the "where" line are judged on.
ROW_FIELDS = (Document.id, Document.number, Document.direction, Document.status,
              Document.title, Document.sender, Document.addressee, Document.issued_no,
              Document.received_on, Document.due_on, Document.created_at,
              Document.level, Document.dept, Document.to_dept, Document.handler_dept,
              Document.drafted_by, Document.created_by, Document.item,
              Document.execution, Document.refusal_reason, Document.void_reason)
NAMES = [field.name for field in ROW_FIELDS]
TITLE, SENDER, ADDRESSEE = NAMES.index("title"), NAMES.index("sender"), NAMES.index("addressee")
VISIBILITY = [NAMES.index(name) for name in progress.VISIBILITY_FIELDS]


def select(flt: DocumentFilter, today: date) -> Any:
    return Document.select(*ROW_FIELDS).where(where(flt, today))


def department_names() -> dict[int, str]:
    """Every department's name by id (a few dozen rows; read once per page)."""
    return dict(tuples(Department.select(Department.id, Department.name)))


def shown(actor: Actor, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Register rows with a secret title the actor may not read replaced by "(secret)"."""
    hidden = progress.hidden_ids(actor, [tuple(row[i] for i in VISIBILITY) for row in rows])
    if not hidden:
        return list(rows)
    secret = _(progress.SECRET_TEXT)
    return [(*row[:TITLE], secret, *row[TITLE + 1:]) if row[0] in hidden else row
            for row in rows]


def _label(kind: Any) -> Any:
    return lambda value: kind(value).label if value else ""


class DocumentRegister(RegisterSource):
    name = "documents"
    title = N_("Document register")
    view_permission = DocumentsPermission.DOCUMENT_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    columns: ClassVar = positional(
        (N_("Number"), 1.2), (N_("Direction"), 0.8, _label(rules.Direction)),
        (N_("Status"), 1.2, _label(rules.Status)), (N_("Title"), 3.0), (N_("Sender"), 1.6),
        (N_("Addressee"), 1.6), (N_("Issued number"), 1.6), (N_("Received on"), 1.0),
        (N_("Handling due"), 1.0), (N_("Registered"), 1.4, cell_text), first=1)
    wrapped = (N_("Title"),)

    def _today(self) -> date:
        return local_today(self.ctx.clock.now())

    def period(self, period: Period) -> Any:
        since, until = local_day_range(period.since, period.until)
        return DocumentFilter(since=since, until=until)

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(Document.select().where(where(flt, self._today())).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        rows = list(select(flt, self._today()).order_by(*order(flt))
                    .offset(offset).limit(limit).tuples())
        return self._readable(actor, rows)

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        batch: list[tuple[Any, ...]] = []
        for row in keyset(select(flt, self._today()), Document.id):
            batch.append(row)
            if len(batch) == 500:
                yield from self._readable(actor, batch)
                batch = []
        yield from self._readable(actor, batch)

    @staticmethod
    def _readable(actor: Actor, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Secret titles masked; outgoing and internal documents name their drafting
        department as "From" and a liaison sheet its receiving one as "To"."""
        if not rows:
            return []
        names = department_names()
        dept, to_dept = NAMES.index("dept"), NAMES.index("to_dept")
        result = []
        for row in shown(actor, rows):
            sender = row[SENDER] or names.get(row[dept], "")
            addressee = row[ADDRESSEE] or names.get(row[to_dept], "")
            result.append((*row[:SENDER], sender, addressee, *row[ADDRESSEE + 1:]))
        return result
