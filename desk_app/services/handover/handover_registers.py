"""The "handovers" register: skeleton, filled in next."""

from __future__ import annotations

from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.areas.handover import HandoverPermission
from desk_app.i18n import N_
from desk_app.services.registers import RegisterSource


class HandoverRegister(RegisterSource):
    name = "handovers"
    title = N_("Shift handovers")
    view_permission = HandoverPermission.HANDOVER_VIEW
    export_permission = ArchivePermission.REGISTER_EXPORT
    columns = ()
