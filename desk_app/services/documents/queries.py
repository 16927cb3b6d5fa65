"""The document register: reading the register: show with timeline, find by number, waiting for me, chase list, gaps, sheets."""

from __future__ import annotations

from desk_app.services.documents.common import DocumentBase


class QueriesMixin(DocumentBase):
    pass
