"""The "Timeouts" tab (002): every timed-out entry with where its review stands — to review,
reviewed (and until when it may be appealed), appealed, decided —, who is held responsible
and the measure that stands. Supervisors and the manager see every entry, staff only the
reviews that name them (the service decides). A filter shows one state.

The buttons act on the selected case and are enabled by its state and the user's part in it
(the service checks both again): a supervisor reviews; the person held responsible appeals;
another supervisor, or the manager, decides the appeal. Enter (or a double click) shows the
whole case with its evidence files."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from desk_app.domain import reception as rules
from desk_app.domain.errors import ValidationError
from desk_app.domain.timeouts import Measure
from desk_app.i18n import _
from desk_app.services.reception import VisitView
from desk_app.services.reception.timeouts import TimeoutCase
from desk_app.ui.models.paged import Column
from desk_app.ui.reception import timeout_dialogs as forms
from desk_app.ui.reception.common import Host, ListTab, time_text
from desk_app.ui.reception.dialogs import FormDialog
from desk_app.ui.reception.timeout_case import (
    TimeoutCaseDialog,
    case_actions,
    label_of,
    responsible_text,
    state_text,
    type_text,
)

SEARCHED_ROWS = 400  # Today's "Open timeout" looks this far down the list (two pages)


def state_choices() -> list[tuple[str, str]]:
    return [("", _("All")), ("to_review", _("To review (severe)")),
            ("not_reviewed", _("Minor or moderate, not reviewed")), ("reviewed", _("Reviewed, not appealed")),
            ("appealed", _("Appealed")), ("decided", _("Appeal decided"))]


class TimeoutsTab(ListTab):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.state = ""
        self.state_combo = QComboBox()
        self.state_combo.setObjectName("timeout_state")
        for value, label in state_choices():
            self.state_combo.addItem(label, value)
        self.state_combo.currentIndexChanged.connect(lambda _index: host.run(self.apply_filter))
        title = QLabel(_("&Show:"))
        title.setBuddy(self.state_combo)
        row = QHBoxLayout()
        row.addWidget(title)
        row.addWidget(self.state_combo)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.now = host.desk.now()  # read at each refresh: cells do not ask the clock
        columns = [
            Column(lambda: _("Log entry"), lambda c: c.visit_id),
            Column(lambda: _("Time in"), lambda c: time_text(c.arrived_at)),
            Column(lambda: _("Type"), lambda c: type_text(c.request_type, c.urgency),
                   tooltip=lambda c: type_text(c.request_type, c.urgency)),
            Column(lambda: _("Handler"), lambda c: c.full(c.handler),
                   tooltip=lambda c: c.request or None),
            Column(lambda: _("Timeout"), lambda c: rules.level_label(c.level)),
            Column(lambda: _("State"), lambda c: state_text(c, self.now),
                   tooltip=lambda c: state_text(c, self.now)),
            Column(lambda: _("Responsible"), responsible_text,
                   tooltip=lambda c: responsible_text(c) or None),
            Column(lambda: _("Measure now"), lambda c: label_of(Measure, c.measure_now)),
        ]
        self.set_list(
            "timeout_table", lambda: host.desk.timeouts.count_cases(host.actor, self.state),
            lambda offset, limit: host.desk.timeouts.cases(host.actor, self.state,
                                                           offset=offset, limit=limit),
            columns, (56, 110, 110, 70, 90, 200, 100), (1,))
        can_decide = host.can_review or host.can_manage
        actions: list[tuple[str, str, Callable[[], object], bool]] = [
            ("review", _("&Review…"), self.review, host.can_review),
            ("appeal", _("&Appeal…"), self.appeal, True),
            ("decide", _("De&cide appeal…"), self.decide, can_decide),
            ("details", _("&Details…"), self.details, True),
        ]
        self.add_buttons([(f"timeout_{key}", text, slot, allowed)
                          for key, text, slot, allowed in actions])
        self.buttons: dict[str, QPushButton] = {
            key: button for key, *_rest in actions
            if (button := self.findChild(QPushButton, f"timeout_{key}")) is not None}
        self.case_dialog: TimeoutCaseDialog | None = None
        selection = self.table.selectionModel()
        assert selection is not None
        selection.selectionChanged.connect(lambda *_args: self.update_buttons())
        self.table.activated.connect(lambda _index: host.run(self.details))
        self.update_buttons()

    # ---------------------------------------------------------------- list and selection

    def apply_filter(self) -> None:
        self.state = str(self.state_combo.currentData() or "")
        self.now = self.host.desk.now()
        self.model.refresh()
        if self.model.rowCount():
            self.table.selectRow(0)
        self.update_buttons()

    def refresh(self) -> None:
        """Read the list again; the case that was selected stays selected."""
        chosen = self.selected()
        rows = self.table.selectionModel().selectedRows()
        size = self.model.page_size
        page = (rows[0].row() if rows else 0) // size * size
        self.now = self.host.desk.now()
        self.model.refresh()
        if chosen is not None and not self._select(chosen.visit_id, page, size):
            self._select(chosen.visit_id, 0, size)
        self.update_buttons()

    def update_buttons(self) -> None:
        host = self.host
        allowed = case_actions(self.selected(), host.actor.name, self.now,
                                     host.can_review, host.can_manage)
        for key, button in self.buttons.items():
            button.setEnabled(key in allowed)

    def selected_visit(self) -> VisitView | None:
        """The selected case's log entry (the page's F7, F8 and follow-up act on it)."""
        case = self.selected()
        return None if case is None else self.host.desk.visits.get_visit(self.host.actor,
                                                                          case.visit_id)

    def need_selection(self) -> TimeoutCase:
        case = self.selected()
        if case is None:
            raise ValidationError(_("Select an entry in the list first."))
        return case

    def _select(self, visit_id: int, start: int = 0, rows: int = SEARCHED_ROWS) -> bool:
        model = self.model
        for number in range(start, min(model.rowCount(), start + rows)):
            case = model.row(number)
            if case is not None and case.visit_id == visit_id:
                self.table.selectRow(number)
                self.table.scrollTo(model.index(number, 0))
                return True
        return False

    def select_entry(self, visit_id: int, open_if_missing: bool = True) -> bool:
        """Select the entry's case (Today's "Open timeout"): in the list as it is filtered,
        else among the cases in its state; one not found near the top opens as its case."""
        found = self._select(visit_id)
        if not found:
            case = self.host.desk.timeouts.case(self.host.actor, visit_id)
            index = self.state_combo.findData(case.state)
            if index >= 0 and index != self.state_combo.currentIndex():
                self.state_combo.setCurrentIndex(index)  # the list filtered to its state
                found = self._select(visit_id)
        self.update_buttons()
        if found:
            self.table.setFocus()
        elif open_if_missing:
            self.show_case(visit_id)
        return found

    # ---------------------------------------------------------------- actions

    def _form(self, open_form: Callable[[Host, TimeoutCase], FormDialog]) -> FormDialog:
        """A form on the selected case; the list has the keyboard back when it closes."""
        dialog = open_form(self.host, self.need_selection())
        dialog.finished.connect(lambda _result: self.table.setFocus())
        return dialog

    def review(self) -> FormDialog:
        return self._form(forms.review)

    def appeal(self) -> FormDialog:
        return self._form(forms.appeal)

    def decide(self) -> FormDialog:
        return self._form(forms.decide)

    def details(self) -> TimeoutCaseDialog:
        return self.show_case(self.need_selection().visit_id)

    def show_case(self, visit_id: int) -> TimeoutCaseDialog:
        """The whole case as it is now (read again: another desk may have acted)."""
        host = self.host
        case = host.desk.timeouts.case(host.actor, visit_id)
        parent = host if isinstance(host, QWidget) else self
        self.case_dialog = TimeoutCaseDialog(host, case, parent)
        self.case_dialog.finished.connect(lambda _result: self.table.setFocus())
        self.case_dialog.open()
        return self.case_dialog
