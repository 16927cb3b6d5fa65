"""Reception's registers for pages and exports: the visitor and call log, call-backs and
complaints (``ExportService.export(actor, "visits" | "callbacks" | "complaints", …)``).

Rows are the views the services return (``VisitView``, ``CallBackView``, ``ComplaintView``);
pages show them newest first, exports in keyset order of their numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.users import Actor
from desk_app.i18n import N_, _
from desk_app.services.reception.base import callback_query, complaint_query, visit_query
from desk_app.services.reception.views import (
    CallBackFilter,
    ComplaintFilter,
    VisitFilter,
    callback_status_text,
    callback_view,
    complaint_view,
    satisfaction_text,
    visit_view,
)
from desk_app.services.registers import Period, RegisterColumn, RegisterSource, cell_text, keyset
from desk_app.store.reception import CallBack, Complaint, Visit


def _attr(name: str, show: Callable[[Any], str] = cell_text) -> Callable[[Any], str]:
    return lambda view: show(getattr(view, name))


def _person(view: Any) -> str:
    return f"{view.name}{view.caller_title}"


class _ReceptionRegister(RegisterSource):
    view_permission = ReceptionPermission.RECEPTION_VIEW
    export_permission = ReceptionPermission.RECEPTION_VIEW
    model: ClassVar[Any]
    newest: ClassVar[Any]  # the time a page shows newest first
    view: ClassVar[Any]  # staticmethod: a row -> its view
    filter: ClassVar[Any]  # the filter dataclass; an export's is made of its days
    query: ClassVar[Any]  # staticmethod: a filter -> the query of its rows

    def period(self, period: Period) -> Any:
        return self.filter(since=period.since, until=period.until)

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(self.query(flt).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        query = self.query(flt).order_by(self.newest.desc(), self.model.id.desc())
        return [self.view(row) for row in query.offset(offset).limit(limit)]

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        names = self.model._meta.sorted_field_names
        for values in keyset(self.query(flt), self.model.id):
            yield self.view(self.model(**dict(zip(names, values, strict=True))))


class VisitRegister(_ReceptionRegister):
    name = "visits"
    title = N_("Visitor and call log")
    model = Visit
    newest = Visit.arrived_at
    view = staticmethod(visit_view)
    filter = VisitFilter
    query = staticmethod(visit_query)
    columns = (
        RegisterColumn(N_("No."), 4, _attr("id")),
        RegisterColumn(N_("Channel"), 6,
                       _attr("channel", lambda channel: _(rules.CHANNEL_LABELS[channel]))),
        RegisterColumn(N_("Name"), 8, _person),
        RegisterColumn(N_("Contact"), 10, _attr("contact")),
        RegisterColumn(N_("Company"), 9, _attr("company")),
        RegisterColumn(N_("Request"), 20, _attr("request")),
        RegisterColumn(N_("Handler"), 7, _attr("handler")),
        RegisterColumn(N_("Time in"), 9, _attr("arrived_at")),
        RegisterColumn(N_("Answered"), 9, _attr("answered_at")),
        RegisterColumn(N_("Resolved"), 9, _attr("resolved_at")),
        RegisterColumn(N_("Time out"), 9, _attr("ended_at")),
        RegisterColumn(N_("Timeout"), 8,
                       _attr("timeout_level", lambda level: rules.level_label(level)
                             if level else "")),
    )


class CallBackRegister(_ReceptionRegister):
    name = "callbacks"
    title = N_("Call-backs")
    model = CallBack
    newest = CallBack.due_at
    view = staticmethod(callback_view)
    filter = CallBackFilter
    query = staticmethod(callback_query)
    columns = (
        RegisterColumn(N_("No."), 4, _attr("id")),
        RegisterColumn(N_("Customer"), 8, _person),
        RegisterColumn(N_("Contact"), 9, _attr("contact")),
        RegisterColumn(N_("Purpose"), 18, _attr("purpose")),
        RegisterColumn(N_("Scheduled for"), 9, _attr("due_at")),
        RegisterColumn(N_("Handler"), 6, _attr("handler")),
        RegisterColumn(N_("Status"), 7, _attr("status", callback_status_text)),
        RegisterColumn(N_("Called at"), 9, _attr("done_at")),
        RegisterColumn(N_("Called by"), 6, _attr("done_by")),
        RegisterColumn(N_("Satisfaction"), 7, _attr("satisfaction", satisfaction_text)),
        RegisterColumn(N_("Result"), 17, _attr("result")),
    )


class ComplaintRegister(_ReceptionRegister):
    name = "complaints"
    title = N_("Complaint register")
    model = Complaint
    newest = Complaint.received_at
    view = staticmethod(complaint_view)
    filter = ComplaintFilter
    query = staticmethod(complaint_query)
    columns = (
        RegisterColumn(N_("No."), 4, _attr("id")),
        RegisterColumn(N_("Received"), 9, _attr("received_at")),
        RegisterColumn(N_("Category"), 8, _attr("category", rules.category_label)),
        RegisterColumn(N_("Customer"), 7, _attr("name")),
        RegisterColumn(N_("Contact"), 9, _attr("contact")),
        RegisterColumn(N_("Complaint"), 24, _attr("description")),
        RegisterColumn(N_("Handler"), 6, _attr("handler")),
        RegisterColumn(N_("Reply promised"), 9, _attr("promised_at")),
        RegisterColumn(N_("Replied"), 9, _attr("replied_at")),
        RegisterColumn(N_("Reply"), 18, _attr("result")),
    )
