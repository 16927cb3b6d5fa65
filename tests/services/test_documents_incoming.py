"""Incoming documents (收文, issue 15): a letter signed in, instructed by the manager,
circulated to two department heads in order, asked about and handled by a third, filed in
the archive with its signed processing sheet; bad input writing nothing; two desks
instructing the same letter at once."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desk_app.desk import Desk
from desk_app.domain.clock import local_today
from desk_app.domain.errors import (
    AuthenticationFailed,
    Conflict,
    PermissionDenied,
    Tampered,
    ValidationError,
)
from desk_app.forms.verify import verify_pdf
from desk_app.services.archive import ItemFilter
from desk_app.services.signed_documents import checked_pdf
from desk_app.store.archive import Item, SignedDocument
from desk_app.store.documents import Document, DocumentAttachment, DocumentNote, DocumentRoute
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user

SHOTS = Path("/tmp/w/shots")
SHELF = "档案室 › 一号柜"


@pytest.fixture
def people(desk, admin):
    """The office (ZB), the heads of GC, BA and KF, a KF member, a GC member, a manager."""
    made = {
        "clerk": add_user(desk, admin, "wangfang", "clerk", "王芳"),
        "manager": add_user(desk, admin, "zhangwei", "manager", "张伟"),
        "gc_head": add_user(desk, admin, "liqiang", "supervisor", "李强"),
        "ba_head": add_user(desk, admin, "zhaolei", "clerk", "赵磊"),
        "kf_head": add_user(desk, admin, "zhoumin", "clerk", "周敏"),
        "kf_staff": add_user(desk, admin, "chenjing", "clerk", "陈静"),
        "gc_staff": add_user(desk, admin, "sunli", "clerk", "孙丽"),
        "admin": admin,
    }
    for name, dept, head in (("wangfang", "ZB", False), ("zhangwei", "ZB", False),
                             ("liqiang", "GC", True), ("zhaolei", "BA", True),
                             ("zhoumin", "KF", True), ("chenjing", "KF", False),
                             ("sunli", "GC", False)):
        desk.documents.set_department(admin, name, dept, head=head)
    desk.archive.add_location(made["clerk"], "档案室")
    desk.archive.add_location(made["clerk"], "一号柜", "档案室")
    return made


def _today(desk) -> date:
    return local_today(desk.ctx.clock.now())


def _letter(desk, people, **changes):
    fields = {"sender": "市住房和城乡建设局", "title": "关于开展2026年冬季消防安全检查的通知",
              "sender_ref": "建城〔2026〕45号", "kind": "ZF", "level": "internal",
              "urgency": "urgent", "pages": 3, "copies": 1,
              "summary": "各物业服务企业于十二月十五日前完成自查并上报。"}
    fields.update(changes)
    return desk.documents.receive(people["clerk"], **fields)


def _instructed(desk, people, readers=("GC", "BA"), handler="KF", due_days=7, **changes):
    data = _letter(desk, people, **changes)
    return desk.documents.instruct(
        people["manager"], data["id"], instruction="请工程部、保安部阅知，客服部牵头落实自查。",
        readers=list(readers), handler=handler,
        due_on=_today(desk) + timedelta(days=due_days) if due_days is not None else None,
        password=PASSWORD)


def _handled(desk, people, **changes):
    data = _instructed(desk, people, **changes)
    documents = desk.documents
    for head in ("gc_head", "ba_head"):
        documents.carry(people["clerk"], data["id"])
        documents.confirm_reading(people[head], data["id"], "已阅")
    return documents.record_result(people["kf_staff"], data["id"], "已完成自查，报告已上报。")


def _state(doc_id: int | None = None):
    row = Document.get_or_none(Document.id == doc_id) if doc_id is not None else None
    return (Document.select().count(), DocumentRoute.select().count(),
            DocumentNote.select().count(), DocumentAttachment.select().count(),
            SignedDocument.select().count(), Item.select().count(),
            (row.status, row.version, row.result, row.instruction) if row else None,
            list(DocumentRoute.select(DocumentRoute.carried_at, DocumentRoute.confirmed_at)
                 .where(DocumentRoute.document == doc_id).tuples()) if row else None,
            AuditEntry.select().count())


def _actions(doc_id: int) -> list[str]:
    return [entry.action for entry in AuditEntry.select().where(
        AuditEntry.entity_id == str(doc_id)).order_by(AuditEntry.seq)
        if entry.entity in ("document", "doc_instruction", "doc_incoming")]


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60)
    return "".join(done.stdout.decode("utf-8").split())


def _signers(pdf: bytes, ca: bytes) -> list[tuple[str, str]]:
    report = verify_pdf(pdf, ca)
    assert report.ok, report.problems
    return [(check.field_name, check.signer_user) for check in report.signatures]


# ---------------------------------------------------------------- the story of the issue


def test_a_letter_from_sign_in_to_the_archive(desk, people, tmp_path):
    documents, clerk, manager = desk.documents, people["clerk"], people["manager"]
    data = _letter(desk, people, attachment=("C:\\scans\\letter.jpg", b"\xff\xd8scan"))
    assert data["number"] == "SW2026-0001" and data["status"] == "registered"
    assert data["sender_ref"] == "建城〔2026〕45号" and data["kind"] == "ZF"
    assert documents.attachment(clerk, data["id"]) == ("letter.jpg", b"\xff\xd8scan")

    due = _today(desk) + timedelta(days=7)
    data = documents.instruct(manager, data["id"], instruction="请工程部、保安部阅知，客服部牵头落实。",
                              readers=["GC", "ba"], handler="客服部", due_on=due,
                              password=PASSWORD)
    assert data["status"] == "circulating" and data["handler_dept"] == "KF"
    assert data["due_on"] == due and data["instructed_by"] == "张伟"
    assert [(s["dept"], s["heads"], s["current"]) for s in data["route"]] == [
        ("GC", ["李强"], True), ("BA", ["赵磊"], False)]
    row = Document.get_by_id(data["id"])
    instruction = SignedDocument.get_by_id(row.instruction_document_id)
    assert instruction.kind == "doc_instruction" and instruction.record_no == "SW2026-0001-PS"
    ca = desk.keys.ca_certificate()
    assert _signers(checked_pdf(instruction), ca) == [("manager", "zhangwei")]
    assert "请工程部、保安部阅知" in _text(bytes(instruction.pdf))

    data = documents.carry(clerk, data["id"])
    assert data["route"][0]["carried_by"] == "王芳"
    data = documents.confirm_reading(people["gc_head"], data["id"], "工程部将配合检查消防设施。")
    assert data["route"][0]["confirmed_by"] == "李强" and data["route"][1]["current"]
    assert data["status"] == "circulating"
    documents.carry(clerk, data["id"])
    data = documents.confirm_reading(people["ba_head"], data["id"])
    assert data["status"] == "handling" and not any(s["current"] for s in data["route"])
    documents.carry(clerk, data["id"])  # to the handling department
    with pytest.raises(Conflict, match="carried to 客服部 already"):
        documents.carry(clerk, data["id"])

    data = documents.ask(people["kf_staff"], data["id"], "自查报告是否需要总经理签字？")
    note = data["notes"][0]
    assert note["kind"] == "question" and note["by"] == "陈静" and not note["answer"]
    data = documents.answer(manager, note["id"], "需要，报我签字后上报。")
    assert data["notes"][0]["answer"] == "需要，报我签字后上报。"
    assert data["notes"][0]["answered_by"] == "张伟"
    data = documents.record_result(people["kf_staff"], data["id"],
                                   "十二月十日完成自查，报告经总经理签字后已上报住建局。")
    assert data["status"] == "handled" and data["result_by"] == "陈静"

    data = documents.file(clerk, data["id"], location=SHELF, password=PASSWORD)
    assert data["status"] == "filed" and data["filed_by"] == "王芳" and data["has_sheet"]
    item = desk.archive.get(clerk, data["item_ref"])
    assert item.location == SHELF and item.kind == "ZF" and item.dept == "KF"
    assert item.title == "关于开展2026年冬季消防安全检查的通知" and "SW2026-0001" in item.keywords
    found = desk.archive.page(clerk, ItemFilter(query="SW2026-0001"), 0, 10)
    assert [view.ref for view in found] == [data["item_ref"]]

    sheet = SignedDocument.get_by_id(Document.get_by_id(data["id"]).document_id)
    assert sheet.kind == "doc_incoming" and sheet.record_no == "SW2026-0001"
    pdf = checked_pdf(sheet)
    assert _signers(pdf, ca) == [("clerk", "wangfang")]
    text = _text(pdf)
    for shown in ("SW2026-0001", "市住房和城乡建设局", "建城〔2026〕45号", "张伟", "李强", "赵磊",
                  "工程部将配合检查消防设施。", "自查报告是否需要总经理签字？", "需要，报我签字后上报。",
                  "十二月十日完成自查", data["item_ref"], "档案室›一号柜", "王芳",
                  "SW2026-0001-PS", instruction.sha256[:32]):
        assert shown in text, shown
    assert _actions(data["id"]) == [
        "document.receive", "doc_instruction.sign", "document.carry", "document.read",
        "document.carry", "document.read", "document.carry", "document.ask", "document.answer",
        "document.result", "doc_incoming.sign"]
    assert AuditEntry.select().where(AuditEntry.action == "item.add").count() == 1

    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    _look_at(path, tmp_path)


def _look_at(path: Path, folder: Path) -> None:
    """The sheet's pages side by side as one PNG (kept in /tmp/w/shots when it exists)."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: install poppler-utils")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(folder / "page")],
                   check=True, timeout=60)
    pages = [Image.open(page) for page in sorted(folder.glob("page*.png"))]
    sheet = Image.new("RGB", (sum(page.width + 8 for page in pages), pages[0].height), "gray")
    for n, page in enumerate(pages):
        sheet.paste(page, (n * (page.width + 8), 0))
    sheet.save(folder / "sheet.png")
    assert (folder / "sheet.png").stat().st_size > 10_000
    if SHOTS.is_dir():
        shutil.copy(folder / "sheet.png", SHOTS / "incoming_sheet.png")


def test_reading_only_goes_straight_to_filing_and_handling_only_skips_reading(desk, people):
    documents = desk.documents
    read_only = _instructed(desk, people, readers=("BA",), handler=None, due_days=None)
    assert read_only["due_on"] is None
    data = documents.confirm_reading(people["ba_head"], read_only["id"])
    assert data["status"] == "handled"
    assert documents.file(people["clerk"], data["id"], password=PASSWORD)["status"] == "filed"
    handle_only = _instructed(desk, people, readers=(), handler="KF", sender_ref="X-2")
    assert handle_only["status"] == "handling" and handle_only["route"] == []
    data = documents.record_result(people["kf_head"], handle_only["id"], "已处理")
    assert data["status"] == "handled"


def test_default_due_date_and_chasing(desk, people):
    data = _letter(desk, people)
    data = desk.documents.instruct(people["manager"], data["id"], instruction="落实",
                                   readers=[], handler="KF", due_on=None, password=PASSWORD)
    assert data["due_on"] == _today(desk) + timedelta(days=5)  # document_handling_days
    data = desk.documents.chase(people["clerk"], data["id"], "电话提醒周敏", "phone")
    assert [(n["kind"], n["channel"], n["by"]) for n in data["notes"]] == [
        ("chase", "phone", "王芳")]
    with pytest.raises(ValidationError, match="phone, visit or message"):
        desk.documents.chase(people["clerk"], data["id"], "写信", "letter")


def test_filing_joins_an_existing_file_or_numbers_a_typed_one(desk, people):
    clerk = people["clerk"]
    existing = desk.archive.add_item(clerk, title="2026年消防检查", kind="ZF", dept="KF",
                                     level="internal", location=SHELF)
    first = _handled(desk, people)
    with pytest.raises(ValidationError, match="kept at 档案室 › 一号柜"):
        desk.documents.file(clerk, first["id"], ref=existing.ref, location="档案室",
                            password=PASSWORD)
    data = desk.documents.file(clerk, first["id"], ref=existing.ref.lower(), password=PASSWORD)
    assert data["item_ref"] == existing.ref
    assert AuditEntry.select().where(AuditEntry.action == "item.add").count() == 1
    second = _handled(desk, people, sender_ref="建城〔2026〕46号")
    data = desk.documents.file(clerk, second["id"], ref="ZB-XF-2026-7", kind="TZ",
                               password=PASSWORD)
    assert data["item_ref"] == "ZB-XF-2026-7"
    assert desk.archive.get(clerk, "ZB-XF-2026-7").kind == "TZ"
    with pytest.raises(Conflict, match="filed already as ZB-XF-2026-7"):
        desk.documents.file(clerk, second["id"], password=PASSWORD)


def test_outgoing_and_internal_documents_file_without_a_sheet(desk, people):
    clerk = people["clerk"]
    # Sent and replied documents as the outgoing helper's use cases leave them.
    made = []
    for direction, number, status in (("outgoing", "FG2026-0001", "sent"),
                                      ("internal", "LL2026-0001", "replied")):
        made.append(Document.create(
            direction=direction, number=number, year=2026, status=status,
            title="关于春节值班安排的通知", kind=None, level="internal", urgency="normal",
            addressee="各部门", dept=None, created_by=clerk.user_id,
            created_at=desk.ctx.clock.now(), sent_at=desk.ctx.clock.now()))
    for row in made:
        with pytest.raises(ValidationError, match="has no kind"):
            desk.documents.file(clerk, row.id, location=SHELF, password="ignored")
        data = desk.documents.file(clerk, row.id, location=SHELF, kind="TZ", password="")
        assert data["status"] == "filed" and not data["has_sheet"]
        assert data["item_ref"].startswith("ZB-TZ-2026-")  # the filer's department
        assert _actions(row.id)[-1] == "document.file"


def test_the_attachment_is_checked_against_the_recorded_hash(desk, people):
    data = _letter(desk, people, level="secret", attachment=("scan.pdf", b"%PDF-1.4 scan"))
    assert desk.documents.attachment(people["manager"], data["id"])[1] == b"%PDF-1.4 scan"
    auditor = add_user(desk, people["admin"], "auditor1", "auditor", "审计员")
    with pytest.raises(PermissionDenied, match="secret"):
        desk.documents.attachment(auditor, data["id"])
    public = _letter(desk, people, sender_ref="", attachment=("a.jpg", b"jpeg"))
    assert desk.documents.attachment(auditor, public["id"]) == ("a.jpg", b"jpeg")
    (DocumentAttachment.update(data=b"%PDF-1.4 forged",
                               sha256=hashlib.sha256(b"%PDF-1.4 forged").hexdigest())
     .where(DocumentAttachment.document == data["id"]).execute())
    with pytest.raises(Tampered, match="changed in the database"):
        desk.documents.attachment(people["clerk"], data["id"])


# ---------------------------------------------------------------- bad input


BAD = {
    "instruct_by_clerk": (PermissionDenied, "document.instruct", None),
    "instruct_by_head": (PermissionDenied, "document.instruct", None),
    "due_in_past": (ValidationError, "in the past", "due_on"),
    "unknown_reader": (ValidationError, "No department XX", "readers"),
    "reader_without_head": (ValidationError, "财务部 has no head", "readers"),
    "reader_twice": (ValidationError, "named twice", "readers"),
    "handler_without_staff": (ValidationError, "no staff", "handler"),
    "nobody": (ValidationError, "Name the departments", "readers"),
    "long_instruction": (ValidationError, "too long", "instruction"),
    "instruct_wrong_password": (AuthenticationFailed, "Wrong password", None),
    "instruct_twice": (Conflict, "cannot be instructed", None),
    "read_not_on_list": (PermissionDenied, "not circulated to you", None),
    "read_by_member": (PermissionDenied, "not circulated to you", None),
    "read_out_of_order": (Conflict, "with 工程部 first", None),
    "read_twice": (Conflict, "confirmed reading", None),
    "comment_control": (ValidationError, "U\\+001B", "comment"),
    "comment_too_long": (ValidationError, "too long", "comment"),
    "result_by_outsider": (PermissionDenied, "Only staff of 客服部", None),
    "result_while_circulating": (Conflict, "not being handled", None),
    "ask_by_outsider": (PermissionDenied, "Only staff of 客服部", None),
    "answer_by_clerk": (PermissionDenied, "document.instruct", None),
    "answer_twice": (Conflict, "answered this question already", None),
    "file_before_handled": (Conflict, "cannot be filed yet", None),
    "file_unknown_location": (ValidationError, "No location 地下室", "location"),
    "file_wrong_password": (AuthenticationFailed, "Wrong password", None),
    "file_by_manager": (PermissionDenied, "document.register", None),
    "carry_by_manager": (PermissionDenied, "document.register", None),
    "carry_twice": (Conflict, "carried to 工程部 already", None),
    "duplicate": (Conflict, "registered already as SW2026-0001", None),
    "title_control": (ValidationError, "U\\+0007", "title"),
    "title_too_long": (ValidationError, "too long", "title"),
    "received_in_future": (ValidationError, "future", "received_on"),
    "attachment_too_big": (ValidationError, "at most 20 MB", "attachment"),
    "bad_level": (ValidationError, "public, internal or secret", "level"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_writes_nothing(desk, people, case):
    error, match, field = BAD[case]
    documents, today = desk.documents, _today(desk)
    instruct = {"instruction": "阅办", "readers": ["GC", "BA"], "handler": "KF",
                "due_on": today + timedelta(days=3), "password": PASSWORD}
    data = _letter(desk, people)
    doc_id = data["id"]
    if case in ("read_not_on_list", "read_by_member", "read_out_of_order", "read_twice",
                "comment_control", "comment_too_long", "result_while_circulating",
                "instruct_twice", "carry_twice", "ask_by_outsider", "answer_by_clerk",
                "answer_twice", "result_by_outsider", "file_before_handled"):
        documents.instruct(people["manager"], doc_id, **instruct)
    if case in ("read_twice", "carry_twice"):
        documents.carry(people["clerk"], doc_id)
    if case == "read_twice":
        documents.confirm_reading(people["gc_head"], doc_id)
        error, match = Conflict, "工程部 confirmed reading"
    if case in ("ask_by_outsider", "answer_by_clerk", "answer_twice", "result_by_outsider"):
        documents.confirm_reading(people["gc_head"], doc_id)
        documents.confirm_reading(people["ba_head"], doc_id)
        documents.ask(people["kf_staff"], doc_id, "如何上报？")
        if case == "answer_twice":
            documents.answer(people["manager"], DocumentNote.select().first().id, "网上报")
    if case in ("file_unknown_location", "file_wrong_password", "file_by_manager"):
        doc_id = _handled(desk, people, sender_ref="Y-1")["id"]
    note = DocumentNote.select().first()
    calls = {
        "instruct_by_clerk": lambda: documents.instruct(people["clerk"], doc_id, **instruct),
        "instruct_by_head": lambda: documents.instruct(people["gc_head"], doc_id, **instruct),
        "due_in_past": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "due_on": today - timedelta(days=1)}),
        "unknown_reader": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "readers": ["GC", "XX"]}),
        "reader_without_head": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "readers": ["CW"]}),
        "reader_twice": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "readers": ["GC", "工程部"]}),
        "handler_without_staff": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "handler": "BJ"}),
        "nobody": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "readers": [], "handler": None}),
        "long_instruction": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "instruction": "阅" * 4001}),
        "instruct_wrong_password": lambda: documents.instruct(people["manager"], doc_id, **{
            **instruct, "password": "wrong"}),
        "instruct_twice": lambda: documents.instruct(people["manager"], doc_id, **instruct),
        "read_not_on_list": lambda: documents.confirm_reading(people["kf_head"], doc_id),
        "read_by_member": lambda: documents.confirm_reading(people["gc_staff"], doc_id),
        "read_out_of_order": lambda: documents.confirm_reading(people["ba_head"], doc_id),
        "read_twice": lambda: documents.confirm_reading(people["gc_head"], doc_id),
        "comment_control": lambda: documents.confirm_reading(people["gc_head"], doc_id,
                                                             "已阅\x1b[31m"),
        "comment_too_long": lambda: documents.confirm_reading(people["gc_head"], doc_id,
                                                              "阅" * 501),
        "result_by_outsider": lambda: documents.record_result(people["gc_head"], doc_id, "好"),
        "result_while_circulating": lambda: documents.record_result(people["kf_staff"],
                                                                    doc_id, "好"),
        "ask_by_outsider": lambda: documents.ask(people["ba_head"], doc_id, "?"),
        "answer_by_clerk": lambda: documents.answer(people["clerk"], note.id, "好"),
        "answer_twice": lambda: documents.answer(people["manager"], note.id, "好"),
        "file_before_handled": lambda: documents.file(people["clerk"], doc_id,
                                                      password=PASSWORD),
        "file_unknown_location": lambda: documents.file(people["clerk"], doc_id,
                                                        location="地下室", password=PASSWORD),
        "file_wrong_password": lambda: documents.file(people["clerk"], doc_id,
                                                      location=SHELF, password="wrong"),
        "file_by_manager": lambda: documents.file(people["manager"], doc_id,
                                                  password=PASSWORD),
        "carry_by_manager": lambda: documents.carry(people["manager"], doc_id),
        "carry_twice": lambda: documents.carry(people["clerk"], doc_id),
        "duplicate": lambda: _letter(desk, people, title="重复登记"),
        "title_control": lambda: _letter(desk, people, title="通知\x07", sender_ref=""),
        "title_too_long": lambda: _letter(desk, people, title="通" * 201, sender_ref=""),
        "received_in_future": lambda: _letter(desk, people, sender_ref="",
                                              received_on=today + timedelta(days=1)),
        "attachment_too_big": lambda: _letter(desk, people, sender_ref="", attachment=(
            "big.pdf", b"0" * (20 * 1024 * 1024 + 1))),
        "bad_level": lambda: _letter(desk, people, sender_ref="", level="personnel"),
    }
    before = _state(doc_id)
    with pytest.raises(error, match=match) as raised:
        calls[case]()
    if field:
        assert getattr(raised.value, "field", None) == field
    after = _state(doc_id)
    if "wrong_password" in case:  # the failed signing is audited (lock-out), nothing else
        assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1
        last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
        assert last.action == "auth.sign_failed"
    else:
        assert after == before


# ---------------------------------------------------------------- two desks at once


def _instruct_from_another_process(url: str, doc_id: int, reader: str, results) -> None:
    desk = Desk.open(url)
    manager = desk.auth.login("zhangwei", PASSWORD)
    try:
        desk.documents.instruct(manager, doc_id, instruction=f"请{reader}阅", readers=[reader],
                                handler="KF", due_on=None, password=PASSWORD)
        results.put(reader)
    except Conflict as error:
        results.put("conflict" if "cannot be instructed" in str(error) else f"other: {error}")
    finally:
        desk.close()


def test_two_desks_instructing_the_same_letter_at_once(desk, people, clock):
    clock.advance(seconds=(datetime.now(UTC).replace(tzinfo=None) - clock.now()).total_seconds())
    data = _letter(desk, people)
    url = desk.ctx.url.display() if desk.ctx.url.backend == "sqlite" else os.environ["DESK_TEST_PG"]
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    workers = [ctx.Process(target=_instruct_from_another_process,
                           args=(url, data["id"], reader, results)) for reader in ("GC", "BA")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    got = sorted(results.get() for _ in workers)
    assert got in (["BA", "conflict"], ["GC", "conflict"])
    winner = got[0]
    assert [stop.dept.code for stop in DocumentRoute.select()] == [winner]
    assert SignedDocument.select().where(SignedDocument.kind == "doc_instruction").count() == 1
    assert AuditEntry.select().where(AuditEntry.action == "doc_instruction.sign").count() == 1
    assert Document.get_by_id(data["id"]).version == 1
