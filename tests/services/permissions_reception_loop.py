"""The role × action rows of reception's closed loop (issue 18): a complaint's workflow
(ComplaintFlowService), the month's signed statistics (ComplaintMonthService), promised
replies and hand-offs (FollowUpService); merged into ``tests/services/test_permissions.py``'s
tables.

The desk (clerk, supervisor) analyses, proposes and takes the customer's answer; only a
supervisor decides on proposals or sends one back (the manager decides only what the
customer refused: ``tests/services/test_complaint_flow.py``); the reception's readers
(and the manager) read a complaint and its signed forms."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.store.reception import Complaint, ComplaintMonth
from tests.conftest import PASSWORD

DESK = frozenset({Role.CLERK, Role.SUPERVISOR})
READ = frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR})

ALLOWED: dict[str, frozenset[Role]] = {
    "ComplaintFlowService.analyse": DESK,
    "ComplaintFlowService.propose": DESK,
    "ComplaintFlowService.customer_accepts": DESK,
    "ComplaintFlowService.customer_refuses": DESK,
    "ComplaintFlowService.send_back": frozenset({Role.SUPERVISOR}),
    "ComplaintFlowService.decide": frozenset({Role.SUPERVISOR}),
    "ComplaintFlowService.show": READ,
    "ComplaintFlowService.decision_form": READ,
    # what Today asks for everyone: empty for those who decide nothing
    "ComplaintFlowService.waiting_for_me": frozenset(Role),
    # a month's complaints, reviewed and signed by the supervisor
    "ComplaintMonthService.month_review": READ,
    "ComplaintMonthService.month_form": READ,
    "ComplaintMonthService.sign_month": frozenset({Role.SUPERVISOR}),
    # the desk promises replies and passes calls on; readers see both
    "FollowUpService.promise_reply": DESK,
    "FollowUpService.hand_off": DESK,
    "FollowUpService.promises_due": READ,
    "FollowUpService.handoffs": READ,
}

Call = Callable[[Actor], Any]

def _pad() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (60, 20), (0, 0, 0, 255)).save(out, "PNG")
    return out.getvalue()

def _analysed(w: Any) -> int:
    complaint_id = w.complaint()
    Complaint.update(cause="delay", cause_text="漏派").where(
        Complaint.id == complaint_id).execute()
    return complaint_id

def _proposed(w: Any) -> tuple[int, int]:
    complaint_id = _analysed(w)
    proposal = w.desk.complaint_flow.propose(w.actors[Role.CLERK], complaint_id, "上门处理")
    return complaint_id, proposal.id

def _decided(w: Any) -> tuple[int, str]:
    complaint_id, proposal_id = _proposed(w)
    decision = w.desk.complaint_flow.decide(w.actors[Role.SUPERVISOR], complaint_id,
                                            proposal_id, "同意", PASSWORD)
    return complaint_id, decision.number

def _analyse(w: Any) -> Call:
    complaint_id = w.complaint()
    return lambda a: w.desk.complaint_flow.analyse(a, complaint_id, "delay", "漏派")

def _propose(w: Any) -> Call:
    complaint_id = _analysed(w)
    return lambda a: w.desk.complaint_flow.propose(a, complaint_id, "上门处理")

def _send_back(w: Any) -> Call:
    _complaint_id, proposal_id = _proposed(w)
    return lambda a: w.desk.complaint_flow.send_back(a, proposal_id, "不够具体")

def _decide(w: Any) -> Call:
    complaint_id, proposal_id = _proposed(w)
    return lambda a: w.desk.complaint_flow.decide(a, complaint_id, proposal_id, "同意", PASSWORD)

def _accept(w: Any) -> Call:
    complaint_id, _number = _decided(w)
    return lambda a: w.desk.complaint_flow.customer_accepts(a, complaint_id, PASSWORD, _pad())

def _refuse(w: Any) -> Call:
    complaint_id, _number = _decided(w)
    return lambda a: w.desk.complaint_flow.customer_refuses(a, complaint_id, "要求赔偿")

def _form(w: Any) -> Call:
    _complaint_id, number = _decided(w)
    return lambda a: w.desk.complaint_flow.decision_form(a, number)

def _show(w: Any) -> Call:
    complaint_id = w.complaint()
    return lambda a: w.desk.complaint_flow.show(a, complaint_id)

def _last_month(w: Any) -> tuple[int, int]:
    today = w.desk.ctx.clock.now()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def _sign_month(w: Any) -> Call:
    year, month = _last_month(w)
    return lambda a: w.desk.complaint_months.sign_month(a, year, month, "分析", "措施", PASSWORD)


def _month_form(w: Any) -> Call:
    year, month = _last_month(w)
    if not ComplaintMonth.select().where(ComplaintMonth.month == f"{year:04d}-{month:02d}"
                                         ).exists():
        w.desk.complaint_months.sign_month(w.actors[Role.SUPERVISOR], year, month, "分析",
                                           "措施", PASSWORD)
    return lambda a: w.desk.complaint_months.month_form(a, year, month)


def _promise(w: Any) -> Call:
    visit_id = w.visit()
    when = w.desk.ctx.clock.now() + timedelta(hours=2)
    return lambda a: w.desk.follow_up.promise_reply(a, visit_id, when)


def _hand_off(w: Any) -> Call:
    visit_id = w.visit()
    return lambda a: w.desk.follow_up.hand_off(a, visit_id, "transfer", to_dept="工程部")


def _handoffs(w: Any) -> Call:
    visit_id = w.visit()
    return lambda a: w.desk.follow_up.handoffs(a, visit_id)


ACTIONS: dict[str, Callable[[Any], Call]] = {
    "ComplaintFlowService.analyse": _analyse,
    "ComplaintFlowService.propose": _propose,
    "ComplaintFlowService.send_back": _send_back,
    "ComplaintFlowService.decide": _decide,
    "ComplaintFlowService.customer_accepts": _accept,
    "ComplaintFlowService.customer_refuses": _refuse,
    "ComplaintFlowService.decision_form": _form,
    "ComplaintFlowService.show": _show,
    "ComplaintFlowService.waiting_for_me":
        lambda w: lambda a: w.desk.complaint_flow.waiting_for_me(a),
    "ComplaintMonthService.month_review":
        lambda w: lambda a: w.desk.complaint_months.month_review(a, *_last_month(w)),
    "ComplaintMonthService.month_form": _month_form,
    "ComplaintMonthService.sign_month": _sign_month,
    "FollowUpService.promise_reply": _promise,
    "FollowUpService.hand_off": _hand_off,
    "FollowUpService.handoffs": _handoffs,
    "FollowUpService.promises_due": lambda w: lambda a: w.desk.follow_up.promises_due(a),
}
