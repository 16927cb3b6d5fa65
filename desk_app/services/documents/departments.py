"""The document register: who belongs to and heads which department."""

from __future__ import annotations

from desk_app.services.documents.common import DocumentBase


class DepartmentsMixin(DocumentBase):
    pass
