"""Reception's forms: what staff write is checked for phrases not to use as you type (R13);
the service checks it again and, when one is found, the dialog offers "Save anyway". The
customer's own words (a request, a complaint as told) and quotations are not flagged.

Besides the shared field kinds a form may have a ``check`` field (a check box, its label
beside it; its value is True or False)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QWidget

from desk_app.domain.phrase_check import CUSTOMER_WORDS
from desk_app.i18n import _
from desk_app.services.reception import ForbiddenPhraseFound, check_text
from desk_app.ui.widgets.form_dialog import FieldsDialog, FieldSpec

__all__ = ["FieldSpec", "FormDialog"]


class FormDialog(FieldsDialog):
    confirmable = (ForbiddenPhraseFound,)

    def text_warnings(self, text: str) -> list[str]:
        return [_("Avoid “{found}”: {suggestion}").format(found=f.found, suggestion=f.suggestion)
                for f in check_text(text, skip_quoted=True)]

    def _check_text(self, name: str) -> None:
        if name in CUSTOMER_WORDS:  # the customer's words are theirs: nothing to warn about
            return
        super()._check_text(name)

    def _widget(self, spec: FieldSpec) -> QWidget:
        if spec.kind == "check":
            box = QCheckBox(spec.label)
            box.setChecked(bool(spec.value))
            return box
        return super()._widget(spec)

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        # A check box carries its own label (and its mnemonic).
        return super().add_field(key, "" if isinstance(widget, QCheckBox) else label, widget)

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name, widget in self.widgets.items():
            if isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
        return values
