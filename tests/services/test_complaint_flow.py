"""A complaint's closed loop (issue 18, R17): cause analysis, proposals, the supervisor's
signed decision, the customer's signature or refusal (then the manager), the call-back that
closes or reopens it. Bad input says why and writes nothing."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from desk_app.domain.complaints import Status
from desk_app.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    Tampered,
    ValidationError,
)
from desk_app.services.exports import verify_pdf_file
from desk_app.store.archive import SignedDocument
from desk_app.store.models import AuditEntry
from desk_app.store.reception import (
    CallBack,
    Complaint,
    ComplaintDecision,
    ComplaintProposal,
    ComplaintStaff,
)
from tests.conftest import PASSWORD, add_user
from tests.services.ledger_bad_files import PNG as BROKEN_PNG


def _pad_png() -> bytes:
    """Strokes as the desk's signature pad saves them: a real PNG."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (240, 80), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 60), (80, 15), (150, 65), (230, 20)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


PNG = _pad_png()


def _bomb_png() -> bytes:
    """A PNG of 5,000 × 5,000 grey pixels: 25 kB on disk, 25 MB once decoded (under
    Pillow's own bomb warning: the service's limit refuses it)."""
    import struct
    import zlib

    width = height = 5_000
    row = b"\x00" + b"\xff" * width
    data = zlib.compress(row * height, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


@pytest.fixture
def clerk(desk, admin):
    return add_user(desk, admin, "wangfang", "clerk", "王芳")


@pytest.fixture
def supervisor(desk, admin):
    return add_user(desk, admin, "liqiang", "supervisor", "李强")


@pytest.fixture
def manager(desk, admin):
    return add_user(desk, admin, "zhoumin", "manager", "周敏")


def _written() -> tuple[int, ...]:
    return (Complaint.select().count(), ComplaintProposal.select().count(),
            ComplaintDecision.select().count(), ComplaintStaff.select().count(),
            SignedDocument.select().count(), CallBack.select().count(),
            AuditEntry.select().count())


def _status(complaint_id: int) -> str:
    return Complaint.get_by_id(complaint_id).status


def _analysed(desk, clerk, severity=1):
    complaint = desk.complaints.add_complaint(clerk, "repairs", "报修三天未上门，态度冷淡",
                                              "刘先生", "13800000001", severity=severity)
    desk.complaint_flow.analyse(clerk, complaint.id, "delay", "派工单漏派，无人跟进",
                                ["wangfang"])
    return complaint


def _decided(desk, clerk, supervisor):
    complaint = _analysed(desk, clerk)
    first = desk.complaint_flow.propose(clerk, complaint.id, "今天下午派师傅上门")
    desk.complaint_flow.propose(clerk, complaint.id, "明天上午上门并减免本月维修费")
    desk.complaint_flow.decide(supervisor, complaint.id, first.id, "今天下午必须上门，结果回报",
                               PASSWORD)
    return complaint


def _text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _verified(tmp_path, desk, pdf: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(pdf)
    return verify_pdf_file(path, desk.keys.ca_certificate())


def test_a_complaint_runs_the_whole_loop_and_closes(desk, clerk, supervisor, clock, tmp_path):
    complaint = _analysed(desk, clerk)
    assert _status(complaint.id) == Status.OPEN
    first = desk.complaint_flow.propose(clerk, complaint.id, "今天下午派师傅上门")
    second = desk.complaint_flow.propose(clerk, complaint.id, "明天上午上门并减免本月维修费")
    assert _status(complaint.id) == Status.PROPOSED
    assert [c.id for c in desk.complaint_flow.waiting_for_me(supervisor)] == [complaint.id]
    assert desk.complaint_flow.waiting_for_me(clerk) == []

    clock.advance(hours=1)
    decision = desk.complaint_flow.decide(supervisor, complaint.id, second.id,
                                          "同意减免，明早九点前上门", PASSWORD)
    assert decision.number == f"TS-{complaint.id:06d}-1" and decision.decided_role == "supervisor"
    assert _status(complaint.id) == Status.DECIDED
    states = {p.id: p.state for p in ComplaintProposal.select()}
    assert states == {first.id: "not_chosen", second.id: "chosen"}
    report = _verified(tmp_path, desk, desk.complaint_flow.decision_form(clerk, decision.number),
                       "decision.pdf")
    assert report.ok and [s.signer_user for s in report.signatures] == ["liqiang"]

    before = _written()
    signed = desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, PNG,
                                                  channel="email")
    assert _written()[4:] == (before[4] + 1, before[5] + 1, before[6] + 1)
    assert signed.accepted is True and _status(complaint.id) == Status.ACCEPTED
    form = desk.complaint_flow.decision_form(clerk, f"{decision.number}-C")
    decided_text = _text(desk.complaint_flow.decision_form(clerk, decision.number), tmp_path)
    customer_text = _text(form, tmp_path)
    assert "派工单漏派" in decided_text and "Not chosen" in decided_text
    # the customer's copy: the resolution, not the office's analysis or the other proposals
    assert "减免本月维修费" in customer_text
    assert "派工单漏派" not in customer_text and "今天下午派师傅上门" not in customer_text
    report = _verified(tmp_path, desk, form, "signoff.pdf")
    assert report.ok and [s.signer_user for s in report.signatures] == ["wangfang"]
    (callback,) = CallBack.select().where(CallBack.complaint == complaint.id)
    assert callback.channel == "email" and callback.due_at == clock.now() + timedelta(days=3)

    case = desk.complaint_flow.show(clerk, complaint.id)
    assert case.staff == ["wangfang"] and case.name("liqiang") == "李强"
    assert [d.number for d in case.decisions] == [decision.number]
    assert [c.id for c in case.callbacks] == [callback.id]

    clock.advance(days=3)
    done = desk.callbacks.record_callback(clerk, callback.id, "师傅已上门修好", "satisfied")
    assert done.complaint_id == complaint.id
    assert _status(complaint.id) == Status.CLOSED
    assert Complaint.get_by_id(complaint.id).closed_at == clock.now()
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert entry.action == "callback.record"
    assert json.loads(entry.change)["after"]["complaint_status"] == "closed"
    assert desk.audit.verify(desk.auth.login("admin", PASSWORD)).ok


def test_a_dissatisfied_call_back_reopens_the_complaint(desk, clerk, supervisor, clock):
    complaint = _decided(desk, clerk, supervisor)
    desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, PNG)
    (callback,) = CallBack.select().where(CallBack.complaint == complaint.id)
    desk.callbacks.record_callback(clerk, callback.id, "还是漏水", "dissatisfied")
    row = Complaint.get_by_id(complaint.id)
    assert (row.status, row.reopened) == (Status.OPEN, 1)
    # reopened: a new proposal, a second decision with its own number
    third = desk.complaint_flow.propose(clerk, complaint.id, "更换整段水管")
    decision = desk.complaint_flow.decide(supervisor, complaint.id, third.id, "同意", PASSWORD)
    assert decision.number.endswith("-2")


def test_a_customer_who_refuses_sends_it_to_the_manager(desk, clerk, supervisor, manager):
    complaint = _decided(desk, clerk, supervisor)
    before = _written()
    with pytest.raises(ValidationError, match="why the customer refuses"):
        desk.complaint_flow.customer_refuses(clerk, complaint.id, "  ")
    assert _written() == before
    desk.complaint_flow.customer_refuses(clerk, complaint.id, "要求赔偿，不接受只上门")
    assert _status(complaint.id) == Status.REFUSED
    assert [c.id for c in desk.complaint_flow.waiting_for_me(manager)] == [complaint.id]
    assert desk.complaint_flow.waiting_for_me(supervisor) == []
    chosen = ComplaintProposal.get((ComplaintProposal.complaint == complaint.id)
                                   & (ComplaintProposal.state == "chosen"))
    with pytest.raises(PermissionDenied, match="only a manager"):
        desk.complaint_flow.decide(supervisor, complaint.id, chosen.id, "维持", PASSWORD)
    extra = desk.complaint_flow.propose(clerk, complaint.id, "全额赔偿")
    with pytest.raises(PermissionDenied, match="only a manager"):
        desk.complaint_flow.send_back(supervisor, extra.id, "不合理")
    desk.complaint_flow.send_back(manager, extra.id, "赔偿要求不合理")
    decision = desk.complaint_flow.decide(manager, complaint.id, chosen.id,
                                          "维持原处理，另赠一次保洁", PASSWORD)
    assert decision.decided_role == "manager" and _status(complaint.id) == Status.DECIDED


def test_a_proposal_sent_back_returns_the_complaint_to_its_handler(desk, clerk, supervisor):
    complaint = _analysed(desk, clerk)
    proposal = desk.complaint_flow.propose(clerk, complaint.id, "道歉即可")
    before = _written()
    with pytest.raises(ValidationError, match="Say why"):
        desk.complaint_flow.send_back(supervisor, proposal.id, "")
    with pytest.raises(PermissionDenied):
        desk.complaint_flow.send_back(clerk, proposal.id, "不够")
    assert _written() == before
    back = desk.complaint_flow.send_back(supervisor, proposal.id, "没有解决维修问题")
    assert (back.state, back.reason) == ("refused", "没有解决维修问题")
    assert _status(complaint.id) == Status.OPEN
    with pytest.raises(Conflict):
        desk.complaint_flow.decide(supervisor, complaint.id, proposal.id, "同意", PASSWORD)


def test_bad_input_says_why_and_writes_nothing(desk, clerk, supervisor):
    complaint = desk.complaints.add_complaint(clerk, "repairs", "报修未上门")
    before = _written()
    with pytest.raises(ValidationError, match="before proposing"):
        desk.complaint_flow.propose(clerk, complaint.id, "上门")
    with pytest.raises(ValidationError, match="cause"):
        desk.complaint_flow.analyse(clerk, complaint.id, "weather", "太热")
    with pytest.raises(ValidationError, match="caused"):
        desk.complaint_flow.analyse(clerk, complaint.id, "delay", "")
    with pytest.raises(ValidationError, match="No user nobody"):
        desk.complaint_flow.analyse(clerk, complaint.id, "delay", "漏派", ["nobody"])
    with pytest.raises(ValidationError):
        desk.complaint_flow.analyse(clerk, complaint.id, "delay", "漏派\x07")
    with pytest.raises(ValidationError):
        desk.complaint_flow.analyse(clerk, complaint.id, "delay", "长" * 4001)
    with pytest.raises(NotFound):
        desk.complaint_flow.analyse(clerk, 999, "delay", "漏派")
    with pytest.raises(ValidationError, match="severity"):
        desk.complaints.add_complaint(clerk, "repairs", "x", severity=9)
    assert _written() == before

    desk.complaint_flow.analyse(clerk, complaint.id, "delay", "漏派")
    proposal = desk.complaint_flow.propose(clerk, complaint.id, "上门")
    before = _written()
    with pytest.raises(PermissionDenied, match="Only a supervisor"):
        desk.complaint_flow.decide(clerk, complaint.id, proposal.id, "同意", PASSWORD)
    with pytest.raises(ValidationError, match="instruction"):
        desk.complaint_flow.decide(supervisor, complaint.id, proposal.id, " ", PASSWORD)
    with pytest.raises(NotFound):
        desk.complaint_flow.decide(supervisor, complaint.id, 999, "同意", PASSWORD)
    with pytest.raises(AuthenticationFailed):  # wrong signing password
        desk.complaint_flow.decide(supervisor, complaint.id, proposal.id, "同意", "wrong")
    with pytest.raises(Conflict):  # not decided yet: the customer cannot answer
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, PNG)
    desk_written = _written()
    assert desk_written[:6] == before[:6]  # a wrong password is audited, nothing else


def test_the_customer_signs_on_the_pad_first(desk, clerk, supervisor, clock):
    complaint = _decided(desk, clerk, supervisor)
    before = _written()
    with pytest.raises(ValidationError, match="signs on the pad"):
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, None)
    with pytest.raises(ValidationError, match="not a readable picture"):
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, BROKEN_PNG)
    with pytest.raises(ValidationError, match="not a readable picture"):
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, b"\x89PNG" * 10)
    with pytest.raises(ValidationError, match="not a readable picture"):  # 25 M pixels in 25 kB
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, _bomb_png())
    with pytest.raises(ValidationError, match="channel"):
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, PNG, channel="fax")
    with pytest.raises(ValidationError, match="past"):
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, PNG,
                                             callback_at=clock.now() - timedelta(days=1))
    assert _written() == before
    desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, PNG)
    with pytest.raises(Conflict):
        desk.complaint_flow.customer_accepts(clerk, complaint.id, PASSWORD, PNG)


def test_serious_complaints_reach_the_supervisor_at_once(desk, clerk, supervisor):
    ordinary = desk.complaints.add_complaint(clerk, "noise", "夜间施工")
    serious = desk.complaints.add_complaint(clerk, "security", "门禁失效", severity=3)
    assert [c.id for c in desk.complaint_flow.waiting_for_me(supervisor)] == [serious.id]
    assert ordinary.severity == 1 and serious.severity == 3
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert json.loads(entry.change)["after"]["escalated"] is True


def test_a_decision_linked_to_another_decisions_form_is_tampering(desk, clerk, supervisor):
    genuine = _decided(desk, clerk, supervisor)
    forged = _decided(desk, clerk, supervisor)
    genuine_row = ComplaintDecision.get(ComplaintDecision.complaint == genuine.id)
    forged_row = ComplaintDecision.get(ComplaintDecision.complaint == forged.id)
    assert desk.complaint_flow.decision_form(clerk, genuine_row.number).startswith(b"%PDF")
    # someone with the database file points the second decision at the first one's form
    (ComplaintDecision.update(document=genuine_row.document_id)
     .where(ComplaintDecision.id == forged_row.id).execute())
    with pytest.raises(Tampered):
        desk.complaint_flow.decision_form(clerk, genuine_row.number)
