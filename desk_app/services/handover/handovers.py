"""The shift handover (R8–R12): skeleton, filled in next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_app.services.base import Service
from desk_app.services.handover.shifts import ShiftService
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService

if TYPE_CHECKING:
    from desk_app.services.handover.equipment import EquipmentService


class HandoverService(Service):
    settings: SettingsService
    keys: KeyService
    shifts: ShiftService
    equipment: EquipmentService
