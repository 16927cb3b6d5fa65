"""Reception's forms: free-text fields are checked for phrases not to use as you type (R13);
the service checks them again and, when one is found, the dialog offers "Save anyway" (the note
may quote someone)."""

from __future__ import annotations

from desk_app.i18n import _
from desk_app.services.reception import ForbiddenPhraseFound, check_text
from desk_app.ui.widgets.form_dialog import FieldsDialog, FieldSpec

__all__ = ["FieldSpec", "FormDialog"]


class FormDialog(FieldsDialog):
    confirmable = (ForbiddenPhraseFound,)

    def text_warnings(self, text: str) -> list[str]:
        return [_("Avoid “{found}”: {suggestion}").format(found=f.found, suggestion=f.suggestion)
                for f in check_text(text)]
