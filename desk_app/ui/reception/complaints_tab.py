"""The "Complaint register" tab: take a complaint (with its severity), record the reply, follow
its closed loop (R17) — cause analysis, proposals, the signed decision, the customer's
signature or refusal — the month's review (signed by the supervisor) and the monthly
statistics report.

The loop's buttons act on the selected complaint and are enabled by its state and what the
user may do (the service checks both again): the desk analyses, proposes and takes the
customer's answer; the supervisor decides or sends a proposal back; after the customer
refused, the manager does. Enter (or a double click) on a complaint shows its case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QPushButton, QWidget

from desk_app.domain import reception as rules
from desk_app.domain.complaints import Severity, Status
from desk_app.domain.errors import ValidationError
from desk_app.i18n import _
from desk_app.services.reception import ComplaintView
from desk_app.ui.models.paged import Column
from desk_app.ui.reception import complaint_dialogs as loop
from desk_app.ui.reception.common import (
    Host,
    ListTab,
    button_row,
    time_text,
    who,
)
from desk_app.ui.reception.complaint_case import (
    ComplaintCaseDialog,
    severity_text,
    status_text,
)
from desk_app.ui.reception.complaint_month import MonthReviewDialog
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.reception.export import ComplaintStatsDialog

SEARCHED_ROWS = 2000  # Today's "Open complaint" looks this far down the register


def loop_actions(view: ComplaintView | None, can_use: bool, can_review: bool,
                 can_manage: bool) -> set[str]:
    """What may be done now with the complaint ``view``, by its state and the user's rights
    (``domain.complaints`` has the rules; the service enforces them)."""
    if view is None:
        return set()
    status = Status(view.status)
    allowed = {"details"}
    if can_use and view.replied_at is None:
        allowed.add("reply")
    if can_use and status in (Status.OPEN, Status.PROPOSED):
        allowed.add("analyse")
    if can_use and status in (Status.OPEN, Status.PROPOSED, Status.REFUSED):
        allowed.add("propose")
    if status == Status.PROPOSED and can_review:
        allowed |= {"decide", "send_back"}
    if status == Status.REFUSED and can_manage:  # whoever decides now sends back
        allowed |= {"decide", "send_back"}
    if status == Status.DECIDED and can_use:
        allowed |= {"accept", "refuse"}
    return allowed


class ComplaintsTab(ListTab):
    register = "complaints"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        columns = [
            Column(lambda: _("No."), lambda c: c.number),
            Column(lambda: _("Received"), lambda c: time_text(c.received_at)),
            Column(lambda: _("Severity"), lambda c: severity_text(c.severity)),
            Column(lambda: _("State"), lambda c: status_text(c.status),
                   tooltip=lambda c: status_text(c.status)),
            Column(lambda: _("Category"), lambda c: rules.category_label(c.category)),
            Column(lambda: _("Customer"), lambda c: c.name),
            Column(lambda: _("Complaint"), lambda c: c.description,
                   tooltip=lambda c: c.description),
            Column(lambda: _("Reply promised"), lambda c: time_text(c.promised_at)),
            Column(lambda: _("Replied at"), lambda c: time_text(c.replied_at),
                   tooltip=lambda c: c.result or None),
        ]
        self.set_list(
            "complaint_table", lambda: host.desk.complaints.count_complaints(host.actor),
            lambda offset, limit: host.desk.complaints.complaints(host.actor, offset=offset,
                                                                 limit=limit),
            columns, (90, 90, 70, 230, 120, 80, 240, 90), (1, 7, 8))
        can_use, can_decide = host.can_use, host.can_review or host.can_manage
        loop_buttons: list[tuple[str, str, Callable[[], object], bool]] = [
            ("details", _("&Details…"), self.details, True),
            ("analyse", _("C&ause analysis…"), self.analyse, can_use),
            ("propose", _("&Propose…"), self.propose, can_use),
            ("decide", _("D&ecide…"), self.decide, can_decide),
            ("send_back", _("Send &back…"), self.send_back, can_decide),
            ("accept", _("Customer &signs…"), self.customer_accepts, can_use),
            ("refuse", _("Customer &refuses…"), self.customer_refuses, can_use),
        ]
        self.layout_.addLayout(button_row(host, [(f"complaint_{key}", text, slot, allowed)
                                                 for key, text, slot, allowed in loop_buttons]))
        self.add_buttons([
            ("reply_complaint", _("Repl&y…"), self.reply_selected, can_use),
            ("complaint_month", _("Month re&view…"), self.month_review, True),
            ("complaint_stats", _("Monthly statistics…"), self.statistics, True),
        ])
        names = {key: f"complaint_{key}" for key, *_rest in loop_buttons}
        names["reply"] = "reply_complaint"
        self.buttons: dict[str, QPushButton] = {
            key: button for key, name in names.items()
            if (button := self.findChild(QPushButton, name)) is not None}
        self.stats_dialog: ComplaintStatsDialog | None = None
        self.month_dialog: MonthReviewDialog | None = None
        self.case_dialog: ComplaintCaseDialog | None = None
        selection = self.table.selectionModel()
        assert selection is not None
        selection.selectionChanged.connect(lambda *_args: self.update_buttons())
        self.table.activated.connect(lambda _index: host.run(self.details))
        self.update_buttons()

    # ---------------------------------------------------------------- selection

    def refresh(self) -> None:
        super().refresh()
        self.update_buttons()

    def update_buttons(self) -> None:
        host = self.host
        allowed = loop_actions(self.selected(), host.can_use, host.can_review, host.can_manage)
        for key, button in self.buttons.items():
            button.setEnabled(key in allowed)

    def need_selection(self) -> ComplaintView:
        complaint = self.selected()
        if complaint is None:
            raise ValidationError(_("Select a complaint first."))
        return complaint

    def select_complaint(self, complaint_id: int, open_if_missing: bool = True) -> bool:
        """Select the complaint (Today's "Open complaint"); one not in the first rows of the
        register opens as its case instead (``open_if_missing``)."""
        model = self.model
        for number in range(min(model.rowCount(), SEARCHED_ROWS)):
            row = model.row(number)
            if row is not None and row.id == complaint_id:
                self.table.selectRow(number)
                self.table.scrollTo(model.index(number, 0))
                self.table.setFocus()
                return True
        if open_if_missing:
            self.show_case(complaint_id)
        return False

    # ---------------------------------------------------------------- the loop

    def details(self) -> ComplaintCaseDialog:
        return self.show_case(self.need_selection().id)

    def show_case(self, complaint_id: int) -> ComplaintCaseDialog:
        host = self.host
        case = host.desk.complaint_flow.show(host.actor, complaint_id)
        parent = host if isinstance(host, QWidget) else self
        self.case_dialog = ComplaintCaseDialog(host, case, parent)
        self.case_dialog.finished.connect(lambda _result: self.table.setFocus())
        self.case_dialog.open()
        return self.case_dialog

    def _loop(self, open_form: Callable[[Host, ComplaintView], FormDialog]) -> FormDialog:
        """One of the loop's forms on the selected complaint; the list has the keyboard back
        when it closes."""
        dialog = open_form(self.host, self.need_selection())
        dialog.finished.connect(lambda _result: self.table.setFocus())
        return dialog

    def analyse(self) -> FormDialog:
        return self._loop(loop.analyse)

    def propose(self) -> FormDialog:
        return self._loop(loop.propose)

    def decide(self) -> FormDialog:
        return self._loop(loop.decide)

    def send_back(self) -> FormDialog:
        return self._loop(loop.send_back)

    def customer_accepts(self) -> FormDialog:
        return self._loop(loop.customer_accepts)

    def customer_refuses(self) -> FormDialog:
        return self._loop(loop.customer_refuses)

    # ---------------------------------------------------------------- register

    def month_review(self) -> MonthReviewDialog:
        """Last month's complaints by category and cause beside the month before, its
        measures; the supervisor signs the analysis and the improvement measures."""
        self.month_dialog = MonthReviewDialog(self.host, self.window())
        self.month_dialog.finished.connect(lambda _result: self.table.setFocus())
        self.month_dialog.open()
        return self.month_dialog

    def statistics(self) -> ComplaintStatsDialog:
        """The monthly statistics dialog, kept: a next report starts from what was typed."""
        if self.stats_dialog is None:
            self.stats_dialog = ComplaintStatsDialog(self.host.desk, self.host.actor,
                                                     self.window())
        if not self.stats_dialog.isVisible():
            self.stats_dialog.open()
        return self.stats_dialog

    def new_complaint(self, view) -> FormDialog:
        """A complaint, about the selected visit ``view`` if there is one; a serious or
        severe one is on the supervisor's Today at once."""
        host = self.host
        choices = [(key, _(label)) for key, label in rules.COMPLAINT_CATEGORIES.items()]
        severities = [(str(level.value), level.label) for level in Severity]

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.complaints.add_complaint(
                host.actor, values["category"], values["description"], values["name"],
                values["contact"], view.id if view else None, confirm_phrases=confirm,
                severity=values["severity"])

        return host.dialog_for(_("Complaint"), [
            FieldSpec("category", _("C&ategory"), "choice", choices),
            FieldSpec("severity", _("Se&verity"), "choice", severities,
                      str(Severity.GENERAL.value)),
            FieldSpec("name", _("&Name"), value=who(view) if view and view.name else ""),
            FieldSpec("contact", _("&Contact"), value=view.contact if view else ""),
            FieldSpec("description", _("Co&mplaint as told"), "text"),
        ], submit, self.added)

    def added(self, view: ComplaintView) -> None:
        """The new complaint is selected on its tab (where its loop starts); the tab on
        screen stays (a visitor may still be at the desk)."""
        self.refresh()
        self.select_complaint(view.id, open_if_missing=False)

    def reply_selected(self) -> FormDialog:
        complaint, host = self.need_selection(), self.host

        def submit(values: dict[str, Any], confirm: bool):
            return host.desk.complaints.reply_complaint(host.actor, complaint.id, values["result"],
                                                       confirm_phrases=confirm)

        return host.dialog_for(_("Reply to complaint {number}").format(number=complaint.number),
                               [FieldSpec("result", _("&Reply given"), "text")], submit)
