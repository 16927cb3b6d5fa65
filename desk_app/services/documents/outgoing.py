"""The document register: outgoing documents (发文): draft, revise, review, sign off, send, void, execution, correction."""

from __future__ import annotations

from desk_app.services.documents.common import DocumentBase


class OutgoingMixin(DocumentBase):
    pass
