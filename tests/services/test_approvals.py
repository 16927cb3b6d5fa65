"""Confidential access approvals (R5): requests, signed decisions, windows, the loan check,
copies, bad input, two desks deciding at once, and the signed form."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest

from desk_app.desk import Desk
from desk_app.domain.approvals import closing_moment, parse_closing_time, window_end
from desk_app.domain.clock import local_day_start, local_today
from desk_app.domain.errors import AuthenticationFailed, Conflict, NotFound, ValidationError
from desk_app.forms.verify import verify_pdf
from desk_app.services.approvals import ApprovalFilter
from desk_app.services.exports import verify_pdf_file
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.store.approvals import AccessRequest, CopyRecord
from desk_app.store.archive import Loan, SignedDocument
from desk_app.store.models import AuditEntry, User
from tests.conftest import PASSWORD, add_user

AUDITOR = BorrowerInput(name="审计师甲", contact="13800000001", organisation="信达会计师事务所")
OTHER = BorrowerInput(name="访客乙", contact="13900000002")


@pytest.fixture
def people(desk, admin):
    return {"clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
            "manager": add_user(desk, admin, "boss", "manager", "张伟"),
            "staff": add_user(desk, admin, "staff1", "supervisor", "李强"),
            "hr": add_user(desk, admin, "hr1", "personnel", "刘洋"), "admin": admin}


@pytest.fixture
def items(desk, people):
    clerk = people["clerk"]
    made = {
        "contract": desk.archive.add_item(clerk, title="物业服务总包合同", kind="JY", dept="ZB",
                                          level="secret"),
        "minutes": desk.archive.add_item(clerk, title="总经理办公会会议纪要", kind="JY", dept="ZB",
                                         level="secret"),
        "manual": desk.archive.add_item(clerk, title="Fire safety manual", kind="SC", dept="BA",
                                        level="public"),
        "personnel": desk.archive.add_item(people["hr"], title="员工档案：周敏", kind="YH",
                                           dept="XZ", level="personnel"),
    }
    return {key: item.ref for key, item in made.items()}


def _today(desk) -> date:
    return local_today(desk.ctx.clock.now())


def _set(clock, moment: datetime) -> None:
    clock.advance(seconds=(moment - clock.now()).total_seconds())


def _request(desk, people, refs, access="take-out", days=(0, 7), copies=None,
             requester=AUDITOR):
    today = _today(desk)
    return desk.approvals.request(people["clerk"], refs, requester, "年度审计", access,
                                  today + timedelta(days=days[0]), today + timedelta(days=days[1]),
                                  copies)


def _approved(desk, people, refs, **kwargs):
    data = _request(desk, people, refs, **kwargs)
    return desk.approvals.decide(people["manager"], data["id"], True, "审计需要", PASSWORD)


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode("utf-8")


def _state():
    return (AccessRequest.select().count(), Loan.select().count(), CopyRecord.select().count(),
            SignedDocument.select().count(), AuditEntry.select().count())


# ---------------------------------------------------------------- the story of the issue


def test_take_out_for_an_outside_auditor(desk, people, items):
    clerk = people["clerk"]
    data = _request(desk, people, [items["contract"]])
    assert data["status"] == "pending" and data["number"].startswith("SP2026-")
    assert data["borrower"] == "审计师甲" and data["organisation"] == "信达会计师事务所"
    assert desk.approvals.waiting_count(people["manager"]) == 1
    decided = desk.approvals.decide(people["manager"], data["id"], True, "年度审计需要", PASSWORD)
    assert decided["status"] == "approved" and decided["signed"]
    assert decided["decided_by"] == "张伟" and decided["decision_reason"] == "年度审计需要"
    [row] = desk.approvals.explain(clerk, [items["contract"]], AUDITOR, False,
                                   _today(desk) + timedelta(days=5))
    assert row == {"ref": items["contract"], "approval": data["number"], "problem": None}
    # another person, a due date after the window: refused, saying why
    with pytest.raises(ValidationError, match="no approval for this person"):
        desk.loans.lend(clerk, [items["contract"]], OTHER, "审计", _today(desk) + timedelta(days=5))
    with pytest.raises(ValidationError, match="after the window ends"):
        desk.loans.lend(clerk, [items["contract"]], AUDITOR, "审计",
                        _today(desk) + timedelta(days=8))
    slip = desk.loans.lend(clerk, [items["contract"], items["manual"]], AUDITOR, "审计",
                           _today(desk) + timedelta(days=7))
    approvals = {item["ref"]: item["approval"] for item in slip["items"]}
    assert approvals == {items["contract"]: data["number"], items["manual"]: None}
    loan = Loan.get(Loan.slip == slip["id"], Loan.approval_id.is_null(False))
    assert loan.approval_id == data["id"]
    assert data["number"] in _text(desk.loans.sign_slip(clerk, slip["id"], PASSWORD, None, None))
    shown = desk.approvals.show(people["manager"], data["id"])
    assert [e["what"] for e in shown["events"]] == ["requested", "approved", "lent"]
    lent = shown["events"][-1]  # readable, and who handed it out
    clerk_row = User.get_by_id(clerk.user_id)
    assert lent["what_label"] == "Lent" and lent["who"] == (clerk_row.full_name or clerk_row.name)
    assert shown["items"][0]["title"] == "物业服务总包合同"
    assert AuditEntry.select().order_by(AuditEntry.seq.desc()).first().action == "item.view_secret"
    history = desk.approvals.history_for_item(clerk, items["contract"])
    assert {e["number"] for e in history} == {data["number"]}


def test_a_secret_item_without_approval_says_so(desk, people, items):
    with pytest.raises(ValidationError, match="no access approval"):
        desk.loans.lend(people["clerk"], [items["contract"]], AUDITOR, "审计")
    with pytest.raises(NotFound, match="No item"):  # a personnel file: as if unknown (R6)
        desk.loans.lend(people["clerk"], [items["personnel"]], AUDITOR, "审计")


# ---------------------------------------------------------------- window edges (R5)


@pytest.mark.parametrize(("case", "problem"), [
    ("first_day", None), ("last_day", None), ("before", "the window starts on"),
    ("second_after", "the window ended on"), ("revoked", "was revoked"),
    ("refused", "was refused"), ("pending", "waiting for the manager"),
])
def test_window_edges(desk, people, items, clock, case, problem):
    ref, clerk = items["contract"], people["clerk"]
    data = _request(desk, people, [ref], days=(1, 3))
    first, last = data["window_from"], data["window_to"]
    if case == "refused":
        desk.approvals.decide(people["manager"], data["id"], False, "不必要", PASSWORD)
    elif case != "pending":
        desk.approvals.decide(people["manager"], data["id"], True, "同意", PASSWORD)
    if case == "revoked":
        desk.approvals.revoke(people["manager"], data["id"], "审计已结束")
    moment = {"first_day": local_day_start(first), "last_day": window_end(last)
              - timedelta(seconds=1), "second_after": window_end(last) + timedelta(seconds=1),
              "before": local_day_start(first) - timedelta(seconds=1)}.get(case)
    if moment is not None:
        _set(clock, moment)
    due = min(last, _today(desk) + timedelta(days=1)) if case != "second_after" else None
    [row] = desk.approvals.explain(clerk, [ref], AUDITOR, False, due)
    status = desk.approvals.show(people["manager"], data["id"])["status"]
    if problem is None:
        assert row["approval"] == data["number"] and status == "approved"
        desk.loans.lend(clerk, [ref], AUDITOR, "审计", due)
        return
    assert problem in row["problem"]
    expected = {"second_after": "expired", "revoked": "revoked", "refused": "refused",
                "pending": "pending", "before": "approved"}[case]
    assert status == expected
    before = _state()
    with pytest.raises(ValidationError, match=problem):
        desk.loans.lend(clerk, [ref], AUDITOR, "审计", due)
    assert _state() == before
    if case == "second_after":
        events = desk.approvals.show(people["manager"], data["id"])["events"]
        assert events[-1]["what"] == "expired" and events[-1]["at"] == window_end(last)
        assert desk.approvals.count(people["clerk"], ApprovalFilter(view="ended")) == 1
        assert desk.approvals.count(people["clerk"], ApprovalFilter(status="expired")) == 1


def test_read_in_the_office_is_due_at_closing_time(desk, people, items, clock):
    clerk, ref = people["clerk"], items["contract"]
    take_out = _approved(desk, people, [ref])
    with pytest.raises(ValidationError, match="not reading in the office"):
        desk.loans.lend(clerk, [ref], AUDITOR, "查阅", in_office=True)
    read = _approved(desk, people, [ref], access="read")
    with pytest.raises(ValidationError, match="no approval for this person"):
        desk.loans.lend(clerk, [ref], OTHER, "查阅", in_office=True)
    slip = desk.loans.lend(clerk, [ref], AUDITOR, "查阅", in_office=True)
    closing = closing_moment(_today(desk), parse_closing_time(desk.settings.value("closing_time")))
    loan = Loan.get(Loan.slip == slip["id"])
    assert (loan.due_on, loan.due_at, loan.approval_id) == (_today(desk), closing, read["id"])
    assert slip["items"][0]["approval"] == read["number"] != take_out["number"]
    overdue = LoanFilter(overdue_only=True)
    _set(clock, closing - timedelta(seconds=1))
    assert desk.loans.count(clerk, overdue) == 0
    _set(clock, closing + timedelta(seconds=1))
    assert desk.loans.count(clerk, overdue) == 1
    assert [row["ref"] for row in desk.loans.page(clerk, overdue, 0, 10)] == [ref]
    assert [b["loans"][0]["ref"] for b in desk.loans.overdue_by_borrower(clerk)] == [ref]
    with pytest.raises(ValidationError, match="past closing time"):
        desk.loans.lend(clerk, [items["manual"]], AUDITOR, "查阅", in_office=True)


def test_copies_are_counted_and_disposed_of(desk, people, items):
    clerk, ref = people["clerk"], items["contract"]
    data = _approved(desk, people, [ref, items["minutes"]], access="copy", copies=3)
    for copies in (0, -1):
        before = _state()
        with pytest.raises(ValidationError, match="number of copies") as error:
            desk.approvals.record_copies(clerk, data["id"], ref, copies)
        assert error.value.field == "copies" and _state() == before
    shown = desk.approvals.record_copies(clerk, data["id"], ref, 2)
    [made] = shown["copies_made"]
    assert (made["copies"], made["made_by"], made["disposal"]) == (2, "王芳", None)
    before = _state()
    with pytest.raises(ValidationError, match="3 copies in total; 2 made"):
        desk.approvals.record_copies(clerk, data["id"], items["minutes"], 2)
    with pytest.raises(ValidationError, match="is not on"):
        desk.approvals.record_copies(clerk, data["id"], items["manual"], 1)
    assert _state() == before
    desk.approvals.record_copies(clerk, data["id"], items["minutes"], 1)
    shown = desk.approvals.dispose_copies(clerk, made["id"], "destroyed")
    assert shown["copies_made"][0]["disposal"] == "destroyed"
    with pytest.raises(Conflict, match="already destroyed"):
        desk.approvals.dispose_copies(clerk, made["id"], "returned")
    whats = [e["what"] for e in shown["events"]]
    assert whats.count("copies") == 2 and "copies_destroyed" in whats
    take_out = _approved(desk, people, [ref])
    with pytest.raises(ValidationError, match="does not allow copies"):
        desk.approvals.record_copies(clerk, take_out["id"], ref, 1)


# ---------------------------------------------------------------- bad input: nothing written


@pytest.mark.parametrize(("case", "error", "match", "field"), [
    ("no_reason", ValidationError, "reason", "reason"),
    ("ends_before_start", ValidationError, "ends .* before it starts", "window_to"),
    ("in_the_past", ValidationError, "in the past", "window_from"),
    ("not_secret", ValidationError, "not secret", "ref"),
    ("personnel", NotFound, "No item", None),
    ("unknown", NotFound, "No item", None),
    ("no_copies", ValidationError, "number of copies", "copies"),
    ("zero_copies", ValidationError, "number of copies", "copies"),
    ("copies_for_read", ValidationError, "only for copy", "copies"),
    ("bad_access", ValidationError, "Unknown kind of access", "access"),
    ("no_purpose", ValidationError, "purpose", "purpose"),
    ("no_contact", ValidationError, "contact", "contact"),
    ("already_decided", Conflict, "is approved, not waiting", None),
    ("refused_again", Conflict, "is refused, not waiting", None),
    ("expired", Conflict, "is expired, not waiting", None),
    ("revoked", Conflict, "is revoked, not waiting", None),
    ("revoke_pending", Conflict, "only a live approval", None),
    ("revoke_no_reason", ValidationError, "reason", "reason"),
    ("wrong_password", AuthenticationFailed, None, None),
])
def test_bad_input_writes_nothing(desk, people, items, clock, case, error, match, field):
    manager, today = people["manager"], _today(desk)
    ref = items["contract"]
    kwargs = {"refs": [ref], "requester": AUDITOR, "purpose": "审计", "access": "take-out",
              "window_from": today, "window_to": today + timedelta(days=3), "copies": None}
    decided = None
    if case in ("no_reason", "already_decided", "refused_again", "expired", "revoked",
                "revoke_pending", "revoke_no_reason", "wrong_password"):
        decided = _request(desk, people, [ref])
        if case in ("already_decided", "revoked", "revoke_no_reason"):
            desk.approvals.decide(manager, decided["id"], True, "同意", PASSWORD)
        if case == "refused_again":
            desk.approvals.decide(manager, decided["id"], False, "不同意", PASSWORD)
        if case == "revoked":
            desk.approvals.revoke(manager, decided["id"], "提前收回")
        if case == "expired":
            _set(clock, window_end(decided["window_to"]) + timedelta(seconds=1))
    kwargs.update({
        "ends_before_start": {"window_to": today - timedelta(days=0), "window_from":
                              today + timedelta(days=2)},
        "in_the_past": {"window_from": today - timedelta(days=1)},
        "not_secret": {"refs": [items["manual"]]}, "personnel": {"refs": [items["personnel"]]},
        "unknown": {"refs": ["NO-SUCH-1"]}, "no_copies": {"access": "copy"},
        "zero_copies": {"access": "copy", "copies": 0},
        "copies_for_read": {"access": "read", "copies": 2}, "bad_access": {"access": "borrow"},
        "no_purpose": {"purpose": " "}, "no_contact": {"requester": BorrowerInput(name="某人")},
    }.get(case, {}))
    before = _state()
    with pytest.raises(error, match=match) as raised:
        if case in ("revoke_pending", "revoke_no_reason"):
            desk.approvals.revoke(manager, decided["id"], "" if "reason" in case else "收回")
        elif case == "wrong_password":
            desk.approvals.decide(manager, decided["id"], True, "同意", "wrong")
        elif decided is not None:
            desk.approvals.decide(manager, decided["id"], False,
                                  "" if case == "no_reason" else "再议", PASSWORD)
        else:
            desk.approvals.request(people["clerk"], **kwargs)
    if field:
        assert raised.value.field == field
    after = _state()
    if case == "wrong_password":  # the failed signing is audited (lock-out), nothing else
        assert after[:4] == before[:4]
    else:
        assert after == before


# ---------------------------------------------------------------- two desks at once


def _decide_from_another_process(url: str, request_id: int, approve: bool, results) -> None:
    desk = Desk.open(url)
    manager = desk.auth.login("boss", PASSWORD)
    try:
        desk.approvals.decide(manager, request_id, approve, "并发决定", PASSWORD)
        results.put("approved" if approve else "refused")
    except Conflict as error:
        results.put("conflict" if "not waiting" in str(error) else f"other: {error}")
    finally:
        desk.close()


def test_two_desks_deciding_the_same_request_at_once(desk, people, items, clock):
    _set(clock, datetime.now(UTC).replace(tzinfo=None))  # the other desks run on the real clock
    data = _request(desk, people, [items["contract"]])
    url = desk.ctx.url.display() if desk.ctx.url.backend == "sqlite" else os.environ["DESK_TEST_PG"]
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    workers = [ctx.Process(target=_decide_from_another_process,
                           args=(url, data["id"], approve, results)) for approve in (True, False)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    got = sorted(results.get() for _ in workers)
    assert got in (["approved", "conflict"], ["conflict", "refused"])
    row = AccessRequest.get_by_id(data["id"])
    winner = got[0] if got[0] != "conflict" else got[1]
    assert row.status == winner and row.document_id is not None
    assert SignedDocument.select().where(SignedDocument.kind == "access_approval").count() == 1
    assert AuditEntry.select().where(AuditEntry.action == "access_approval.sign").count() == 1


# ---------------------------------------------------------------- the signed form


def test_the_signed_form_verifies_with_verify_pdf_and_pdfsig(desk, people, items, tmp_path):
    approved = _approved(desk, people, [items["contract"], items["minutes"]])
    refused = _request(desk, people, [items["contract"]], requester=OTHER)
    desk.approvals.decide(people["manager"], refused["id"], False, "无正当理由", PASSWORD)
    ca = desk.keys.ca_certificate()
    for data in (approved, refused):
        pdf = desk.approvals.document(people["clerk"], data["id"])
        assert verify_pdf(pdf, ca).ok
        path = tmp_path / f"{data['number']}.pdf"
        path.write_bytes(pdf)
        assert verify_pdf_file(path, ca).ok
        text = _text(pdf)
        for shown in (data["number"], data["borrower"], "年度审计", items["contract"],
                      "物业服务总包合同", "Take out", data["window_to"].isoformat(), "张伟"):
            assert shown in text
    assert "Approved" in _text(desk.approvals.document(people["clerk"], approved["id"]))
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert last.action == "item.view_secret" and "access_approval" in last.change
    assert "无正当理由" in _text(desk.approvals.document(people["clerk"], refused["id"]))
    with pytest.raises(NotFound, match="no signed form"):
        desk.approvals.document(people["clerk"], _request(desk, people, [items["minutes"]])["id"])
    for tool in ("pdfsig", "certutil"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install poppler-utils and libnss3-tools")
    nss = tmp_path / "nss"
    nss.mkdir()
    (tmp_path / "ca.pem").write_bytes(ca)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True,
                   capture_output=True, timeout=60)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "desk-ca", "-t", "C,C,C", "-a",
                    "-i", str(tmp_path / "ca.pem")], check=True, capture_output=True, timeout=60)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True,
                          text=True, timeout=60, check=True)
    assert "Signature is Valid" in done.stdout and "Certificate is Trusted" in done.stdout


def test_register_views_and_export(desk, people, items, tmp_path):
    manager = people["manager"]
    waiting = _request(desk, people, [items["contract"]])
    live = _approved(desk, people, [items["minutes"]], days=(0, 3))
    counts = {view: desk.approvals.count(manager, ApprovalFilter(view=view))
              for view in ("waiting", "all", "expiring", "ended")}
    assert counts == {"waiting": 1, "all": 2, "expiring": 1, "ended": 0}
    [row] = desk.approvals.expiring(manager)
    assert row["number"] == live["number"] and row["refs"] == items["minutes"]
    assert {"id", "number", "status", "status_label", "borrower", "access_label", "refs",
            "window_from", "window_to", "requested_at", "decided_by"} <= row.keys()
    assert desk.approvals.page(manager, ApprovalFilter(view="waiting"), 0, 10)[0]["id"] == \
        waiting["id"]
    out = tmp_path / "approvals.csv"
    desk.exports.export(manager, "approvals", None, None, "csv", out)
    text = out.read_text(encoding="utf-8-sig")
    assert waiting["number"] in text and live["number"] in text
    signed = desk.exports.export(manager, "approvals", None, None, "pdf", tmp_path / "a.pdf",
                                 PASSWORD)
    assert verify_pdf((tmp_path / "a.pdf").read_bytes(), desk.keys.ca_certificate()).ok, signed
    assert live["number"] in _text((tmp_path / "a.pdf").read_bytes())
    desk.exports.export(manager, "approvals", None, None, "xlsx", tmp_path / "a.xlsx")
