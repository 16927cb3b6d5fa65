"""The document register: incoming documents (收文): receive, instruct, carry, read, ask/answer, result, chase, file."""

from __future__ import annotations

from desk_app.services.documents.common import DocumentBase


class IncomingMixin(DocumentBase):
    pass
