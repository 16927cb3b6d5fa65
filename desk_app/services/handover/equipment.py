"""Keys and equipment (R10): skeleton, filled in next."""

from __future__ import annotations

from desk_app.services.base import Service
from desk_app.services.handover.shifts import ShiftService
from desk_app.services.settings import SettingsService


class EquipmentService(Service):
    settings: SettingsService
    shifts: ShiftService
