"""R6, issue 12: a personnel file's unique title, searched through every service and export
path as every role, is found only by the personnel officer and by a user with a live grant —
not with an ended grant, not with a revoked one.

The paths are a table (``PATHS``) and every register the desk holds is added to it by itself
(``desk.registers``: its rows, and its CSV and XLSX exports), so a new register cannot be
forgotten. A path a role may not use (PermissionDenied) or that answers "no such item" shows
nothing. The kinds of path:

- ``title``: shows the file's title (search, details, scan, labels): found ⇔ entitled;
- ``words``: a search by the file's words: as ``title``, but an officer not admitted (who
  sees the file by its reference) does not find it by words it cannot read;
- ``row``: lists the file by reference with the placeholder title (loan lists, reminders,
  the loan register): its reference shows ⇔ entitled (the item register opens the title);
- ``trail``: the audit trail (list, exports, register) and backups: never the title, for
  anyone (the reference is recorded there by design);
- ``record``: the grants list: the reference for whoever may read the list, the title only
  for a reader of the file.
Every other register is checked the way round only: nothing of the file for anyone not
entitled. A personnel officer not admitted sees the file (its reference, a placeholder)
but never reads it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desk_app.domain.errors import NotFound, PermissionDenied, ValidationError
from desk_app.services.archive import ItemFilter
from desk_app.services.audit import AuditFilter
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.services.registers import Period
from desk_app.store.archive import Item, Loan
from tests.conftest import PASSWORD, add_user

TITLE = "Zebrafinch-9f3 appraisal"
WORD = "zebrafinch"
TODAY = date(2026, 11, 2)  # the clock fixture's local day; the checks run the day after

READS, SEES, NOTHING = "reads", "sees", "nothing"
# who: (user name, roles, what of the file they get)
WHO = {
    "clerk": ("clerk1", "clerk", NOTHING),
    "supervisor": ("super1", "supervisor", NOTHING),
    "manager": ("manager1", "manager", NOTHING),
    "auditor": ("audit1", "auditor", NOTHING),
    "admin": ("admin", "admin", NOTHING),
    "officer": ("hr1", "personnel", READS),
    "officer_not_admitted": ("hr2", "personnel", SEES),
    "clerk_live_grant": ("granted1", "clerk", READS),
    "manager_live_grant": ("granted2", "manager", READS),
    "clerk_ended_grant": ("ended1", "clerk", NOTHING),
    "clerk_revoked_grant": ("revoked1", "clerk", NOTHING),
}


@dataclass
class World:
    desk: Any
    ref: str
    borrower_id: int
    tmp: Path
    n: int = 0

    def out(self, suffix: str) -> Path:
        self.n += 1
        return self.tmp / f"out-{self.n}.{suffix}"


@pytest.fixture
def world(desk, admin, clock, tmp_path) -> World:
    for key, (name, roles, _entitled) in WHO.items():
        if key != "admin":
            add_user(desk, admin, name, roles)
    add_user(desk, admin, "borrower1", "clerk")
    hr1 = desk.auth.login("hr1", PASSWORD)
    ref = desk.archive.add_item(hr1, title=TITLE, kind="YH", dept="XZ", level="personnel",
                                keywords="quokka7").ref
    later = TODAY + timedelta(days=30)
    desk.personnel.grant(hr1, ref, "granted1", later, "复核")
    desk.personnel.grant(hr1, ref, "granted2", later, "复核")
    desk.personnel.grant(hr1, ref, "ended1", TODAY, "复核")
    revoked = desk.personnel.grant(hr1, ref, "revoked1", later, "复核")
    desk.personnel.revoke_grant(hr1, revoked["id"], "不再需要")
    # A loan of the file (one lent before it was re-classified), overdue: lend an ordinary
    # file, then point the loan at the personnel file.
    clerk = desk.auth.login("clerk1", PASSWORD)
    other = desk.archive.add_item(clerk, title="行政通知", kind="YH", dept="XZ", level="public")
    desk.loans.lend(clerk, [other.ref], BorrowerInput(user_name="borrower1"), "核对")
    sealed_id = Item.get(Item.ref == ref).id
    Loan.update(item=sealed_id, due_on=TODAY - timedelta(days=5)).execute()
    Item.update(status="available").where(Item.ref == other.ref).execute()
    # and past its retention: due for review (for those who may see it)
    Item.update(review_on=TODAY - timedelta(days=400)).where(Item.id == sealed_id).execute()
    clock.advance(days=1)  # the ended grant's last day is over
    return World(desk, ref, Loan.get().borrower_id, tmp_path)


# ------------------------------------------------------------------ reading what came out


def pdf_text(pdf: bytes, tmp: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/system-deps.sh test)")
    path = tmp / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def file_text(path: Path) -> str:
    if path.suffix == ".csv":
        return path.read_text(encoding="utf-8-sig")
    book = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(str(cell) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for cell in row)


def dumped(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=lambda v: getattr(v, "__dict__", str(v)))


# ------------------------------------------------------------------ the paths

Path_ = Callable[[World, Any], str]


def _reminder(w: World, a: Any) -> str:
    bundle, pdf = w.desk.loans.send_reminder(a, w.borrower_id)
    return dumped(bundle) + pdf_text(pdf, w.tmp)


def _backup(w: World, a: Any) -> str:
    path = w.desk.backups.backup(a, w.out("db"))
    return path.read_bytes().decode("latin-1")


def _audit_export(w: World, a: Any, fmt: str) -> str:
    out = w.out(fmt)
    w.desk.exports.export(a, "audit", None, None, fmt, out)
    return file_text(out)


PATHS: dict[str, tuple[str, Path_]] = {
    "search count and page": ("words", lambda w, a: dumped([
        w.desk.archive.count(a, ItemFilter(query=WORD)),
        w.desk.archive.page(a, ItemFilter(query=WORD), 0, 50)])),
    "search by keyword": ("words", lambda w, a: dumped(
        w.desk.archive.page(a, ItemFilter(query="quokka7"), 0, 50))),
    "search by reference": ("title", lambda w, a: dumped(
        w.desk.archive.page(a, ItemFilter(query=w.ref), 0, 50))),
    "register page": ("title", lambda w, a: dumped(
        w.desk.archive.page(a, ItemFilter(), 0, 500))),
    "personnel level": ("title", lambda w, a: dumped(
        w.desk.archive.page(a, ItemFilter(level="personnel"), 0, 50))),
    "show": ("title", lambda w, a: dumped(w.desk.archive.get(a, w.ref))),
    "scan": ("title", lambda w, a: dumped(w.desk.archive.scan(a, w.ref))),
    "open item": ("title", lambda w, a: dumped(w.desk.archive.open_item(a, w.ref))),
    "labels": ("title", lambda w, a: pdf_text(w.desk.labels.labels_pdf(a, [w.ref]), w.tmp)),
    "history": ("row", lambda w, a: w.ref * bool(w.desk.archive.history(a, w.ref))),
    "loan register": ("row", lambda w, a: dumped([
        w.desk.loans.count(a, LoanFilter()), w.desk.loans.page(a, LoanFilter(), 0, 50)])),
    "overdue list": ("row", lambda w, a: dumped(
        w.desk.loans.page(a, LoanFilter(overdue_only=True), 0, 50))),
    "overdue by borrower": ("row", lambda w, a: dumped(w.desk.loans.overdue_by_borrower(a))),
    "reminder": ("row", _reminder),
    # a slip listing the file is as unknown as the file (also to a grantee: loans.py)
    "loan slip": ("hidden", lambda w, a: dumped(w.desk.loans.slip(a, Loan.get().slip_id))),
    # the Today page and the retention lists
    "recent actions": ("trail", lambda w, a: dumped(w.desk.audit.recent_by(a, 1000))),
    "due for review": ("hidden", lambda w, a: dumped([
        w.desk.retention.due_count(a), w.desk.retention.due_page(a, 0, 1000)])),
    "disposal holds": ("hidden", lambda w, a: dumped(w.desk.retention.holds(a, False, 0, 1000))),
    "audit list": ("trail", lambda w, a: dumped(w.desk.audit.page(a, AuditFilter(), 0, 10000))),
    "audit csv": ("trail", lambda w, a: _audit_export(w, a, "csv")),
    "audit xlsx": ("trail", lambda w, a: _audit_export(w, a, "xlsx")),
    "grants list": ("record", lambda w, a: dumped(w.desk.personnel.grants(a))),
    "backup": ("trail", _backup),
}


def register_paths(desk) -> dict[str, tuple[str, Path_]]:
    """Every register the desk holds: its rows, and its CSV and XLSX exports."""
    paths: dict[str, tuple[str, Path_]] = {}
    for name in sorted(desk.registers):
        kind = {"items": "title", "loans": "row", "audit": "trail"}.get(name, "hidden")

        def rows(w: World, a: Any, name: str = name) -> str:
            source = w.desk.registers[name]
            return dumped([list(row) if isinstance(row, tuple) else row
                           for row in source.rows(a, source.period(Period()))])

        def export(w: World, a: Any, fmt: str, name: str = name) -> str:
            out = w.out(fmt)
            w.desk.exports.export(a, name, None, None, fmt, out)
            return file_text(out)

        paths[f"register {name} rows"] = (kind, rows)
        for fmt in ("csv", "xlsx"):
            paths[f"register {name} {fmt}"] = (
                kind, lambda w, a, name=name, fmt=fmt: export(w, a, fmt, name))
    return paths


def run(path: Path_, world: World, actor: Any) -> str | None:
    """What the path shows ``actor``; None when refused or "no such item"."""
    try:
        return path(world, actor)
    except PermissionDenied:
        return None
    except NotFound:
        return ""
    except ValidationError as error:  # a reminder for a borrower with nothing (visible) due
        assert error.field == "borrower", error
        return ""


@pytest.mark.parametrize("who", sorted(WHO))
def test_the_sealed_title_is_found_only_by_the_officer_and_a_live_grant(world, who):
    name, _roles, gets = WHO[who]
    desk = world.desk
    problems: list[str] = []
    permitted = 0
    for label, (kind, path) in {**PATHS, **register_paths(desk)}.items():
        actor = desk.auth.login(name, PASSWORD)  # (a path may sign another user in: none do)
        shown = run(path, world, actor)
        if shown is None:
            continue
        permitted += 1
        has_title = WORD in shown.lower() or "quokka7" in shown
        has_ref = world.ref in shown
        may_read = gets == READS and kind in ("words", "title", "row", "record")
        may_see = gets != NOTHING or kind in ("trail", "record")
        if has_title and not may_read:
            problems.append(f"{label}: shows the title")
        if has_ref and not may_see:
            problems.append(f"{label}: lists the file ({world.ref})")
        if gets == READS and kind in ("words", "title") and not has_title:
            problems.append(f"{label}: {who} does not find the title")
        if gets != NOTHING and kind in ("title", "row") and not has_ref:
            problems.append(f"{label}: {who} does not see the file")
    assert permitted >= 5, f"{who} used only {permitted} paths"
    assert not problems, f"{who}:\n  " + "\n  ".join(problems)


def test_every_register_is_searched(desk):
    """The table above takes its registers from the desk: none can be left out."""
    assert {label.split()[1] for label in register_paths(desk)} == set(desk.registers)
