"""The Loans area (R4): open, overdue and all loans; lend, take back, renew, correct, remind."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
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
from desk_app.ui.loans.borrower_card import show_borrower_card
from desk_app.ui.loans.borrowers_tab import BorrowersTab
from desk_app.ui.loans.circulation import CirculationPanel, session_text
from desk_app.ui.loans.lend import LendDialog, ReturnDialog, condition_combo
from desk_app.ui.loans.reminders import RemindersDialog
from desk_app.ui.loans.renew import renew_loan
from desk_app.ui.loans.signing import sign_form
from desk_app.ui.models.paged import Column, PagedTableModel
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.export_dialog import ExportButton
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.form_dialog import FormDialog
from desk_app.ui.widgets.lazy import LazyWidget
from desk_app.ui.widgets.page import Page
from desk_app.ui.widgets.registers import apply_widths, day_text, local_text, preview_pdf, register_table

log = logging.getLogger(__name__)
OPEN, OVERDUE, HISTORY = "open", "overdue", "history"


def _condition(row: dict[str, Any]) -> str:
    return _(rules.CONDITION_LABELS[row["condition"]]) if row["condition"] else ""


def _slip_state(row: dict) -> str:
    if row.get("imported"):
        return _("from the ledger (paper slip)")
    return _("yes") if row["signed"] else _("no")


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
        # A slip left unsigned at the desk (issue 14): "Slip…" signs it later.
        Column(lambda: _("Slip signed"), _slip_state),
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

    def __init__(self, desk, actor: Actor, tab: str, on_selection: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.tab = desk, actor, tab
        self.borrower: str | None = None
        self.unsigned_only = False
        self.on_selection = on_selection
        # Read when first looked at (its tab shown, or its model asked for): the Loans page
        # shows one tab, and the other two registers' first pages cost ~0.3 s at a million loans.
        self.rows_model = PagedTableModel(self._count, self._fetch, loan_columns(tab),
                                          parent=self, desk=desk, lazy=True)
        self._table: QTableView | None = None  # made when the tab is first shown (issue 17)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 6, 0, 0)

    @property
    def table(self) -> QTableView:
        if self._table is None:
            self._table = table = register_table(f"loans_{self.tab}")
            table.setModel(self.rows_model)
            widths = ([150, 240, 100, 90] + ([100] if self.tab == OVERDUE else [])
                      + [130, 100, 75, 80] + ([130, 90] if self.tab == HISTORY else []))
            apply_widths(table, tuple(widths))
            self.layout_.addWidget(table)
            if self.isVisible():
                table.show()
            table.selectionModel().selectionChanged.connect(lambda *_args: self.on_selection())
        return self._table

    @property
    def has_table(self) -> bool:
        return self._table is not None

    def showEvent(self, event: QShowEvent) -> None:
        self.table  # noqa: B018 (made as the tab is first shown)
        super().showEvent(event)

    @property
    def model(self) -> PagedTableModel:
        self.rows_model.ensure_loaded()
        return self.rows_model

    def loan_filter(self) -> LoanFilter:
        return LoanFilter(open_only=self.tab == OPEN, overdue_only=self.tab == OVERDUE,
                          borrower=self.borrower or None, unsigned_only=self.unsigned_only)

    def _count(self) -> int:
        return self.desk.loans.count(self.actor, self.loan_filter())

    def _fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.desk.loans.page(self.actor, self.loan_filter(), offset, limit)

    def selected_rows(self) -> list[dict[str, Any]]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [row for row in (self.model.row(number) for number in rows) if row is not None]


class LoansPage(Page):
    loaded_when_built = True

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
        self.unsigned_check = QCheckBox(_("&Unsigned slips only"))
        self.unsigned_check.setObjectName("unsigned_only")
        top.addWidget(self.unsigned_check)
        top.addStretch(2)
        top.addWidget(self.count_label)
        self.body.addLayout(top)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("loan_tabs")
        self.panels = {tab: LoanPanel(desk, actor, tab, self._update_actions)
                       for tab in (OPEN, OVERDUE, HISTORY)}
        # Scan a borrower, then items: each scan lends at once (issue 14); the desk's first tab.
        # It and the Borrowers tab are built when first shown (ui/widgets/lazy.py): opening
        # the Loans page on another tab does not wait for them.
        self.circulation_tab = LazyWidget(self._make_circulation, self)
        self.circulation_tab.built.connect(self._tab_changed)
        if actor.can(ArchivePermission.LOAN_HANDLE):
            self.tabs.addTab(self.circulation_tab, _("C&irculation"))
        else:
            self.circulation_tab.hide()
        self.tabs.addTab(self.panels[OPEN], _("&Open"))
        self.tabs.addTab(self.panels[OVERDUE], _("O&verdue"))
        self.tabs.addTab(self.panels[HISTORY], _("&History"))
        self.borrowers_holder = LazyWidget(self._make_borrowers_tab, self)
        self.borrowers_holder.built.connect(self._tab_changed)
        self.tabs.addTab(self.borrowers_holder, _("Bo&rrowers"))
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
        # The card belongs to the borrower, beside the borrower filter: the action row stays
        # narrow enough for the main window's minimum width (a 760 px window, 1366×768).
        card = QPushButton(_("Borrow&er card…"))
        card.setObjectName("loan_card")
        card.clicked.connect(lambda _checked=False: self.borrower_card())
        top.insertWidget(2, card)
        self.buttons["card"] = card
        self.body.addLayout(row)

        self.borrower_edit.textChanged.connect(lambda _text: self.filter_timer.start())
        self.borrower_edit.returnPressed.connect(self.apply_filter)
        self.unsigned_check.toggled.connect(self.apply_filter)
        for panel in self.panels.values():
            panel.rows_model.counted.connect(lambda _total: self._update_count())
        checkout = QShortcut(QKeySequence("F2"), self)  # F2 lends: in the circulation tab
        checkout.setContext(Qt.ShortcutContext.WindowShortcut)
        checkout.activated.connect(self.check_out)
        # F3 takes back, from any tab; a hidden page's shortcuts do not fire, so the
        # Reception page's F3 is not taken.
        checkin = QShortcut(QKeySequence("F3"), self)
        checkin.setContext(Qt.ShortcutContext.WindowShortcut)
        checkin.activated.connect(self.check_in)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.tabs.currentChanged.connect(self._tab_changed)
        for panel in self.panels.values():
            panel.rows_model.modelReset.connect(self._update_actions)
        self._tab_changed()

    def _make_circulation(self) -> CirculationPanel:
        panel = CirculationPanel(self.desk, self.actor, self.refresh)
        panel.count_changed.connect(self._update_count)
        return panel

    def _make_borrowers_tab(self) -> BorrowersTab:
        tab = BorrowersTab(  # the remembered outside borrowers (issue 14)
            self.desk, self.actor, lambda key: show_borrower_card(self, self.desk, self.actor, key))
        tab.counted.connect(lambda _text: self._update_count())
        return tab

    @property
    def circulation(self) -> CirculationPanel:
        return self.circulation_tab.content()  # type: ignore[return-value]

    @property
    def borrowers_tab(self) -> BorrowersTab:
        return self.borrowers_holder.content()  # type: ignore[return-value]

    # ---------------------------------------------------------------- data

    def panel(self) -> LoanPanel:
        shown = self.tabs.currentWidget()
        if isinstance(shown, LazyWidget):
            return shown.content()  # type: ignore[return-value]
        return shown  # type: ignore[return-value]

    def show_tab(self, tab: str) -> LoanPanel:
        panel = self.panels[tab]
        self.tabs.setCurrentWidget(panel)
        return panel

    def show_overdue(self) -> LoanPanel:
        return self.show_tab(OVERDUE)

    def check_out(self) -> CirculationPanel:
        """F2: the circulation tab, checking out, the cursor in its scan box."""
        if self.tabs.indexOf(self.circulation_tab) >= 0:
            self.tabs.setCurrentWidget(self.circulation_tab)
            self.circulation.check_out()
        return self.circulation

    def check_in(self) -> CirculationPanel:
        """F3: the circulation tab, taking back, the cursor in its scan box."""
        if self.tabs.indexOf(self.circulation_tab) >= 0:
            self.tabs.setCurrentWidget(self.circulation_tab)
            self.circulation.check_in()
        return self.circulation

    def can_leave(self) -> bool:
        return not self.circulation_tab.is_built or self.circulation.can_leave()

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
            panel.unsigned_only = self.unsigned_check.isChecked()
        self.refresh()

    def refresh(self) -> None:
        current = self.panel()
        for panel in self.panels.values():
            if panel is not current and not panel.rows_model.loaded:
                continue  # read fresh when first shown
            try:
                panel.rows_model.refresh()
            except DeskError as error:
                show_error(self, error)
                break
        if self.borrowers_holder.is_built:
            self.borrowers_tab.refresh()
        self._update_count()

    def activated(self) -> None:
        self.refresh()

    def _tab_changed(self, *_args) -> None:
        self._update_count()
        self._update_actions()

    def _update_count(self) -> None:
        shown = self.tabs.currentWidget()
        if shown is self.circulation_tab or shown is self.borrowers_holder:
            assert isinstance(shown, LazyWidget)
            if not shown.is_built:
                self.count_label.clear()  # said when it is built, as it is shown
            elif shown is self.circulation_tab:
                self.count_label.setText(session_text(self.circulation))
            else:
                self.count_label.setText(self.borrowers_tab.count_text())
            return
        panel = self.panel()
        count = panel.model.rowCount()
        self.count_label.setText(
            ngettext("{count} loan", "{count} loans", count).format(count=count)
            if panel.model.count_known else _("Counting…"))

    def _update_actions(self, *_args) -> None:
        shown = self.tabs.currentWidget()
        unbuilt = isinstance(shown, LazyWidget) and not shown.is_built
        rows = [] if unbuilt else self.panel().selected_rows()
        open_rows = [row for row in rows if row["returned_at"] is None]
        self.buttons["renew"].setEnabled(bool(open_rows))
        self.buttons["sign"].setEnabled(len(rows) == 1)
        self.buttons["correct"].setEnabled(len(rows) == 1)
        self.buttons["card"].setEnabled(len(rows) == 1)

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
        """The Renew dialog (ui/loans/renew.py) for the selected open loan."""
        rows = [row for row in self.panel().selected_rows() if row["returned_at"] is None]
        if rows:
            renew_loan(self, self.desk, self.actor, rows[0]["ref"], self)

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

    def borrower_card(self) -> None:
        """The card of the selected loan's borrower (open and overdue loans, history)."""
        rows = self.panel().selected_rows()
        if len(rows) == 1:
            show_borrower_card(self, self.desk, self.actor, f"loan:{rows[0]['id']}")


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

