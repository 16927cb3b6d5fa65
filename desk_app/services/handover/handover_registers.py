"""The "handovers" register (R8–R12): every shift handover, by the time it was started, for
the Handover page's history and for exports; the same query as the page's rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.areas.handover import HandoverPermission
from desk_app.domain.shifts import shift_label
from desk_app.domain.users import Actor
from desk_app.i18n import N_
from desk_app.services.handover import handover_queries as q
from desk_app.services.handover.handover_queries import HandoverFilter
from desk_app.services.registers import Period, RegisterSource, keyset, positional
from desk_app.store.handover import Handover


class HandoverRegister(RegisterSource):
    """Rows are the tuples of ``handover_queries.rows_query``; a filter is a
    ``HandoverFilter`` (the page) or the where clause of an export's period."""

    name = "handovers"
    title = N_("Shift handovers")
    view_permission = HandoverPermission.HANDOVER_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    columns = positional(
        (N_("No."), 8), (N_("Shift"), 5, shift_label), (N_("Day"), 7), (N_("Outgoing"), 7),
        (N_("Incoming"), 7), (N_("Supervisor"), 7), (N_("Status"), 8, q.status_label),
        (N_("Started"), 9), (N_("Scheduled"), 9), (N_("Handed over"), 9), (N_("Locked"), 9),
        first=1)

    def period(self, period: Period) -> Any:
        return HandoverFilter(since=period.since, until=period.until)

    @staticmethod
    def _where(flt: Any) -> Any:
        return q.where_of(flt if isinstance(flt, HandoverFilter) else HandoverFilter())

    def _count(self, actor: Actor, flt: Any) -> int:
        return int(Handover.select().where(self._where(flt)).count())

    def _page(self, actor: Actor, flt: Any, offset: int, limit: int) -> Sequence[Any]:
        return list(q.rows_query().where(self._where(flt))
                    .order_by(Handover.started_at.desc(), Handover.id.desc())
                    .offset(max(0, offset)).limit(max(0, limit)).tuples())

    def _rows(self, actor: Actor, flt: Any) -> Iterator[Any]:
        return keyset(q.rows_query().where(self._where(flt)), Handover.id)
