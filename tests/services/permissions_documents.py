"""The role × action rows of the document register (issue 15), merged into
``tests/services/test_permissions.py``'s tables.

Reading, handling, reviewing, signing a liaison sheet and replying are allowed by
document.view plus being a head or member of the department named on the document; the
roles below are those whose permission passes once the person is in that department. Each
call first places the actor in the department it needs with a plain UPDATE of their
``staff_department`` row (every actor gets one, in 保洁部, before the snapshot), which leaves
every table's row count — the matrix's snapshot — as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.services.documents.registers import DocumentFilter
from desk_app.store.archive import Department
from desk_app.store.documents import Document, DocumentNote, StaffDepartment
from tests.conftest import PASSWORD

CLERK, SUPERVISOR, MANAGER = Role.CLERK, Role.SUPERVISOR, Role.MANAGER
AUDITOR, ADMIN = Role.AUDITOR, Role.ADMIN

DOCUMENT_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR})  # document.view
OFFICE = frozenset({CLERK, SUPERVISOR})  # document.register: sign in, carry, send, file
DRAFTERS = frozenset({CLERK, SUPERVISOR, MANAGER})  # document.draft
ONLY_MANAGER = frozenset({MANAGER})  # document.instruct
ONLY_ADMIN = frozenset({ADMIN})  # document.departments
SIGNED_IN = frozenset(Role)
REGISTER_EXPORT = frozenset({MANAGER, AUDITOR, ADMIN})

ALLOWED: dict[str, frozenset[Role]] = {
    # incoming (收文): the office registers, carries, chases and files; the manager
    # instructs and answers; a stop's head reads; the handling department's staff ask and
    # record the result
    "DocumentService.receive": OFFICE,
    "DocumentService.instruct": ONLY_MANAGER,
    "DocumentService.carry": OFFICE,
    "DocumentService.confirm_reading": DOCUMENT_READ,  # as the head of the current stop
    "DocumentService.ask": DOCUMENT_READ,  # as staff of the handling department
    "DocumentService.answer": ONLY_MANAGER,
    "DocumentService.record_result": DOCUMENT_READ,  # as staff of the handling department
    "DocumentService.chase": OFFICE,
    "DocumentService.file": OFFICE,  # and archive.edit for a new file: the same roles
    "DocumentService.attachment": DOCUMENT_READ,
    # outgoing (发文): a department drafts, its head reviews, the manager signs off, the
    # office numbers, sends, voids and records the execution
    "DocumentService.draft": DRAFTERS,  # as staff of the drafting department
    "DocumentService.revise": DRAFTERS,  # as the drafter
    "DocumentService.review": DOCUMENT_READ,  # as the drafting department's head
    "DocumentService.signoff": ONLY_MANAGER,
    "DocumentService.send": OFFICE,
    "DocumentService.void": OFFICE,
    "DocumentService.record_execution": OFFICE,
    # liaison sheets (工作联络单)
    "DocumentService.draft_liaison": DRAFTERS,  # as staff of the writing department
    "DocumentService.sign_liaison": DOCUMENT_READ,  # as the writing department's head
    "DocumentService.deliver": OFFICE,
    "DocumentService.reply": DOCUMENT_READ,  # as staff of the receiving department
    # reading the register
    **{f"DocumentService.{name}": DOCUMENT_READ
       for name in ("show", "find", "count", "page", "chase_list", "chase_count",
                    "waiting_for_me", "gaps", "sheet", "instruction_sheet")},
    # departments and heads: the administrator keeps them; the register's readers see them
    "DocumentService.departments": DOCUMENT_READ | ONLY_ADMIN,
    "DocumentService.set_department": ONLY_ADMIN,
    "DocumentService.my_department": SIGNED_IN,  # one's own department, or None
    "DocumentService.office_staff": SIGNED_IN,  # a question about oneself
    **{f"DocumentRegister.{name}": DOCUMENT_READ for name in ("count", "page", "rows")},
    "DocumentRegister.export_rows": REGISTER_EXPORT,
}

EXPORTS: dict[str, frozenset[Role]] = {"documents": REGISTER_EXPORT}
SOURCE_CLASSES = {"DocumentRegister": "documents"}

Call = Callable[[Actor], Any]


# ---------------------------------------------------------------------- departments


def _departments(w: Any) -> None:
    """Once per world: 客服部 (KF) is the office here (setting document_office_dept), so
    the desk helper and "target", its heads, sign documents in; every role's actor is its
    staff, not heading it (a call needing another department moves them first) — so a
    clerk is office staff, and whether a role may act is what the row checks."""
    if StaffDepartment.select().where(StaffDepartment.user == w.staff.user_id).exists():
        return
    documents = w.desk.documents
    w.desk.settings.set_many(w.admin, {"document_office_dept": "KF"})
    documents.set_department(w.admin, w.staff.name, "KF", head=True)
    documents.set_department(w.admin, "target", "KF", head=True)
    for actor in w.actors.values():
        documents.set_department(w.admin, actor.name, "KF")


def _place(actor: Actor, code: str, head: bool = False) -> None:
    """The actor now belongs to (and maybe heads) ``code``: an UPDATE, no new row."""
    dept = Department.get(Department.code == code)
    StaffDepartment.update(dept=dept.id, head=head).where(
        StaffDepartment.user == actor.user_id).execute()


# ---------------------------------------------------------------------- incoming


def _incoming(w: Any, stage: str = "registered", **fields: Any) -> int:
    """A fresh incoming document at ``stage``: registered, circulating (read by 客服部,
    handled by it), handling, handled."""
    _departments(w)
    documents = w.desk.documents
    values = {"sender": "市住建局", "title": f"来文 {w.n()}", "kind": "TZ", **fields}
    doc_id = int(documents.receive(w.staff, **values)["id"])
    if stage == "registered":
        return doc_id
    documents.instruct(w.actors[MANAGER], doc_id, instruction="请客服部阅办", readers=["KF"],
                       handler="KF", due_on=None, password=PASSWORD)
    if stage == "circulating":
        return doc_id
    documents.confirm_reading(w.staff, doc_id)
    if stage == "handling":
        return doc_id
    documents.record_result(w.staff, doc_id, "已处理")
    return doc_id


def _call(stage: str, method: str, *args: Any, place: tuple[str, bool] | None = None,
          **kwargs: Any) -> Callable[[Any], Call]:
    """``method(actor, doc_id, *args, **kwargs)`` on a fresh incoming document at
    ``stage``, the actor placed in a department first when ``place`` says so."""
    def prepare(w: Any) -> Call:
        doc_id = _incoming(w, stage)

        def call(a: Actor) -> Any:
            if place is not None:
                _place(a, *place)
            return getattr(w.desk.documents, method)(a, doc_id, *args, **kwargs)
        return call
    return prepare


def _answer(w: Any) -> Call:
    doc_id = _incoming(w, "handling")
    w.desk.documents.ask(w.staff, doc_id, "费用由谁承担？")
    note_id = DocumentNote.select().where(DocumentNote.document == doc_id).get().id
    return lambda a: w.desk.documents.answer(a, note_id, "由物业承担")


def _attachment(w: Any) -> Call:
    doc_id = _incoming(w, attachment=("scan.pdf", b"%PDF-1.4 scan"))
    return lambda a: w.desk.documents.attachment(a, doc_id)


# ---------------------------------------------------------------------- outgoing


def _outgoing(w: Any, stage: str = "draft") -> int:
    """A fresh outgoing document drafted in 客服部 by the desk helper, at ``stage``: draft,
    reviewed (by "target", the other head), signed_off, sent."""
    _departments(w)
    documents = w.desk.documents
    doc_id = int(documents.draft(w.staff, title=f"通知 {w.n()}", addressee="各业主",
                                 body="定于下周停水。", password=PASSWORD)["id"])
    if stage == "draft":
        return doc_id
    target = w.desk.auth.login("target", PASSWORD)
    documents.review(target, doc_id, approve=True, password=PASSWORD)
    if stage == "reviewed":
        return doc_id
    documents.signoff(w.actors[MANAGER], doc_id, approve=True, password=PASSWORD)
    if stage == "signed_off":
        return doc_id
    documents.send(w.staff, doc_id, password=PASSWORD)
    return doc_id


def _out_call(stage: str, method: str, *args: Any, place: tuple[str, bool] | None = None,
              drafter: bool = False, **kwargs: Any) -> Callable[[Any], Call]:
    def prepare(w: Any) -> Call:
        doc_id = _outgoing(w, stage)

        def call(a: Actor) -> Any:
            if place is not None:
                _place(a, *place)
            if drafter:
                Document.update(drafted_by=a.user_id).where(Document.id == doc_id).execute()
            return getattr(w.desk.documents, method)(a, doc_id, *args, **kwargs)
        return call
    return prepare


def _draft(w: Any) -> Call:
    _departments(w)

    def call(a: Actor) -> Any:
        _place(a, "KF")
        return w.desk.documents.draft(a, title="停水通知", addressee="各业主",
                                      password=PASSWORD)
    return call


# ---------------------------------------------------------------------- liaison sheets


def _liaison(w: Any, stage: str = "draft") -> int:
    """A fresh liaison sheet from 客服部 to 工程部 at ``stage``: draft, signed, delivered."""
    _departments(w)
    documents = w.desk.documents
    doc_id = int(documents.draft_liaison(w.staff, title=f"联络 {w.n()}", to_dept="GC",
                                         body="请维修电梯。")["id"])
    if stage == "draft":
        return doc_id
    documents.sign_liaison(w.staff, doc_id, password=PASSWORD)
    if stage == "signed":
        return doc_id
    documents.deliver(w.staff, doc_id)
    return doc_id


def _liaison_call(stage: str, method: str, *args: Any, place: tuple[str, bool] | None = None,
                  **kwargs: Any) -> Callable[[Any], Call]:
    def prepare(w: Any) -> Call:
        doc_id = _liaison(w, stage)

        def call(a: Actor) -> Any:
            if place is not None:
                _place(a, *place)
            return getattr(w.desk.documents, method)(a, doc_id, *args, **kwargs)
        return call
    return prepare


def _draft_liaison(w: Any) -> Call:
    _departments(w)

    def call(a: Actor) -> Any:
        _place(a, "KF")
        return w.desk.documents.draft_liaison(a, title="联络", to_dept="GC", body="请维修。")
    return call


# ---------------------------------------------------------------------- departments


def _set_department(w: Any) -> Call:
    name = f"staff{w.n()}"
    w.desk.users.add(w.admin, name, PASSWORD, "clerk")
    return lambda a: w.desk.documents.set_department(a, name, "GC", head=True)


def _reading(method: str, *args: Any, stage: str = "registered") -> Callable[[Any], Call]:
    def prepare(w: Any) -> Call:
        doc_id = _incoming(w, stage)
        return lambda a: getattr(w.desk.documents, method)(a, doc_id, *args)
    return prepare


def _find(w: Any) -> Call:
    doc_id = _incoming(w)
    number = Document.get_by_id(doc_id).number
    return lambda a: w.desk.documents.find(a, number.lower())


ACTIONS: dict[str, Callable[[Any], Call]] = {
    "DocumentService.receive": lambda w: lambda a: w.desk.documents.receive(
        a, sender="市水务局", title=f"停水通知 {w.n()}"),
    "DocumentService.instruct": _call("registered", "instruct", instruction="请客服部办理",
                                      readers=["KF"], handler="KF", due_on=None,
                                      password=PASSWORD),
    "DocumentService.carry": _call("circulating", "carry"),
    "DocumentService.confirm_reading": _call("circulating", "confirm_reading", "已阅",
                                             place=("KF", True)),
    "DocumentService.ask": _call("handling", "ask", "何时完成？", place=("KF", False)),
    "DocumentService.answer": _answer,
    "DocumentService.record_result": _call("handling", "record_result", "已处理",
                                           place=("KF", False)),
    "DocumentService.chase": _call("handling", "chase", "电话催办", "phone"),
    "DocumentService.file": _call("handled", "file", password=PASSWORD),
    "DocumentService.attachment": _attachment,
    "DocumentService.draft": _draft,
    "DocumentService.revise": _out_call("draft", "revise", title="停水通知（改）",
                                        addressee="各业主", body="改期。", password=PASSWORD,
                                        drafter=True),
    "DocumentService.review": _out_call("draft", "review", approve=True, password=PASSWORD,
                                        place=("KF", True)),
    "DocumentService.signoff": _out_call("reviewed", "signoff", approve=True,
                                         password=PASSWORD),
    "DocumentService.send": _out_call("signed_off", "send", password=PASSWORD),
    "DocumentService.void": _out_call("draft", "void", "不再需要"),
    "DocumentService.record_execution": _out_call("sent", "record_execution", "in_progress"),
    "DocumentService.draft_liaison": _draft_liaison,
    "DocumentService.sign_liaison": _liaison_call("draft", "sign_liaison", password=PASSWORD,
                                                  place=("KF", True)),
    "DocumentService.deliver": _liaison_call("signed", "deliver"),
    "DocumentService.reply": _liaison_call("delivered", "reply", "已安排维修",
                                           place=("GC", False)),
    "DocumentService.show": _reading("show"),
    "DocumentService.find": _find,
    "DocumentService.count": lambda w: lambda a: w.desk.documents.count(a, DocumentFilter()),
    "DocumentService.page":
        lambda w: lambda a: w.desk.documents.page(a, DocumentFilter(), 0, 10),
    "DocumentService.chase_list": lambda w: lambda a: w.desk.documents.chase_list(a),
    "DocumentService.chase_count": lambda w: lambda a: w.desk.documents.chase_count(a),
    "DocumentService.waiting_for_me": lambda w: lambda a: w.desk.documents.waiting_for_me(a),
    "DocumentService.gaps": lambda w: lambda a: w.desk.documents.gaps(a, 2026),
    "DocumentService.sheet": _reading("sheet", stage="circulating"),
    "DocumentService.instruction_sheet": _reading("instruction_sheet", stage="circulating"),
    "DocumentService.departments": lambda w: lambda a: w.desk.documents.departments(a),
    "DocumentService.set_department": _set_department,
    "DocumentService.my_department": lambda w: lambda a: w.desk.documents.my_department(a),
    "DocumentService.office_staff": lambda w: lambda a: w.desk.documents.office_staff(a),
}
