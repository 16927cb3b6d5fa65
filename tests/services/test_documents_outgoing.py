"""Outgoing documents (发文): drafted and signed by a department, reviewed by its head, signed
off by the general manager, numbered and sent by the office; refusals, revisions, R3
corrections, voided numbers, execution, the signed draft sheet, bad input, two desks."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, date, datetime

import pytest

from desk_app.desk import Desk
from desk_app.domain.clock import local_day_start
from desk_app.domain.errors import (
    AuthenticationFailed,
    Conflict,
    PermissionDenied,
    Tampered,
    ValidationError,
)
from desk_app.forms.verify import verify_pdf
from desk_app.services.signed_documents import checked_pdf
from desk_app.store.archive import SignedDocument
from desk_app.store.documents import Document, DocumentAttachment
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD
from tests.services.documents_outgoing_helpers import (
    BODY,
    TITLE,
    draft,
    make_people,
    pdfsig,
    sent,
    signed_off,
    state,
    text_of,
)


@pytest.fixture
def people(desk, admin):
    return make_people(desk, admin)


def _sheet(doc_id: int) -> bytes:
    row = Document.get_by_id(doc_id)
    return checked_pdf(SignedDocument.get_by_id(row.document_id), row.id)


def _pending(doc_id: int) -> bytes:
    return bytes(Document.get_by_id(doc_id).pending_pdf or b"")


def _last_action() -> str:
    return AuditEntry.select().order_by(AuditEntry.seq.desc()).first().action


# ---------------------------------------------------------------- the whole way


def test_an_outgoing_notice_is_drafted_signed_off_numbered_and_sent(desk, people, tmp_path):
    chen, zhou, boss, wang = people["chen"], people["zhou"], people["boss"], people["wang"]
    data = draft(desk, people, attachment=("值班表.xlsx", b"PK\x03\x04" + b"x" * 3000))
    assert data["number"] == "FG2026-0001" and data["status"] == "draft"
    assert data["dept"] == "KF" and data["drafted_by"] == "陈晓" and data["issued_no"] == ""
    assert data["kind_name"] == "通知" and not data["has_sheet"]
    first = verify_pdf(_pending(data["id"]), desk.keys.ca_certificate())
    assert first.ok and [s.field_name for s in first.signatures] == ["drafter"]
    assert first.unsigned_fields == ["reviewer", "approver", "clerk"]
    assert DocumentAttachment.get(DocumentAttachment.document == data["id"]).size == 3004

    reviewed = desk.documents.review(zhou, data["id"], approve=True, password=PASSWORD)
    assert reviewed["status"] == "reviewed" and reviewed["reviewed_by"] == "周敏"
    done = desk.documents.signoff(boss, data["id"], approve=True, reason="同意印发",
                                  password=PASSWORD)
    assert done["status"] == "signed_off" and done["signed_off_by"] == "张伟"
    out = desk.documents.send(wang, data["id"], password=PASSWORD)
    assert out["status"] == "sent" and out["issued_no"] == "示例物业发〔2026〕1号"
    assert out["sent_by"] == "王芳" and out["execution"] == "pending" and out["has_sheet"]
    assert Document.get_by_id(data["id"]).pending_pdf is None

    pdf = _sheet(data["id"])  # checked against the trail's hash
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok and not report.unsigned_fields
    assert [(s.field_name, s.signer_user) for s in report.signatures] == [
        ("drafter", "chen"), ("reviewer", "zhou"), ("approver", "boss"), ("clerk", "wang")]
    assert report.signatures[-1].role == "Sent as 示例物业发〔2026〕1号"
    text = text_of(pdf)
    for shown in ("FG2026-0001", TITLE, "各业主、住户", "客服部", "陈晓", "值班表.xlsx",
                  "春节期间客服中心值班时间为每日8:00至20:00"):
        assert shown in text, shown
    report_text = pdfsig(pdf, desk.keys.ca_certificate(), tmp_path)
    assert report_text.count("Signature is Valid") == 4, report_text
    assert report_text.count("Certificate is Trusted") == 4
    for field in ("drafter", "reviewer", "approver", "clerk"):
        assert f"Signature Field Name: {field}" in report_text
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert (entry.action, entry.entity, entry.entity_id) == (
        "doc_outgoing.sign", "doc_outgoing", str(data["id"]))
    actions = [e.action for e in AuditEntry.select().where(
        (AuditEntry.entity == "document") & (AuditEntry.entity_id == str(data["id"])))
        .order_by(AuditEntry.seq)]
    assert actions == ["document.draft", "document.review", "document.signoff"]
    assert chen.user_id == Document.get_by_id(data["id"]).drafted_by_id


def test_issued_numbers_run_on_per_year_without_gaps(desk, people, clock):
    first = sent(desk, people)
    second = sent(desk, people, title="关于电梯年检的通知")
    assert [first["issued_no"], second["issued_no"]] == ["示例物业发〔2026〕1号",
                                                         "示例物业发〔2026〕2号"]
    assert [first["number"], second["number"]] == ["FG2026-0001", "FG2026-0002"]
    # no short name: the company's name stands in
    desk.settings.set_many(people["admin"], {"document_org_code": "",
                                             "outgoing_number_pattern": "{org}〔{year}〕{seq}号"})
    third = sent(desk, people, title="关于停水的通知")
    assert third["issued_no"] == "示例物业服务有限公司〔2026〕3号"
    # a new year starts again at 1, its drafts too
    clock.advance(seconds=(local_day_start(date(2027, 1, 4)) - clock.now()).total_seconds()
                  + 3600 * 10)
    fourth = sent(desk, people, title="关于新年的通知")
    assert fourth["issued_no"] == "示例物业服务有限公司〔2027〕1号"
    assert fourth["number"] == "FG2027-0001"


# ---------------------------------------------------------------- refusals and revisions


def test_refusals_return_it_and_a_revision_is_signed_again(desk, people):
    chen, zhou, boss = people["chen"], people["zhou"], people["boss"]
    data = draft(desk, people)
    before = state()
    with pytest.raises(ValidationError, match="reason") as raised:
        desk.documents.review(zhou, data["id"], approve=False, reason="  ")
    assert raised.value.field == "reason" and state() == before
    back = desk.documents.review(zhou, data["id"], approve=False, reason="时间写错了")
    assert back["status"] == "returned" and back["refusal_reason"] == "时间写错了"
    with pytest.raises(Conflict, match="only a signed draft is reviewed"):
        desk.documents.review(zhou, data["id"], approve=True, password=PASSWORD)
    old_sheet = _pending(data["id"])
    again = desk.documents.revise(chen, data["id"], title=TITLE, addressee="各业主、住户",
                                  body=BODY.replace("20:00", "21:00"), kind="TZ",
                                  password=PASSWORD)
    assert again["status"] == "draft" and again["refusal_reason"] == ""
    assert "21:00" in again["body"] and again["number"] == data["number"]
    new_sheet = _pending(data["id"])
    assert new_sheet != old_sheet and "21:00" in text_of(new_sheet)
    report = verify_pdf(new_sheet, desk.keys.ca_certificate())
    assert report.ok and [s.field_name for s in report.signatures] == ["drafter"]

    desk.documents.review(zhou, data["id"], approve=True, password=PASSWORD)
    back = desk.documents.signoff(boss, data["id"], approve=False, reason="请先征求法务意见")
    assert back["status"] == "returned" and back["reviewed_by"] == "周敏"
    desk.documents.revise(chen, data["id"], title=TITLE, addressee="各业主、住户", body=BODY,
                          kind="TZ", password=PASSWORD)
    assert Document.get_by_id(data["id"]).reviewed_by_id is None  # reviewed from the start
    desk.documents.review(zhou, data["id"], approve=True, password=PASSWORD)
    desk.documents.signoff(boss, data["id"], approve=True, password=PASSWORD)
    out = desk.documents.send(people["wang"], data["id"], password=PASSWORD)
    assert out["issued_no"] == "示例物业发〔2026〕1号"
    assert [s.field_name for s in verify_pdf(_sheet(data["id"]),
                                             desk.keys.ca_certificate()).signatures] == \
        ["drafter", "reviewer", "approver", "clerk"]


def test_once_signed_off_nothing_is_edited_and_a_correction_links(desk, people):
    chen = people["chen"]
    old = signed_off(desk, people)
    before = state()
    with pytest.raises(Conflict, match="never edited"):
        desk.documents.revise(chen, old["id"], title="改", addressee="各业主", body="改",
                              password=PASSWORD)
    assert state() == before
    desk.documents.send(people["wang"], old["id"], password=PASSWORD)
    with pytest.raises(Conflict, match="never edited"):
        desk.documents.revise(chen, old["id"], title="改", addressee="各业主", body="改",
                              password=PASSWORD)
    fixed = draft(desk, people, corrects=old["id"], body=BODY + "\n（更正：热线号码）")
    assert fixed["corrects"] == "FG2026-0001" and fixed["number"] == "FG2026-0002"
    assert desk.documents._data(old["id"])["corrected_by"] == ["FG2026-0002"]
    assert "FG2026-0001" in text_of(_pending(fixed["id"]))
    unsigned = draft(desk, people, title="草稿")
    with pytest.raises(ValidationError, match="revise it instead") as raised:
        draft(desk, people, corrects=unsigned["id"])
    assert raised.value.field == "corrects"


# ---------------------------------------------------------------- void and execution


def test_a_voided_number_stays_recorded_and_the_next_send_goes_on(desk, people):
    wang = people["wang"]
    first = sent(desk, people)
    with pytest.raises(ValidationError, match="reason"):
        desk.documents.void(wang, first["id"], "")
    voided = desk.documents.void(wang, first["id"], "地址写错，作废重发")
    assert voided["status"] == "voided" and voided["issued_no"] == "示例物业发〔2026〕1号"
    assert voided["void_reason"] == "地址写错，作废重发"
    assert _sheet(first["id"])  # the sheet it was sent with is kept and still checks
    second = sent(desk, people, title="关于春节期间物业服务安排的通知（重发）")
    assert second["issued_no"] == "示例物业发〔2026〕2号"
    with pytest.raises(Conflict, match="cannot be voided"):
        desk.documents.void(wang, first["id"], "再次作废")
    withdrawn = desk.documents.void(wang, draft(desk, people, title="撤回的草稿")["id"], "不发了")
    assert withdrawn["status"] == "voided" and withdrawn["number"] == "FG2026-0003"
    assert withdrawn["issued_no"] == ""
    with pytest.raises(PermissionDenied):  # the manager signs off; office staff void
        desk.documents.void(people["boss"], second["id"], "作废")


def test_execution_is_recorded_on_sent_documents(desk, people):
    wang = people["wang"]
    data = sent(desk, people)
    going = desk.documents.record_execution(wang, data["id"], "in_progress", "各楼栋已张贴")
    assert going["execution"] == "in_progress" and going["execution_note"] == "各楼栋已张贴"
    count = AuditEntry.select().count()
    desk.documents.record_execution(wang, data["id"], "in_progress", "各楼栋已张贴")
    assert AuditEntry.select().count() == count  # nothing changed, nothing recorded
    done = desk.documents.record_execution(wang, data["id"], "done")
    assert done["execution"] == "done" and done["execution_label"] == "Carried out"
    assert _last_action() == "document.execute"
    before = state()
    with pytest.raises(ValidationError, match="Execution is one of") as raised:
        desk.documents.record_execution(wang, data["id"], "finished")
    assert raised.value.field == "execution"
    with pytest.raises(Conflict, match="execution is recorded for sent"):
        desk.documents.record_execution(wang, draft(desk, people)["id"], "done")
    assert state()[0][0] == before[0][0]


# ---------------------------------------------------------------- the sheet waiting in the record


def test_a_sheet_or_text_swapped_in_the_database_is_not_signed_over(desk, people):
    zhou, boss = people["zhou"], people["boss"]
    one = draft(desk, people)
    other = draft(desk, people, title="另一份通知")
    own = _pending(one["id"])
    Document.update(pending_pdf=_pending(other["id"])).where(Document.id == one["id"]).execute()
    before = state()
    with pytest.raises(Tampered, match="not the one recorded"):
        desk.documents.review(zhou, one["id"], approve=True, password=PASSWORD)
    assert state() == before
    with pytest.raises(Tampered):  # not even shown
        desk.documents._pending_sheet(Document.get_by_id(one["id"]), to_sign=False)
    Document.update(pending_pdf=own).where(Document.id == one["id"]).execute()
    desk.documents.review(zhou, one["id"], approve=False, reason="重写")
    # a returned draft's sheet is shown as signed, though nobody signs it any more
    assert desk.documents._pending_sheet(Document.get_by_id(one["id"]), to_sign=False) == own

    desk.documents.review(zhou, other["id"], approve=True, password=PASSWORD)
    drafter_only = _pending(one["id"])  # the other draft's drafter-signed sheet
    reviewed = _pending(other["id"])
    Document.update(pending_pdf=drafter_only).where(Document.id == other["id"]).execute()
    with pytest.raises(Tampered):  # an earlier sheet put back
        desk.documents.signoff(boss, other["id"], approve=True, password=PASSWORD)
    Document.update(pending_pdf=reviewed, title="另一份通知（被改）").where(
        Document.id == other["id"]).execute()
    before = state()
    with pytest.raises(Tampered, match="text of FG2026-0002 was changed"):
        desk.documents.signoff(boss, other["id"], approve=True, password=PASSWORD)
    assert state() == before
    Document.update(title="另一份通知").where(Document.id == other["id"]).execute()
    assert desk.documents.signoff(boss, other["id"], approve=True,
                                  password=PASSWORD)["status"] == "signed_off"
    out = desk.documents.send(people["wang"], other["id"], password=PASSWORD)
    assert verify_pdf(_sheet(out["id"]), desk.keys.ca_certificate()).ok


# ---------------------------------------------------------------- bad input


BAD = ["send_before_signoff", "signoff_by_head", "review_by_member", "review_by_drafter",
       "review_by_other_head", "no_department", "foreign_department", "control_title",
       "control_body", "unknown_kind", "bad_level", "huge_attachment", "wrong_password_draft",
       "wrong_password_send", "pattern_without_seq", "signoff_unreviewed", "revise_by_other",
       "no_addressee", "signoff_refusal_without_reason"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_and_nothing_is_written(desk, people, case):
    docs = desk.documents
    zhou, boss, wang = people["zhou"], people["boss"], people["wang"]
    fresh = draft(desk, people)
    reviewed = draft(desk, people, title="已审核的通知")
    docs.review(zhou, reviewed["id"], approve=True, password=PASSWORD)
    place_head = draft(desk, people, actor=zhou, title="部门负责人自己起草的通知")
    before = state()
    expected: tuple[type[Exception], str, str | None] = {
        "send_before_signoff": (Conflict, "not signed off yet", None),
        "signoff_by_head": (PermissionDenied, "document.instruct", None),
        "review_by_member": (PermissionDenied, "Only a head of 客服部", None),
        "review_by_drafter": (PermissionDenied, "You drafted", None),
        "review_by_other_head": (PermissionDenied, "Only a head of 客服部", None),
        "no_department": (ValidationError, "no department", "dept"),
        "foreign_department": (PermissionDenied, "Only staff of 工程部", None),
        "control_title": (ValidationError, "control character", "title"),
        "control_body": (ValidationError, "control character", "body"),
        "unknown_kind": (ValidationError, "No kind XX", "kind"),
        "bad_level": (ValidationError, "public, internal or secret", "level"),
        "huge_attachment": (ValidationError, "larger than 20 MB", "attachment"),
        "wrong_password_draft": (AuthenticationFailed, "Wrong password", None),
        "wrong_password_send": (AuthenticationFailed, "Wrong password", None),
        "pattern_without_seq": (ValidationError, "needs {seq}", "outgoing_number_pattern"),
        "signoff_unreviewed": (Conflict, "only after its department head reviewed", None),
        "revise_by_other": (PermissionDenied, "Only its drafter, 陈晓", None),
        "no_addressee": (ValidationError, "Give the addressee", "addressee"),
        "signoff_refusal_without_reason": (ValidationError, "reason for returning", "reason"),
    }[case]
    kind, message, field = expected
    with pytest.raises(kind, match=message.replace("{", r"\{").replace("}", r"\}")) as raised:
        if case == "send_before_signoff":
            docs.send(wang, reviewed["id"], password=PASSWORD)
        elif case == "signoff_by_head":
            docs.signoff(people["li"], reviewed["id"], approve=True, password=PASSWORD)
        elif case == "review_by_member":
            docs.review(wang, fresh["id"], approve=True, password=PASSWORD)
        elif case == "review_by_drafter":
            docs.review(zhou, place_head["id"], approve=False, reason="自己退回")
        elif case == "review_by_other_head":
            docs.review(people["li"], fresh["id"], approve=True, password=PASSWORD)
        elif case == "no_department":
            draft(desk, people, actor=people["ma"])
        elif case == "foreign_department":
            draft(desk, people, dept="GC")
        elif case == "control_title":
            draft(desk, people, title="通知\x07")
        elif case == "control_body":
            draft(desk, people, body="正文\u202e反向")
        elif case == "unknown_kind":
            draft(desk, people, kind="XX")
        elif case == "bad_level":
            draft(desk, people, level="personnel")
        elif case == "huge_attachment":
            draft(desk, people, attachment=("扫描.pdf", b"x" * (20 * 1024 * 1024 + 1)))
        elif case == "wrong_password_draft":
            draft(desk, people, password="wrong")
        elif case == "wrong_password_send":
            done = docs.signoff(boss, reviewed["id"], approve=True, password=PASSWORD)
            before = state()
            docs.send(wang, done["id"], password="wrong")
        elif case == "pattern_without_seq":
            desk.settings.set_many(people["admin"], {"outgoing_number_pattern": "{org}发〔{year}〕号"})
        elif case == "signoff_unreviewed":
            docs.signoff(boss, fresh["id"], approve=True, password=PASSWORD)
        elif case == "revise_by_other":
            docs.revise(zhou, fresh["id"], title="改", addressee="业主", body="改",
                        password=PASSWORD)
        elif case == "no_addressee":
            draft(desk, people, addressee=" ")
        elif case == "signoff_refusal_without_reason":
            docs.signoff(boss, reviewed["id"], approve=False, reason="\u200b ")
    if field:
        assert getattr(raised.value, "field", None) == field
    after = state()
    if case.startswith("wrong_password"):  # the failed signing is counted and audited only
        assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1
        assert _last_action() == "auth.sign_failed"
    else:
        assert after == before


# ---------------------------------------------------------------- two desks at once


def _send_from_another_process(url: str, doc_id: int, user: str, barrier, results) -> None:
    desk = Desk.open(url)
    try:
        clerk = desk.auth.login(user, PASSWORD)
        barrier.wait(60)
        results.put(desk.documents.send(clerk, doc_id, password=PASSWORD)["issued_no"])
    except Exception as error:  # reported to the test, which fails on it
        results.put(f"error: {type(error).__name__}: {error}")
    finally:
        desk.close()


def test_two_desks_sending_at_once_get_consecutive_numbers(desk, people, clock):
    clock.advance(seconds=(datetime.now(UTC).replace(tzinfo=None) - clock.now()).total_seconds())
    year = clock.now().year
    ready = [signed_off(desk, people, title=f"并发发文{n}") for n in (1, 2)]
    url = desk.ctx.url.display() if desk.ctx.url.backend == "sqlite" else os.environ["DESK_TEST_PG"]
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_send_from_another_process,
                           args=(url, data["id"], user, barrier, results))
               for data, user in zip(ready, ("wang", "ma"), strict=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
        assert worker.exitcode == 0
    got = sorted(results.get() for _ in workers)
    assert got == [f"示例物业发〔{year}〕1号", f"示例物业发〔{year}〕2号"], got
    for data in ready:
        assert verify_pdf(_sheet(data["id"]), desk.keys.ca_certificate()).ok
    assert AuditEntry.select().where(AuditEntry.action == "doc_outgoing.sign").count() == 2
