"""Reception's closed loop in words (issue 18): a complaint's cause analysis, proposals,
signed decision and the customer's answer (``domain.complaints``), the month's signed
statistics, promised replies, transfers and escalations — merged into
``domain.audit_text`` when that is imported, like ``audit_text_documents``."""

from __future__ import annotations

from desk_app.domain import audit_text
from desk_app.domain.complaints import CALLBACK_CHANNELS, CAUSES, ProposalState, Status
from desk_app.domain.timeouts import Cause, Measure, Outcome, RequestType, Urgency
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
    "demo.reception_history": (N_("Demo service history"),
                               N_("{actor} filled the reception log with four earlier months "
                                  "of demo history")),
    "timeout.review": (N_("Timeout reviewed"),
                       N_("{actor} reviewed the timeout of log entry {id}: {responsible} "
                          "responsible, {measure}")),
    "timeout.appeal": (N_("Timeout review appealed"),
                       N_("{actor} appealed the review of log entry {id}: {reason}")),
    "timeout.decide_appeal": (N_("Appeal decided"),
                              N_("{actor} decided the appeal on log entry {id}: {outcome}, "
                                 "{measure}")),
    "complaint_stats.sign": (N_("Month's complaints signed"),
                             N_("{actor} signed the complaint statistics of {month} with "
                                "improvement measures: {measures}")),
    "service_report.write": (N_("Service report written"),
                             N_("{actor} wrote the service report of {month} as {format}: "
                                "{file}")),
}

# Field names (only keys audit_text.FIELDS does not name yet).
FIELDS: dict[str, str] = {
    "cause": N_("Cause"), "cause_text": N_("Cause analysis"), "proposal": N_("Proposal"),
    "complaint": N_("Complaint"), "complaint_status": N_("Complaint's state"),
    "callback": N_("Call-back"), "severity": N_("Severity"), "escalated": N_("Escalated"),
    "role": N_("Role"), "measures": N_("Improvement measures"), "month": N_("Month"),
    "promised": N_("Reply promised by"), "to": N_("To"), "to_user": N_("To colleague"),
    "to_dept": N_("To department"), "promises": N_("Promises"),
    "responsible": N_("Responsible"), "joint_supervisor": N_("Supervisor jointly liable"),
    "measure": N_("Measure"), "measure_text": N_("Measure (details)"),
    "retraining": N_("Retraining"), "evidence": N_("Evidence"),
    "appeal_until": N_("Appeal until"), "outcome": N_("Appeal outcome"), "appellant": N_("Appellant"),
    "request_type": N_("Request type"), "urgency": N_("Urgency"),
    "complete": N_("Month ended"),
}

VALUES: dict[str, dict[str, str]] = {
    # a complaint's causes, and a timeout's (002) where their keys differ
    "cause": {**{cause.value: cause.msgid for cause in Cause}, **CAUSES},
    "complaint_status": {status.value: status.msgid for status in Status},
    "state": {state.value: state.msgid for state in ProposalState},
    "channel": {key: word for key, word in CALLBACK_CHANNELS.items() if key != "email"},
    "measure": {measure.value: measure.msgid for measure in Measure},
    "outcome": {outcome.value: outcome.msgid for outcome in Outcome},
    "request_type": {kind.value: kind.msgid for kind in RequestType},
    "urgency": {urgency.value: urgency.msgid for urgency in Urgency},
}

audit_text.ACTIONS.update(ACTIONS)
audit_text.FIELDS.update({key: label for key, label in FIELDS.items()
                          if key not in audit_text.FIELDS})
for _key, _words in VALUES.items():
    audit_text.VALUES.setdefault(_key, {}).update(
        {value: word for value, word in _words.items()
         if value not in audit_text.VALUES.get(_key, {})})
