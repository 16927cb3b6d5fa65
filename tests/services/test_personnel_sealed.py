"""R6, issue 11: personnel files are sealed from everyone but admitted personnel officers.

Each test here failed on the code before issue 11: a clerk could tell that a hidden file
exists (a typed reference, "not on loan", a gap in the numbering), the audit trail and its
exports carried titles and keywords, the database and its backups held them in clear, and
an administrator who gave himself the personnel role read them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest

from desk_app.domain.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from desk_app.services.archive import ItemFilter
from desk_app.services.audit import AuditFilter
from desk_app.services.loans import BorrowerInput, LoanFilter
from desk_app.store import search
from desk_app.store.archive import SEALED_TITLE, Item, PersonnelSealed
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user

TITLE = "员工档案：周敏绩效面谈"
KEYWORDS = "绩效考核 调岗申请"
SECRET_WORDS = ("周敏", "绩效", "面谈", "调岗", "考核")
SEALED = "Sealed — ask a personnel officer to admit you."


@pytest.fixture
def staff(desk, admin):
    people = {
        "admin": admin,
        "clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
        "auditor": add_user(desk, admin, "audit1", "auditor", "陈静"),
        "borrower": add_user(desk, admin, "borrower1", "manager", "张伟"),
        "hr2": add_user(desk, admin, "hr2", "personnel", "赵丽"),
        "hr1": add_user(desk, admin, "hr1", "personnel", "刘洋"),
    }
    return people


def officer(desk, name: str = "hr1"):
    """Sign the officer in again: a desk holds the secrets of the last user signed in."""
    return desk.auth.login(name, PASSWORD)


@pytest.fixture
def sealed_ref(desk, staff) -> str:
    """One personnel file, registered by the officer (whose first look makes the key)."""
    hr1 = officer(desk)
    return desk.archive.add_item(hr1, title=TITLE, kind="YH", dept="XZ", level="personnel",
                                 keywords=KEYWORDS, doc_date=date(2026, 3, 1)).ref


def assert_no_secret(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text, word


# ------------------------------------------------------------------ no existence oracle


def test_personnel_files_have_their_own_reference_series(desk, staff, sealed_ref):
    assert sealed_ref == "RS-2026-0001"
    clerk = staff["clerk"]
    # the ordinary series has no gap where the personnel file is
    ordinary = desk.archive.add_item(clerk, title="行政通知", kind="YH", dept="XZ",
                                     level="public", doc_date=date(2026, 3, 2))
    assert ordinary.ref == "XZ-YH-2026-0001"
    hr1 = officer(desk)
    second = desk.archive.add_item(hr1, title="员工档案：李强", kind="YH", dept="XZ",
                                   level="personnel", doc_date=date(2026, 5, 1))
    assert second.ref == "RS-2026-0002"
    with pytest.raises(ValidationError, match="starts with RS-"):
        desk.archive.add_item(hr1, title="x", kind="YH", dept="XZ", level="personnel",
                              ref="XZ-YH-2026-0009")


def test_a_clerk_typing_a_sealed_reference_learns_nothing(desk, staff, sealed_ref):
    clerk = staff["clerk"]
    answers = []
    for ref in (sealed_ref, "RS-2026-0777"):  # one exists (sealed), one does not
        with pytest.raises(ValidationError) as refused:
            desk.archive.add_item(clerk, title="我的文件", kind="TZ", dept="KF", level="public",
                                  ref=ref)
        answers.append((type(refused.value), str(refused.value).replace(ref, "REF")))
    assert answers[0] == answers[1]
    assert "are for personnel files" in answers[0][1]
    with pytest.raises(PermissionDenied):  # only the personnel officer registers them (R6)
        desk.archive.add_item(clerk, title="x", kind="YH", dept="XZ", level="personnel")


@pytest.mark.parametrize("action", ["return", "renew", "lend", "show", "scan", "labels",
                                    "history"])
def test_a_sealed_reference_is_no_such_item_everywhere(desk, staff, sealed_ref, action):
    clerk = staff["clerk"]
    calls = {
        "return": lambda ref: desk.loans.return_items(clerk, [ref]),
        "renew": lambda ref: desk.loans.renew(clerk, ref),
        "lend": lambda ref: desk.loans.lend(clerk, [ref], BorrowerInput(user_name="borrower1"),
                                            "查阅"),
        "show": lambda ref: desk.archive.get(clerk, ref),
        "scan": lambda ref: desk.archive.scan(clerk, ref),
        "labels": lambda ref: desk.labels.labels_pdf(clerk, [ref]),
        "history": lambda ref: desk.archive.history(clerk, ref),
    }
    answers = []
    for ref in (sealed_ref, "RS-2026-0777"):
        with pytest.raises(NotFound) as refused:
            calls[action](ref)
        answers.append((type(refused.value), refused.value.exit_code,
                        str(refused.value).replace(ref, "REF")))
    assert answers[0] == answers[1]


# ------------------------------------------------------------------ the audit trail


def test_the_audit_trail_and_its_exports_hold_no_personnel_text(desk, staff, sealed_ref,
                                                                  tmp_path):
    hr1 = officer(desk)
    desk.archive.get(hr1, sealed_ref)  # item.view_secret
    desk.archive.open_item(hr1, sealed_ref)
    desk.archive.page(hr1, ItemFilter(query="周敏"), 0, 10)
    desk.labels.labels_pdf(hr1, [sealed_ref])
    every = "\n".join(entry.change for entry in AuditEntry.select())
    assert_no_secret(every)
    added = json.loads(AuditEntry.get(AuditEntry.action == "item.add").change)["after"]
    assert added["ref"] == sealed_ref and added["level"] == "personnel"
    assert len(added["sealed"]) == 64
    for who in ("admin", "auditor"):
        actor = desk.auth.login(staff[who].name, PASSWORD)
        rows = desk.audit.page(actor, AuditFilter(), 0, 1000)
        assert_no_secret(json.dumps(rows, ensure_ascii=False, default=str))
        for fmt in ("csv", "xlsx", "pdf"):
            out = tmp_path / f"{who}.{fmt}"
            desk.exports.export(actor, "audit", None, None, fmt, out,
                                password=PASSWORD if fmt == "pdf" else None)
            assert_no_secret(_text_of(out, fmt))
    assert desk.audit.verify(desk.auth.login("audit1", PASSWORD)).ok


def _text_of(path, fmt: str) -> str:
    if fmt == "csv":
        return path.read_text(encoding="utf-8-sig")
    if fmt == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row)
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/system-deps.sh test)")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


# ------------------------------------------------------------------ at rest


def test_the_database_and_its_backup_hold_no_personnel_text(sqlite_desk, tmp_path):
    desk = sqlite_desk
    desk.users.create_first_admin("admin", PASSWORD, "系统管理员")
    admin = desk.auth.login("admin", PASSWORD)
    add_user(desk, admin, "hr1", "personnel", "刘洋")
    hr1 = officer(desk)
    ref = desk.archive.add_item(hr1, title=TITLE, kind="YH", dept="XZ", level="personnel",
                                keywords=KEYWORDS).ref
    assert desk.archive.get(hr1, ref).title == TITLE
    admin = desk.auth.login("admin", PASSWORD)
    backup = desk.backups.backup(admin, tmp_path / "backup.db")
    path = desk.ctx.url.path
    desk.ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    files = [path, backup, path.with_name(path.name + "-wal")]
    for file in files:
        if file.exists():
            data = file.read_bytes()
            for word in SECRET_WORDS:
                assert word.encode("utf-8") not in data, (file.name, word)
    row = Item.get(Item.ref == ref)
    assert (row.title, row.keywords) == (SEALED_TITLE, "")
    assert PersonnelSealed.select().count() == 1


def test_the_search_index_holds_only_the_reference(desk, staff, sealed_ref):
    for word in ("周敏", "绩效", "调岗", "行政人事部", "业户档案"):  # title, keywords, dept, kind
        assert search.match_count(search.terms_for(word)) == 0, word
    assert search.match_count(search.terms_for(sealed_ref)) == 1
    clerk = staff["clerk"]
    assert desk.archive.page(clerk, ItemFilter(query=sealed_ref), 0, 10) == []


# ------------------------------------------------------------------ who reads them


def test_an_admin_who_takes_the_personnel_role_sees_only_the_seal(desk, staff, sealed_ref):
    desk.users.set_roles(staff["admin"], "admin", "admin,personnel")
    admin = desk.auth.login("admin", PASSWORD)
    view = desk.archive.get(admin, sealed_ref)
    assert (view.title, view.keywords) == (SEALED, "")
    assert [v.title for v in desk.archive.page(admin, ItemFilter(level="personnel"), 0, 10)] \
        == [SEALED]
    assert desk.archive.count(admin, ItemFilter(query="周敏")) == 0
    with pytest.raises(PermissionDenied, match="admit"):
        desk.archive.add_item(admin, title="x", kind="YH", dept="XZ", level="personnel")
    with pytest.raises(PermissionDenied, match="admit"):
        desk.personnel.admit(admin, "admin")
    assert desk.personnel.status(admin)["holders"] == ["hr1"]


def test_an_officer_not_admitted_sees_the_seal_until_admitted(desk, staff, sealed_ref):
    hr2 = officer(desk, "hr2")
    assert desk.archive.get(hr2, sealed_ref).title == SEALED
    with pytest.raises(PermissionDenied):
        desk.personnel.admit(hr2, "hr2")
    hr1 = officer(desk)
    with pytest.raises(ValidationError, match="not a personnel officer"):
        desk.personnel.admit(hr1, "clerk1")
    desk.personnel.admit(hr1, "hr2")
    with pytest.raises(ValidationError, match="admitted already"):
        desk.personnel.admit(hr1, "hr2")
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert entry.action == "personnel.admit" and json.loads(entry.change)["after"] == {
        "user": "hr2"}
    hr2 = officer(desk, "hr2")
    view = desk.archive.get(hr2, sealed_ref)
    assert (view.title, view.keywords) == (TITLE, KEYWORDS)
    assert desk.personnel.status(hr2) == {"exists": True, "holders": ["hr1", "hr2"],
                                          "recovery_code": False, "open": True}


def test_the_recovery_code_reopens_the_key_when_no_holder_is_left(desk, staff, sealed_ref):
    """The only holder's copy stops opening when an administrator resets their password (a
    new signing key): the recovery code, printed when it was made, seals it for them again."""
    hr1 = officer(desk)
    code = desk.personnel.new_recovery_code(hr1)
    assert desk.personnel.status(hr1)["recovery_code"] is True
    desk.users.reset_password(desk.auth.login("admin", PASSWORD), "hr1", "a-new-password-1")
    hr1 = desk.auth.login("hr1", "a-new-password-1")
    assert desk.archive.get(hr1, sealed_ref).title == SEALED
    assert desk.personnel.status(hr1)["holders"] == []
    with pytest.raises(AuthenticationFailed):
        desk.personnel.recover(hr1, "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE")
    desk.personnel.recover(hr1, code.lower().replace("-", " "))
    assert desk.archive.get(hr1, sealed_ref).title == TITLE
    hr1 = desk.auth.login("hr1", "a-new-password-1")  # sealed for the new key: opens at sign-in
    assert desk.archive.get(hr1, sealed_ref).title == TITLE
    actions = [entry.action for entry in AuditEntry.select().where(
        AuditEntry.action.startswith("personnel."))]
    assert actions == ["personnel.sealed", "personnel.recovery_code", "personnel.recover"]


def test_an_officer_finds_personnel_files_by_their_words(desk, staff, sealed_ref):
    """Not through the index (it holds no word of them): the officer's desk opens the few
    personnel files and matches them itself."""
    assert search.match_count(search.terms_for("绩效")) == 0
    hr1 = officer(desk)
    clerk = staff["clerk"]
    desk.archive.add_item(clerk, title="周敏报销单", kind="BG", dept="CW", level="public")
    for query, expected in (("周敏", {sealed_ref, "CW-BG-2026-0001"}), ("绩效", {sealed_ref}),
                            ("调岗", {sealed_ref}), (sealed_ref.lower(), {sealed_ref}),
                            ("报销", {"CW-BG-2026-0001"}), ("没有", set())):
        flt = ItemFilter(query=query)
        found = desk.archive.page(hr1, flt, 0, 50)
        assert {view.ref for view in found} == expected, query
        assert desk.archive.count(hr1, flt) == len(expected), query
        assert desk.archive.count(hr1, ItemFilter(query=query, level="personnel")) == len(
            expected & {sealed_ref})
    opened = next(v for v in desk.archive.page(hr1, ItemFilter(query="绩效"), 0, 5))
    assert opened.title == TITLE


def test_personnel_files_from_before_sealing_are_sealed_by_the_first_officer(desk, staff):
    """An existing database: personnel files in clear (and with ordinary references, which
    are kept: people wrote them on paper). The first officer's look seals them all, in one
    audited step that names no title."""
    clerk = staff["clerk"]
    legacy = desk.archive.add_item(clerk, title=TITLE, kind="YH", dept="XZ", level="internal",
                                   keywords=KEYWORDS)
    Item.update(level="personnel").where(Item.id == legacy.id).execute()  # as before issue 11
    search.rebuild()
    assert desk.archive.count(clerk, ItemFilter(query="周敏")) == 0  # never by its words
    hr1 = officer(desk)
    view = desk.archive.get(hr1, legacy.ref)
    assert (view.ref, view.title, view.keywords) == (legacy.ref, TITLE, KEYWORDS)
    row = Item.get_by_id(legacy.id)
    assert (row.title, row.keywords) == (SEALED_TITLE, "")
    sealed = AuditEntry.get(AuditEntry.action == "personnel.sealed")
    assert json.loads(sealed.change)["after"]["files"] == 1
    assert desk.archive.count(hr1, ItemFilter(query="绩效")) == 1
    # a clerk typing its (ordinary) reference gets the same answer as for any taken one
    with pytest.raises(Exception, match="exists already"):
        desk.archive.add_item(clerk, title="x", kind="TZ", dept="KF", level="public",
                              ref=legacy.ref)


def test_a_slip_of_a_sealed_file_shows_the_title_only_to_an_admitted_officer(desk, admin,
                                                                            staff):
    clerk = staff["clerk"]
    hr3 = add_user(desk, admin, "hr3", "clerk,personnel", "人事兼文员")
    item = desk.archive.add_item(clerk, title=TITLE, kind="YH", dept="XZ", level="internal")
    slip = desk.loans.lend(clerk, [item.ref], BorrowerInput(user_name="borrower1"), "核对")
    Item.update(level="personnel").where(Item.id == item.id).execute()  # re-classified
    with pytest.raises(NotFound):
        desk.loans.slip(clerk, slip["id"])
    with pytest.raises(NotFound, match="No item"):
        desk.loans.return_items(clerk, [item.ref])
    hr3 = desk.auth.login("hr3", PASSWORD)  # the first officer: makes the key, seals the file
    assert desk.loans.slip(hr3, slip["id"])["items"][0]["title"] == TITLE
    rows = desk.loans.page(hr3, LoanFilter(), 0, 10)
    assert [row["title"] for row in rows] == [SEALED_TITLE]  # lists never open them
