"""Reading the document register (issue 15): a document's timeline, where it is and what
may be done next; scan-to-find; the lists, "waiting for me" and the chase list; gaps in
the running numbers; the secret rule; departments and heads; and the query plans at 10,000
documents (every lookup and first page served by an index)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from desk_app.domain.errors import NotFound, PermissionDenied, ValidationError
from desk_app.services.documents.registers import DocumentFilter
from desk_app.store.documents import Document
from desk_app.store.models import AuditEntry, NumberCounter
from tests.conftest import PASSWORD, add_user


@pytest.fixture
def office(sqlite_desk, clock) -> dict[str, Any]:
    """The demo's people in their departments: 王芳 (clerk, office ZB), 张伟 (manager, ZB),
    李强 (supervisor, head of 工程部 GC), 孙丽 (clerk, GC), 周敏 (clerk and supervisor, head
    of 客服部 KF), 钱审 (auditor, no department)."""
    desk = sqlite_desk
    desk.users.create_first_admin("admin", PASSWORD, "系统管理员")
    admin = desk.auth.login("admin", PASSWORD)
    people = {"admin": admin, "desk": desk, "clock": clock,
              "clerk": add_user(desk, admin, "wangfang", "clerk", "王芳"),
              "manager": add_user(desk, admin, "zhangwei", "manager", "张伟"),
              "gc_head": add_user(desk, admin, "liqiang", "supervisor", "李强"),
              "gc_staff": add_user(desk, admin, "sunli", "clerk", "孙丽"),
              "kf_head": add_user(desk, admin, "zhoumin", "clerk,supervisor", "周敏"),
              "auditor": add_user(desk, admin, "qianshen", "auditor", "钱审")}
    for name, dept, head in (("wangfang", "ZB", False), ("zhangwei", "ZB", False),
                             ("liqiang", "GC", True), ("sunli", "GC", False),
                             ("zhoumin", "KF", True)):
        desk.documents.set_department(admin, name, dept, head)
    return people


def _receive(o: dict[str, Any], **fields: Any) -> dict[str, Any]:
    values = {"sender": "市住建局", "title": "关于电梯年检的通知", **fields}
    return o["desk"].documents.receive(o["clerk"], **values)


def _instructed(o: dict[str, Any], days: int = 5, **fields: Any) -> dict[str, Any]:
    doc = _receive(o, **fields)
    desk = o["desk"]
    return desk.documents.instruct(o["manager"], doc["id"], instruction="请工程部阅，客服部办理",
                                   readers=["GC"], handler="KF",
                                   due_on=desk.today() + timedelta(days=days),
                                   password=PASSWORD)


# ---------------------------------------------------------------------- departments


def test_departments_list_heads_and_members_and_changes_are_audited(office):
    desk, admin = office["desk"], office["admin"]
    by_code = {dept["code"]: dept for dept in desk.documents.departments(office["clerk"])}
    assert by_code["GC"]["heads"] == ["李强"]
    assert [(m["name"], m["head"]) for m in by_code["GC"]["members"]] == [
        ("liqiang", True), ("sunli", False)]
    assert by_code["CW"]["members"] == [] and by_code["CW"]["name"] == "财务部"
    assert desk.documents.my_department(office["gc_staff"]) == {
        "code": "GC", "name": "工程部", "head": False}
    assert desk.documents.my_department(office["auditor"]) is None

    placed = desk.documents.set_department(admin, "sunli", "GC", head=True)
    assert (placed["code"], placed["head"]) == ("GC", True)
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert (entry.action, entry.entity) == ("user.department", "user")
    sentence = desk.audit.page(admin, _audit_filter("user.department"), 0, 1)[0]["sentence"]
    assert sentence == "系统管理员 set the department of 孙丽: 工程部 (GC)"
    assert desk.documents.departments(admin)[
        [d["code"] for d in desk.documents.departments(admin)].index("GC")]["heads"] == [
        "李强", "孙丽"]

    entries = AuditEntry.select().count()
    desk.documents.set_department(admin, "sunli", "GC", head=True)  # no change: no entry
    assert AuditEntry.select().count() == entries
    cleared = desk.documents.set_department(admin, "sunli", None)
    assert cleared["code"] == "" and desk.documents.my_department(office["gc_staff"]) is None


def _audit_filter(action: str) -> Any:
    from desk_app.store.audit_chain import AuditFilter

    return AuditFilter(action=action)


def test_department_changes_are_refused_clearly(office):
    desk, admin = office["desk"], office["admin"]
    entries = AuditEntry.select().count()
    with pytest.raises(PermissionDenied):
        desk.documents.set_department(office["kf_head"], "sunli", "KF")
    with pytest.raises(ValidationError, match="No user nobody"):
        desk.documents.set_department(admin, "nobody", "KF")
    with pytest.raises(ValidationError, match="No department XX"):
        desk.documents.set_department(admin, "sunli", "XX")
    with pytest.raises(ValidationError, match="Only a member"):
        desk.documents.set_department(admin, "sunli", None, head=True)
    assert AuditEntry.select().count() == entries
    with pytest.raises(PermissionDenied):  # neither reads the register nor keeps the list
        desk.documents.departments(add_user(desk, admin, "hrofficer", "personnel"))


# ---------------------------------------------------------------------- one document


def test_show_follows_the_paper_with_its_timeline(office):
    desk, clerk, manager = office["desk"], office["clerk"], office["manager"]
    doc = _receive(office, sender_ref="建字〔2026〕12号")
    shown = desk.documents.show(manager, doc["id"])
    assert shown["where"] == "At the office: waiting for the manager's instructions"
    assert "instruct" in shown["actions"]
    assert "instruct" not in desk.documents.show(clerk, doc["id"])["actions"]
    assert [e["text"] for e in shown["events"]] == [
        "王芳 registered the incoming document SW2026-0001 from 市住建局"]

    due = desk.today() + timedelta(days=5)
    desk.documents.instruct(manager, doc["id"], instruction="请工程部阅，客服部办理",
                            readers=["GC"], handler="KF", due_on=due, password=PASSWORD)
    shown = desk.documents.show(clerk, doc["id"])
    assert shown["where"] == "At the office: to be carried to 工程部 (李强) for reading"
    assert "carry" in shown["actions"]
    desk.documents.carry(clerk, doc["id"])
    shown = desk.documents.show(office["gc_head"], doc["id"])
    assert shown["where"].startswith("With 工程部 (李强) for reading since 2026-11-02 ")
    assert "read" in shown["actions"] and "carry" not in shown["actions"]
    assert "read" not in desk.documents.show(office["gc_staff"], doc["id"])["actions"]

    desk.documents.confirm_reading(office["gc_head"], doc["id"], "已阅")
    shown = desk.documents.show(clerk, doc["id"])
    assert shown["where"] == (f"At the office: to be carried to 客服部 for handling, "
                              f"due {due.isoformat()}")
    desk.documents.carry(clerk, doc["id"])
    shown = desk.documents.show(office["kf_head"], doc["id"])
    assert shown["where"] == f"With 客服部 for handling, due {due.isoformat()}"
    assert {"result", "ask"} <= set(shown["actions"]) and "carry" not in shown["actions"]

    office["clock"].advance(days=8)
    assert desk.documents.show(clerk, doc["id"])["where"] == (
        f"With 客服部 for handling, due {due.isoformat()} (overdue 3 days)")
    desk.documents.chase(clerk, doc["id"], "电话催办", "phone")
    desk.documents.record_result(office["kf_head"], doc["id"], "已安排年检")
    shown = desk.documents.show(clerk, doc["id"])
    assert shown["where"] == "Handled by 客服部: the original goes back to the office to be filed"
    assert "file" in shown["actions"]
    assert [e["action"] for e in shown["events"]] == [
        "document.receive", "doc_instruction.sign", "document.carry", "document.read",
        "document.carry", "document.chase", "document.result"]
    texts = [e["text"] for e in shown["events"]]
    assert texts[1] == "张伟 signed the instructions on SW2026-0001"
    assert texts[2] == "王芳 carried SW2026-0001 to 工程部"
    assert texts[5] == "王芳 chased the handling of SW2026-0001 (phone)"
    assert all(e["who"] for e in shown["events"]) and all("{" not in t for t in texts)

    desk.archive.add_location(clerk, "档案室01")
    filed = desk.documents.file(clerk, doc["id"], location="档案室01", kind="TZ",
                                password=PASSWORD)
    shown = desk.documents.show(clerk, doc["id"])
    assert shown["where"] == f"Filed as {filed['item_ref']} at 档案室01"
    assert shown["actions"] == []
    assert desk.documents.sheet(clerk, doc["id"]).startswith(b"%PDF")
    assert desk.documents.instruction_sheet(clerk, doc["id"]).startswith(b"%PDF")


def test_an_outgoing_document_and_a_liaison_sheet_say_where_they_are(office):
    documents = office["desk"].documents
    drafter, head = office["gc_staff"], office["gc_head"]
    doc = documents.draft(drafter, title="停水通知", addressee="各业主", body="周三停水。",
                          password=PASSWORD)
    shown = documents.show(head, doc["id"])
    assert shown["where"] == "With 工程部: waiting for the review of its head"
    assert "review" in shown["actions"] and "review" not in documents.show(
        drafter, doc["id"])["actions"]
    assert {"revise", "void"} <= set(documents.show(drafter, doc["id"])["actions"])
    assert documents.sheet(drafter, doc["id"]).startswith(b"%PDF")  # signed so far
    documents.review(head, doc["id"], approve=False, reason="写明停水时间")
    assert documents.show(drafter, doc["id"])["where"] == "Returned to the drafter 孙丽: 写明停水时间"
    documents.revise(drafter, doc["id"], title="停水通知", addressee="各业主",
                     body="周三 9:00–17:00 停水。", password=PASSWORD)
    documents.review(head, doc["id"], approve=True, password=PASSWORD)
    shown = documents.show(office["manager"], doc["id"])
    assert shown["where"] == "Waiting for the manager's sign-off"
    assert "signoff" in shown["actions"]
    documents.signoff(office["manager"], doc["id"], approve=True, password=PASSWORD)
    shown = documents.show(office["clerk"], doc["id"])
    assert shown["where"] == "At the office: to be numbered and sent"
    assert "send" in shown["actions"]
    sent = documents.send(office["clerk"], doc["id"], password=PASSWORD)
    shown = documents.show(office["clerk"], doc["id"])
    assert shown["where"] == f"Sent as {sent['issued_no']}; execution: Not started"
    assert {"file", "void", "execute"} <= set(shown["actions"])
    assert [e["text"] for e in shown["events"]] == [
        "孙丽 drafted FG2026-0001",
        "李强 reviewed the draft FG2026-0001: returned to the drafter",
        "孙丽 revised the draft FG2026-0001",
        "李强 reviewed the draft FG2026-0001: Approved",
        "张伟 decided the sign-off of FG2026-0001: Approved",
        f"王芳 numbered and sent FG2026-0001 as {sent['issued_no']}"]
    assert documents.find(office["clerk"], sent["issued_no"])["id"] == doc["id"]

    sheet = documents.draft_liaison(drafter, title="电梯维修", to_dept="KF", body="请配合。")
    assert documents.show(head, sheet["id"])["where"] == (
        "With 工程部: waiting for the signature of its head")
    assert "sign_liaison" in documents.show(head, sheet["id"])["actions"]
    documents.sign_liaison(head, sheet["id"], password=PASSWORD)
    assert documents.show(office["clerk"], sheet["id"])["where"] == (
        "At the office: to be delivered to 客服部")
    documents.deliver(office["clerk"], sheet["id"])
    shown = documents.show(office["kf_head"], sheet["id"])
    assert shown["where"] == "With 客服部 for a reply" and "reply" in shown["actions"]
    documents.reply(office["kf_head"], sheet["id"], "周四配合")
    shown = documents.show(office["clerk"], sheet["id"])
    assert shown["where"] == "Replied by 客服部: to be filed" and "file" in shown["actions"]
    assert [r["id"] for r in documents.waiting_for_me(office["clerk"])["file"]] == [
        doc["id"], sheet["id"]]


def test_a_document_without_a_sheet_says_so(office):
    desk = office["desk"]
    doc = _receive(office)
    with pytest.raises(NotFound, match="no signed sheet"):
        desk.documents.sheet(office["clerk"], doc["id"])
    with pytest.raises(NotFound, match="no instructions"):
        desk.documents.instruction_sheet(office["clerk"], doc["id"])
    with pytest.raises(NotFound):
        desk.documents.show(office["clerk"], 999)


def test_find_by_running_issued_and_sender_number(office):
    desk, clerk = office["desk"], office["clerk"]
    first = _receive(office, sender_ref="建字〔2026〕12号")
    second = _receive(office, title="第二份", sender_ref="")
    Document.update(issued_no="示例物业发〔2026〕7号").where(Document.id == second["id"]).execute()
    assert desk.documents.find(clerk, "sw2026-0002")["id"] == second["id"]
    assert desk.documents.find(clerk, " SW2026-0001-PS ")["id"] == first["id"]  # the sheet
    assert desk.documents.find(clerk, "示例物业发〔2026〕7号")["id"] == second["id"]
    assert desk.documents.find(clerk, "建字〔2026〕12号")["id"] == first["id"]
    assert desk.documents.find(clerk, "SW2026-0003") is None
    assert desk.documents.find(clerk, "  ") is None
    with pytest.raises(PermissionDenied):
        desk.documents.find(office["admin"], "SW2026-0001")


# ---------------------------------------------------------------------- the secret rule


def test_a_secret_document_is_read_only_by_those_on_it(office):
    desk = office["desk"]
    doc = _instructed(office, level="secret", title="人事调整方案")
    hidden = desk.documents.show(office["auditor"], doc["id"])
    assert hidden["hidden"] and hidden["title"] == "(secret)"
    assert hidden["instruction"] == "(secret)" and hidden["number"] == "SW2026-0001"
    for reader in ("manager", "clerk", "gc_head", "gc_staff", "kf_head"):
        assert desk.documents.show(office[reader], doc["id"])["title"] == "人事调整方案", reader
    rows = desk.documents.page(office["auditor"], DocumentFilter(), 0, 10)
    assert rows[0]["title"] == "(secret)"
    assert desk.documents.page(office["gc_staff"], DocumentFilter(), 0, 10)[0]["title"] \
        == "人事调整方案"
    with pytest.raises(PermissionDenied, match="secret"):
        desk.documents.instruction_sheet(office["auditor"], doc["id"])
    assert desk.documents.find(office["auditor"], "SW2026-0001")["title"] == "(secret)"
    exported = list(desk.registers["documents"].rows(office["auditor"], DocumentFilter()))
    assert exported[0][4] == "(secret)"


# ---------------------------------------------------------------------- the lists


def test_page_and_count_filter_by_direction_status_text_and_overdue(office):
    desk, clerk = office["desk"], office["clerk"]
    late = _instructed(office, days=1, title="消防检查")
    _receive(office, title="物业费标准", sender="物价局")
    office["clock"].advance(days=3)
    documents = desk.documents
    assert documents.count(clerk, DocumentFilter()) == 2
    assert documents.count(clerk, DocumentFilter(direction="outgoing")) == 0
    rows = documents.page(clerk, DocumentFilter(direction="incoming"), 0, 10)
    assert [row["number"] for row in rows] == ["SW2026-0002", "SW2026-0001"]
    assert rows[0]["where"] == "At the office: waiting for the manager's instructions"
    assert rows[0]["status_label"] == "Waiting for instructions"
    assert rows[1]["where"] == "At the office: to be carried to 工程部 (李强) for reading"
    assert rows[1]["overdue"] and not rows[0]["overdue"]
    assert [r["id"] for r in documents.page(clerk, DocumentFilter(overdue=True), 0, 10)] \
        == [late["id"]]
    assert documents.count(clerk, DocumentFilter(status="registered")) == 1
    assert documents.count(clerk, DocumentFilter(text="物价")) == 1
    assert documents.count(clerk, DocumentFilter(text="sw2026-0001")) == 1

    chased = documents.chase_list(clerk)
    assert [(r["number"], r["days_overdue"], r["chases"]) for r in chased] == [
        ("SW2026-0001", 2, 0)]
    assert chased[0]["handler_dept_name"] == "客服部"
    documents.chase(clerk, late["id"], "已电话提醒", "phone")
    documents.chase(clerk, late["id"], "上门催办", "visit")
    chased = documents.chase_list(clerk)
    assert chased[0]["chases"] == 2 and chased[0]["last_chase_at"] is not None
    assert documents.chase_count(clerk) == 1


def test_waiting_for_me_names_each_persons_next_step(office):
    desk = office["desk"]
    registered = _receive(office)
    circulating = _instructed(office, days=1)
    waiting = desk.documents.waiting_for_me(office["manager"])
    assert set(waiting) == {"instruct", "answer", "signoff", "read", "handle", "review",
                            "sign_liaison", "reply", "carry", "send", "deliver", "file", "overdue"}
    assert [r["id"] for r in waiting["instruct"]] == [registered["id"]]
    assert [r["id"] for r in desk.documents.waiting_for_me(office["gc_head"])["read"]] == [
        circulating["id"]]
    assert desk.documents.waiting_for_me(office["gc_staff"])["read"] == []
    assert desk.documents.waiting_for_me(office["kf_head"])["read"] == []
    assert desk.documents.waiting_for_me(office["clerk"])["instruct"] == []

    desk.documents.confirm_reading(office["gc_head"], circulating["id"])
    handle = desk.documents.waiting_for_me(office["kf_head"])["handle"]
    assert [(r["number"], r["status_label"]) for r in handle] == [
        ("SW2026-0002", "Being handled")]
    desk.documents.ask(office["kf_head"], circulating["id"], "费用由谁承担？")
    assert [r["id"] for r in desk.documents.waiting_for_me(office["manager"])["answer"]] == [
        circulating["id"]]
    office["clock"].advance(days=3)
    assert [r["id"] for r in desk.documents.waiting_for_me(office["clerk"])["overdue"]] == [
        circulating["id"]]
    # Office staff and the manager see every overdue document; anyone else their own
    # department's (the auditor, placed in a department for this).
    desk.documents.set_department(office["admin"], "qianshen", "GC")
    assert desk.documents.waiting_for_me(office["auditor"])["overdue"] == []
    desk.documents.set_department(office["admin"], "qianshen", "KF")
    assert len(desk.documents.waiting_for_me(office["auditor"])["overdue"]) == 1
    desk.documents.record_result(office["kf_head"], circulating["id"], "已处理")
    assert [r["id"] for r in desk.documents.waiting_for_me(office["clerk"])["file"]] == [
        circulating["id"]]


# ---------------------------------------------------------------------- gaps


def test_gaps_in_the_running_and_issued_numbers_are_named(office):
    desk, clerk = office["desk"], office["clerk"]
    docs = [_receive(office, title=f"来文 {n}") for n in range(4)]
    assert desk.documents.gaps(clerk, 2026) == []
    desk.ctx.db.execute_sql("DELETE FROM document WHERE id = ?", (docs[1]["id"],))
    assert desk.documents.gaps(clerk, 2026) == ["Incoming number SW2026-0002 is missing."]
    desk.ctx.db.execute_sql("DELETE FROM document WHERE id = ?", (docs[3]["id"],))
    assert desk.documents.gaps(clerk, 2026) == ["Incoming number SW2026-0002 is missing.",
                                                "Incoming number SW2026-0004 is missing."]
    # Issued numbers (发文字号) are read back through the number pattern.
    now = desk.ctx.clock.now()
    for seq in (1, 3):
        Document.update(issued_no=f"示例物业发〔2026〕{seq}号", sent_at=now).where(
            Document.id == docs[0]["id"] if seq == 1 else Document.id == docs[2]["id"]
        ).execute()
    NumberCounter.insert(series="doc-issued-2026", value=3).execute()
    assert desk.documents.gaps(clerk, 2026)[2:] == ["Issued number 示例物业发〔2026〕2号 is missing."]
    assert desk.documents.gaps(clerk, 2025) == []


# ---------------------------------------------------------------------- speed at scale


def _plans(desk: Any, call: Any) -> list[tuple[str, list[str]]]:
    """Every SELECT ``call`` runs that reads the document table, with its query plan."""
    statements: list[str] = []
    connection = desk.ctx.db.connection()
    connection.set_trace_callback(statements.append)
    try:
        call()
    finally:
        connection.set_trace_callback(None)
    found = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT") or '"document"' not in sql:
            continue
        plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql).fetchall()]
        found.append((sql, plan))
    assert found, "the call read no documents"
    return found


def _full_scans(sql: str, plan: list[str]) -> list[str]:
    """Plan lines that walk the whole document table or one of its indexes."""
    aliases = {alias for table, alias in re.findall(r'"(\w+)" AS "(\w+)"', sql)
               if table == "document"} | {"document"}
    return [line for line in plan
            if re.match(r"SCAN (\w+)", line) and line.split()[1] in aliases]


@pytest.fixture
def big_register(office) -> dict[str, Any]:
    """10,000 documents in every direction and state, inserted raw."""
    desk = office["desk"]
    now, today = desk.ctx.clock.now(), desk.today()
    clerk_id = office["clerk"].user_id
    states = {"incoming": ["registered", "circulating", "handling", "handled", "filed"],
              "outgoing": ["draft", "reviewed", "signed_off", "sent", "filed"],
              "internal": ["draft", "signed", "delivered", "replied", "filed"]}
    prefixes = {"incoming": "SW", "outgoing": "FG", "internal": "LL"}
    rows = []
    for n in range(10_000):
        direction = list(states)[n % 3]
        status = states[direction][n % 5]
        rows.append({"direction": direction, "number": f"{prefixes[direction]}2026-{n:04d}",
                     "year": 2026, "status": status, "title": f"文件 {n}", "level": "internal",
                     "urgency": "normal", "sender": "某单位", "sender_ref": f"某字{n}号",
                     "issued_no": f"示例物业发〔2026〕{n}号" if status == "sent" else None,
                     "due_on": today - timedelta(days=n % 30) if status == "handling" else None,
                     "created_by": clerk_id, "created_at": now})
    with desk.ctx.db.atomic():
        for start in range(0, len(rows), 500):
            Document.insert_many(rows[start:start + 500]).execute()
    return office


@pytest.mark.parametrize("typed", ["sw2026-0003", "LL2026-0005-PS", "示例物业发〔2026〕13号"])
def test_find_uses_an_index_at_10k_documents(big_register, typed):
    desk, clerk = big_register["desk"], big_register["clerk"]
    assert desk.documents.find(clerk, typed) is not None
    for sql, plan in _plans(desk, lambda: desk.documents.find(clerk, typed)):
        assert not _full_scans(sql, plan), (typed, sql, plan)


def test_find_by_the_senders_number_uses_an_index_at_10k_documents(big_register):
    desk, clerk = big_register["desk"], big_register["clerk"]
    assert desk.documents.find(clerk, "某字9999号") is not None
    for sql, plan in _plans(desk, lambda: desk.documents.find(clerk, "某字9999号")):
        assert not _full_scans(sql, plan), (sql, plan)


def test_first_pages_and_the_chase_list_use_indexes_at_10k_documents(big_register):
    desk, clerk = big_register["desk"], big_register["clerk"]
    documents = desk.documents
    for direction in ("incoming", "outgoing", "internal"):
        flt = DocumentFilter(direction=direction)
        for sql, plan in _plans(desk, lambda f=flt: (documents.count(clerk, f),
                                                      documents.page(clerk, f, 0, 100))):
            assert not any("TEMP B-TREE" in line for line in plan), (sql, plan)
            if "LIMIT" in sql:
                assert not _full_scans(sql, plan), (sql, plan)
    # The whole register, newest first: the table in id order, stopping after the page.
    for sql, plan in _plans(desk, lambda: documents.page(clerk, DocumentFilter(), 0, 100)):
        assert not any("TEMP B-TREE" in line for line in plan), (sql, plan)
    for sql, plan in _plans(desk, lambda: (documents.chase_count(clerk),
                                           documents.chase_list(clerk))):
        assert not _full_scans(sql, plan), (sql, plan)
    assert len(documents.chase_list(clerk, 0, 50)) == 50
    for sql, plan in _plans(desk, lambda: documents.waiting_for_me(clerk)):
        assert not _full_scans(sql, plan), (sql, plan)
