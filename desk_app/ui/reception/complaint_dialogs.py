"""The forms of a complaint's closed loop (R17; the service is
``services/reception/complaint_flow.py``): the cause analysis, a proposed resolution, the
decision (signed), a proposal sent back, the customer's signature on the pad (then the
clerk signs) or their refusal.

Each is a reception form with the complaint summed up on top: what staff write is checked
for phrases not to use as they type (the customer's own words are not); a service's
``ValidationError`` shows at the field it names and the form stays open; any other refusal
shows in a message box; nothing changes until the service accepts. A form that signs stays
open when the signature is cancelled."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, timedelta
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import complaints as flow
from desk_app.domain.complaints import ProposalState, Status
from desk_app.domain.errors import Conflict, ValidationError
from desk_app.i18n import _
from desk_app.services.reception import ComplaintView
from desk_app.services.reception.complaint_flow import ComplaintCase
from desk_app.ui.reception.common import Host, time_text
from desk_app.ui.reception.complaint_case import proposal_text, summary_html, text_html
from desk_app.ui.reception.dialogs import FieldSpec, FormDialog
from desk_app.ui.widgets.fields import local_qdatetime
from desk_app.ui.widgets.sign_dialog import SignDialog
from desk_app.ui.widgets.signature_pad import SignaturePad
from desk_app.ui.widgets.signing import show_document, sign_as

SUMMARY_HEIGHT = 150
PICK_HEIGHT = 220


class PickList(QListWidget):
    """One choice among long texts (proposals): wrapped, the first one chosen."""

    def __init__(self, choices: Sequence[tuple[Any, str]], value: Any = None) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMinimumHeight(90)
        for data, label in choices:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, data)
            item.setToolTip(label)
            self.addItem(item)
            if data == value:
                self.setCurrentItem(item)
        if self.currentItem() is None and self.count():
            self.setCurrentRow(0)
        self.setSpacing(2)

    def sizeHint(self) -> QSize:
        """As tall as its choices (wrapped at the width it has), at most ``PICK_HEIGHT``."""
        hint = super().sizeHint()
        rows = sum(self.sizeHintForRow(row) + 2 * self.spacing() for row in range(self.count()))
        return QSize(hint.width(), min(PICK_HEIGHT, max(90, rows + 2 * self.frameWidth())))

    def value(self) -> Any:
        item = self.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)


class ManyPicker(QWidget):
    """Several choices (the staff concerned): a filter line over a list of check boxes; Space
    ticks the current one."""

    def __init__(self, choices: Sequence[tuple[Any, str]], chosen: Sequence[Any] = ()) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.filter = QLineEdit()
        self.filter.setObjectName("filter")
        self.filter.setPlaceholderText(_("Type to filter the names"))
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setObjectName("choices")
        self.list.setMinimumHeight(110)
        for data, label in choices:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, data)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if data in chosen
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self.list.setFocus)
        self.setFocusProxy(self.list)

    def _filter(self, text: str) -> None:
        wanted = text.strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(wanted) and wanted not in item.text().lower())

    def set_checked(self, data: Any, on: bool = True) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == data:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def value(self) -> list[Any]:
        return [self.list.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.list.count())
                if self.list.item(row).checkState() == Qt.CheckState.Checked]


class PadField(QWidget):
    """The customer signs here, under ``statement`` (what they accept); Clear and Undo beside
    it (Delete and Ctrl+Z on the pad)."""

    def __init__(self, statement: str = "") -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if statement:
            said = QLabel(statement)
            said.setObjectName("statement")
            said.setWordWrap(True)
            layout.addWidget(said)
        self.pad = SignaturePad()
        self.pad.setMinimumSize(360, 150)
        layout.addWidget(self.pad, 1)
        tools = QHBoxLayout()
        hint = QLabel(_("Ctrl+Z undoes a stroke, Delete clears."))
        hint.setEnabled(False)
        tools.addWidget(hint)
        tools.addStretch(1)
        self.undo_button = QPushButton(_("&Undo stroke"))
        self.undo_button.setObjectName("undo")
        self.clear_button = QPushButton(_("C&lear"))
        self.clear_button.setObjectName("clear")
        self.undo_button.clicked.connect(self.pad.undo_stroke)
        self.clear_button.clicked.connect(self.pad.clear)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        layout.addLayout(tools)
        self.setFocusProxy(self.pad)

    def value(self) -> bytes | None:
        return None if self.pad.is_empty() else self.pad.signature_png()


class LoopDialog(FormDialog):
    """A reception form with the complaint summed up on top (``summary``, HTML) and the field
    kinds ``pick`` (one of long texts), ``many`` (ticked names) and ``pad`` (the customer's
    handwriting). ``customer_words``: fields holding what the customer said (not flagged).
    ``signs``: ``submit`` returns None when the signature was cancelled; the form stays."""

    def __init__(self, title: str, summary: str, fields: Sequence[FieldSpec],
                 submit: Callable[[dict[str, Any], bool], Any], parent: QWidget | None = None,
                 customer_words: Sequence[str] = (), signs: bool = False,
                 ok_text: str = "", summary_height: int = SUMMARY_HEIGHT) -> None:
        self.customer_words = frozenset(customer_words)
        super().__init__(title, fields, submit, parent)
        self.signs = signs
        self.summary = QTextBrowser()
        self.summary.setObjectName("complaint_summary")
        self.summary.setHtml(summary)
        self.summary_height = summary_height
        self.summary.setFixedHeight(summary_height)
        self.summary.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.form.insertRow(0, self.summary)
        if ok_text:
            self.ok_button.setText(ok_text)
        self.setMinimumWidth(620)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_summary()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_summary()

    def _fit_summary(self) -> None:
        """The summary as tall as its text at the width it has, at most ``summary_height``
        (a long complaint scrolls)."""
        document = self.summary.document()
        document.setTextWidth(self.summary.viewport().width())
        needed = int(document.size().height()) + 2 * self.summary.frameWidth() + 4
        self.summary.setFixedHeight(min(self.summary_height, needed))

    def _widget(self, spec: FieldSpec) -> QWidget:
        if spec.kind == "pick":
            return PickList(spec.choices, spec.value)
        if spec.kind == "many":
            return ManyPicker(spec.choices, spec.value or ())
        if spec.kind == "pad":
            return PadField(str(spec.value or ""))
        return super()._widget(spec)

    def _check_text(self, name: str) -> None:
        if name in self.customer_words:
            return
        super()._check_text(name)

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name, widget in self.widgets.items():
            if isinstance(widget, PickList | ManyPicker):
                values[name] = widget.value()
            elif isinstance(widget, PadField):
                try:
                    values[name] = widget.value()
                except ValidationError as error:  # a dot is not a signature: say so here
                    raise ValidationError(str(error), field=name) from None
        return values

    def accept(self) -> None:
        if self.signs and self.result_value is None:  # the signature was cancelled
            return
        super().accept()


def host_widget(host: Host) -> QWidget:
    """The page the forms open over (the reception page is the tabs' host)."""
    assert isinstance(host, QWidget)
    return host


def _case(host: Host, view: ComplaintView) -> ComplaintCase:
    return host.desk.complaint_flow.show(host.actor, view.id)


def _required(values: dict[str, Any], name: str, message: str) -> str:
    """A text the service would refuse empty, checked before anything is signed."""
    text = str(values.get(name) or "").strip()
    if not text:
        raise ValidationError(message, field=name)
    return text


def _proposal_choices(case: ComplaintCase, states: Sequence[str]) -> list[tuple[str, str]]:
    """Proposals in ``states``, each "No. text — who, when" (a chosen one says so)."""
    choices = []
    for p in case.proposals:
        if p.state not in states:
            continue
        by = _("{who}, {when}").format(who=case.name(p.proposed_by),
                                       when=time_text(p.proposed_at))
        if p.state != ProposalState.PENDING:
            by += f" ({ProposalState(p.state).label})"
        choices.append((str(p.id), f"{p.id}. {p.text}\n— {by}"))
    return choices


# ---------------------------------------------------------------------- the handler's part

def analyse(host: Host, view: ComplaintView) -> LoopDialog:
    """The cause: a category, what happened, the staff concerned (correctable until a
    decision is made)."""
    case = _case(host, view)
    flow.check_can_analyse(view.number, Status(case.complaint.status))
    complaint = case.complaint
    causes = [("", _("(choose the cause)")),
              *((key, _(label)) for key, label in flow.CAUSES.items())]
    staff = host.desk.messages.addressees(host.actor)
    known = {name for name, _label in staff}
    staff += [(name, case.name(name)) for name in case.staff if name not in known]

    def submit(values: dict[str, Any], _confirm: bool):
        if not values["cause"]:  # (the service's message lists the causes' keys)
            raise ValidationError(_("Choose the cause of the complaint."), field="cause")
        return host.desk.complaint_flow.analyse(host.actor, view.id, values["cause"],
                                                values["cause_text"], values["staff"])

    dialog = LoopDialog(
        _("Cause analysis of {number}").format(number=view.number),
        summary_html(case, with_cause=False), [
            FieldSpec("cause", _("C&ause"), "choice", causes, complaint.cause),
            FieldSpec("cause_text", _("&What happened"), "text", value=complaint.cause_text),
            FieldSpec("staff", _("&Staff concerned"), "many", staff, list(case.staff)),
        ], submit, host_widget(host))
    dialog.setObjectName("analyse_dialog")
    host.show_dialog(dialog)
    return dialog


def propose(host: Host, view: ComplaintView) -> LoopDialog:
    """A proposed resolution; the complaint then waits for the supervisor (after the
    customer refused: for the manager)."""
    case = _case(host, view)
    flow.check_can_propose(view.number, Status(case.complaint.status), case.complaint.cause)

    def submit(values: dict[str, Any], _confirm: bool):
        return host.desk.complaint_flow.propose(host.actor, view.id, values["proposal"])

    dialog = LoopDialog(
        _("Propose a resolution for {number}").format(number=view.number), summary_html(case),
        [FieldSpec("proposal", _("&Proposed resolution"), "text")], submit, host_widget(host),
        ok_text=_("&Propose"))
    dialog.setObjectName("propose_dialog")
    host.show_dialog(dialog)
    return dialog


# ---------------------------------------------------------------------- the deciders' part

def decide(host: Host, view: ComplaintView) -> LoopDialog:
    """The supervisor picks a waiting proposal and writes the instruction (批示), then signs
    the decision form; after the customer refused, the manager (who may also uphold the
    resolution chosen before)."""
    case = _case(host, view)
    escalated = flow.decider_needed(view.number, Status(case.complaint.status)) == "manager"
    states = [ProposalState.PENDING.value] + ([ProposalState.CHOSEN.value] if escalated else [])
    choices = _proposal_choices(case, states)
    if not choices:
        raise Conflict(_("No proposal of {number} is waiting for a decision: ask for one "
                         "first.").format(number=view.number))
    actor = host.actor
    dialog: LoopDialog | None = None

    def submit(values: dict[str, Any], _confirm: bool):
        proposal = values["proposal"]
        if proposal is None:
            raise ValidationError(_("Choose the proposal you decide on."), field="proposal")
        instruction = _required(values, "instruction", _(
            "Write the instruction (批示) that goes with the decision."))
        _still_decidable(host, view, int(proposal))  # before the signer draws for nothing
        assert dialog is not None
        return sign_as(dialog, actor,
                       _("the decision on {number}").format(number=view.number),
                       lambda password, png: host.desk.complaint_flow.decide(
                           actor, view.id, int(proposal), instruction, password, png))

    dialog = LoopDialog(
        _("Decide on {number}").format(number=view.number), summary_html(case), [
            FieldSpec("proposal", _("&Resolution"), "pick", choices),
            FieldSpec("instruction", _("&Instruction"), "text"),
        ], submit, host_widget(host), signs=True, ok_text=_("&Sign decision…"))
    dialog.setObjectName("decide_dialog")
    host.show_dialog(dialog)
    return dialog


def _still_decidable(host: Host, view: ComplaintView, proposal_id: int) -> None:
    """The complaint and the proposal as they are now (another decider may have been
    quicker): a Conflict before anything is signed. The service checks again."""
    case = _case(host, view)
    escalated = flow.decider_needed(view.number, Status(case.complaint.status)) == "manager"
    proposal = next((p for p in case.proposals if p.id == proposal_id), None)
    if proposal is None:
        raise ValidationError(_("Choose the proposal you decide on."), field="proposal")
    flow.check_decidable(view.number, ProposalState(proposal.state), escalated)


def send_back(host: Host, view: ComplaintView) -> LoopDialog:
    """A waiting proposal refused with the reason; with none left waiting, the complaint goes
    back to its handler."""
    case = _case(host, view)
    choices = _proposal_choices(case, [ProposalState.PENDING.value])
    if not choices:
        raise Conflict(_("No proposal of {number} is waiting for a decision.").format(
            number=view.number))

    def submit(values: dict[str, Any], _confirm: bool):
        proposal = values["proposal"]
        if proposal is None:
            raise ValidationError(_("Choose the proposal to send back."), field="proposal")
        return host.desk.complaint_flow.send_back(host.actor, int(proposal), values["reason"])

    dialog = LoopDialog(
        _("Send a proposal for {number} back").format(number=view.number),
        summary_html(case), [
            FieldSpec("proposal", _("&Proposal"), "pick", choices),
            FieldSpec("reason", _("&Reason"), "text"),
        ], submit, host_widget(host), ok_text=_("Send &back"))
    dialog.setObjectName("send_back_dialog")
    host.show_dialog(dialog)
    return dialog


# ---------------------------------------------------------------------- the customer's answer

def _decision_summary(case: ComplaintCase) -> str:
    """What the customer is asked to accept first (the resolution decided), then the
    complaint — as their signed form shows it: the screen faces the customer, so the office's
    own cause analysis, the staff concerned and the supervisor's instruction stay off it."""
    decision = case.decisions[-1] if case.decisions else None
    if decision is None:
        return summary_html(case, with_cause=False)
    head = "<p><b>{}</b><br>{}</p>".format(
        text_html(_("Resolution decided ({number}):").format(number=decision.number)),
        text_html(proposal_text(case, decision.proposal_id)))
    return head + summary_html(case, with_cause=False)


def customer_accepts(host: Host, view: ComplaintView,
                     opened: Callable[[str], object] | None = None) -> LoopDialog:
    """The customer reads the decided resolution and signs it on the pad; the clerk then
    signs the form (password and handwriting). A call-back by the chosen channel is
    scheduled; the signed form opens to print the customer's copy."""
    case = _case(host, view)
    flow.check_customer_step(view.number, Status(case.complaint.status))
    actor, desk = host.actor, host.desk
    days = int(desk.settings.value("complaint_callback_days"))
    channels = [(key, _(label)) for key, label in flow.CALLBACK_CHANNELS.items()]
    dialog: LoopDialog | None = None

    def submit(values: dict[str, Any], _confirm: bool):
        png = values["customer"]
        if not png:
            raise ValidationError(_("The customer signs on the pad first."), field="customer")
        due = values["callback_at"]
        due = (due if due.tzinfo else due.astimezone()).astimezone(UTC).replace(tzinfo=None)
        assert dialog is not None
        return SignDialog.ask_and_sign(
            dialog, _("Handled by: {name}").format(name=actor.display_name),
            _("Sign {what} with your password and your signature.").format(
                what=_("the customer's acceptance of {number}").format(number=view.number)),
            lambda password, clerk_png: desk.complaint_flow.customer_accepts(
                actor, view.id, password, png, clerk_png, values["channel"], due))

    dialog = LoopDialog(
        _("{number}: the customer signs").format(number=view.number), _decision_summary(case), [
            FieldSpec("channel", _("Call &back by"), "choice", channels, "phone"),
            FieldSpec("callback_at", _("Call back &on"), "datetime",
                      value=local_qdatetime(desk.now() + timedelta(days=days))),
            FieldSpec("customer", _("Customer's &signature"), "pad",
                      value=_("I have been told the resolution above and accept it.")),
        ], submit, host_widget(host), signs=True, ok_text=_("&Clerk signs…"),
        summary_height=230)
    dialog.setObjectName("customer_sign_dialog")

    def done(decision) -> None:
        number = f"{decision.number}-C"
        if opened is not None:
            opened(number)
        else:
            show_document(host_widget(host), desk,
                          lambda: desk.complaint_flow.decision_form(actor, number),
                          f"{number}.pdf")

    host.show_dialog(dialog, done)
    return dialog


def customer_refuses(host: Host, view: ComplaintView) -> LoopDialog:
    """The customer does not accept the decision: it goes to the manager."""
    case = _case(host, view)
    flow.check_customer_step(view.number, Status(case.complaint.status))

    def submit(values: dict[str, Any], _confirm: bool):
        return host.desk.complaint_flow.customer_refuses(host.actor, view.id, values["reason"])

    dialog = LoopDialog(
        _("{number}: the customer refuses").format(number=view.number),
        _decision_summary(case), [FieldSpec("reason", _("The customer's &reason"), "text")],
        submit, host_widget(host), customer_words=("reason",), ok_text=_("&Record refusal"),
        summary_height=230)
    dialog.setObjectName("customer_refuse_dialog")
    host.show_dialog(dialog)
    return dialog

