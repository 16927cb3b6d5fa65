"""Confidential access approvals (R5): requests, the manager's signed decisions, revocation,
the check a loan of a secret item passes, and copies made under an approval."""

from __future__ import annotations

from desk_app.services.archive import ArchiveService
from desk_app.services.base import Service
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService


class ApprovalService(Service):
    settings: SettingsService
    keys: KeyService
    archive: ArchiveService
