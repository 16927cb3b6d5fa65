"""Circulation at the desk, like a library's circulation screen (R4, issue 14).

Check out: choose the borrower (name, pinyin, user name, or scan the staff badge into the
scan box), then scan items: each scan lends at once and is listed with its due date. The
items of one borrower and purpose in a session share one slip; Finish (F10) has each slip
signed. Check in: each scanned item is listed with its borrower and a condition (good unless
changed on its row); Finish registers the returns, one receipt per borrower, and has each
receipt signed. A return is registered at Finish, not at the scan, because a registered
return is never edited (R3) and the condition of each row may still change until then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.errors import DeskError, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _, ngettext
from desk_app.services.loans import LoanFilter
from desk_app.ui.loans.borrower_card import show_borrower_card
from desk_app.ui.loans.lend import condition_combo
from desk_app.ui.loans.signing import register_unsigned, sign_form
from desk_app.ui.widgets.borrower_field import BorrowerField
from desk_app.ui.widgets.date_field import DateField
from desk_app.ui.widgets.fields import line_edit
from desk_app.ui.widgets.registers import day_text, preview_pdf
from desk_app.ui.widgets.scan_box import ScanBox

CHECK_OUT, CHECK_IN = "out", "in"


@dataclass
class Pending:
    """A slip or receipt of this session still to be signed."""

    kind: str  # "slip" | "receipt"
    record: dict[str, Any]


class CirculationPanel(QWidget):
    """The scan-driven circulation tab of the Loans page; ``changed`` is called after every
    write so the registers beside it refresh; ``count_changed`` when the list changes."""

    count_changed = Signal()

    def __init__(self, desk, actor: Actor, changed: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("circulation")
        self.desk, self.actor, self.changed = desk, actor, changed
        self.mode = CHECK_OUT
        self.slips: dict[tuple[str, str], dict[str, Any]] = {}  # (borrower, purpose) → slip
        self.returns: dict[str, dict[str, Any]] = {}  # ref → open loan row, in scan order

        # No mnemonics: F2 and F3 switch the mode, and the page's letters stay unique.
        self.out_radio = QRadioButton(_("Check out (F2)"))
        self.out_radio.setObjectName("mode_out")
        self.out_radio.setChecked(True)
        self.in_radio = QRadioButton(_("Check in / return (F3)"))
        self.in_radio.setObjectName("mode_in")
        self.out_radio.toggled.connect(lambda on: self.set_mode(CHECK_OUT if on else CHECK_IN))
        modes = QHBoxLayout()
        modes.addWidget(self.out_radio)
        modes.addWidget(self.in_radio)
        modes.addStretch(1)

        self.borrower_field = BorrowerField(
            desk, actor, card=lambda parent, key: show_borrower_card(parent, desk, actor, key))
        self.borrower_field.chosen.connect(self._borrower_chosen)
        self.purpose_edit = line_edit("circulation_purpose", _("Reading"))
        self.due_field = DateField(name="circulation_due", optional=True,
                                   minimum=desk.loans.today())
        self.due_field.line_edit.setPlaceholderText(_("blank: the usual period of each kind"))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.borrower_label = self._row(_("Borro&wer:"), self.borrower_field)
        self.purpose_label = self._row(_("&Purpose:"), self.purpose_edit)
        self.due_label = self._row(_("&Due:"), self.due_field)

        self.scan_box = ScanBox(_("Sc&an:"))
        self.scan_box.setObjectName("circulation_scan")
        self.scan_box.scanned.connect(self.scanned)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("circulation_rows")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 170), (2, 120), (3, 120), (4, 150)):
            self.table.setColumnWidth(column, width)
        self.status = QLabel()
        self.status.setObjectName("circulation_status")
        self.status.setWordWrap(True)
        self.finish_button = QPushButton(_("&Finish and sign (F10)"))
        self.finish_button.setObjectName("circulation_finish")
        self.finish_button.setAutoDefault(False)
        self.finish_button.clicked.connect(self.finish)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.finish_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(modes)
        layout.addLayout(self.form)
        layout.addWidget(self.scan_box)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        for key, slot in (("F10", self.finish),):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.set_mode(CHECK_OUT)

    def _row(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        self.form.addRow(label, widget)
        return label

    # ---------------------------------------------------------------- modes

    def set_mode(self, mode: str) -> None:
        """Check out or in; a mode's unfinished work stays listed until Finish."""
        self.mode = mode
        (self.out_radio if mode == CHECK_OUT else self.in_radio).setChecked(True)
        lending = mode == CHECK_OUT
        for widget in (self.borrower_field, self.borrower_label, self.purpose_edit,
                       self.purpose_label, self.due_field, self.due_label):
            widget.setVisible(lending)
        self.table.setHorizontalHeaderLabels(
            [_("Reference"), _("Title"), _("Borrower"), _("Due"),
             _("Slip") if lending else _("Condition")])
        self.scan_box.edit.setPlaceholderText(
            _("Scan a barcode or type a reference, then Enter (F2)") if lending else
            _("Scan a barcode or type a reference to take back, then Enter (F3)"))
        self._fill()
        self.scan_box.focus()

    def check_out(self) -> None:
        """F2 on the Loans page: check out, the cursor in the scan box."""
        self.set_mode(CHECK_OUT)

    def check_in(self) -> None:
        """F3 on the Loans page: check in, the cursor in the scan box."""
        self.set_mode(CHECK_IN)

    def _borrower_chosen(self) -> None:
        self.say(_("Now scan the items for {name}.").format(name=self.borrower_field.line_edit.text()))
        self.scan_box.focus()

    # ---------------------------------------------------------------- scans

    def say(self, text: str, error: bool = False) -> None:
        """A refusal under the scan box (red), progress in the status line."""
        self.scan_box.show_message(text if error else "")
        if not error:
            self.status.setText(text)
        self.scan_box.focus()

    def scanned(self, code: str) -> None:
        try:
            if self.mode == CHECK_OUT:
                self._lend(code)
            else:
                self._take_back(code)
        except DeskError as error:
            self.say(str(error), error=True)

    def _lend(self, code: str) -> None:
        given = self.borrower_field.borrower_input()
        if given is None:  # the first scan may be the borrower's badge or user name
            self.borrower_field.line_edit.setText(code)
            if not self.borrower_field.choose_typed():
                self.borrower_field.line_edit.clear()
                self.say(_("Choose the borrower first: a name, pinyin, user name or the staff "
                           "badge."), error=True)
            return
        item = self.desk.archive.scan(self.actor, code)
        if self.due_field.error():
            raise ValidationError(str(self.due_field.error()), "due")
        key = (self.borrower_field.chosen_key() or self.borrower_field.line_edit.text(),
               self.purpose_edit.text().strip())
        slip = self.slips.get(key)
        slip = self.desk.loans.lend(self.actor, [item.ref], given, key[1], self.due_field.value(),
                                    add_to=slip["id"] if slip else None)
        self.slips[key] = slip
        self._fill()
        self.changed()
        self.borrower_field.refresh_details()  # "2 open loans" becomes 3
        due = next(row["due_on"] for row in slip["items"] if row["ref"] == item.ref)
        self.say(_("{ref} lent to {name}, due {due}.").format(ref=item.ref, name=slip["borrower"],
                                                              due=day_text(due)))

    def _take_back(self, code: str) -> None:
        item = self.desk.archive.scan(self.actor, code)
        if item.ref in self.returns:
            raise ValidationError(_("{ref} is in the list already.").format(ref=item.ref), "ref")
        rows = self.desk.loans.page(self.actor, LoanFilter(open_only=True, ref=item.ref), 0, 1)
        if not rows:
            raise ValidationError(_("{ref} is not on loan.").format(ref=item.ref), "ref")
        self.returns[item.ref] = dict(rows[0], condition="good")
        self._fill()
        self.say(_("{ref} from {name}: set its condition if not good; Finish and sign (F10) "
                   "registers the returns.").format(ref=item.ref, name=rows[0]["borrower"]))

    # ---------------------------------------------------------------- the list

    def _fill(self) -> None:
        self.table.setRowCount(0)
        if self.mode == CHECK_OUT:
            for slip in self.slips.values():
                for item in slip["items"]:
                    self._add_row([item["ref"], item["title"], slip["borrower"],
                                   day_text(item["due_on"]), slip["number"]])
        else:
            for ref, row in self.returns.items():
                number = self._add_row([ref, row["title"], row["borrower"],
                                        day_text(row["due_on"]), ""])
                combo = condition_combo()
                combo.setObjectName(f"condition_{ref}")
                combo.setCurrentIndex(combo.findData(row["condition"]))
                combo.currentIndexChanged.connect(
                    lambda _index, ref=ref, combo=combo: self._condition(ref, combo.currentData()))
                self.table.setCellWidget(number, 4, combo)
        self.table.scrollToBottom()
        self.finish_button.setEnabled(self.table.rowCount() > 0)
        self.count_changed.emit()

    def _add_row(self, texts: list[str]) -> int:
        number = self.table.rowCount()
        self.table.insertRow(number)
        for column, text in enumerate(texts):
            self.table.setItem(number, column, QTableWidgetItem(str(text)))
        return number

    def _condition(self, ref: str, condition: str) -> None:
        self.returns[ref]["condition"] = condition

    def count(self) -> int:
        return self.table.rowCount()

    def selected_rows(self) -> list[dict[str, Any]]:
        """No register rows here: the page's row actions stay disabled on this tab."""
        return []

    # ---------------------------------------------------------------- leaving

    def unsigned_count(self) -> int:
        """Items lent in this session on slips not yet signed (Finish not pressed)."""
        return sum(len(slip["items"]) for slip in self.slips.values())

    def can_leave(self) -> bool:
        """Before signing out or quitting: lent items on unsigned slips are not left behind
        silently. Finish and sign now, leave them unsigned (signed later from the Loans
        list), or stay."""
        count = self.unsigned_count()
        if not count:
            return True
        numbers = ", ".join(str(slip["number"]) for slip in self.slips.values())
        box = QMessageBox(QMessageBox.Icon.Question, _("Slips not signed"), ngettext(
            "{count} item lent in this session is on a slip not yet signed ({numbers}).",
            "{count} items lent in this session are on a slip not yet signed ({numbers}).",
            count).format(count=count, numbers=numbers), QMessageBox.StandardButton.NoButton,
            self.window())
        box.setObjectName("unsigned_choice")
        finish = box.addButton(_("&Finish and sign now"), QMessageBox.ButtonRole.AcceptRole)
        finish.setObjectName("finish_now")
        leave = box.addButton(_("&Leave them unsigned"), QMessageBox.ButtonRole.DestructiveRole)
        leave.setObjectName("leave_unsigned")
        stay = box.addButton(_("&Stay"), QMessageBox.ButtonRole.RejectRole)
        stay.setObjectName("stay")
        box.setDefaultButton(finish)
        box.setEscapeButton(stay)
        try:
            box.exec()
            clicked = box.clickedButton()
        finally:
            box.deleteLater()
        if clicked is leave:
            self.slips.clear()
            self.borrower_field.clear()
            self._fill()
            return True
        if clicked is finish:
            self.set_mode(CHECK_OUT)
            self.finish()
            return True
        return False

    # ---------------------------------------------------------------- finish

    def finish(self) -> None:
        """Check out: sign this session's slips. Check in: register the returns (one receipt
        per borrower), then sign each receipt. A cancelled signature asks first."""
        if self.mode == CHECK_OUT:
            pending = [Pending("slip", slip) for slip in self.slips.values()]
        else:
            if not self.returns:
                return
            try:
                receipts = self.desk.loans.return_by_borrower(
                    self.actor, list(self.returns),
                    {ref: row["condition"] for ref, row in self.returns.items()})
            except DeskError as error:
                self.say(str(error), error=True)
                return
            self.returns.clear()
            self.changed()
            pending = [Pending("receipt", receipt) for receipt in receipts]
        signed = [record for record in (self._sign(p) for p in pending) if record]
        unsigned = [p.record["number"] for p in pending if p.record["number"] not in signed]
        if self.mode == CHECK_OUT:
            self.slips.clear()
            self.borrower_field.clear()
        self._fill()
        self.changed()
        done = [_("Signed: {list}.").format(list=", ".join(signed))] if signed else []
        if unsigned:
            done.append(_("Not signed (sign later from the Loans list): {list}.").format(
                list=", ".join(unsigned)))
        self.say(" ".join(done))

    def _sign(self, pending: Pending) -> str | None:
        """Have one slip or receipt signed; its number, or None when left unsigned."""
        record = pending.record
        if pending.kind == "slip":
            what = _("the loan slip {number}").format(number=record["number"])
            sign = self.desk.loans.sign_slip
        else:
            what = _("the return receipt {number}").format(number=record["number"])
            sign = self.desk.loans.sign_receipt
        while True:
            try:
                pdf = sign_form(self, self.actor, record["borrower"], what,
                                lambda password, borrower_png, clerk_png: sign(
                                    self.actor, record["id"], password, borrower_png, clerk_png))
            except DeskError as error:
                self.say(str(error), error=True)
                return None
            if pdf is not None:
                preview_pdf(self, pdf, f"{record['number']}.pdf")
                return str(record["number"])
            if register_unsigned(self, what, registered=True):
                return None


def session_text(panel: CirculationPanel) -> str:
    count = panel.count()
    return ngettext("{count} item this session", "{count} items this session", count).format(
        count=count)

