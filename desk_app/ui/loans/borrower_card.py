"""The borrower card (issue 14): who the person is, how to reach them, what they hold now,
what is overdue and everything they borrowed before (paged), like a Koha patron's page.

Opened from the borrower field (Ctrl+I or its Card… button), from the Loans page ("Borrower
card…" on the selected loan) and from the Borrowers tab. An outside borrower's contact and
organisation can be corrected here (audited before/after by the service).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.ui.errors import show_error
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.fields import FieldError, line_edit
from desk_app.ui.widgets.form_dialog import checked
from desk_app.ui.widgets.registers import apply_widths, day_text, local_text, register_table


def _columns(history: bool) -> list[Column]:
    right = Qt.AlignmentFlag.AlignRight
    columns = [
        Column(lambda: _("Reference"), lambda row: row["ref"]),
        Column(lambda: _("Title"), lambda row: row["title"], tooltip=lambda row: row["title"]),
        Column(lambda: _("Lent"), lambda row: local_text(row["lent_at"])),
        Column(lambda: _("Due"), lambda row: day_text(row["due_on"])),
    ]
    if history:
        columns.append(Column(lambda: _("Returned"), lambda row: local_text(row["returned_at"])))
    else:
        columns.append(Column(lambda: _("Days overdue"),
                              lambda row: row["days_overdue"] or "", align=right))
    columns.append(Column(lambda: _("Purpose"), lambda row: row["purpose"],
                          tooltip=lambda row: row["purpose"]))
    return columns


class BorrowerCard(QDialog):
    """One borrower's card; ``key`` is ``user:NAME``, ``borrower:ID`` or ``loan:ID``."""

    def __init__(self, desk, actor: Actor, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.key = desk, actor, key
        self.result_value: Any = None
        self.setObjectName("borrower_card")
        self.data: dict[str, Any] = desk.borrowers.card(actor, key)
        data = self.data
        self.key = key = data["key"]  # ``loan:ID`` from the Loans page names the person
        self.setWindowTitle(_("Borrower: {name}").format(name=data["name"]))

        title = QLabel(data["name"])
        title.setObjectName("card_name")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        kind = QLabel(_("Staff member, user name {user}").format(user=data["user_name"])
                      if data["kind"] == "staff" else _("Outside borrower"))
        kind.setObjectName("card_kind")
        self.summary = QLabel(self._summary())
        self.summary.setObjectName("card_summary")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.editable = data["kind"] == "outside" and actor.can(ArchivePermission.LOAN_HANDLE)
        self.contact_edit = line_edit("card_contact", data["contact"] or "")
        self.organisation_edit = line_edit("card_organisation", data["organisation"] or "")
        for edit in (self.contact_edit, self.organisation_edit):
            edit.setReadOnly(not self.editable)
        self.errors = {"contact": FieldError(), "org": FieldError()}
        contact_label = QLabel(_("C&ontact:"))
        contact_label.setBuddy(self.contact_edit)
        org_label = QLabel(_("Or&ganisation:"))
        org_label.setBuddy(self.organisation_edit)
        if self.editable or data["contact"] or data["organisation"]:  # staff: often none
            form.addRow(contact_label, self.contact_edit)
            form.addRow("", self.errors["contact"])
            form.addRow(org_label, self.organisation_edit)
            form.addRow("", self.errors["org"])
        if data.get("since"):
            form.addRow(_("Known since:"), QLabel(local_text(data["since"])))
        self.save_button = QPushButton(_("&Save contact details"))
        self.save_button.setObjectName("card_save")
        self.save_button.setAutoDefault(False)
        self.save_button.setVisible(self.editable)
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("card_saved")
        if self.editable:
            row = QHBoxLayout()
            row.addWidget(self.save_button)
            row.addWidget(self.saved_label, 1)
            form.addRow("", row)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("card_tabs")
        self.open_table = self._table("card_open", data["open"], False)
        self.overdue_table = self._table("card_overdue", data["overdue"], False)
        self.history_model = PagedTableModel(
            lambda: self.data["history_count"],
            lambda offset, limit: desk.borrowers.history(actor, key, offset, limit),
            _columns(True), page_size=50, parent=self)
        self.history_table = register_table("card_history")
        self.history_table.setModel(self.history_model)
        apply_widths(self.history_table, (130, 190, 115, 85, 115))
        self.tabs.addTab(self.open_table, _("&Open ({count})").format(count=len(data["open"])))
        self.tabs.addTab(self.overdue_table,
                         _("O&verdue ({count})").format(count=len(data["overdue"])))
        self.tabs.addTab(self.history_table,
                         _("&History ({count})").format(count=data["history_count"]))
        if data["overdue"]:
            self.tabs.setCurrentWidget(self.overdue_table)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(kind)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(760, 520)
        close.setFocus()

    def _summary(self) -> str:
        data = self.data
        text = ngettext("{count} open loan", "{count} open loans", data["open_loans"]).format(
            count=data["open_loans"])
        if data["overdue_loans"]:
            text += ", " + ngettext("{count} overdue", "{count} overdue",
                                    data["overdue_loans"]).format(count=data["overdue_loans"])
        text += " · " + ngettext("{count} loan in all", "{count} loans in all",
                                 data["history_count"]).format(count=data["history_count"])
        return text

    def _table(self, name: str, rows: list[dict[str, Any]], history: bool) -> QTableView:
        model = PagedTableModel(lambda: len(rows), lambda offset, limit: rows[offset:offset + limit],
                                _columns(history), parent=self)
        table = register_table(name)
        table.setModel(model)
        apply_widths(table, (130, 190, 115, 85, 85))
        return table

    def save(self) -> None:
        """The new contact details (audited by the service); errors under their field."""
        for error in self.errors.values():
            error.clear_message()

        def show(field: str | None, message: str) -> None:
            (self.errors.get(field or "") or self.errors["contact"]).show_message(message)

        ok, row = checked(show, lambda: self.desk.borrowers.edit(
            self.actor, self.key, self.contact_edit.text(), self.organisation_edit.text()))
        if ok:
            self.result_value = row
            self.contact_edit.setText(row["contact"])
            self.organisation_edit.setText(row["organisation"])
            self.saved_label.setText(_("Saved."))


def show_borrower_card(parent: QWidget, desk, actor: Actor, key: str) -> BorrowerCard | None:
    """Open the card of ``key`` over ``parent`` (window-modal); an error is shown instead."""
    try:
        card = BorrowerCard(desk, actor, key, parent)
    except DeskError as error:
        show_error(parent, error)
        return None
    card.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    card.open()
    return card
