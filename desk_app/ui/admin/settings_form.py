"""The shared-settings form, built from ``desk_app.domain.settings.schema()``."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.settings import Setting, schema
from desk_app.domain.users import Actor
from desk_app.i18n import LANGUAGES, _
from desk_app.ui.widgets.fields import FieldError, show_field_error, widget_value

log = logging.getLogger(__name__)


def _choice_label(choice: str) -> str:
    """A yes/no setting reads in the user's language; other choices as they are."""
    return {"yes": _("Yes"), "no": _("No")}.get(choice, choice)


class SettingsForm(QWidget):
    """Edits every setting; Save writes them all in one transaction (``set_many``)."""

    saved = Signal(dict)

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for item in schema():
            editor = self._editor(item)
            editor.setObjectName(f"setting_{item.key}")
            label = QLabel(_(item.label) + ":")
            label.setBuddy(editor)
            form.addRow(label, editor)
            error = FieldError()
            error.setObjectName(f"error_{item.key}")
            form.addRow("", error)
            self.editors[item.key], self.errors[item.key] = editor, error
        self.general_error = FieldError()
        self.status = QLabel()
        self.status.setObjectName("settings_status")
        self.save_button = QPushButton(_("&Save settings"))
        self.save_button.setObjectName("save_settings")
        self.revert_button = QPushButton(_("Re&vert"))
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.load)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        # Every area adds its settings: they scroll, Save and Revert stay in sight (1366×768).
        fields = QWidget()
        fields_layout = QVBoxLayout(fields)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        fields_layout.addLayout(form)
        fields_layout.addStretch(1)
        self.scroll_area = scroll = QScrollArea()
        scroll.setObjectName("settings_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(fields)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.general_error)
        layout.addLayout(buttons)
        self.load()

    @staticmethod
    def _editor(item: Setting) -> QWidget:
        if item.choices:
            combo = QComboBox()
            for choice in item.choices:
                combo.addItem(LANGUAGES.get(choice, choice) if item.key == "language"
                              else _choice_label(choice), choice)
            return combo
        if item.kind is int:
            spin = QSpinBox()
            spin.setRange(0, 1_000_000)  # the service checks the real range and says so
            spin.setMinimumWidth(120)
            return spin
        edit = QLineEdit()
        edit.setMinimumWidth(320)
        if item.secret:  # never shown back: empty means "keep the one saved"
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def load(self) -> None:
        values = self.desk.settings.all()
        for item in schema():
            editor, value = self.editors[item.key], values[item.key]
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value))
            elif isinstance(editor, QLineEdit) and item.secret:
                editor.clear()
                editor.setPlaceholderText(_("(saved — type a new one to change it)") if value
                                          else "")
            elif isinstance(editor, QLineEdit):
                editor.setText(str(value))
        self._clear()

    def values(self) -> dict[str, Any]:
        secret = {item.key for item in schema() if item.secret}
        return {key: widget_value(editor) for key, editor in self.editors.items()
                if key not in secret or widget_value(editor)}  # an empty secret: unchanged

    def _clear(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.clear_message()
        self.status.clear()

    def save(self) -> bool:
        self._clear()
        try:
            saved = self.desk.settings.set_many(self.actor, self.values())
        except ValidationError as error:
            target = show_field_error(self.errors, self.general_error, error.field, str(error))
            editor = self.editors.get(error.field or "")
            if editor is not None and target is not self.general_error:
                editor.setFocus()
                self.scroll_area.ensureWidgetVisible(editor)
            return False
        except DeskError as error:
            self.general_error.show_message(str(error))
            return False
        self.status.setText(_("Settings saved."))
        self.saved.emit(saved)
        return True
