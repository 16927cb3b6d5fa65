"""Demo data for confidential access approvals (R5): requests in every state — waiting,
approved (live, to be lent at the desk: the demo keeps its 10,000 loans per scale), approved
for copies (recorded, one batch destroyed), refused, revoked, and expired — filed by the demo
clerk and decided by the demo manager with the demo password, through ``ApprovalService`` as
a user would (every step audited).

The expired one is filed with a window that has already ended (the service refuses such a
window from a user): it is filed, then approved and signed, like the others.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from desk_app.demo.people import demo_actor
from desk_app.demo.signers import DemoKeys
from desk_app.domain.approvals import RequestStatus
from desk_app.domain.clock import local_today
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.borrowers import BorrowerInput
from desk_app.store.approvals import AccessRequest, AccessRequestItem
from desk_app.store.archive import Item, SignedDocument, tuples

AUDITOR = BorrowerInput(name="赵审计", contact="13812345678", organisation="信达会计师事务所")
LAWYER = BorrowerInput(name="钱律师", contact="13987654321", organisation="正源律师事务所")



def _service(demo: Any, keys: DemoKeys) -> Any:
    from desk_app.services.approvals import ApprovalService
    from desk_app.services.archive import ArchiveService

    archive = ArchiveService(demo.ctx, settings=demo.settings, personnel=demo.personnel)
    return ApprovalService(demo.ctx, settings=demo.settings, keys=keys,
                           archive=archive)


def generate_approvals(demo: Any, keys: DemoKeys, password: str) -> dict[str, int]:
    """Runs once per database (not when a request exists already)."""
    if AccessRequest.select().exists():
        return {}
    clerk, manager = demo_actor("wangfang"), demo_actor("zhangwei")
    refs = [ref for (ref,) in tuples(Item.select(Item.ref).where(
        (Item.level == "secret") & (Item.status == "available")).order_by(Item.id).limit(8))]
    if clerk is None or manager is None or len(refs) < 8:
        return {}
    approvals = _service(demo, keys)
    today = local_today(demo.ctx.clock.now())
    day = timedelta(days=1)

    def request(refs_: list[str], who: BorrowerInput, purpose: str, access: str, days: int,
                copies: int | None = None) -> dict[str, Any]:
        return approvals.request(clerk, refs_, who, purpose, access, today, today + days * day,
                                 copies)

    approvals.request(clerk, [refs[0]], LAWYER, "合同纠纷诉讼取证，需查阅原件。", "read", today,
                      today + 3 * day)  # waiting for the manager
    live = request([refs[1], refs[2]], AUDITOR, "年度财务审计，核对物业服务合同。", "take-out", 14)
    approvals.decide(manager, live["id"], True, "审计需要，同意在窗口期内带出，按期归还。", password)
    copy = request([refs[3]], AUDITOR, "审计底稿需附复印件。", "copy", 5, copies=3)
    approvals.decide(manager, copy["id"], True, "同意复印三份，审计结束后交回销毁。", password)
    made = approvals.record_copies(clerk, copy["id"], refs[3], 2)
    approvals.dispose_copies(clerk, made["copies_made"][0]["id"], "destroyed")
    refused = request([refs[4]], LAWYER, "了解公司内部会议情况。", "take-out", 7)
    approvals.decide(manager, refused["id"], False, "与诉讼无关，不予批准。", password)
    revoked = request([refs[5]], AUDITOR, "专项审计抽查。", "read", 10)
    approvals.decide(manager, revoked["id"], True, "同意在档案室查阅。", password)
    approvals.revoke(manager, revoked["id"], "专项审计已取消。")
    return {"access_requests": 5 + _expired(demo, approvals, clerk, manager, refs[6:8], password)}


def _expired(demo: Any, approvals: Any, clerk: Actor, manager: Actor, refs: list[str],
             password: str) -> int:
    """An approval whose window ended last month: filed and decided today, like the rest."""
    from desk_app.forms.approvals import approval_pdf
    from desk_app.services.approvals import next_number
    from desk_app.services.borrowers import borrower

    today = local_today(demo.ctx.clock.now())
    start, end = today - timedelta(days=40), today - timedelta(days=30)
    with demo.write() as tx:
        person = borrower(demo.ctx.db, AUDITOR, tx.at)
        number = next_number(tx.at)
        row = AccessRequest.create(number=number, borrower=person.id, purpose="上年度审计。",
                                   access="take-out", window_from=start, window_to=end,
                                   status="pending", requested_by=clerk.user_id, requested_at=tx.at)
        items = Item.select(Item.id).where(Item.ref.in_(refs))
        AccessRequestItem.insert_many([{"request": row.id, "item": item.id}
                                       for item in items]).execute()
        tx.audit(clerk, "access_request.file", "access_request", row.id, after={
            "number": number, "refs": refs, "requester": person.name, "access": "take-out",
            "from": start.isoformat(), "to": end.isoformat(), "demo": True})
    data = approvals._show(row.id)
    form = {**data, "status": "approved", "status_label": RequestStatus.APPROVED.label, "decided_by":
            manager.full_name, "decided_at": demo.ctx.clock.now(),
            "decision_reason": "同意上年度审计带出。"}
    pdf = approvals.keys.sign_pdf(manager, approval_pdf(str(demo.settings.value("company_name")),
                                                        form), "manager", password, None,
                                  _("Approved by"))
    with demo.write() as tx:
        digest = hashlib.sha256(pdf).hexdigest()
        document = SignedDocument.create(kind="access_approval", record_no=number, pdf=pdf,
                                         sha256=digest, created_at=tx.at,
                                         created_by=manager.user_id)
        (AccessRequest.update(status="approved", decided_by=manager.user_id, decided_at=tx.at,
                              decision_reason=form["decision_reason"], document=document.id)
         .where(AccessRequest.id == row.id).execute())
        tx.audit(manager, "access_approval.sign", "access_approval", row.id, after={
            "number": number, "decision": "approved", "reason": form["decision_reason"],
            "sha256": digest})
    return 1
