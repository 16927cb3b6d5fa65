"""The audit trail read through the services: full names, sentences, and a PDF export that
prints the whole change (wrapped), never cut with "…"."""

from __future__ import annotations

import csv
import re
import subprocess

from desk_app.services.audit import AuditFilter
from tests.conftest import PASSWORD, add_user

LONG = ("物业服务合同纠纷尚在诉讼中，相关函件需保留作证据，直至法院判决生效并且双方履行完毕；"
        "the lawyer asked for the original letters of 2019 and 2020 as well, kept apart")


def _pdf_text(path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    text = re.sub(r"[0-9a-f]{16}", "", text)  # the hash column, printed beside the lines
    return "".join(text.split())  # the wrapped lines joined again


def test_the_page_names_people_by_full_name_and_says_what_happened(desk, admin):
    add_user(desk, admin, "wangfang", "clerk", "王芳")
    entries = desk.audit.page(admin, AuditFilter(action="user.add"), 0, 10)
    assert entries[0]["sentence"] == "系统管理员 added the user 王芳 (wangfang) as Clerk"
    assert entries[0]["actor_name"] == "系统管理员" and entries[0]["label"] == "User added"
    rows = {row.field: row.new for row in entries[0]["rows"]}
    assert rows["Full name"] == "王芳" and rows["Roles"] == "Clerk"


def test_words_when_read_are_the_same_words_made_only_for_the_entries_read(desk, admin):
    """Issue 17: the Audit page describes the rows it paints, not the whole page."""
    from desk_app.services.audit import EntryInWords

    add_user(desk, admin, "wangfang", "clerk", "王芳")
    add_user(desk, admin, "zhoumin", "supervisor", "周敏")
    desk.settings.set(admin, "company_name", "示例公司")
    now = desk.audit.page(admin, AuditFilter(), 0, 50)
    later = desk.audit.page(admin, AuditFilter(), 0, 50, words_when_read=True)
    assert all(isinstance(entry, EntryInWords) for entry in later)
    assert [dict.__contains__(entry, "sentence") for entry in later] == [False] * len(later)
    assert later[1]["sentence"] == now[1]["sentence"]  # read: described, this one only
    assert [dict.__contains__(entry, "label") for entry in later][:3] == [False, True, False]
    for before, after in zip(now, later, strict=True):
        assert after.get("rows") == before["rows"] and after["actor_name"] == before["actor_name"]
        assert dict(after) == before
    assert "王芳" in {row.new for entry in later for row in entry["rows"]}
    try:
        later[0]["no such key"]
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown key was answered")


def test_a_pdf_export_wraps_the_whole_change(desk, admin, tmp_path):
    auditor = add_user(desk, admin, "audit1", "auditor", "陈静")
    desk.settings.set(admin, "company_name", LONG[:60])
    desk.settings.set(admin, "company_name", "示例公司")  # the page header: not the long one
    out = tmp_path / "audit.pdf"
    desk.exports.export(auditor, "audit", None, None, "pdf", out, password=PASSWORD)
    text = _pdf_text(out)
    assert "".join(LONG[:60].split()) in text
    assert "系统管理员addedtheuser陈静(audit1)asAuditor" in text
    assert "+00:00" not in text and "UTC" not in text  # local times only
    csv_out = tmp_path / "audit.csv"
    desk.exports.export(auditor, "audit", None, None, "csv", csv_out)
    with csv_out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["No.", "Time", "User", "Action", "What happened"]
    assert not any("{" in cell for row in rows[1:] for cell in row)
