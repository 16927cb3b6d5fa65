"""A complaint's closed loop (003 第三章三, R17): severity, cause analysis, the handler's
proposals, the supervisor's signed decision (批示), the customer's signature or refusal (then
the manager decides), and the call-back that closes it or reopens it. Pure Python: the
service passes in the complaint's state and who acts.

States::

    open ──propose──▶ proposed ──decide (supervisor)──▶ decided ──customer signs──▶ accepted
      ▲                 │ refuse the last proposal            │ customer refuses       │
      └─────────────────┘                                     ▼                        │
      ▲                                   refused ──decide (manager)──▶ decided        │
      └──────────── call-back: dissatisfied ◀──────────────────────────────────────────┤
                                            call-back: satisfied ──▶ closed ◀──────────┘
"""

from __future__ import annotations

from desk_app.domain.errors import Conflict, ValidationError
from desk_app.domain.labelled import LabelledIntEnum, LabelledStrEnum
from desk_app.i18n import N_, _


class Severity(LabelledIntEnum):
    GENERAL = 1, N_("General")
    SERIOUS = 2, N_("Serious")
    SEVERE = 3, N_("Severe")

    @property
    def escalated(self) -> bool:
        """Serious and severe complaints go to the supervisor the moment they are received."""
        return self >= Severity.SERIOUS


class Status(LabelledStrEnum):
    OPEN = "open", N_("Open: cause and proposals")
    PROPOSED = "proposed", N_("Waiting for the supervisor's decision")
    DECIDED = "decided", N_("Decided: waiting for the customer")
    REFUSED = "refused", N_("Customer refused: waiting for the manager")
    ACCEPTED = "accepted", N_("Signed by the customer: waiting for the call-back")
    CLOSED = "closed", N_("Closed")


class ProposalState(LabelledStrEnum):
    PENDING = "pending", N_("Waiting for a decision")
    CHOSEN = "chosen", N_("Chosen")
    NOT_CHOSEN = "not_chosen", N_("Not chosen")
    REFUSED = "refused", N_("Sent back")


# The cause of a complaint (003 第三章三 3: 对投诉原因进行最彻底的分析)
CAUSES: dict[str, str] = {
    "staff_conduct": N_("Staff conduct or attitude"),
    "procedure": N_("Procedure not followed"),
    "information": N_("Wrong or missing information"),
    "delay": N_("Delay or missed promise"),
    "quality": N_("Quality of the work"),
    "facility": N_("Facility or equipment fault"),
    "expectation": N_("Customer's expectation beyond the service"),
    "third_party": N_("Third party"),
    "other": N_("Other"),
}

# What a satisfied call-back does to an accepted complaint, and what a dissatisfied one does
CLOSING_SATISFACTION = frozenset({"very_satisfied", "satisfied", "neutral"})
REOPENING_SATISFACTION = frozenset({"dissatisfied"})

CALLBACK_CHANNELS: dict[str, str] = {
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "online": N_("Online"),
}


def number(complaint_id: int) -> str:
    return f"TS-{complaint_id:06d}"


def decision_number(complaint_id: int, round_no: int) -> str:
    """The n-th decision on a complaint (a reopened or refused one is decided again)."""
    return f"{number(complaint_id)}-{round_no}"


def parse_severity(value: int | str) -> Severity:
    try:
        return Severity(int(value)) if str(value).isdigit() else Severity[str(value).upper()]
    except (KeyError, ValueError):
        raise ValidationError(_("Unknown severity {value}: use 1 (general), 2 (serious) or 3 "
                                "(severe).").format(value=value), field="severity") from None


def parse_cause(value: str) -> str:
    if value not in CAUSES:
        raise ValidationError(_("Choose the cause of the complaint: {choices}.").format(
            choices=", ".join(CAUSES)), field="cause")
    return value


def cause_label(key: str) -> str:
    return _(CAUSES[key]) if key in CAUSES else key


def parse_channel(value: str) -> str:
    if value not in CALLBACK_CHANNELS:
        raise ValidationError(_("Unknown call-back channel {value}: use {choices}.").format(
            value=value, choices=", ".join(CALLBACK_CHANNELS)), field="channel")
    return value


def channel_label(key: str) -> str:
    return _(CALLBACK_CHANNELS[key]) if key in CALLBACK_CHANNELS else key


def _refuse(complaint_no: str, status: Status, doing: str) -> Conflict:
    return Conflict(_("{number} is “{state}”: {doing} is not possible now.").format(
        number=complaint_no, state=status.label, doing=doing))


def check_can_analyse(complaint_no: str, status: Status) -> None:
    """The cause may be written and corrected until a decision is made on it."""
    if status not in (Status.OPEN, Status.PROPOSED):
        raise _refuse(complaint_no, status, _("changing the cause analysis"))


def check_can_propose(complaint_no: str, status: Status, cause: str) -> None:
    """Proposals follow the cause analysis (003: analyse the cause, then propose); after the
    customer refused, new proposals go to the manager."""
    if status not in (Status.OPEN, Status.PROPOSED, Status.REFUSED):
        raise _refuse(complaint_no, status, _("a new proposal"))
    if not cause:
        raise ValidationError(_("Write down the cause analysis of {number} before proposing a "
                                "resolution.").format(number=complaint_no), field="cause")


def decider_needed(complaint_no: str, status: Status) -> str:
    """Who decides now: ``"supervisor"`` on proposals, ``"manager"`` after the customer
    refused the supervisor's decision (escalated); anything else is a Conflict."""
    if status == Status.PROPOSED:
        return "supervisor"
    if status == Status.REFUSED:
        return "manager"
    raise _refuse(complaint_no, status, _("a decision"))


def check_decidable(complaint_no: str, proposal_state: ProposalState, escalated: bool) -> None:
    """A supervisor picks a waiting proposal; the manager may also uphold the one chosen
    before the customer refused."""
    allowed = {ProposalState.PENDING} | ({ProposalState.CHOSEN} if escalated else set())
    if proposal_state not in allowed:
        raise Conflict(_("That proposal of {number} is “{state}”: choose a proposal waiting "
                         "for a decision.").format(number=complaint_no,
                                                   state=proposal_state.label))


def check_customer_step(complaint_no: str, status: Status) -> None:
    if status != Status.DECIDED:
        raise _refuse(complaint_no, status, _("the customer's answer"))


def after_callback(status: Status, satisfaction: str) -> Status:
    """An accepted complaint's call-back closes it, or reopens it when the customer is
    dissatisfied; a customer not reached leaves it waiting for another call-back."""
    if status != Status.ACCEPTED:
        return status
    if satisfaction in CLOSING_SATISFACTION:
        return Status.CLOSED
    if satisfaction in REOPENING_SATISFACTION:
        return Status.OPEN
    return status
