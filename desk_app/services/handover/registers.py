"""The "keys", "key_loans" and "shift_swaps" registers: skeleton, filled in next."""

from __future__ import annotations

from desk_app.domain.areas.handover import HandoverPermission, KeysPermission
from desk_app.i18n import N_
from desk_app.services.registers import RegisterSource


class EquipmentRegister(RegisterSource):
    name = "keys"
    title = N_("Keys and equipment")
    view_permission = KeysPermission.KEYS_VIEW
    export_permission = KeysPermission.KEYS_VIEW
    columns = ()


class EquipmentLoanRegister(RegisterSource):
    name = "key_loans"
    title = N_("Key and equipment checkouts")
    view_permission = KeysPermission.KEYS_VIEW
    export_permission = KeysPermission.KEYS_VIEW
    columns = ()


class ShiftSwapRegister(RegisterSource):
    name = "shift_swaps"
    title = N_("Shift swaps")
    view_permission = HandoverPermission.SHIFT_VIEW
    export_permission = HandoverPermission.SHIFT_VIEW
    columns = ()
