"""The document register's audit entries in words (收发文): each action's label and
sentence, the names of the fields its entries record, and its stored words (a document's
status, a chase's channel) — merged into ``domain.audit_text`` when that is imported, so
the Audit page, a document's timeline (``DocumentService.show``) and the audit export read
them like every other entry.

Every entry of a document records its running ``number``; the sentences name the number,
departments and people, never a secret document's title or text (a timeline shows them to
whoever may read the register)."""

from __future__ import annotations

from desk_app.domain import audit_text
from desk_app.domain.documents import Direction, Execution, Status, Urgency
from desk_app.i18n import N_

# (label, sentence); placeholders as in audit_text.ACTIONS: {actor}, {id}, every key of
# "after", "old_<key>" of "before"; a missing one reads "—".
ACTIONS: dict[str, tuple[str, str]] = {
    # incoming (收文)
    "document.receive": (N_("Document received"),
                         N_("{actor} registered the incoming document {number} from {sender}")),
    "doc_instruction.sign": (N_("Instructions signed"),
                             N_("{actor} signed the instructions on {number}")),
    "document.carry": (N_("Document carried"), N_("{actor} carried {number} to {to_name}")),
    "document.read": (N_("Reading confirmed"), N_("{actor} confirmed reading {number}")),
    "document.ask": (N_("Question to the manager"),
                     N_("{actor} asked the manager a question on {number}")),
    "document.answer": (N_("Question answered"),
                        N_("{actor} answered a question on {number}")),
    "document.result": (N_("Handling result"),
                        N_("{actor} recorded the handling result of {number}")),
    "document.chase": (N_("Handling chased"),
                       N_("{actor} chased the handling of {number} ({channel})")),
    "doc_incoming.sign": (N_("Processing sheet signed"),
                          N_("{actor} signed the processing sheet of {number} and filed it")),
    "document.file": (N_("Document filed"), N_("{actor} filed {number}")),
    # outgoing (发文)
    "document.draft": (N_("Document drafted"), N_("{actor} drafted {number}")),
    "document.revise": (N_("Draft revised"), N_("{actor} revised the draft {number}")),
    "document.review": (N_("Draft reviewed"),
                        N_("{actor} reviewed the draft {number}: {decision}")),
    "document.signoff": (N_("Sign-off"), N_("{actor} decided the sign-off of {number}: {decision}")),
    "doc_outgoing.sign": (N_("Document sent"),
                          N_("{actor} numbered and sent {number} as {issued_no}")),
    "document.void": (N_("Document voided"), N_("{actor} voided {number}: {reason}")),
    "document.execute": (N_("Execution recorded"),
                         N_("{actor} recorded the execution of {number}: {execution}")),
    # internal liaison sheets (工作联络单)
    "doc_liaison.sign": (N_("Liaison sheet signed"),
                         N_("{actor} signed the liaison sheet {number}")),
    "document.deliver": (N_("Liaison sheet delivered"), N_("{actor} delivered {number}")),
    "document.reply": (N_("Liaison sheet replied"),
                       N_("{actor} recorded the reply to {number}")),
    "demo.documents": (N_("Demo documents"),
                       N_("{actor} filled the document register with demo data")),
    # departments and heads
    "user.department": (N_("Department set"),
                        N_("{actor} set the department of {full_name}: {department}")),
}

# Field names of the register's entries (only keys audit_text.FIELDS does not name yet).
FIELDS: dict[str, str] = {
    "sender": N_("Sender"), "sender_ref": N_("Sender's number"), "to_name": N_("Department"),
    "direction": N_("Direction"), "urgency": N_("Urgency"), "pages": N_("Pages"),
    "received_on": N_("Received on"), "instruction": N_("Instructions"),
    "readers": N_("Readers"), "handler": N_("Handling department"), "handler_dept": N_("Handling department"),
    "due_on": N_("Due on"), "dept": N_("Department"), "to_dept": N_("To department"),
    "question": N_("Question"), "answer": N_("Answer"), "issued_no": N_("Issued number"),
    "execution": N_("Execution"), "reply": N_("Reply"), "comment": N_("Comment"),
    "head": N_("Head"), "addressee": N_("Addressee"), "body": N_("Text"),
    "summary": N_("Summary"), "attachment": N_("Attachment"), "seq": N_("Stop"),
    "corrects": N_("Corrects"), "approve": N_("Approved"), "note_id": N_("Question no."),
    "stop": N_("Stop"), "heads": N_("Heads"), "signer": N_("Signed by"),
    "handling": N_("For handling"), "days_overdue": N_("Days overdue"),
    "linked": N_("Joined an existing file"), "documents": N_("Documents"),
    "members": N_("Members"), "numbers": N_("Numbers"),
}

# Stored words of the register's fields in the user's language.
VALUES: dict[str, dict[str, str]] = {
    "status": {status.value: status.msgid for status in Status},
    "direction": {direction.value: direction.msgid for direction in Direction},
    "urgency": {urgency.value: urgency.msgid for urgency in Urgency},
    "execution": {execution.value: execution.msgid for execution in Execution},
    "channel": {"phone": N_("phone"), "message": N_("message")},  # a chase; "visit": reception
    "decision": {"returned": N_("returned to the drafter")},  # "approved": RequestStatus
}

audit_text.ACTIONS.update(ACTIONS)
audit_text.FIELDS.update({key: label for key, label in FIELDS.items()
                          if key not in audit_text.FIELDS})
for _key, _words in VALUES.items():
    audit_text.VALUES.setdefault(_key, {}).update(
        {value: word for value, word in _words.items()
         if value not in audit_text.VALUES.get(_key, {})})
