"""The incoming document's two sheets: the manager's instruction sheet (field "manager") and
the processing sheet (field "clerk"): what they say, in Chinese, their one empty field each,
a PAdES signature that verifies, and the filing never split from the clerk's box."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk_app.forms.documents_incoming import instruction_pdf, processing_pdf
from desk_app.forms.signing import SignatureAppearance, signature_fields
from desk_app.forms.verify import verify_pdf

from .conftest import poppler, sign_as

COMPANY = "示例物业服务有限公司"
AT = datetime(2026, 11, 2, 1, 30)


def _stop(seq: int, code: str, name: str, head: str, comment: str = "") -> dict:
    return {"seq": seq, "dept": code, "dept_name": name, "heads": [head],
            "carried_by": "王芳", "carried_at": AT, "confirmed_by": head, "confirmed_at": AT,
            "comment": comment, "current": False}


def sample(**changes) -> dict:
    """A handled incoming letter as ``document_dict`` gives it, at filing."""
    data = {
        "id": 7, "number": "SW2026-0007", "record_no": "SW2026-0007-PS",
        "title": "關於開展冬季消防安全檢查的通知（繁體）", "sender": "市住房和城乡建设局",
        "sender_ref": "建城〔2026〕45号", "received_on": date(2026, 11, 2),
        "kind": "ZF", "kind_name": "政府文件", "urgency_label": "Urgent",
        "level_label": "Internal", "pages": 1, "copies": 2,
        "body": "各物业服务企业于十二月十五日前完成自查并上报。",
        "created_by": "王芳", "created_at": AT,
        "instruction": "请工程部、保安部阅知，客服部牵头落实自查。",
        "instructed_by": "张伟", "instructed_at": AT,
        "route": [_stop(1, "GC", "工程部", "李强", "工程部将配合检查消防设施。"),
                  _stop(2, "BA", "保安部", "赵磊")],
        "handler_dept": "KF", "handler_dept_name": "客服部", "due_on": date(2026, 11, 9),
        "notes": [{"id": 1, "kind": "question", "text": "自查报告是否需要总经理签字？",
                   "channel": "", "by": "陈静", "at": AT, "answer": "需要。",
                   "answered_by": "张伟", "answered_at": AT},
                  {"id": 2, "kind": "chase", "text": "电话提醒客服部", "channel": "phone",
                   "by": "王芳", "at": AT, "answer": "", "answered_by": "",
                   "answered_at": None}],
        "result": "十二月十日完成自查，报告已上报住建局。", "result_by": "陈静", "result_at": AT,
        "item_ref": "KF-ZF-2026-0003", "location": "档案室 › 一号柜",
        "filed_by": "王芳", "filed_at": AT,
        "instruction_sheet": {"record_no": "SW2026-0007-PS", "sha256": "ab" * 32},
    }
    data.update(changes)
    return data


def text_of(pdf: bytes, tmp_path, *pages: int) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    window = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return "".join(poppler("pdftotext", *window, str(path), "-").split())


def pages_of(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = poppler("pdfinfo", str(path))
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_instruction_sheet_says_who_reads_and_who_handles(tmp_path, ca, supervisor,
                                                             handwriting):
    pdf = instruction_pdf(COMPANY, sample())
    assert signature_fields(pdf) == {"manager": False}
    text = text_of(pdf, tmp_path)
    for shown in ("Instructions on an incoming document", "SW2026-0007-PS", COMPANY,
                  "關於開展冬季消防安全檢查的通知（繁體）", "市住房和城乡建设局", "建城〔2026〕45号",
                  "请工程部、保安部阅知，客服部牵头落实自查。", "1.工程部(李强)", "2.保安部(赵磊)",
                  "客服部,dueon2026-11-09", "1page·2copies", "Manager"):
        assert "".join(shown.split()) in text, shown
    signed = sign_as(pdf, "manager", supervisor, "super-pw", ca,
                     SignatureAppearance(handwriting, "李四", "Instructed by", AT))
    report = verify_pdf(signed, ca.cert_pem)
    assert report.ok, report.problems
    assert [check.field_name for check in report.signatures] == ["manager"]


def test_the_processing_sheet_shows_the_whole_life_and_verifies(tmp_path, ca, clerk):
    pdf = processing_pdf(COMPANY, sample())
    assert signature_fields(pdf) == {"clerk": False}
    text = text_of(pdf, tmp_path)
    for shown in ("Incoming document processing sheet", "SW2026-0007", "Registration",
                  "Instruction", "张伟,2026-11-02", "SW2026-0007-PS,SHA-256" + "ab" * 8,
                  "Circulation", "工程部将配合检查消防设施。", "李强,2026-11-02", "赵磊,2026-11-02",
                  "Questions to the manager", "自查报告是否需要总经理签字？", "需要。",
                  "Chases", "电话提醒客服部", "Phone", "Handling result",
                  "十二月十日完成自查，报告已上报住建局。", "陈静,2026-11-02",
                  "Filing", "KF-ZF-2026-0003,at档案室›一号柜", "Filed by"):
        assert "".join(shown.split()) in text, shown
    signed = sign_as(pdf, "clerk", clerk, "clerk-pw", ca,
                     SignatureAppearance(None, "张三", "Filed by", AT))
    report = verify_pdf(signed, ca.cert_pem)
    assert report.ok, report.problems
    assert [(c.field_name, c.signer_user) for c in report.signatures] == [("clerk", "zhang.san")]


def test_a_sheet_with_nothing_on_the_way_prints_dashes(tmp_path):
    pdf = processing_pdf(COMPANY, sample(route=[], notes=[], sender_ref="", body="",
                                         kind_name="", due_on=None, instruction_sheet=None,
                                         location=None))
    text = text_of(pdf, tmp_path)
    assert "Circulation" not in text and "Questions to the manager" not in text
    assert "Chases" not in text and "Signedinstructionsheet" not in text
    assert "Sender'snumber—" in text and "KF-ZF-2026-0003" in text


@pytest.mark.parametrize("stops", [4, 9, 14])
def test_the_filing_is_never_split_from_the_clerks_box(tmp_path, stops):
    route = [_stop(n, f"D{n}", f"部门{n}", f"主管{n}", "已阅，" * (n % 5) * 8)
             for n in range(1, stops + 1)]
    pdf = processing_pdf(COMPANY, sample(route=route))
    last = pages_of(pdf, tmp_path)
    on_last = text_of(pdf, tmp_path, last)
    assert "Filing" in on_last and "KF-ZF-2026-0003" in on_last
    assert "Filedby" in on_last.split("KF-ZF-2026-0003")[1]  # the box's label after the rows
