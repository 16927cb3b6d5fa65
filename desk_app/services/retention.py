"""Retention and approved destruction (R2, R3): the due-for-review list, disposal holds, and
destruction lists proposed by a clerk, decided by the manager, carried out with a witness."""

from __future__ import annotations

from desk_app.services.archive import ArchiveService
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService


class RetentionService(Service):
    settings: SettingsService
    keys: KeyService
    archive: ArchiveService
