"""Printable folder and box labels (R1) for items the actor may see."""

from __future__ import annotations

from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.archive import ArchiveService
from desk_app.services.base import Service

SHEETS = ("single", "L7163", "L7160")
SHEET_SIZES = {"single": 1, "L7163": 14, "L7160": 21}
CODES = ("code128", "qr")
MAX_LABELS = 2000


class LabelService(Service):
    archive: ArchiveService

    def labels_pdf(self, actor: Actor, refs: list[str], sheet: str = "single", start: int = 0,
                   code: str = "code128") -> bytes:
        """One label per reference, in the order given (duplicates printed once).

        Items are read with ``ArchiveService.get_many``: the same visibility (R6) as looking at
        them, and the secret ones recorded in one audit entry however many there are (R7).
        """
        self.require(actor, ArchivePermission.ARCHIVE_VIEW)
        if sheet not in SHEETS:
            raise ValidationError(_("Unknown label sheet {sheet}.").format(sheet=sheet), "sheet")
        if code not in CODES:
            raise ValidationError(_("Unknown code type {code}.").format(code=code), "code")
        if not 0 <= start < SHEET_SIZES[sheet]:
            raise ValidationError(
                _("The start position is 1 to {count} on this sheet.").format(
                    count=SHEET_SIZES[sheet]), "start")
        wanted = list(dict.fromkeys(ref.strip().upper() for ref in refs or [] if ref.strip()))
        if not wanted:
            raise ValidationError(_("Choose at least one item to label."), "ref")
        if len(wanted) > MAX_LABELS:
            raise ValidationError(
                _("At most {count} labels at a time.").format(count=MAX_LABELS), "ref")
        items = self.archive.get_many(actor, wanted, via="labels")  # one audit entry

        from desk_app.forms.labels import Label, render_labels

        return render_labels([Label(item.ref, item.title, item.location) for item in items],
                             sheet=sheet, start=start, code=code)
