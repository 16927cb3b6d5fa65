"""``desk.documents``: the document register's use cases, one class made of its parts
(each part's module says what it does; they share ``common.DocumentBase``)."""

from __future__ import annotations

from desk_app.services.archive import ArchiveService
from desk_app.services.documents.departments import DepartmentsMixin
from desk_app.services.documents.incoming import IncomingMixin
from desk_app.services.documents.liaison import LiaisonMixin
from desk_app.services.documents.outgoing import OutgoingMixin
from desk_app.services.documents.queries import QueriesMixin


class DocumentService(IncomingMixin, OutgoingMixin, LiaisonMixin, QueriesMixin,
                      DepartmentsMixin):
    archive: ArchiveService
