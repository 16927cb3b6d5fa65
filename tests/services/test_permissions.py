"""Role × action: every public service method that takes an actor, called as every role.

The methods are found automatically (every service the ``Desk`` holds, every public method with
a parameter named ``actor``); a method missing from ``ALLOWED`` fails the run. ``ALLOWED`` is the
specification, written out by hand from the roles of ``domain/roles.py`` and the regulations
(not derived from ``ROLE_PERMISSIONS``), so a change to the permission table shows up here as a
failing test to be looked at.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from desk_app.desk import Desk
from desk_app.domain.errors import PermissionDenied
from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.services.approvals import ApprovalFilter
from desk_app.services.archive import ItemFilter
from desk_app.services.base import Service
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.services.registers import Period
from desk_app.services.retention import DestructionFilter
from desk_app.store.archive import Loan
from desk_app.store.audit_chain import AuditFilter
from desk_app.store.models import AuditEntry, all_models
from desk_app.store.reception import CallBack, Complaint, PhoneMessage, Visit
from tests.conftest import PASSWORD, add_user
from tests.services import (
    permissions_borrowers,
    permissions_documents,
    permissions_handover,
    permissions_imports,
    permissions_reception_loop,
    permissions_service_report,
    permissions_timeouts,
)

CLERK, SUPERVISOR, MANAGER = Role.CLERK, Role.SUPERVISOR, Role.MANAGER
AUDITOR, ADMIN, PERSONNEL = Role.AUDITOR, Role.ADMIN, Role.PERSONNEL

# Who may do what. Named groups keep the table readable; each is written out by hand.
SIGNED_IN = frozenset(Role)  # no permission: any signed-in user, acting on their own behalf
ARCHIVE_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR, PERSONNEL, ADMIN})
ARCHIVE_WRITE = frozenset({CLERK, SUPERVISOR, ADMIN})
LOAN_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR})
LOAN_DESK = frozenset({CLERK, SUPERVISOR})
REGISTER_EXPORT = frozenset({MANAGER, AUDITOR, ADMIN})
RECEPTION_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR})
RECEPTION_DESK = frozenset({CLERK, SUPERVISOR})
SCRIPT_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR, ADMIN})  # readers and the editor
AUDIT_READ = frozenset({AUDITOR, ADMIN})
USER_READ = frozenset({AUDITOR, ADMIN})
ONLY_ADMIN = frozenset({ADMIN})
ONLY_SUPERVISOR = frozenset({SUPERVISOR})
ONLY_PERSONNEL = frozenset({PERSONNEL})
RETENTION_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR})
RETENTION_DESK = frozenset({CLERK, SUPERVISOR})
ONLY_MANAGER = frozenset({MANAGER})
APPROVAL_READ = frozenset({CLERK, SUPERVISOR, MANAGER, AUDITOR})
APPROVAL_DESK = frozenset({CLERK, SUPERVISOR})

ALLOWED: dict[str, frozenset[Role]] = {
    # signing in and one's own account
    "AuthService.change_own_password": SIGNED_IN,
    "AuthService.unlock": SIGNED_IN,
    "AuthService.sign_out": SIGNED_IN,  # forgets what this desk held open for oneself
    # users, settings, audit trail, backups, demo data (admin; the auditor reads)
    "UserService.add": ONLY_ADMIN,
    "UserService.count": USER_READ,
    "UserService.get": USER_READ,
    "UserService.list": USER_READ,
    "UserService.page": USER_READ,
    "UserService.reset_password": ONLY_ADMIN,
    "UserService.set_active": ONLY_ADMIN,
    "UserService.set_roles": ONLY_ADMIN,
    "SettingsService.set": ONLY_ADMIN,
    "SettingsService.set_many": ONLY_ADMIN,
    "AuditService.actions": AUDIT_READ,
    "AuditService.actors": AUDIT_READ,
    "AuditService.actor_choices": AUDIT_READ,
    "AuditService.count": AUDIT_READ,
    "AuditService.head": AUDIT_READ,
    "AuditService.page": AUDIT_READ,
    "AuditService.verify": AUDIT_READ,
    "AuditService.checkpoint": AUDIT_READ,  # a signed PDF of the chain head
    "AuditService.recent_by": SIGNED_IN,  # one's own latest actions (Today page)
    "BackupService.backup": ONLY_ADMIN,
    "BackupService.restore": ONLY_ADMIN,
    "BackupService.restore_plan": ONLY_ADMIN,  # what a restore would lose: as restore
    # the program's own daily backup: any session runs it, it writes only where the
    # admin's settings say (off in this table's world: nothing written)
    "BackupService.daily_backup": SIGNED_IN,
    "DemoService.generate": ONLY_ADMIN,
    "KeyService.sign_pdf": SIGNED_IN,  # with one's own key and password only
    "KeyService.sign_pdf_file": SIGNED_IN,  # the same, of a file (an export being written)
    "KeyService.check_signing_password": SIGNED_IN,
    "KeyService.export_ca": SIGNED_IN,  # the certificate verifiers need; recorded
    "KeyService.ca_status": USER_READ,
    "KeyService.export_crl": ONLY_ADMIN,  # signed by the CA, which opens for admins only
    "KeyService.new_recovery_code": ONLY_ADMIN,
    "KeyService.recover": ONLY_ADMIN,
    "ExportService.export": AUDIT_READ,  # of the audit register; every register: EXPORTS
    "ExportService.registers": SIGNED_IN,  # the names of those one may export
    "ExportService.check": AUDIT_READ,  # what export checks first, of the audit register
    # register sources: the rows of a register page and of its exports
    **{f"AuditRegister.{name}": AUDIT_READ for name in ("count", "page", "rows")},
    **{f"ItemRegister.{name}": ARCHIVE_READ for name in ("count", "page", "rows")},
    **{f"LoanRegister.{name}": LOAN_READ for name in ("count", "page", "rows")},
    "AuditRegister.export_rows": AUDIT_READ,
    "ItemRegister.export_rows": REGISTER_EXPORT,
    "LoanRegister.export_rows": REGISTER_EXPORT,
    **{f"{cls}.{name}": RECEPTION_READ
       for cls in ("VisitRegister", "CallBackRegister", "ComplaintRegister")
       for name in ("count", "page", "rows", "export_rows")},
    # archive catalogue (R1, R6, R7)
    "ArchiveService.add_department": ARCHIVE_WRITE,
    "ArchiveService.add_item": ARCHIVE_WRITE,
    "ArchiveService.add_kind": ARCHIVE_WRITE,
    "ArchiveService.add_location": ARCHIVE_WRITE,
    "ArchiveService.count": ARCHIVE_READ,
    "ArchiveService.get": ARCHIVE_READ,
    "ArchiveService.get_many": ARCHIVE_READ,
    "ArchiveService.open_item": ARCHIVE_READ,  # the loan history only for LOAN_READ
    "ArchiveService.page": ARCHIVE_READ,
    "ArchiveService.scan": ARCHIVE_READ,
    "ArchiveService.history": LOAN_READ,  # an item's loans: the loan register's readers
    # correcting the catalogue (issue 14); personnel files: the officer (tests/services/
    # test_archive_edit.py)
    "ArchiveEditService.edit_item": ARCHIVE_WRITE,
    "ArchiveEditService.place_item": ARCHIVE_WRITE,
    "ArchiveEditService.move_location": ARCHIVE_WRITE,
    "LabelService.labels_pdf": ARCHIVE_READ,
    # personnel files (R6): an officer holding the key admits another
    "PersonnelService.admit": ONLY_PERSONNEL,
    "PersonnelService.status": ONLY_PERSONNEL,
    "PersonnelService.new_recovery_code": ONLY_PERSONNEL,
    "PersonnelService.recover": ONLY_PERSONNEL,  # with the printed code
    # grants of personnel files (R6, issue 12): the officer grants; auditors see the list
    "PersonnelService.grant": ONLY_PERSONNEL,
    "PersonnelService.revoke_grant": ONLY_PERSONNEL,
    "PersonnelService.grants": frozenset({PERSONNEL, AUDITOR}),
    # loan register (R3, R4)
    "LoanService.lend": LOAN_DESK,
    "LoanService.return_items": LOAN_DESK,
    "LoanService.return_by_borrower": LOAN_DESK,
    "LoanService.renew": LOAN_DESK,
    "LoanService.send_reminder": LOAN_DESK,
    "LoanService.send_reminders": LOAN_DESK,
    "LoanService.renewal_terms": LOAN_DESK,
    "LoanService.sign_renewal": LOAN_DESK,
    "LoanService.reminder_log": LOAN_READ,
    "LoanService.sign_slip": LOAN_DESK,
    "LoanService.sign_receipt": LOAN_DESK,
    "LoanService.correct": ONLY_SUPERVISOR,
    "LoanService.corrections": LOAN_READ,
    "LoanService.count": LOAN_READ,
    "LoanService.page": LOAN_READ,
    "LoanService.overdue_by_borrower": LOAN_READ,
    "LoanService.reminders": LOAN_READ,
    "LoanService.slip": LOAN_READ,
    "LoanService.receipt": LOAN_READ,
    "LoanService.document": LOAN_READ,
    # reception: script library (R13)
    "ScriptService.scripts": SCRIPT_READ,
    "ScriptService.script": SCRIPT_READ,
    "ScriptService.history": SCRIPT_READ,
    "ScriptService.render": SCRIPT_READ,
    "ScriptService.automatic_values": SCRIPT_READ,  # part of rendering a script
    "ScriptService.save_script": ONLY_ADMIN,
    # reception: the log, call-backs, complaints (R14)
    "VisitService.open_visit": RECEPTION_DESK,
    "VisitService.update_visit": RECEPTION_DESK,
    "VisitService.answer": RECEPTION_DESK,
    "VisitService.resolve": RECEPTION_DESK,
    "VisitService.close_visit": RECEPTION_DESK,
    "VisitService.sweep_timeouts": RECEPTION_DESK,
    "CallBackService.schedule_callback": RECEPTION_DESK,
    "CallBackService.record_callback": RECEPTION_DESK,
    "ComplaintService.add_complaint": RECEPTION_DESK,
    "ComplaintService.reply_complaint": RECEPTION_DESK,
    "VisitService.get_visit": RECEPTION_READ,
    "VisitService.visits": RECEPTION_READ,
    "VisitService.count_visits": RECEPTION_READ,
    "VisitService.active": RECEPTION_READ,
    "VisitService.current_visitors": RECEPTION_READ,
    "VisitService.escalations": RECEPTION_READ,
    "CallBackService.callbacks": RECEPTION_READ,
    "CallBackService.count_callbacks": RECEPTION_READ,
    "CallBackService.page_callbacks": RECEPTION_READ,
    "CallBackService.callback_form": RECEPTION_READ,
    "ComplaintService.complaints": RECEPTION_READ,
    "ComplaintService.count_complaints": RECEPTION_READ,
    "ComplaintService.complaint_stats": RECEPTION_READ,
    # reception: messages for absent colleagues (issue 18)
    "MessageService.take_message": RECEPTION_DESK,
    "MessageService.addressees": RECEPTION_DESK,
    "MessageService.chase_message": RECEPTION_DESK,
    "MessageService.to_chase": RECEPTION_DESK,
    "MessageService.count_messages": RECEPTION_READ,
    "MessageService.page_messages": RECEPTION_READ,
    "MessageService.my_messages": SIGNED_IN,  # the messages left for oneself
    "MessageService.confirm_message": SIGNED_IN,  # only a message for oneself (its own check)
    "ComplaintService.export_complaint_stats": RECEPTION_READ,
    # retention and approved destruction (R2, R3): the desk proposes and carries out, the
    # manager decides, the administrator sets the kinds' defaults
    "RetentionService.set_kind_retention": ONLY_ADMIN,
    **{f"RetentionService.{name}": RETENTION_READ
       for name in ("due_count", "due_page", "holds", "show", "document", "count", "page",
                    "item_lists")},
    **{f"RetentionService.{name}": RETENTION_DESK
       for name in ("hold", "release", "propose", "destroy")},
    "RetentionService.decide": ONLY_MANAGER,
    **{f"{cls}.{name}": RETENTION_READ for cls in ("DestructionRegister", "ReviewDueRegister")
       for name in ("count", "page", "rows")},
    "DestructionRegister.export_rows": REGISTER_EXPORT,
    # confidential access approvals (R5): the desk files requests and records copies, the
    # manager decides and revokes
    **{f"ApprovalService.{name}": APPROVAL_DESK
       for name in ("request", "record_copies", "dispose_copies")},
    "ApprovalService.decide": ONLY_MANAGER,
    "ApprovalService.revoke": ONLY_MANAGER,
    **{f"ApprovalService.{name}": APPROVAL_READ
       for name in ("show", "document", "count", "page", "explain", "waiting_count", "expiring",
                    "history_for_item")},
    **{f"ApprovalRegister.{name}": APPROVAL_READ for name in ("count", "page", "rows")},
    "ApprovalRegister.export_rows": REGISTER_EXPORT,
    "ReviewDueRegister.export_rows": REGISTER_EXPORT,
}
ALLOWED.update(permissions_handover.ALLOWED)
ALLOWED.update(permissions_borrowers.ALLOWED)
ALLOWED.update(permissions_documents.ALLOWED)
ALLOWED.update(permissions_imports.ALLOWED)
ALLOWED.update(permissions_reception_loop.ALLOWED)
ALLOWED.update(permissions_timeouts.ALLOWED)
ALLOWED.update(permissions_service_report.ALLOWED)

# Public methods with an ``actor`` that are not actions: the permission checks themselves.
PERMISSION_CHECKS = {"Service.require", "ReceptionBase.require_any"}


# ------------------------------------------------------------------------------ the database


@dataclass(repr=False)
class World:
    """One database with one user per role and a little of everything to act on."""

    desk: Desk
    admin: Actor
    staff: Actor  # clerk and supervisor: prepares what a call needs (before the snapshot)
    tmp: Path
    actors: dict[Role, Actor] = field(default_factory=dict)
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    public_ref: str = ""
    secret_ref: str = ""
    slip: dict[str, Any] = field(default_factory=dict)
    receipt: dict[str, Any] = field(default_factory=dict)
    overdue_borrower: int = 0
    visit_id: int = 0
    callback_id: int = 0
    _backup: Path | None = None

    def n(self) -> int:
        return next(self.numbers)

    def state(self) -> tuple[int, ...]:
        """Rows of every table, the audit trail included."""
        return tuple(model.select().count() for model in all_models())

    # fresh things to act on, made by the staff user or straight in the table

    def item(self, level: str = "public") -> str:
        return self.desk.archive.add_item(self.staff, title=f"文件 {self.n()}", kind="TZ",
                                          dept="KF", level=level).ref

    def lent(self) -> tuple[str, dict[str, Any]]:
        ref = self.item()
        return ref, self.desk.loans.lend(self.staff, [ref], BorrowerInput(user_name="target"),
                                         "查阅")

    def returned(self) -> dict[str, Any]:
        ref, _slip = self.lent()
        return self.desk.loans.return_items(self.staff, [ref])

    def visit(self, escalated: bool = False) -> int:
        at = self.desk.ctx.clock.now() - timedelta(minutes=1)
        return Visit.create(channel="visit", handler="target", arrived_at=at, created_by="target",
                            escalated_at=at if escalated else None,
                            timeout_level=3 if escalated else 0).id

    def callback(self) -> int:
        now = self.desk.ctx.clock.now()
        return CallBack.create(contact="13800000000", purpose="回访", due_at=now, handler="target",
                               created_at=now, created_by="target").id

    def complaint(self) -> int:
        now = self.desk.ctx.clock.now()
        return Complaint.create(received_at=now, category="noise", description="夜间施工",
                                handler="target", promised_at=now + timedelta(hours=24),
                                created_by="target").id

    def backup_file(self) -> Path:
        if self._backup is None:
            self._backup = self.desk.backups.backup(self.admin, self.tmp / "for-restore.db")
        return self._backup

    def out(self, suffix: str) -> Path:
        return self.tmp / f"out-{self.n()}.{suffix}"

    def blank_form(self) -> bytes:
        from desk_app.forms import signing
        from desk_app.forms.render import render_form
        from desk_app.forms.spec import FormSpec

        spec = FormSpec("Test Co", "Test form", f"T-{self.n()}", self.desk.ctx.clock.now())
        spec.signatures([("signer", "Signed by")])
        rendered = render_form(spec)
        return signing.prepare_fields(rendered.pdf, rendered.slots)


@pytest.fixture
def world(desk, tmp_path) -> World:
    desk.users.create_first_admin("admin", PASSWORD)
    admin = desk.auth.login("admin", PASSWORD)
    w = World(desk, admin, add_user(desk, admin, "deskhelper", "clerk,supervisor"), tmp_path)
    desk.users.add(admin, "target", PASSWORD, "clerk")
    w.actors = {role: admin if role is ADMIN else add_user(desk, admin, f"as{role.value}", role.value)
                for role in Role}
    w.public_ref, w.secret_ref = w.item("public"), w.item("secret")
    ref, w.slip = w.lent()
    desk.loans.sign_slip(w.staff, w.slip["id"], PASSWORD, None, None)
    w.slip = desk.loans.slip(w.staff, w.slip["id"])
    w.receipt = desk.loans.return_items(w.staff, [ref])
    _ref, overdue = w.lent()
    Loan.update(due_on=date(2026, 10, 1)).where(Loan.slip == overdue["id"]).execute()
    w.overdue_borrower = Loan.get(Loan.slip == overdue["id"]).borrower_id
    w.visit_id, w.callback_id = w.visit(), w.callback()
    w.complaint()
    return w


# ------------------------------------------------------------------------------ the calls
#
# Each entry prepares what one call needs (fresh rows where the call changes them) and returns
# the call; the test takes its snapshot in between. Arguments are valid, so an allowed role's
# call succeeds and a refused one can fail only at the permission check.

Call = Callable[[Actor], Any]


def _lend(w: World) -> Call:
    ref = w.item()
    return lambda a: w.desk.loans.lend(a, [ref], BorrowerInput(user_name="target"), "查阅")


def _edit_item(w: World) -> Call:
    ref = w.item()
    return lambda a: w.desk.archive_edit.edit_item(a, ref, title=f"改 {w.n()}")


def _place_item(w: World) -> Call:
    ref, room = w.item(), w.desk.archive.add_location(w.staff, f"P{w.n()}")
    return lambda a: w.desk.archive_edit.place_item(a, ref, room)


def _move_location(w: World) -> Call:
    room = w.desk.archive.add_location(w.staff, f"M{w.n()}")
    cabinet = w.desk.archive.add_location(w.staff, "C", room)
    other = w.desk.archive.add_location(w.staff, f"M{w.n()}")
    return lambda a: w.desk.archive_edit.move_location(a, cabinet, other)


def _return(w: World) -> Call:
    ref, _slip = w.lent()
    return lambda a: w.desk.loans.return_items(a, [ref])


def _return_session(w: World) -> Call:
    ref, _slip = w.lent()
    return lambda a: w.desk.loans.return_by_borrower(a, [ref], {ref: "worn"})


def _renew(w: World) -> Call:
    ref, _slip = w.lent()
    return lambda a: w.desk.loans.renew(a, ref)


def _correct(w: World) -> Call:
    _ref, slip = w.lent()
    loan_id = Loan.get(Loan.slip == slip["id"]).id
    return lambda a: w.desk.loans.correct(a, loan_id, "登记错误", due_on=date(2027, 1, 4))


def _sign_slip(w: World) -> Call:
    _ref, slip = w.lent()
    return lambda a: w.desk.loans.sign_slip(a, slip["id"], PASSWORD, None, None)


def _renewal_terms(w: World) -> Call:
    ref, _slip = w.lent()
    return lambda a: w.desk.loans.renewal_terms(a, ref)


def _sign_renewal(w: World) -> Call:
    ref, _slip = w.lent()
    renewal = w.desk.loans.renew(w.staff, ref)["renewal"]
    return lambda a: w.desk.loans.sign_renewal(a, renewal["id"], PASSWORD, None, None)


def _sign_receipt(w: World) -> Call:
    receipt = w.returned()
    return lambda a: w.desk.loans.sign_receipt(a, receipt["id"], PASSWORD, None, None)


def _sign_pdf(w: World) -> Call:
    pdf = w.blank_form()
    return lambda a: w.desk.keys.sign_pdf(a, pdf, "signer", PASSWORD, None, "Staff")


def _sign_pdf_file(w: World) -> Call:
    pdf = w.blank_form()

    def sign(a) -> None:
        path = w.out("pdf")
        path.write_bytes(pdf)
        w.desk.keys.sign_pdf_file(a, path, "signer", PASSWORD, None, "Staff")

    return sign


def _recover_ca(w: World) -> Call:
    code = w.desk.keys.new_recovery_code(w.actors[ADMIN])
    return lambda a: w.desk.keys.recover(a, code)


def _personnel_key_open(w: World) -> Actor:
    """The officer signed in on this desk, holding the personnel key (the first officer's
    first look makes it)."""
    officer = w.desk.auth.login("aspersonnel", PASSWORD)
    w.desk.personnel.require_key(officer)
    return officer


def _admit(w: World) -> Call:
    name = f"hr{w.n()}"
    w.desk.users.add(w.admin, name, PASSWORD, "personnel")
    _personnel_key_open(w)
    return lambda a: w.desk.personnel.admit(a, name)


def _new_personnel_code(w: World) -> Call:
    _personnel_key_open(w)
    return lambda a: w.desk.personnel.new_recovery_code(a)


def _recover_personnel(w: World) -> Call:
    code = w.desk.personnel.new_recovery_code(_personnel_key_open(w))
    return lambda a: w.desk.personnel.recover(a, code)


def _personnel_file(w: World) -> str:
    officer = _personnel_key_open(w)
    return w.desk.archive.add_item(officer, title=f"档案 {w.n()}", kind="TZ", dept="KF",
                                   level="personnel").ref


def _grant(w: World) -> Call:
    ref = _personnel_file(w)
    until = w.desk.today()
    return lambda a: w.desk.personnel.grant(a, ref, "target", until, "复核")


def _revoke_grant(w: World) -> Call:
    ref = _personnel_file(w)
    grant = w.desk.personnel.grant(_personnel_key_open(w), ref, "target", w.desk.today(), "复核")
    return lambda a: w.desk.personnel.revoke_grant(a, grant["id"], "不再需要")


def _restore(w: World) -> Call:
    backup = w.backup_file()
    return lambda a: w.desk.backups.restore(a, backup)


def _restore_plan(w: World) -> Call:
    backup = w.backup_file()
    return lambda a: w.desk.backups.restore_plan(a, backup)


def _visit_call(method: str, *args: Any, escalated: bool = False, **kwargs: Any):
    def prepare(w: World) -> Call:
        visit_id = w.visit(escalated)
        return lambda a: getattr(w.desk.visits, method)(a, visit_id, *args, **kwargs)
    return prepare


def _record_callback(w: World) -> Call:
    callback_id = w.callback()
    return lambda a: w.desk.callbacks.record_callback(a, callback_id, "已回访", "satisfied")


def _message(w: World, for_user: str = "target") -> int:
    return PhoneMessage.create(caller="赵先生", text="请回电", for_user=for_user,
                               taken_at=w.desk.ctx.clock.now(), taken_by="target").id


def _confirm_message(w: World) -> Call:
    ids = {actor.name: _message(w, actor.name) for actor in w.actors.values()}
    return lambda a: w.desk.messages.confirm_message(a, ids[a.name])


def _chase_message(w: World) -> Call:
    message_id = _message(w)
    return lambda a: w.desk.messages.chase_message(a, message_id)


def _reply_complaint(w: World) -> Call:
    complaint_id = w.complaint()
    return lambda a: w.desk.complaints.reply_complaint(a, complaint_id, "已答复")


def _overdue_item(w: World) -> str:
    """A file past its retention (2000 + 5 years), due for review."""
    return w.desk.archive.add_item(w.staff, title=f"旧文件 {w.n()}", kind="TZ", dept="KF",
                                   level="public", doc_date=date(2000, 1, 1),
                                   retention_years=5).ref


def _destruction(w: World, decided: bool) -> int:
    listed = w.desk.retention.propose(w.staff, [_overdue_item(w)], "超过保管期限")
    if decided:
        w.desk.retention.decide(w.actors[MANAGER], listed["id"], True, "同意销毁", PASSWORD)
    return int(listed["id"])


def _hold(w: World) -> Call:
    ref = _overdue_item(w)
    return lambda a: w.desk.retention.hold(a, ref, "诉讼未结")


def _release(w: World) -> Call:
    ref = _overdue_item(w)
    w.desk.retention.hold(w.staff, ref, "诉讼未结")
    return lambda a: w.desk.retention.release(a, ref, "诉讼结束")


def _propose(w: World) -> Call:
    ref = _overdue_item(w)
    return lambda a: w.desk.retention.propose(a, [ref], "超过保管期限")


def _decide_destruction(w: World) -> Call:
    listed = _destruction(w, decided=False)
    return lambda a: w.desk.retention.decide(a, listed, True, "同意销毁", PASSWORD)


def _destroy(w: World) -> Call:
    listed = _destruction(w, decided=True)
    return lambda a: w.desk.retention.destroy(a, listed, "target", PASSWORD, "shredding",
                                              PASSWORD)


def _destruction_read(method: str) -> Callable[[World], Call]:
    def prepare(w: World) -> Call:
        listed = _destruction(w, decided=True)
        return lambda a: getattr(w.desk.retention, method)(a, listed)
    return prepare


def _access_request(w: World, decided: bool = True, access: str = "take-out",
                    copies: int | None = None) -> dict[str, Any]:
    today = w.desk.today()
    data = w.desk.approvals.request(w.staff, [w.item("secret")], BorrowerInput(user_name="target"),
                                    "审计", access, today, today + timedelta(days=7), copies)
    if decided:
        data = w.desk.approvals.decide(w.actors[MANAGER], data["id"], True, "同意", PASSWORD)
    return data


def _approval_call(method: str, decided: bool = True) -> Callable[[World], Call]:
    def prepare(w: World) -> Call:
        data = _access_request(w, decided)
        if method == "decide":
            return lambda a: w.desk.approvals.decide(a, data["id"], True, "同意", PASSWORD)
        if method == "revoke":
            return lambda a: w.desk.approvals.revoke(a, data["id"], "提前收回")
        return lambda a: getattr(w.desk.approvals, method)(a, data["id"])
    return prepare


def _request_access(w: World) -> Call:
    ref, today = w.item("secret"), w.desk.today()
    return lambda a: w.desk.approvals.request(a, [ref], BorrowerInput(user_name="target"), "审计",
                                              "read", today, today + timedelta(days=1))


def _record_copies(w: World) -> Call:
    data = _access_request(w, access="copy", copies=3)
    return lambda a: w.desk.approvals.record_copies(a, data["id"], data["items"][0]["ref"], 1)


def _dispose_copies(w: World) -> Call:
    data = _access_request(w, access="copy", copies=3)
    made = w.desk.approvals.record_copies(w.staff, data["id"], data["items"][0]["ref"], 1)
    copy_id = made["copies_made"][0]["id"]
    return lambda a: w.desk.approvals.dispose_copies(a, copy_id, "returned")


# Who may export each register (ExportService.export checks the register's own permission).
EXPORTS: dict[str, frozenset[Role]] = {
    "audit": AUDIT_READ,
    "items": REGISTER_EXPORT,
    "loans": REGISTER_EXPORT,
    "visits": RECEPTION_READ,
    "callbacks": RECEPTION_READ,
    "complaints": RECEPTION_READ,
    "destructions": REGISTER_EXPORT,
    "review_due": REGISTER_EXPORT,
    "approvals": REGISTER_EXPORT,
    **permissions_handover.EXPORTS,
    **permissions_borrowers.EXPORTS,
    **permissions_documents.EXPORTS,
}


def _source_call(register: str, method: str) -> Callable[[World], Call]:
    def prepare(w: World) -> Call:
        source = w.desk.registers[register]
        flt = source.period(Period())
        if method == "count":
            return lambda a: source.count(a, flt)
        if method == "page":
            return lambda a: source.page(a, flt, 0, 10)
        if method == "export_rows":
            return lambda a: list(source.export_rows(a, Period())[1])
        return lambda a: list(source.rows(a, flt))
    return prepare


_SOURCE_CLASSES = {"AuditRegister": "audit", "ItemRegister": "items", "LoanRegister": "loans",
                   "VisitRegister": "visits", "CallBackRegister": "callbacks",
                   "ComplaintRegister": "complaints",
                   "DestructionRegister": "destructions", "ReviewDueRegister": "review_due",
                   "ApprovalRegister": "approvals", **permissions_handover.SOURCE_CLASSES,
                   **permissions_borrowers.SOURCE_CLASSES,
                   **permissions_documents.SOURCE_CLASSES}


ACTIONS: dict[str, Callable[[World], Call]] = {
    "AuthService.change_own_password":
        lambda w: lambda a: w.desk.auth.change_own_password(a, PASSWORD, "another-pass-1"),
    "AuthService.unlock": lambda w: lambda a: w.desk.auth.unlock(a, PASSWORD),
    "AuthService.sign_out": lambda w: lambda a: w.desk.auth.sign_out(a),
    "UserService.add": lambda w: lambda a: w.desk.users.add(a, f"newbie{w.n()}", PASSWORD, "clerk"),
    "UserService.count": lambda w: lambda a: w.desk.users.count(a),
    "UserService.get": lambda w: lambda a: w.desk.users.get(a, "target"),
    "UserService.list": lambda w: lambda a: w.desk.users.list(a),
    "UserService.page": lambda w: lambda a: w.desk.users.page(a, 0, 10),
    "UserService.reset_password":
        lambda w: lambda a: w.desk.users.reset_password(a, "target", "brand-new-pw"),
    "UserService.set_active": lambda w: lambda a: w.desk.users.set_active(a, "target", False),
    "UserService.set_roles":
        lambda w: lambda a: w.desk.users.set_roles(a, "target", "clerk,supervisor"),
    "SettingsService.set": lambda w: lambda a: w.desk.settings.set(a, "idle_lock_minutes", 9),
    "SettingsService.set_many":
        lambda w: lambda a: w.desk.settings.set_many(a, {"lockout_minutes": 30}),
    "AuditService.actions": lambda w: lambda a: w.desk.audit.actions(a),
    "AuditService.actors": lambda w: lambda a: w.desk.audit.actors(a),
    "AuditService.actor_choices": lambda w: lambda a: w.desk.audit.actor_choices(a),
    "AuditService.count": lambda w: lambda a: w.desk.audit.count(a, AuditFilter()),
    "AuditService.head": lambda w: lambda a: w.desk.audit.head(a),
    "AuditService.page": lambda w: lambda a: w.desk.audit.page(a, AuditFilter(), 0, 10),
    "AuditService.verify": lambda w: lambda a: w.desk.audit.verify(a),
    "AuditService.checkpoint":
        lambda w: lambda a: w.desk.audit.checkpoint(a, w.out("pdf"), PASSWORD),
    "AuditService.recent_by": lambda w: lambda a: w.desk.audit.recent_by(a),
    "BackupService.backup": lambda w: lambda a: w.desk.backups.backup(a, w.out("db")),
    "BackupService.restore": _restore,
    "BackupService.daily_backup": lambda w: lambda a: w.desk.backups.daily_backup(a),
    "BackupService.restore_plan": _restore_plan,
    "DemoService.generate": lambda w: lambda a: w.desk.demo.generate(a),
    "KeyService.sign_pdf": _sign_pdf,
    "KeyService.sign_pdf_file": _sign_pdf_file,
    "KeyService.export_ca": lambda w: lambda a: w.desk.keys.export_ca(
        a, w.tmp / f"ca-{a.name}.pem"),
    "KeyService.ca_status": lambda w: lambda a: w.desk.keys.ca_status(a),
    "KeyService.export_crl": lambda w: lambda a: w.desk.keys.export_crl(
        a, w.tmp / f"ca-{a.name}.crl"),
    "KeyService.new_recovery_code": lambda w: lambda a: w.desk.keys.new_recovery_code(a),
    "KeyService.recover": _recover_ca,
    "KeyService.check_signing_password": lambda w: lambda a: w.desk.keys.check_signing_password(
        a, PASSWORD),
    "ExportService.export":
        lambda w: lambda a: w.desk.exports.export(a, "audit", None, None, "csv", w.out("csv")),
    "ExportService.registers": lambda w: lambda a: w.desk.exports.registers(a),
    "ExportService.check":
        lambda w: lambda a: w.desk.exports.check(a, "audit", None, None, "csv", w.out("csv")),
    **{f"{cls}.{method}": _source_call(register, method)
       for cls, register in _SOURCE_CLASSES.items()
       for method in ("count", "page", "rows", "export_rows")},
    "ArchiveService.add_department":
        lambda w: lambda a: w.desk.archive.add_department(a, f"D{w.n()}", "测试部"),
    "ArchiveService.add_item": lambda w: lambda a: w.desk.archive.add_item(
        a, title="x", kind="TZ", dept="KF", level="public"),
    "ArchiveService.add_kind": lambda w: lambda a: w.desk.archive.add_kind(a, f"Q{w.n()}", "其他"),
    "ArchiveService.add_location":
        lambda w: lambda a: w.desk.archive.add_location(a, f"B{w.n()}"),
    "ArchiveService.count": lambda w: lambda a: w.desk.archive.count(a, ItemFilter()),
    "ArchiveService.get": lambda w: lambda a: w.desk.archive.get(a, w.secret_ref),
    "ArchiveService.get_many": lambda w: lambda a: w.desk.archive.get_many(
        a, [w.secret_ref, w.public_ref], "labels"),
    "ArchiveService.open_item": lambda w: lambda a: w.desk.archive.open_item(a, w.secret_ref),
    "ArchiveService.page": lambda w: lambda a: w.desk.archive.page(a, ItemFilter(), 0, 10),
    "ArchiveService.scan": lambda w: lambda a: w.desk.archive.scan(a, w.public_ref),
    "ArchiveService.history": lambda w: lambda a: w.desk.archive.history(a, w.secret_ref),
    "ArchiveEditService.edit_item": _edit_item,
    "ArchiveEditService.place_item": _place_item,
    "ArchiveEditService.move_location": _move_location,
    "LabelService.labels_pdf": lambda w: lambda a: w.desk.labels.labels_pdf(a, [w.public_ref]),
    "PersonnelService.admit": _admit,
    "PersonnelService.status": lambda w: lambda a: w.desk.personnel.status(a),
    "PersonnelService.new_recovery_code": _new_personnel_code,
    "PersonnelService.recover": _recover_personnel,
    "PersonnelService.grant": _grant,
    "PersonnelService.revoke_grant": _revoke_grant,
    "PersonnelService.grants": lambda w: lambda a: w.desk.personnel.grants(a),
    "LoanService.lend": _lend,
    "LoanService.return_items": _return,
    "LoanService.return_by_borrower": _return_session,
    "LoanService.renew": _renew,
    "LoanService.send_reminder":
        lambda w: lambda a: w.desk.loans.send_reminder(a, w.overdue_borrower),
    "LoanService.send_reminders": lambda w: lambda a: w.desk.loans.send_reminders(a),
    "LoanService.renewal_terms": _renewal_terms,
    "LoanService.sign_renewal": _sign_renewal,
    "LoanService.reminder_log": lambda w: lambda a: w.desk.loans.reminder_log(a),
    "LoanService.sign_slip": _sign_slip,
    "LoanService.sign_receipt": _sign_receipt,
    "LoanService.correct": _correct,
    "LoanService.corrections": lambda w: lambda a: w.desk.loans.corrections(a, 1),
    "LoanService.count": lambda w: lambda a: w.desk.loans.count(a, LoanFilter()),
    "LoanService.page": lambda w: lambda a: w.desk.loans.page(a, LoanFilter(), 0, 10),
    "LoanService.overdue_by_borrower": lambda w: lambda a: w.desk.loans.overdue_by_borrower(a),
    "LoanService.reminders": lambda w: lambda a: w.desk.loans.reminders(a, w.overdue_borrower),
    "LoanService.slip": lambda w: lambda a: w.desk.loans.slip(a, w.slip["id"]),
    "LoanService.receipt": lambda w: lambda a: w.desk.loans.receipt(a, w.receipt["id"]),
    "LoanService.document": lambda w: lambda a: w.desk.loans.document(a, w.slip["number"]),
    "ScriptService.scripts": lambda w: lambda a: w.desk.scripts.scripts(a, "en"),
    "ScriptService.script": lambda w: lambda a: w.desk.scripts.script(a, "visitor.greet", "en"),
    "ScriptService.history":
        lambda w: lambda a: w.desk.scripts.history(a, "visitor.greet", "en"),
    "ScriptService.render": lambda w: lambda a: w.desk.scripts.render(a, "visitor.greet", "en"),
    "ScriptService.automatic_values":
        lambda w: lambda a: w.desk.scripts.automatic_values(a, "en"),
    "ScriptService.save_script": lambda w: lambda a: w.desk.scripts.save_script(
        a, "visitor.greet", "en", f"Hello, version {w.n()}."),
    "VisitService.open_visit":
        lambda w: lambda a: w.desk.visits.open_visit(a, "visit", name="Li"),
    "VisitService.update_visit": _visit_call("update_visit", name="Zhao"),
    "VisitService.answer": _visit_call("answer"),
    "VisitService.resolve": _visit_call("resolve", "solved"),
    "VisitService.close_visit": _visit_call("close_visit"),
    "VisitService.sweep_timeouts": lambda w: lambda a: w.desk.visits.sweep_timeouts(a),
    "CallBackService.schedule_callback": lambda w: lambda a: w.desk.callbacks.schedule_callback(
        a, "13800000000", "follow up", w.desk.ctx.clock.now() + timedelta(days=1)),
    "CallBackService.record_callback": _record_callback,
    "ComplaintService.add_complaint":
        lambda w: lambda a: w.desk.complaints.add_complaint(a, "noise", "loud"),
    "ComplaintService.reply_complaint": _reply_complaint,
    "MessageService.take_message":
        lambda w: lambda a: w.desk.messages.take_message(a, "target", "赵先生", "请回电"),
    "MessageService.chase_message": _chase_message,
    "MessageService.addressees": lambda w: lambda a: w.desk.messages.addressees(a),
    "MessageService.to_chase": lambda w: lambda a: w.desk.messages.to_chase(a),
    "MessageService.count_messages": lambda w: lambda a: w.desk.messages.count_messages(a),
    "MessageService.page_messages": lambda w: lambda a: w.desk.messages.page_messages(a),
    "MessageService.my_messages": lambda w: lambda a: w.desk.messages.my_messages(a),
    "MessageService.confirm_message": _confirm_message,
    "VisitService.get_visit": lambda w: lambda a: w.desk.visits.get_visit(a, w.visit_id),
    "VisitService.visits": lambda w: lambda a: w.desk.visits.visits(a),
    "VisitService.count_visits": lambda w: lambda a: w.desk.visits.count_visits(a),
    "VisitService.active": lambda w: lambda a: w.desk.visits.active(a),
    "VisitService.current_visitors": lambda w: lambda a: w.desk.visits.current_visitors(a),
    "VisitService.escalations": lambda w: lambda a: w.desk.visits.escalations(a),
    "CallBackService.callbacks": lambda w: lambda a: w.desk.callbacks.callbacks(a),
    "CallBackService.count_callbacks":
        lambda w: lambda a: w.desk.callbacks.count_callbacks(a, True),
    "CallBackService.page_callbacks":
        lambda w: lambda a: w.desk.callbacks.page_callbacks(a, False, 0, 10),
    "CallBackService.callback_form":
        lambda w: lambda a: w.desk.callbacks.callback_form(a, w.callback_id),
    "ComplaintService.complaints": lambda w: lambda a: w.desk.complaints.complaints(a),
    "ComplaintService.count_complaints": lambda w: lambda a: w.desk.complaints.count_complaints(a),
    "ComplaintService.complaint_stats":
        lambda w: lambda a: w.desk.complaints.complaint_stats(a, 2026, 11),
    "ComplaintService.export_complaint_stats":
        lambda w: lambda a: w.desk.complaints.export_complaint_stats(a, 2026, 11, "xlsx",
                                                                    w.out("xlsx")),
    "ApprovalService.request": _request_access,
    "ApprovalService.decide": _approval_call("decide", decided=False),
    "ApprovalService.revoke": _approval_call("revoke"),
    "ApprovalService.record_copies": _record_copies,
    "ApprovalService.dispose_copies": _dispose_copies,
    "ApprovalService.show": _approval_call("show"),
    "ApprovalService.document": _approval_call("document"),
    "ApprovalService.count": lambda w: lambda a: w.desk.approvals.count(a, ApprovalFilter()),
    "ApprovalService.page": lambda w: lambda a: w.desk.approvals.page(a, ApprovalFilter(), 0, 10),
    "ApprovalService.explain": lambda w: lambda a: w.desk.approvals.explain(
        a, [w.secret_ref], BorrowerInput(user_name="target"), False, None),
    "ApprovalService.waiting_count": lambda w: lambda a: w.desk.approvals.waiting_count(a),
    "ApprovalService.expiring": lambda w: lambda a: w.desk.approvals.expiring(a),
    "ApprovalService.history_for_item":
        lambda w: lambda a: w.desk.approvals.history_for_item(a, w.secret_ref),
    "RetentionService.set_kind_retention":
        lambda w: lambda a: w.desk.retention.set_kind_retention(a, "TZ", 30),
    "RetentionService.due_count": lambda w: lambda a: w.desk.retention.due_count(a),
    "RetentionService.due_page": lambda w: lambda a: w.desk.retention.due_page(a, 0, 10),
    "RetentionService.holds": lambda w: lambda a: w.desk.retention.holds(a),
    "RetentionService.count": lambda w: lambda a: w.desk.retention.count(a, DestructionFilter()),
    "RetentionService.page":
        lambda w: lambda a: w.desk.retention.page(a, DestructionFilter(), 0, 10),
    "RetentionService.show": _destruction_read("show"),
    "RetentionService.item_lists": lambda w: lambda a: w.desk.retention.item_lists(
        a, w.public_ref),
    "RetentionService.document": _destruction_read("document"),
    "RetentionService.hold": _hold,
    "RetentionService.release": _release,
    "RetentionService.propose": _propose,
    "RetentionService.decide": _decide_destruction,
    "RetentionService.destroy": _destroy,
    **permissions_handover.ACTIONS,
    **permissions_borrowers.ACTIONS,
    **permissions_documents.ACTIONS,
    **permissions_imports.ACTIONS,
    **permissions_reception_loop.ACTIONS,
    **permissions_timeouts.ACTIONS,
    **permissions_service_report.ACTIONS,
}


# ------------------------------------------------------------------------------ the tests


def actor_methods(desk: Desk) -> dict[str, Callable[..., Any]]:
    """``Service.method`` of every public method with an ``actor`` parameter of every service
    the desk holds (and any service those hold)."""
    services: list[Service] = []
    pending: list[Any] = list(vars(desk).values())
    while pending:
        value = pending.pop()
        if isinstance(value, dict):  # Desk.services, Desk.registers, ExportService.sources
            pending.extend(value.values())
        elif isinstance(value, Service) and all(value is not s for s in services):
            services.append(value)
            pending.extend(vars(value).values())
    found: dict[str, Callable[..., Any]] = {}
    for service in services:
        cls = type(service)
        for name, member in inspect.getmembers(cls):
            if name.startswith("_") or not (inspect.isfunction(member) or inspect.ismethod(member)):
                continue
            if "actor" not in inspect.signature(member).parameters:
                continue
            if member.__qualname__ in PERMISSION_CHECKS:
                continue
            found[f"{cls.__name__}.{name}"] = member
    return found


def test_every_method_with_an_actor_is_in_the_table(sqlite_desk):
    found = actor_methods(sqlite_desk)
    missing = sorted(set(found) - set(ALLOWED))
    assert not missing, ("public service methods with an actor that the role × action table "
                         "does not list: " + ", ".join(missing))
    stale = sorted(set(ALLOWED) - set(found))
    assert not stale, "the table lists methods that no service has: " + ", ".join(stale)
    assert set(ACTIONS) == set(ALLOWED), sorted(set(ACTIONS) ^ set(ALLOWED))
    assert all(roles <= SIGNED_IN and roles for roles in ALLOWED.values())


@pytest.mark.parametrize("method", sorted(ALLOWED))
def test_role_action_matrix(world, method):
    """Refused roles get PermissionDenied and change nothing; allowed roles' calls succeed."""
    _check_matrix(world, method, ALLOWED[method], ACTIONS[method])


def test_every_register_is_in_the_export_table(sqlite_desk):
    assert set(sqlite_desk.registers) == set(EXPORTS)


@pytest.mark.parametrize("register", sorted(EXPORTS))
def test_each_register_exports_only_to_whom_the_table_says(world, register):
    def prepare(w: World) -> Call:
        return lambda a: w.desk.exports.export(a, register, None, None, "csv", w.out("csv"))

    _check_matrix(world, f"export {register}", EXPORTS[register], prepare)
    may = {name for name, _title in world.desk.exports.registers(world.actors[Role.MANAGER])}
    assert (register in may) == (Role.MANAGER in EXPORTS[register])


def _check_matrix(world: World, label: str, allowed: frozenset[Role],
                  prepare: Callable[[World], Call]) -> None:
    problems: list[str] = []
    # Refused roles first: their calls must leave the database as it was for the next one.
    for role in sorted(Role, key=lambda r: (r in allowed, r.value)):
        call = prepare(world)
        before = world.state()
        audit_before = AuditEntry.select().count()
        try:
            call(world.actors[role])
        except PermissionDenied as error:
            if role in allowed:
                problems.append(f"{role.value}: refused ({error}), the table allows it")
            elif world.state() != before:
                problems.append(
                    f"{role.value}: refused, but only after writing to the database "
                    f"({AuditEntry.select().count() - audit_before} new audit entries)")
        except Exception as error:
            error.add_note(f"{label} called as {role.value}")
            raise
        else:
            if role not in allowed:
                problems.append(f"{role.value}: allowed, the table says PermissionDenied")
    assert not problems, f"{label}:\n  " + "\n  ".join(problems)


def test_demo_on_a_used_database_needs_a_signed_in_admin(sqlite_desk):
    sqlite_desk.users.create_first_admin("admin", PASSWORD)
    with pytest.raises(PermissionDenied):
        sqlite_desk.demo.generate(None)

