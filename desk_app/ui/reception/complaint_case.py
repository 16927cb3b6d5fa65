"""A complaint's case, read-only (the Complaint register's *Details…*): the facts, the cause
analysis and the staff concerned, every proposal with what became of it, every decision with
who took it, when, in what role and the customer's answer, and the call-backs; its signed
forms (the decision, the customer's acceptance) open as PDFs.

The summaries the loop's forms show on top are made here too (``summary_html``)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain import complaints as flow
from desk_app.domain import reception as rules
from desk_app.domain.complaints import ProposalState, Severity, Status
from desk_app.domain.roles import Role
from desk_app.i18n import _
from desk_app.services.reception.complaint_flow import ComplaintCase, DecisionView, ProposalView
from desk_app.services.reception.views import callback_status_text, satisfaction_text
from desk_app.ui.reception.common import Host, close_button_and_size, time_text
from desk_app.ui.widgets.signing import show_document

FORMS_PER_ROW = 3
ALERT = "#b00020"


def text_html(text: str) -> str:
    """Typed text as HTML: escaped, its line breaks kept."""
    return html.escape(text or "").replace("\n", "<br>")


def severity_text(value: int) -> str:
    try:
        return Severity(value).label
    except ValueError:
        return str(value)


def status_text(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


def proposal_state_text(value: str) -> str:
    try:
        return ProposalState(value).label
    except ValueError:
        return value


def role_text(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


# A text is translated before it goes into HTML: babel sees no ``_()`` inside an f-string.
def heading(text: str) -> str:
    return f"<h4>{html.escape(text)}</h4>"


def paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    """A two-column table of labels and (already HTML) values."""
    cells = "".join(f"<tr><td style='padding-right:12px; color:#555'>{html.escape(label)}</td>"
                    f"<td>{value}</td></tr>" for label, value in pairs)
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A ruled table: ``header`` plain text, the cells already HTML."""
    head = "".join(f"<th align='left'>{html.escape(title)}</th>" for title in header)
    body = "".join("<tr>" + "".join(f"<td valign='top'>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return (f"<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr>{head}</tr>{body}</table>")


def _who_when(case: ComplaintCase, user: str, moment) -> str:
    if not user:
        return "—"
    return text_html(f"{case.name(user)}  {time_text(moment)}".strip())


def title_html(case: ComplaintCase) -> str:
    view = case.complaint
    severity = severity_text(view.severity)
    colour = f" style='color:{ALERT}'" if view.severity >= Severity.SERIOUS else ""
    return (f"<h3>{html.escape(view.number)} · <span{colour}>{html.escape(severity)}</span>"
            f" · {html.escape(status_text(view.status))}</h3>")


def summary_html(case: ComplaintCase, with_cause: bool = True) -> str:
    """What a loop form shows on top: the complaint, who made it, its cause."""
    view = case.complaint
    pairs = [(_("Customer"), text_html(" ".join(filter(None, (view.name, view.contact)))
                                       or "—")),
             (_("Category"), text_html(rules.category_label(view.category))),
             (_("Received"), text_html(time_text(view.received_at))),
             (_("Complaint"), text_html(view.description))]
    if with_cause and view.cause:
        label, text = text_html(flow.cause_label(view.cause)), text_html(view.cause_text)
        pairs.append((_("Cause"), f"<b>{label}</b>: {text}"))
    if with_cause and case.staff:
        pairs.append((_("Staff concerned"), staff_html(case)))
    refusals = [d for d in case.decisions if d.accepted is False]
    if refusals:
        last = refusals[-1]
        pairs.append((_("Customer refused"), text_html(
            _("{number}: {reason}").format(number=last.number, reason=last.refusal))))
    return title_html(case) + _rows(pairs)


def staff_html(case: ComplaintCase) -> str:
    # Translators: the separator between items of a list (zh_CN: 、).
    return text_html(_(", ").join(case.name(name) for name in case.staff)) or "—"


def proposal_text(case: ComplaintCase, proposal_id: int) -> str:
    return next((p.text for p in case.proposals if p.id == proposal_id), "")


def _outcome(case: ComplaintCase, proposal: ProposalView) -> str:
    outcome = html.escape(proposal_state_text(proposal.state))
    if proposal.state == ProposalState.REFUSED:
        outcome = f"<span style='color:{ALERT}'>{outcome}</span>"
    elif proposal.state == ProposalState.CHOSEN:
        outcome = f"<b>{outcome}</b>"
    return outcome


def _decider(case: ComplaintCase, decision: DecisionView) -> str:
    name, role = text_html(case.name(decision.decided_by)), html.escape(
        role_text(decision.decided_role))
    return f"{name} ({role})<br>{text_html(time_text(decision.decided_at))}"


def _answer(case: ComplaintCase, decision: DecisionView) -> str:
    if decision.accepted is None:
        return html.escape(_("Waiting for the customer"))
    who = _who_when(case, decision.answered_by, decision.answered_at)
    if decision.accepted:
        return "<b>{}</b><br>{}".format(html.escape(_("Accepted and signed")), who)
    return "<span style='color:{}'>{}</span>: {}<br>{}".format(
        ALERT, html.escape(_("Refused")), text_html(decision.refusal), who)


def case_html(case: ComplaintCase) -> str:
    view = case.complaint
    facts = [
        (_("Received"), text_html(time_text(view.received_at))),
        (_("Customer"), text_html(view.name or "—")),
        (_("Contact"), text_html(view.contact or "—")),
        (_("Category"), text_html(rules.category_label(view.category))),
        (_("Severity"), text_html(severity_text(view.severity))),
        (_("State"), text_html(status_text(view.status))),
        (_("Handler"), text_html(case.name(view.handler))),
        (_("Reply promised"), text_html(time_text(view.promised_at))),
        (_("Replied"), _who_when(case, view.replied_by, view.replied_at)
         + (f"<br>{text_html(view.result)}" if view.result else "")),
    ]
    if view.reopened:
        facts.append((_("Reopened"), text_html(_("{count} times").format(count=view.reopened))))
    if view.closed_at is not None:
        facts.append((_("Closed"), text_html(time_text(view.closed_at))))
    parts = [title_html(case), _rows(facts),
             heading(_("The complaint")), f"<p>{text_html(view.description)}</p>",
             heading(_("Cause analysis"))]
    if view.cause:
        parts.append(_rows([(_("Cause"), text_html(flow.cause_label(view.cause))),
                            (_("What happened"), text_html(view.cause_text)),
                            (_("Staff concerned"), staff_html(case))]))
    else:
        parts.append(paragraph(_("Not written yet.")))
    parts.append(heading(_("Proposed resolutions")))
    if case.proposals:
        parts.append(_table(
            [_("No."), _("Proposal"), _("Proposed"), _("Outcome"), _("Decided"), _("Reason")],
            [[str(p.id), text_html(p.text), _who_when(case, p.proposed_by, p.proposed_at),
              _outcome(case, p), _who_when(case, p.decided_by, p.decided_at),
              text_html(p.reason) or "—"] for p in case.proposals]))
    else:
        parts.append(paragraph(_("None yet.")))
    parts.append(heading(_("Decisions")))
    if case.decisions:
        parts.append(_table(
            [_("Decision"), _("Resolution chosen"), _("Instruction"), _("Decided by"),
             _("Customer's answer")],
            [[html.escape(d.number),
              f"{d.proposal_id}: {text_html(proposal_text(case, d.proposal_id))}",
              text_html(d.instruction),
              _decider(case, d), _answer(case, d)] for d in case.decisions]))
    else:
        parts.append(paragraph(_("None yet.")))
    parts.append(heading(_("Call-backs")))
    if case.callbacks:
        parts.append(_table(
            [_("Scheduled for"), _("Channel"), _("Status"), _("Satisfaction"), _("Result"),
             _("Called")],
            [[text_html(time_text(c.due_at)), text_html(flow.channel_label(c.channel)),
              text_html(callback_status_text(c.status)),
              text_html(satisfaction_text(c.satisfaction)) or "—", text_html(c.result) or "—",
              _who_when(case, c.done_by, c.done_at)] for c in case.callbacks]))
    else:
        parts.append(paragraph(_("None yet.")))
    return "".join(parts)


def signed_forms(case: ComplaintCase) -> list[tuple[str, str]]:
    """(number, button text) of every signed form of the case, in order."""
    forms = []
    for decision in case.decisions:
        forms.append((decision.number, _("Decision {number}").format(number=decision.number)))
        if decision.accepted:
            number = f"{decision.number}-C"
            forms.append((number, _("Customer's form {number}").format(number=number)))
    return forms


class ComplaintCaseDialog(QDialog):
    """The case, read-only; a button per signed form opens it (its hash is checked)."""

    def __init__(self, host: Host, case: ComplaintCase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host, self.case = host, case
        self.setObjectName("complaint_case")
        self.setWindowTitle(_("Complaint {number}").format(number=case.complaint.number))
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setObjectName("case_text")
        self.text.setOpenLinks(False)
        self.text.setHtml(case_html(case))
        layout.addWidget(self.text, 1)
        grid = QGridLayout()
        self.form_buttons: dict[str, QPushButton] = {}
        for index, (number, label) in enumerate(signed_forms(case)):
            button = QPushButton(label)
            button.setObjectName(f"form_{number}")
            button.setToolTip(_("Open the signed form as a PDF (print or save it from there)."))
            button.clicked.connect(lambda _checked=False, n=number: self.open_form(n))
            grid.addWidget(button, index // FORMS_PER_ROW, index % FORMS_PER_ROW)
            self.form_buttons[number] = button
        grid.setColumnStretch(FORMS_PER_ROW, 1)  # the buttons keep their own width
        layout.addLayout(grid)
        close_button_and_size(self, layout, parent, (780, 640), (560, 420))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.text.setFocus()  # the arrow keys and Page Down scroll the case at once

    def open_form(self, number: str) -> None:
        desk, actor = self.host.desk, self.host.actor
        show_document(self, desk, lambda: desk.complaint_flow.decision_form(actor, number),
                      f"{number}.pdf")
