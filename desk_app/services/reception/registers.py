"""Reception's registers for pages and exports: the visitor and call log, call-backs and
complaints (``ExportService.export(actor, "visits" | "callbacks" | "complaints", …)``).

Rows are the views the services return (``VisitView``, ``CallBackView``, ``ComplaintView``);
pages show them newest first, exports in keyset order of their numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.users import Actor
from desk_app.i18n import N_
from desk_app.services.reception.base import callback_query, complaint_query, visit_query
from desk_app.services.reception.views import (
    CallBackFilter,
    ComplaintFilter,
    VisitFilter,
    callback_status_text,
    callback_view,
    complaint_view,
    satisfaction_text,
    staff_names,
    visit_view,
)
from desk_app.services.registers import Period, RegisterSource, by_attribute, keyset
from desk_app.store.reception import CallBack, Complaint, Visit


def _person(view: Any) -> str:
    return rules.addressed(view.name, view.caller_title)


@dataclass(frozen=True)
class _Table:
    """Where a reception register's rows come from."""

    model: Any
    newest: Any  # the time a page shows newest first
    view: Callable[[Any, Mapping[str, str]], Any]  # a row, staff names -> its view
    filter: Any  # the filter dataclass; an export's is made of its days
    query: Callable[[Any], Any]  # a filter -> the query of its rows


class _ReceptionRegister(RegisterSource):
    view_permission = ReceptionPermission.RECEPTION_VIEW
    export_permission = ReceptionPermission.RECEPTION_VIEW
    table: ClassVar[_Table]

    def period(self, period: Period) -> Any:
        return self.table.filter(since=period.since, until=period.until)

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(self.table.query(flt).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        table = self.table
        query = table.query(flt).order_by(table.newest.desc(), table.model.id.desc())
        names = staff_names()
        return [table.view(row, names) for row in query.offset(offset).limit(limit)]

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        table = self.table
        fields = table.model._meta.sorted_field_names
        names = staff_names()
        for values in keyset(table.query(flt), table.model.id):
            yield table.view(table.model(**dict(zip(fields, values, strict=True))), names)


class VisitRegister(_ReceptionRegister):
    name = "visits"
    title = N_("Visitor and call log")
    table = _Table(Visit, Visit.arrived_at, visit_view, VisitFilter, visit_query)
    columns = by_attribute(
        (N_("No."), 4, "id"),
        (N_("Channel"), 6, "channel", lambda channel: rules.Channel(channel).label),
        (N_("Name"), 8, _person), (N_("Contact"), 10, "contact"), (N_("Company"), 9, "company"),
        (N_("Request"), 20, "request"), (N_("Handler"), 7, "handler_name"),
        (N_("Time in"), 9, "arrived_at"), (N_("Answered at"), 9, "answered_at"),
        (N_("Resolved at"), 9, "resolved_at"), (N_("Left / ended"), 9, "ended_at"),
        (N_("Timeout"), 8, "timeout_level", lambda level: rules.level_label(level) if level else ""),
    )


class CallBackRegister(_ReceptionRegister):
    name = "callbacks"
    title = N_("Call-backs")
    table = _Table(CallBack, CallBack.due_at, callback_view, CallBackFilter, callback_query)
    columns = by_attribute(
        (N_("No."), 4, "id"), (N_("Customer"), 8, _person), (N_("Contact"), 9, "contact"),
        (N_("Purpose"), 18, "purpose"), (N_("Scheduled for"), 9, "due_at"),
        (N_("Handler"), 6, "handler_name"), (N_("Status"), 7, "status", callback_status_text),
        (N_("Called at"), 9, "done_at"), (N_("Called by"), 6, "done_by_name"),
        (N_("Satisfaction"), 7, "satisfaction", satisfaction_text), (N_("Result"), 17, "result"),
    )


class ComplaintRegister(_ReceptionRegister):
    name = "complaints"
    title = N_("Complaint register")
    table = _Table(Complaint, Complaint.received_at, complaint_view, ComplaintFilter, complaint_query)
    columns = by_attribute(
        (N_("No."), 4, "id"), (N_("Received"), 9, "received_at"),
        (N_("Category"), 8, "category", rules.category_label), (N_("Customer"), 7, "name"),
        (N_("Contact"), 9, "contact"), (N_("Complaint"), 24, "description"),
        (N_("Handler"), 6, "handler_name"), (N_("Reply promised"), 9, "promised_at"),
        (N_("Replied at"), 9, "replied_at"), (N_("Reply"), 18, "result"),
    )
