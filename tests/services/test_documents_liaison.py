"""Internal liaison sheets (工作联络单): numbered when drafted, signed by the drafting
department's head (a stored, checked signed sheet), delivered by office staff, replied to by
the receiving department; withdrawn sheets keep their number; bad input changes nothing."""

from __future__ import annotations

import pytest

from desk_app.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from desk_app.forms.verify import verify_pdf
from desk_app.services.signed_documents import checked_pdf
from desk_app.store.archive import SignedDocument
from desk_app.store.documents import Document
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD
from tests.services.documents_outgoing_helpers import make_people, pdfsig, state, text_of

TITLE = "请协助检修3号楼电梯"
BODY = "3号楼2号电梯运行时有异响，业主多次反映，请工程部本周内安排检修并回复。"


@pytest.fixture
def people(desk, admin):
    return make_people(desk, admin)


def _liaison(desk, people, **changes):
    values = {"title": TITLE, "to_dept": "GC", "body": BODY}
    values.update(changes)
    actor = values.pop("actor", people["chen"])
    return desk.documents.draft_liaison(actor, **values)


def _sheet(doc_id: int) -> bytes:
    row = Document.get_by_id(doc_id)
    return checked_pdf(SignedDocument.get_by_id(row.document_id), row.id)


def test_a_liaison_sheet_is_numbered_signed_delivered_and_replied(desk, people, tmp_path):
    chen, zhou, wang, sun = people["chen"], people["zhou"], people["wang"], people["sun"]
    data = _liaison(desk, people, urgency="urgent",
                    attachment=("电梯照片.jpg", b"\xff\xd8\xff" + b"j" * 5000))
    assert data["number"] == "LL2026-0001" and data["status"] == "draft"
    assert data["direction"] == "internal" and data["dept"] == "KF" and data["to_dept"] == "GC"
    assert data["to_dept_name"] == "工程部" and data["addressee"] == "工程部"
    assert data["urgency"] == "urgent" and data["drafted_by"] == "陈晓"
    assert _liaison(desk, people, title="第二张")["number"] == "LL2026-0002"

    signed = desk.documents.sign_liaison(zhou, data["id"], password=PASSWORD)
    assert signed["status"] == "signed" and signed["has_sheet"]
    pdf = _sheet(data["id"])
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok and [(s.field_name, s.signer_user) for s in report.signatures] == [
        ("head", "zhou")]
    text = text_of(pdf)
    for shown in ("LL2026-0001", TITLE, "客服部", "工程部", "陈晓", "电梯照片.jpg",
                  "请工程部本周内安排检修并回复"):
        assert shown in text, shown
    assert "Signature is Valid" in pdfsig(pdf, desk.keys.ca_certificate(), tmp_path)
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert (entry.action, entry.entity, entry.entity_id) == (
        "doc_liaison.sign", "doc_liaison", str(data["id"]))

    delivered = desk.documents.deliver(wang, data["id"])
    assert delivered["status"] == "delivered" and delivered["delivered_by"] == "王芳"
    replied = desk.documents.reply(sun, data["id"], "已安排周三上午检修，届时请客服部通知业主。")
    assert replied["status"] == "replied" and replied["reply_by"] == "孙丽"
    assert replied["reply"].startswith("已安排周三") and replied["reply_at"] is not None
    assert _sheet(data["id"]) == pdf  # the signed sheet stays as it was signed
    with pytest.raises(Conflict, match="replies once it was delivered"):
        desk.documents.reply(people["li"], data["id"], "再次回复")
    assert chen.user_id == Document.get_by_id(data["id"]).drafted_by_id


def test_a_head_drafts_and_signs_and_another_department_writes_back(desk, people):
    li = people["li"]
    data = _liaison(desk, people, actor=li, title="请客服部通知业主停电", to_dept="客服部",
                    body="周六9:00至11:00配电房检修，3号楼停电。")
    assert data["dept"] == "GC" and data["to_dept"] == "KF"
    desk.documents.sign_liaison(li, data["id"], password=PASSWORD)
    desk.documents.deliver(people["wang"], data["id"])
    assert desk.documents.reply(people["zhou"], data["id"], "已通知")["status"] == "replied"


def test_a_withdrawn_sheet_keeps_its_number(desk, people):
    wang = people["wang"]
    first = _liaison(desk, people)
    withdrawn = desk.documents.void(wang, first["id"], "重复，撤回")
    assert withdrawn["status"] == "voided" and withdrawn["number"] == "LL2026-0001"
    assert withdrawn["void_reason"] == "重复，撤回"
    assert _liaison(desk, people)["number"] == "LL2026-0002"
    signed = _liaison(desk, people, title="已签发的联络单")
    desk.documents.sign_liaison(people["zhou"], signed["id"], password=PASSWORD)
    assert desk.documents.void(wang, signed["id"], "不再需要")["status"] == "voided"
    assert _sheet(signed["id"])  # its signed sheet stays and checks
    delivered = _liaison(desk, people, title="已送达的联络单")
    desk.documents.sign_liaison(people["zhou"], delivered["id"], password=PASSWORD)
    desk.documents.deliver(wang, delivered["id"])
    with pytest.raises(Conflict, match="cannot be voided"):
        desk.documents.void(wang, delivered["id"], "撤回")
    with pytest.raises(Conflict, match="only a draft liaison sheet is signed"):
        desk.documents.sign_liaison(people["zhou"], first["id"], password=PASSWORD)


BAD = ["unknown_to_dept", "own_department", "no_department", "empty_body", "control_title",
       "sign_by_member", "sign_by_other_head", "sign_wrong_password", "deliver_unsigned",
       "deliver_by_manager", "reply_by_outsider", "reply_by_drafting_head", "reply_undelivered",
       "reply_empty", "not_a_liaison_sheet", "no_such_document", "bad_urgency"]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_and_nothing_is_written(desk, people, case):
    docs = desk.documents
    chen, zhou, wang = people["chen"], people["zhou"], people["wang"]
    fresh = _liaison(desk, people)
    delivered = _liaison(desk, people, title="已送达")
    docs.sign_liaison(zhou, delivered["id"], password=PASSWORD)
    docs.deliver(wang, delivered["id"])
    before = state()
    expected: tuple[type[Exception], str, str | None] = {
        "unknown_to_dept": (ValidationError, "No department 物业部", "to_dept"),
        "own_department": (ValidationError, "goes to another department", "to_dept"),
        "no_department": (ValidationError, "no department", "dept"),
        "empty_body": (ValidationError, "Write the text", "body"),
        "control_title": (ValidationError, "control character", "title"),
        "sign_by_member": (PermissionDenied, "Only a head of 客服部", None),
        "sign_by_other_head": (PermissionDenied, "Only a head of 客服部", None),
        "sign_wrong_password": (AuthenticationFailed, "Wrong password", None),
        "deliver_unsigned": (Conflict, "once its department head signed", None),
        "deliver_by_manager": (PermissionDenied, "document.register", None),
        "reply_by_outsider": (PermissionDenied, "Only staff of 工程部", None),
        "reply_by_drafting_head": (PermissionDenied, "Only staff of 工程部", None),
        "reply_undelivered": (Conflict, "replies once it was delivered", None),
        "reply_empty": (ValidationError, "Write the reply", "reply"),
        "not_a_liaison_sheet": (ValidationError, "not a liaison sheet", "id"),
        "no_such_document": (NotFound, "No document 9999", None),
        "bad_urgency": (ValidationError, "Urgency is one of", "urgency"),
    }[case]
    kind, message, field = expected
    with pytest.raises(kind, match=message) as raised:
        if case == "unknown_to_dept":
            _liaison(desk, people, to_dept="物业部")
        elif case == "own_department":
            _liaison(desk, people, to_dept="KF")
        elif case == "no_department":
            _liaison(desk, people, actor=people["ma"])
        elif case == "empty_body":
            _liaison(desk, people, body=" \n ")
        elif case == "control_title":
            _liaison(desk, people, title="联络单\x1b[31m")
        elif case == "sign_by_member":
            docs.sign_liaison(chen, fresh["id"], password=PASSWORD)
        elif case == "sign_by_other_head":
            docs.sign_liaison(people["li"], fresh["id"], password=PASSWORD)
        elif case == "sign_wrong_password":
            docs.sign_liaison(zhou, fresh["id"], password="wrong")
        elif case == "deliver_unsigned":
            docs.deliver(wang, fresh["id"])
        elif case == "deliver_by_manager":
            docs.deliver(people["boss"], delivered["id"])
        elif case == "reply_by_outsider":
            docs.reply(wang, delivered["id"], "收到")
        elif case == "reply_by_drafting_head":
            docs.reply(zhou, delivered["id"], "收到")
        elif case == "reply_undelivered":
            docs.reply(people["sun"], fresh["id"], "收到")
        elif case == "reply_empty":
            docs.reply(people["sun"], delivered["id"], "  ")
        elif case == "not_a_liaison_sheet":
            outgoing = docs.draft(chen, title="通知", addressee="业主", password=PASSWORD)
            before = state()
            docs.deliver(wang, outgoing["id"])
        elif case == "no_such_document":
            docs.reply(people["sun"], 9999, "收到")
        elif case == "bad_urgency":
            _liaison(desk, people, urgency="asap")
    if field:
        assert getattr(raised.value, "field", None) == field
    after = state()
    if case == "sign_wrong_password":
        assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1
    else:
        assert after == before
