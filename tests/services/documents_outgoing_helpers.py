"""Shared set-up of the outgoing document and liaison sheet tests: people in departments (a
drafter and the head of 客服部 KF, the general manager, office staff of 总经理办公室 ZB, a member
and the head of 工程部 GC, someone in no department) and a snapshot of everything a refused
step must leave unchanged."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from desk_app.store.archive import Department, SignedDocument
from desk_app.store.documents import Document, DocumentAttachment, StaffDepartment
from desk_app.store.models import AuditEntry, NumberCounter, SettingValue
from tests.conftest import PASSWORD, add_user

TITLE = "关于春节期间物业服务安排的通知"
BODY = "各位业主、住户：\n春节期间客服中心值班时间为每日8:00至20:00，如有报修请拨打服务热线。"


def place(user_id: int | None, code: str, head: bool = False) -> None:
    """A user's department (the departments part of the service sets it in the product)."""
    dept = Department.get(Department.code == code)
    StaffDepartment.insert(user=user_id, dept=dept.id, head=head).on_conflict(
        conflict_target=[StaffDepartment.user],
        update={StaffDepartment.dept: dept.id, StaffDepartment.head: head}).execute()


def make_people(desk, admin) -> dict[str, Any]:
    people = {"admin": admin,
              "chen": add_user(desk, admin, "chen", "clerk", "陈晓"),  # drafter, KF
              "zhou": add_user(desk, admin, "zhou", "clerk", "周敏"),  # head of KF
              "boss": add_user(desk, admin, "boss", "manager", "张伟"),  # general manager, ZB
              "wang": add_user(desk, admin, "wang", "clerk", "王芳"),  # office staff, ZB
              "sun": add_user(desk, admin, "sun", "clerk", "孙丽"),  # member of GC
              "li": add_user(desk, admin, "li", "supervisor", "李强"),  # head of GC
              "ma": add_user(desk, admin, "ma", "clerk", "马丁")}  # no department
    place(people["chen"].user_id, "KF")
    place(people["zhou"].user_id, "KF", head=True)
    place(people["boss"].user_id, "ZB")
    place(people["wang"].user_id, "ZB")
    place(people["sun"].user_id, "GC")
    place(people["li"].user_id, "GC", head=True)
    return people


def draft(desk, people, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"title": TITLE, "addressee": "各业主、住户", "body": BODY,
                              "kind": "TZ", "password": PASSWORD}
    values.update(changes)
    return desk.documents.draft(changes.pop("actor", people["chen"]),
                                **{k: v for k, v in values.items() if k != "actor"})


def signed_off(desk, people, **changes: Any) -> dict[str, Any]:
    data = draft(desk, people, **changes)
    desk.documents.review(people["zhou"], data["id"], approve=True, password=PASSWORD)
    return desk.documents.signoff(people["boss"], data["id"], approve=True, reason="同意印发",
                                  password=PASSWORD)


def sent(desk, people, **changes: Any) -> dict[str, Any]:
    data = signed_off(desk, people, **changes)
    return desk.documents.send(people["wang"], data["id"], password=PASSWORD)


def state() -> tuple:
    """Everything a refused step must leave as it was (the audit trail counted apart)."""
    return (list(Document.select().order_by(Document.id).tuples()),
            list(DocumentAttachment.select(DocumentAttachment.id).tuples()),
            list(SignedDocument.select(SignedDocument.id).tuples()),
            list(NumberCounter.select().order_by(NumberCounter.series).tuples()),
            list(SettingValue.select().order_by(SettingValue.key).tuples()),
            AuditEntry.select().count())


def pdfsig(pdf: bytes, ca_pem: bytes, tmp_path: Path) -> str:
    """``pdfsig``'s report of ``pdf`` with the desk's CA trusted (poppler-utils, NSS tools)."""
    for tool in ("pdfsig", "certutil"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install poppler-utils and libnss3-tools")
    nss = tmp_path / "nss"
    nss.mkdir(exist_ok=True)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True,
                   capture_output=True, timeout=60)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "desk-ca", "-t", "C,C,C", "-a",
                    "-i", str(tmp_path / "ca.pem")], check=True, capture_output=True, timeout=60)
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def text_of(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60)
    return "".join(done.stdout.decode("utf-8").split())
