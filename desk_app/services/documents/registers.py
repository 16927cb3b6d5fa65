"""The document register as a register source: the Documents page's paged lists, the
chase list, and ``desk-app export documents``."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import peewee

from desk_app.domain.areas.documents import DocumentsPermission
from desk_app.domain.clock import local_day_range
from desk_app.domain.text import LookupFilter
from desk_app.domain.users import Actor
from desk_app.i18n import N_
from desk_app.services.registers import Period, RegisterSource, keyset, positional
from desk_app.store.documents import Document


@dataclass(frozen=True)
class DocumentFilter(LookupFilter):
    """``direction``: incoming, outgoing, internal or "" (all); ``status``: one status;
    ``overdue``: handling past its due date only (the chase list); ``text``: in number,
    title, sender, sender's number or issued number; ``since``/``until``: created in."""

    direction: str = ""
    status: str = ""
    overdue: bool = False
    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    today: date | None = None  # "overdue" is judged against this day


def where(flt: DocumentFilter) -> Any:
    D = Document
    conditions: list[Any] = [peewee.SQL("1 = 1")]
    if flt.direction:
        conditions.append(D.direction == flt.direction)
    if flt.status:
        conditions.append(D.status == flt.status)
    if flt.overdue and flt.today is not None:
        conditions.append(D.status.in_(["circulating", "handling"]) & (D.due_on < flt.today))
    if flt.text:
        like = f"%{flt.text}%"
        conditions.append(D.number.contains(flt.text) | D.title ** like | D.sender ** like
                          | D.sender_ref ** like | D.issued_no ** like)
    if flt.since is not None:
        conditions.append(D.created_at >= flt.since)
    if flt.until is not None:
        conditions.append(D.created_at < flt.until)
    return functools.reduce(operator.and_, conditions)


def _select() -> Any:
    D = Document
    return D.select(D.id, D.number, D.direction, D.status, D.title, D.sender, D.addressee,
                    D.issued_no, D.received_on, D.due_on, D.created_at)


class DocumentRegister(RegisterSource):
    name = "documents"
    title = N_("Document register")
    view_permission = DocumentsPermission.DOCUMENT_VIEW
    export_permission = DocumentsPermission.DOCUMENT_VIEW
    columns = positional((N_("Number"), 1.2), (N_("Direction"), 0.8), (N_("Status"), 1.0),
                         (N_("Title"), 3.0), (N_("From"), 1.6), (N_("To"), 1.6),
                         (N_("Issued number"), 1.6), (N_("Received"), 1.0),
                         (N_("Due"), 1.0), (N_("Registered"), 1.4), first=1)
    wrapped = (N_("Title"),)

    def period(self, period: Period) -> Any:
        since, until = local_day_range(period.since, period.until)
        return DocumentFilter(since=since, until=until)

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(Document.select().where(where(flt)).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return list(_select().where(where(flt)).order_by(Document.id.desc())
                    .offset(offset).limit(limit).tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return keyset(_select().where(where(flt)), Document.id)
