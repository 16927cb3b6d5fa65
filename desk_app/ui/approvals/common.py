"""Pieces the Approvals page's tabs share: a paged register panel, date fields, a reason
dialog, the manager's signature, and opening a stored form in a background job."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.registers import apply_widths, register_table
from desk_app.ui.widgets.signing import ctrl_enter_saves


class RegisterPanel(QWidget):
    """One sub-tab: a paged register (``count()``, ``fetch(offset, limit)``) in a table."""

    rows_changed = Signal()  # the selection or the rows changed

    def __init__(self, name: str, count: Callable[[], int],
                 fetch: Callable[[int, int], Sequence[Any]], columns: Sequence[Column],
                 widths: tuple[int, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.model = PagedTableModel(count, fetch, columns, parent=self)
        self.table: QTableView = register_table(name)
        self.table.setModel(self.model)
        apply_widths(self.table, widths)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.table)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self.rows_changed.emit())
        self.model.modelReset.connect(self.rows_changed.emit)

    def selected_rows(self) -> list[dict[str, Any]]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [row for row in (self.model.row(number) for number in rows) if row is not None]

    def current(self) -> dict[str, Any] | None:
        rows = self.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def select_id(self, row_id: int) -> bool:
        """Select the row with ``id`` if it is on the first page."""
        for number in range(min(self.model.rowCount(), self.model.page_size)):
            row = self.model.row(number)
            if row is not None and row.get("id") == row_id:
                self.table.selectRow(number)
                return True
        return False


def date_edit(name: str, day: date) -> DateField:
    """A date field (typed yyyy-MM-dd, read strictly, or picked on a calendar), set to
    ``day``; ``name`` is also the form's field key."""
    return DateField(day, name=name)


def date_value(edit: DateField) -> date:
    """The day typed; a text that is not one raises at the field (``ValidationError``)."""
    day = edit.value()
    if day is None:
        raise ValidationError(edit.error() or _("Please enter a date, e.g. 2026-12-31."),
                              edit.objectName())
    return day


def reason_field(name: str = "reason") -> QPlainTextEdit:
    text = QPlainTextEdit()
    text.setObjectName(name)
    text.setTabChangesFocus(True)
    text.setFixedHeight(64)
    return text


def required_reason(text: str, field: str = "reason") -> str:
    """The reason typed, checked before anything is signed (the service checks it again)."""
    reason = text.strip()
    if not reason:
        raise ValidationError(_("Please give a reason."), field)
    return reason


class ReasonDialog(FormDialog):
    """A short form: what it is about, a mandatory reason; ``action(reason)`` on OK."""

    def __init__(self, title: str, about: str, ok_text: str, action: Callable[[str], Any],
                 parent: QWidget | None = None, name: str = "reason_dialog") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.action = action
        about_label = QLabel(about)
        about_label.setWordWrap(True)
        about_label.setObjectName("about")
        self.form.addRow(about_label)
        self.reason_edit = reason_field()
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.ok_button.setText(ok_text)
        ctrl_enter_saves(self)
        self.reason_edit.setFocus()

    def submit(self) -> Any:
        return self.action(required_reason(self.reason_edit.toPlainText()))


