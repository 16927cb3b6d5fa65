"""The Loans area (R4): open, overdue and all loans; lend, take back, renew, correct, remind."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import archive as rules
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.loans import LoanFilter
from desk_app.ui.errors import show_error
from desk_app.ui.loans.lend import LendDialog, ReturnDialog, condition_combo, notice, sign_form
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.export_dialog import ExportButton
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.jobs import Job
from desk_app.ui.widgets.page import Page
from desk_app.ui.widgets.registers import apply_widths, day_text, local_text, preview_pdf, register_table

log = logging.getLogger(__name__)
OPEN, OVERDUE, HISTORY = "open", "overdue", "history"


def _condition(row: dict[str, Any]) -> str:
    return _(rules.CONDITION_LABELS[row["condition"]]) if row["condition"] else ""


def loan_columns(tab: str) -> list[Column]:
    right = Qt.AlignmentFlag.AlignRight
    columns = [
        Column(lambda: _("Reference"), lambda row: row["ref"]),
        Column(lambda: _("Title"), lambda row: row["title"], tooltip=lambda row: row["title"]),
        Column(lambda: _("Borrower"), lambda row: row["borrower"]),
        Column(lambda: _("Due"), lambda row: day_text(row["due_on"])),
    ]
    if tab == OVERDUE:
        columns.append(Column(lambda: _("Days overdue"), lambda row: row["days_overdue"], align=right))
    columns += [
        Column(lambda: _("Lent"), lambda row: local_text(row["lent_at"])),
        Column(lambda: _("Handled by"), lambda row: row["handler"]),
        Column(lambda: _("Renewals"), lambda row: row["renewals"] or "", align=right),
    ]
    if tab == HISTORY:
        columns += [
            Column(lambda: _("Returned"), lambda row: local_text(row["returned_at"])),
            Column(lambda: _("Condition"), _condition),
        ]
    columns.append(Column(lambda: _("Purpose"), lambda row: row["purpose"],
                          tooltip=lambda row: row["purpose"]))
    return columns


class LoanPanel(QWidget):
    """One tab: a paged register of loans under one filter."""

    def __init__(self, desk, actor: Actor, tab: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.tab = desk, actor, tab
        self.borrower: str | None = None
        self.model = PagedTableModel(self._count, self._fetch, loan_columns(tab), parent=self)
        self.table: QTableView = register_table(f"loans_{tab}")
        self.table.setModel(self.model)
        widths = ([150, 240, 100, 90] + ([100] if tab == OVERDUE else []) + [130, 100, 75]
                  + ([130, 90] if tab == HISTORY else []))
        apply_widths(self.table, tuple(widths))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.table)

    def loan_filter(self) -> LoanFilter:
        return LoanFilter(open_only=self.tab == OPEN, overdue_only=self.tab == OVERDUE,
                          borrower=self.borrower or None)

    def _count(self) -> int:
        return self.desk.loans.count(self.actor, self.loan_filter())

    def _fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.desk.loans.page(self.actor, self.loan_filter(), offset, limit)

    def selected_rows(self) -> list[dict[str, Any]]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [row for row in (self.model.row(number) for number in rows) if row is not None]


class LoansPage(Page):
    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(_("Loans"), _("Who has which file, since when and until when. Lend and "
                                       "take back by scanning; overdue loans first."), parent)
        self.desk, self.actor = desk, actor

        self.borrower_edit = line_edit("filter_borrower")
        self.borrower_edit.setClearButtonEnabled(True)
        self.borrower_edit.setPlaceholderText(_("borrower's name or user name"))
        borrower_label = QLabel(_("&Borrower:"))
        borrower_label.setBuddy(self.borrower_edit)
        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(300)
        self.count_label = QLabel()
        self.count_label.setObjectName("loans_count")
        top = QHBoxLayout()
        top.addWidget(borrower_label)
        top.addWidget(self.borrower_edit, 1)
        top.addStretch(2)
        top.addWidget(self.count_label)
        self.body.addLayout(top)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("loan_tabs")
        self.panels = {tab: LoanPanel(desk, actor, tab) for tab in (OPEN, OVERDUE, HISTORY)}
        self.tabs.addTab(self.panels[OPEN], _("&Open"))
        self.tabs.addTab(self.panels[OVERDUE], _("O&verdue"))
        self.tabs.addTab(self.panels[HISTORY], _("&History"))
        self.body.addWidget(self.tabs, 1)

        handle = actor.can(ArchivePermission.LOAN_HANDLE)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot, visible in (
            ("lend", _("&Lend…"), self.lend, handle),
            ("return", _("&Take back…"), self.take_back, handle),
            ("renew", _("Re&new"), self.renew, handle),
            ("sign", _("&Slip…"), self.sign_slip, handle),
            ("correct", _("&Correct…"), self.correct, actor.can(ArchivePermission.LOAN_CORRECT)),
            ("reminders", _("Re&minders…"), self.reminders, handle),
        ):
            button = QPushButton(text)
            button.setObjectName(f"loan_{key}")
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            button.setVisible(visible)
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)
        self.export_button = ExportButton(desk, actor, "loans", self)
        row.addWidget(self.export_button)
        self.body.addLayout(row)

        self.borrower_edit.textChanged.connect(lambda _text: self.filter_timer.start())
        self.borrower_edit.returnPressed.connect(self.apply_filter)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.tabs.currentChanged.connect(self._tab_changed)
        for panel in self.panels.values():
            panel.table.selectionModel().selectionChanged.connect(self._update_actions)
            panel.model.modelReset.connect(self._update_actions)
        self._tab_changed()

    # ---------------------------------------------------------------- data

    def panel(self) -> LoanPanel:
        return self.tabs.currentWidget()  # type: ignore[return-value]

    def show_tab(self, tab: str) -> LoanPanel:
        panel = self.panels[tab]
        self.tabs.setCurrentWidget(panel)
        return panel

    def show_overdue(self) -> LoanPanel:
        return self.show_tab(OVERDUE)

    def show_view(self, view: str) -> None:
        """``overdue``: the Overdue tab; ``lend:REF,REF``: the lend dialog with those items
        (the Archive page's "Lend…")."""
        if view == "overdue":
            self.show_overdue()
        elif view.startswith("lend:"):
            self.lend([ref for ref in view.removeprefix("lend:").split(",") if ref])

    def apply_filter(self, *_args) -> None:
        self.filter_timer.stop()
        borrower = self.borrower_edit.text().strip() or None
        for panel in self.panels.values():
            panel.borrower = borrower
        self.refresh()

    def refresh(self) -> None:
        for panel in self.panels.values():
            try:
                panel.model.refresh()
            except DeskError as error:
                show_error(self, error)
                break
        self._update_count()

    def activated(self) -> None:
        self.refresh()

    def _tab_changed(self, *_args) -> None:
        self._update_count()
        self._update_actions()

    def _update_count(self) -> None:
        panel = self.panel()
        count = panel.model.rowCount()
        self.count_label.setText(ngettext("{count} loan", "{count} loans", count).format(count=count))

    def _update_actions(self, *_args) -> None:
        rows = self.panel().selected_rows()
        open_rows = [row for row in rows if row["returned_at"] is None]
        self.buttons["renew"].setEnabled(bool(open_rows))
        self.buttons["sign"].setEnabled(len(rows) == 1)
        self.buttons["correct"].setEnabled(len(rows) == 1)

    # ---------------------------------------------------------------- actions

    def lend(self, refs: list[str] | None = None) -> LendDialog:
        dialog = LendDialog(self.desk, self.actor, self)
        for ref in refs or []:
            dialog.add_ref(ref)
        self.run_dialog(dialog, accepted_only=False)
        return dialog

    def take_back(self) -> None:
        dialog = ReturnDialog(self.desk, self.actor, self)
        for row in self.panel().selected_rows():
            if row["returned_at"] is None:
                dialog.add_ref(row["ref"])
        self.run_dialog(dialog, accepted_only=False)

    def renew(self) -> None:
        rows = [row for row in self.panel().selected_rows() if row["returned_at"] is None]
        done = []
        for row in rows:
            try:
                renewed = self.desk.loans.renew(self.actor, row["ref"])
            except DeskError as error:
                show_error(self, error)
                break
            done.append(f"{renewed['ref']} → {renewed['due_on']}")
        self.refresh()
        if done:
            notice(self, _("Renewed, now due: {list}").format(list=", ".join(done)))

    def sign_slip(self) -> None:
        rows = self.panel().selected_rows()
        if len(rows) != 1:
            return
        try:
            slip = self.desk.loans.slip(self.actor, rows[0]["slip"])
            if slip["signed"]:
                preview_pdf(self, self.desk.loans.document(self.actor, slip["number"]),
                            f"{slip['number']}.pdf")
                return
            pdf = sign_form(self, self.actor, slip["borrower"],
                            _("the loan slip {number}").format(number=slip["number"]),
                            lambda password, borrower_png, clerk_png: self.desk.loans.sign_slip(
                                self.actor, slip["id"], password, borrower_png, clerk_png))
        except DeskError as error:
            show_error(self, error)
            return
        if pdf is not None:
            preview_pdf(self, pdf, f"{slip['number']}.pdf")

    def correct(self) -> None:
        rows = self.panel().selected_rows()
        if len(rows) == 1:
            self.run_dialog(CorrectDialog(self.desk, self.actor, rows[0], self))

    def reminders(self) -> None:
        self.run_dialog(RemindersDialog(self.desk, self.actor, self))


class CorrectDialog(FormDialog):
    """R3: a correction is a new record with a reason; the loan itself is never edited."""

    def __init__(self, desk, actor: Actor, row: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.row = desk, actor, row
        self.setObjectName("correct_dialog")
        self.setWindowTitle(_("Correct a loan"))
        about = QLabel(_("{ref} · {title}, lent to {borrower}").format(
            ref=row["ref"], title=row["title"], borrower=row["borrower"]))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.reason_edit = line_edit("reason")
        self.due_edit = DateField(row["due_on"], name="due_on", optional=True)
        self.condition_combo = condition_combo(_("(unchanged)"))
        self.condition_combo.setEnabled(row["returned_at"] is not None)
        self.notes_edit = line_edit("notes", placeholder=_("blank: unchanged"))
        self.notes_edit.setEnabled(row["returned_at"] is not None)
        self.add_field("reason", _("&Reason:"), self.reason_edit)
        self.add_field("due_on", _("&Due:"), self.due_edit)
        self.add_field("condition", _("C&ondition:"), self.condition_combo)
        self.add_field("notes", _("&Notes:"), self.notes_edit)
        self.ok_button.setText(_("&Record correction"))
        self.reason_edit.setFocus()

    def submit(self) -> dict[str, Any]:
        if self.due_edit.error():  # not a date: said at the field, nothing recorded
            raise ValidationError(self.due_edit.error() or "", "due_on")
        due: date | None = self.due_edit.value()
        return self.desk.loans.correct(
            self.actor, self.row["id"], self.reason_edit.text(),
            due_on=due if due != self.row["due_on"] else None,
            condition=self.condition_combo.currentData(),
            notes=self.notes_edit.text().strip() or None)


class RemindersDialog(QDialog):
    """Borrowers with overdue items; one bundled notice each."""

    def __init__(self, desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.result_value: Any = None
        self.job: Job | None = None  # a reminder being recorded and printed
        self.setObjectName("reminders_dialog")
        self.setWindowTitle(_("Overdue reminders"))
        self.tree = QTreeWidget()
        self.tree.setObjectName("reminder_bundles")
        self.tree.setHeaderLabels([_("Borrower / reference"), _("Contact / title"), _("Due"),
                                   _("Days overdue")])
        for column, width in enumerate((200, 240, 90)):
            self.tree.setColumnWidth(column, width)
        self.send_button = QPushButton(_("&Send reminder"))
        self.send_button.setObjectName("send_reminder")
        self.send_button.clicked.connect(self.send)
        self.status = QLabel()
        self.status.setObjectName("reminder_status")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.send_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(680, 420)
        self.tree.currentItemChanged.connect(lambda *_args: self._update())
        self.load()

    def load(self) -> None:
        self.tree.clear()
        try:
            bundles = self.desk.loans.overdue_by_borrower(self.actor)
        except DeskError as error:
            self.status.setText(str(error))
            bundles = []
        for bundle in bundles:
            worst = max(loan["days_overdue"] for loan in bundle["loans"])
            top = QTreeWidgetItem([bundle["borrower"], bundle["contact"] or "",
                                   ngettext("{count} item", "{count} items", len(bundle["loans"])).format(
                count=len(bundle["loans"])), str(worst)])
            top.setData(0, Qt.ItemDataRole.UserRole, bundle["borrower_id"])
            for loan in bundle["loans"]:
                child = QTreeWidgetItem([loan["ref"], loan["title"], day_text(loan["due_on"]),
                                         str(loan["days_overdue"])])
                child.setData(0, Qt.ItemDataRole.UserRole, bundle["borrower_id"])
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if not bundles and not self.status.text():
            self.status.setText(_("Nothing is overdue."))
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update()

    def _update(self) -> None:
        self.send_button.setEnabled(self.tree.currentItem() is not None and self.job is None)

    def send(self) -> None:
        """Record the reminder and make its notice in a background job, then preview it."""
        item = self.tree.currentItem()
        if item is None or self.job is not None:
            return
        desk, actor = self.desk, self.actor
        borrower_id = item.data(0, Qt.ItemDataRole.UserRole)
        self.status.setText(_("Preparing the reminder…"))
        self.job = Job(lambda _progress: desk.loans.send_reminder(actor, borrower_id), desk=desk,
                       parent=self, on_success=self._sent, on_failure=self._not_sent)
        self._update()
        self.job.start()

    def _not_sent(self, error: BaseException) -> None:
        self.job = None
        self.status.clear()
        self._update()
        show_error(self, error)

    def _sent(self, sent: tuple[dict[str, Any], bytes]) -> None:
        self.job = None
        self._update()
        bundle, pdf = sent
        self.result_value = bundle
        self.status.setText(_("Reminder to {name} recorded.").format(name=bundle["borrower"]))
        preview_pdf(self, pdf, _("reminder-{name}.pdf").format(name=bundle["borrower"]))
