"""The document register: internal liaison sheets (工作联络单): draft, head signs, deliver, reply, withdraw."""

from __future__ import annotations

from desk_app.services.documents.common import DocumentBase


class LiaisonMixin(DocumentBase):
    pass
