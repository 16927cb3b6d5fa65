"""Reception's closed loop in words (issue 18): a complaint's cause analysis, proposals,
signed decision and the customer's answer (``domain.complaints``), the month's signed
statistics, promised replies, transfers and escalations — merged into
``domain.audit_text`` when that is imported, like ``audit_text_documents``."""

from __future__ import annotations

from desk_app.domain import audit_text
from desk_app.domain.complaints import CALLBACK_CHANNELS, CAUSES, ProposalState, Status
from desk_app.i18n import N_

ACTIONS: dict[str, tuple[str, str]] = {
    "complaint.analyse": (N_("Complaint's cause analysed"),
                          N_("{actor} wrote down the cause of complaint {id}: {cause_text}")),
    "complaint.propose": (N_("Resolution proposed"),
                          N_("{actor} proposed a resolution for complaint {id}: {text}")),
    "complaint.send_back": (N_("Proposal sent back"),
                            N_("{actor} sent back proposal {proposal} of complaint {id}: "
                               "{reason}")),
    "complaint_decision.sign": (N_("Complaint decided"),
                                N_("{actor} decided complaint {complaint} and signed "
                                   "{number}: {instruction}")),
    "complaint_signoff.sign": (N_("Resolution signed by the customer"),
                               N_("{actor} had the customer sign {number} and scheduled "
                                  "call-back {callback}")),
    "complaint.customer_refuse": (N_("Resolution refused by the customer"),
                                  N_("The customer refused decision {decision} of complaint "
                                     "{id} ({actor}): {reason}")),
    "visit.promise": (N_("Reply promised"),
                      N_("{actor} promised a reply on log entry {id} by {promised}")),
    "visit.transfer": (N_("Transferred"), N_("{actor} transferred log entry {id} to {to}")),
    "visit.escalate": (N_("Escalated"), N_("{actor} escalated log entry {id} to {to}")),
    "demo.follow_up": (N_("Demo promises"),
                       N_("{actor} filled the log with demo promises of replies")),
    "complaint_stats.sign": (N_("Month's complaints signed"),
                             N_("{actor} signed the complaint statistics of {month} with "
                                "improvement measures: {measures}")),
}

# Field names (only keys audit_text.FIELDS does not name yet).
FIELDS: dict[str, str] = {
    "cause": N_("Cause"), "cause_text": N_("Cause analysis"), "proposal": N_("Proposal"),
    "complaint": N_("Complaint"), "complaint_status": N_("Complaint's state"),
    "callback": N_("Call-back"), "severity": N_("Severity"), "escalated": N_("Escalated"),
    "role": N_("Role"), "measures": N_("Improvement measures"), "month": N_("Month"),
    "promised": N_("Reply promised by"), "to": N_("To"), "to_user": N_("To colleague"),
    "to_dept": N_("To department"), "promises": N_("Promises"),
}

VALUES: dict[str, dict[str, str]] = {
    "cause": dict(CAUSES),
    "complaint_status": {status.value: status.msgid for status in Status},
    "state": {state.value: state.msgid for state in ProposalState},
    "channel": {key: word for key, word in CALLBACK_CHANNELS.items() if key != "email"},
}

audit_text.ACTIONS.update(ACTIONS)
audit_text.FIELDS.update({key: label for key, label in FIELDS.items()
                          if key not in audit_text.FIELDS})
for _key, _words in VALUES.items():
    audit_text.VALUES.setdefault(_key, {}).update(
        {value: word for value, word in _words.items()
         if value not in audit_text.VALUES.get(_key, {})})
