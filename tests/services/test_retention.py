"""Retention and approved destruction (R2, R3): review dates, holds, destruction lists from
proposal to the signed record, and every refusal of the issue's "bad input" list."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime

import pytest

from desk_app.domain import retention
from desk_app.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotFound,
    ValidationError,
)
from desk_app.forms import signing
from desk_app.services.exports import verify_pdf_file
from desk_app.services.loans import BorrowerInput
from desk_app.services.retention import DestructionFilter
from desk_app.store.approvals import Destruction, DestructionItem, DisposalHold
from desk_app.store.archive import Item, Kind, SignedDocument
from desk_app.store.models import AuditEntry
from tests.conftest import PASSWORD, add_user


@pytest.fixture
def people(desk, admin):
    return {"admin": admin,
            "clerk": add_user(desk, admin, "clerk1", "clerk", "王芳"),
            "clerk2": add_user(desk, admin, "clerk2", "clerk", "周敏"),
            "manager": add_user(desk, admin, "boss", "manager", "张伟"),
            "auditor": add_user(desk, admin, "audit", "auditor")}


def _old(desk, clerk, title="旧合同", year=2010, years=10, **kwargs) -> str:
    return desk.archive.add_item(clerk, title=title, kind="TZ", dept="KF", level="public",
                                 doc_date=date(year, 3, 1), retention_years=years, **kwargs).ref


def _state():
    return tuple(model.select().count() for model in (Destruction, DestructionItem, DisposalHold,
                                                      SignedDocument, AuditEntry))


def _approved(desk, people, refs):
    listed = desk.retention.propose(people["clerk"], refs, "超过保管期限")
    return desk.retention.decide(people["manager"], listed["id"], True, "同意销毁", PASSWORD)


# ------------------------------------------------------------------ review dates


def test_review_on_rules():
    assert retention.review_on(2020, 10, None) == date(2031, 1, 1)
    assert retention.review_on(2020, None, 30) == date(2051, 1, 1)  # the kind's default
    assert retention.review_on(2020, 5, 30) == date(2026, 1, 1)  # the file's own wins
    assert retention.review_on(2020, 0, 30) is None  # 0: permanent, whatever the kind says
    assert retention.review_on(2020, None, None) is None
    assert retention.check_method(" Shredding ") == "shredding"
    assert retention.check_method("碎纸机粉碎") == "碎纸机粉碎"
    with pytest.raises(ValidationError):
        retention.check_method(" ")
    with pytest.raises(ValidationError):
        retention.check_method("x" * 121)


def test_review_dates_follow_the_kind(desk, people, clock):
    clerk, admin = people["clerk"], people["admin"]
    own = _old(desk, clerk, year=2015, years=3)
    permanent = _old(desk, clerk, year=2015, years=0)
    by_kind = _old(desk, clerk, year=2015, years=None)
    undated = desk.archive.add_item(clerk, title="无日期", kind="TZ", dept="KF", level="public").ref
    other_kind = desk.archive.add_item(clerk, title="别的类", kind="HT" if Kind.get_or_none(
        Kind.code == "HT") else "TZ", dept="KF", level="public", doc_date=date(2001, 1, 1),
        retention_years=None).ref

    def review(ref):
        return Item.get(Item.ref == ref).review_on

    assert review(own) == date(2019, 1, 1) and review(permanent) is None
    assert review(by_kind) is None  # kinds start permanent
    updated = desk.retention.set_kind_retention(admin, "tz", 10)
    assert review(by_kind) == date(2026, 1, 1)
    assert review(undated) == date(2037, 1, 1)  # registered in 2026 (the clock)
    assert review(own) == date(2019, 1, 1) and review(permanent) is None  # overrides kept
    assert updated == Item.select().where((Item.kind == Kind.get(Kind.code == "TZ").id)
                                          & Item.retention_years.is_null()).count()
    # a file added now takes the kind's default
    assert review(_old(desk, clerk, year=2000, years=None)) == date(2011, 1, 1)
    assert desk.retention.set_kind_retention(admin, "TZ", None) >= 2
    assert review(by_kind) is None and review(own) == date(2019, 1, 1)
    assert other_kind
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert last.action == "kind.retention"
    with pytest.raises(ValidationError):
        desk.retention.set_kind_retention(admin, "TZ", 0)
    with pytest.raises(ValidationError):
        desk.retention.set_kind_retention(admin, "NOPE", 5)


def test_due_list(desk, people):
    clerk = people["clerk"]
    due_late = _old(desk, clerk, year=2012, years=10)
    due_early = _old(desk, clerk, year=2001, years=10)
    _old(desk, clerk, year=2020, years=30)  # not yet
    _old(desk, clerk, year=2001, years=0)  # permanent
    desk.retention.hold(clerk, due_late, "审计取证")
    rows = desk.retention.due_page(clerk, 0, 10)
    assert [row["ref"] for row in rows] == [due_early, due_late]
    assert desk.retention.due_count(clerk) == 2
    assert rows[1]["held"] and not rows[0]["held"] and rows[0]["review_on"] == date(2012, 1, 1)
    assert {"id", "ref", "title", "kind", "dept", "doc_date", "retention_years", "review_on",
            "held", "on_loan"} <= rows[0].keys()
    assert [r["ref"] for r in desk.retention.due_page(clerk, 1, 10)] == [due_late]


# ------------------------------------------------------------------ holds


def test_holds(desk, people):
    clerk = people["clerk"]
    ref = _old(desk, clerk)
    hold = desk.retention.hold(clerk, ref, "诉讼未结")
    assert hold["ref"] == ref and hold["placed_by"] == "王芳" and hold["released_at"] is None
    before = _state()
    with pytest.raises(ValidationError, match="under a disposal hold already"):
        desk.retention.hold(clerk, ref, "again")
    with pytest.raises(ValidationError, match="reason"):
        desk.retention.release(clerk, ref, " ")
    assert _state() == before
    released = desk.retention.release(clerk, ref, "诉讼结束")
    assert released["release_reason"] == "诉讼结束" and released["released_by"] == "王芳"
    with pytest.raises(ValidationError, match="not under a disposal hold"):
        desk.retention.release(clerk, ref, "again")
    assert desk.retention.holds(clerk) == []
    assert len(desk.retention.holds(clerk, current_only=False)) == 1
    with pytest.raises(NotFound):
        desk.retention.hold(clerk, "NO-SUCH-1", "x")


# ------------------------------------------------------------------ the whole flow


def test_proposal_approval_execution_record(desk, people, admin, tmp_path):
    clerk, manager = people["clerk"], people["manager"]
    refs = [_old(desk, clerk, "旧合同甲"), _old(desk, clerk, "旧合同乙", year=2005)]
    listed = desk.retention.propose(clerk, refs, "超过保管期限，无保存价值")
    assert listed["status"] == "proposed" and listed["number"].startswith("XH2026-")
    assert sorted(i["ref"] for i in listed["items"]) == sorted(refs)
    assert desk.retention.count(manager, DestructionFilter("proposed")) == 1
    decided = desk.retention.decide(manager, listed["id"], True, "同意销毁", PASSWORD)
    assert decided["status"] == "approved" and decided["signed_decision"]
    assert decided["decided_by"] == "张伟"
    form = desk.retention.document(manager, listed["id"])
    assert signing.signature_fields(form) == {"manager": True, "executor": False, "witness": False}

    done = desk.retention.destroy(clerk, listed["id"], "clerk2", PASSWORD, "shredding", PASSWORD)
    assert done["status"] == "done" and done["signed_record"]
    assert done["witness"] == "周敏" and done["method"] == "shredding"
    assert {Item.get(Item.ref == ref).status for ref in refs} == {"destroyed"}
    entry = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert (entry.action, entry.entity) == ("destruction_record.sign", "destruction_record")

    record = desk.retention.document(clerk, listed["id"])
    assert signing.signature_fields(record) == {"manager": True, "executor": True, "witness": True}
    path = tmp_path / "record.pdf"
    path.write_bytes(record)
    report = verify_pdf_file(path, desk.keys.ca_certificate())
    assert report.ok, report.problems
    assert [s.field_name for s in report.signatures] == ["manager", "executor", "witness"]
    assert [s.signer_user for s in report.signatures] == ["boss", "clerk1", "clerk2"]
    if shutil.which("pdfsig"):
        _pdfsig(desk, admin, tmp_path, path)

    # a destroyed file: never lent, held, listed or destroyed again
    with pytest.raises(ValidationError, match="destroyed"):
        desk.loans.lend(clerk, [refs[0]], BorrowerInput(user_name="clerk2"), "查阅")
    with pytest.raises(ValidationError, match="destroyed"):
        desk.retention.hold(clerk, refs[0], "x")
    with pytest.raises(ValidationError, match="destroyed"):
        desk.retention.propose(clerk, [refs[0]], "again")
    with pytest.raises(Conflict):
        desk.retention.destroy(clerk, listed["id"], "clerk2", PASSWORD, "shredding", PASSWORD)
    assert refs[0] not in [r["ref"] for r in desk.retention.due_page(clerk, 0, 50)]
    (link,) = desk.retention.item_lists(manager, refs[1])
    assert link["number"] == listed["number"] and link["signed_record"]
    rows = desk.retention.page(manager, DestructionFilter(), 0, 10)
    assert rows[0]["number"] == listed["number"] and rows[0]["items"] == 2


def _pdfsig(desk, admin, tmp_path, pdf):
    nss = tmp_path / "nss"
    nss.mkdir()
    ca = desk.keys.export_ca(admin, tmp_path / "ca.pem")

    def run(*command: str) -> str:
        return subprocess.run(command, capture_output=True, text=True, timeout=60,
                              check=True).stdout

    run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    run("certutil", "-A", "-d", f"sql:{nss}", "-n", "desk-ca", "-t", "C,C,C", "-a", "-i", str(ca))
    out = run("pdfsig", "-nssdir", f"sql:{nss}", str(pdf))
    assert out.count("Signature is Valid") == 3, out
    assert out.count("Certificate is Trusted") == 3, out


def test_refusal_is_signed_and_final(desk, people):
    clerk, manager = people["clerk"], people["manager"]
    listed = desk.retention.propose(clerk, [_old(desk, clerk)], "超过保管期限")
    before = _state()
    with pytest.raises(ValidationError) as error:
        desk.retention.decide(manager, listed["id"], False, "  ", PASSWORD)
    assert error.value.field == "reason" and _state() == before
    refused = desk.retention.decide(manager, listed["id"], False, "仍有查考价值", PASSWORD)
    assert refused["status"] == "refused" and refused["signed_decision"]
    form = desk.retention.document(manager, listed["id"])
    assert signing.signature_fields(form) == {"manager": True, "executor": False, "witness": False}
    before = _state()
    with pytest.raises(Conflict):  # deciding twice
        desk.retention.decide(manager, listed["id"], True, "改为同意", PASSWORD)
    with pytest.raises(ValidationError, match="not approved"):
        desk.retention.destroy(clerk, listed["id"], "clerk2", PASSWORD, "shredding", PASSWORD)
    assert _state() == before
    # a refused list frees its files for a later list
    assert desk.retention.propose(clerk, [listed["items"][0]["ref"]], "再次提出")["status"] == \
        "proposed"


def test_deciding_at_the_same_time_one_wins(desk, people, monkeypatch):
    """The second desk signed before the first committed: its write finds the list decided."""
    clerk, manager = people["clerk"], people["manager"]
    listed = desk.retention.propose(clerk, [_old(desk, clerk)], "超过保管期限")
    sign = desk.keys.sign_pdf

    def first_desk_decides_meanwhile(*args, **kwargs):
        signed = sign(*args, **kwargs)
        Destruction.update(status="approved").where(Destruction.id == listed["id"]).execute()
        return signed

    monkeypatch.setattr(desk.keys, "sign_pdf", first_desk_decides_meanwhile)
    before = _state()
    with pytest.raises(Conflict, match="decided only once"):
        desk.retention.decide(manager, listed["id"], False, "不同意", PASSWORD)
    assert _state() == before


# ------------------------------------------------------------------ bad input


def test_proposal_refusals_write_nothing(desk, people):
    clerk = people["clerk"]
    held, lent, young, permanent, fine = (_old(desk, clerk, "a"), _old(desk, clerk, "b"),
                                          _old(desk, clerk, "c", year=2024),
                                          _old(desk, clerk, "d", years=0), _old(desk, clerk, "e"))
    desk.retention.hold(clerk, held, "诉讼")
    desk.loans.lend(clerk, [lent], BorrowerInput(user_name="clerk2"), "查阅")
    desk.retention.propose(clerk, [fine], "超过保管期限")
    before = _state()
    for refs, message in (([held], "hold"), ([lent], "on loan"), ([young], "not due"),
                          ([permanent], "permanently"), ([fine], "destruction list"),
                          (["NO-SUCH-1"], "No item"), ([], "at least one")):
        with pytest.raises((ValidationError, NotFound), match=message):
            desk.retention.propose(clerk, refs, "超过保管期限")
    with pytest.raises(ValidationError, match="reason"):
        desk.retention.propose(clerk, [young], "")
    assert _state() == before


def test_destroy_refusals_write_nothing(desk, people):
    clerk, manager = people["clerk"], people["manager"]
    ref, lent = _old(desk, clerk, "a"), _old(desk, clerk, "b")
    proposed = desk.retention.propose(clerk, [ref], "超过保管期限")
    with pytest.raises(ValidationError, match="not approved"):
        desk.retention.destroy(clerk, proposed["id"], "clerk2", PASSWORD, "shredding", PASSWORD)
    desk.retention.decide(manager, proposed["id"], True, "同意", PASSWORD)
    other = _approved(desk, people, [lent])
    desk.retention.hold(clerk, ref, "诉讼未结")  # after approval
    Item.update(status="on_loan").where(Item.ref == lent).execute()  # lent after approval
    before = _state()
    with pytest.raises(ValidationError, match="hold"):
        desk.retention.destroy(clerk, proposed["id"], "clerk2", PASSWORD, "shredding", PASSWORD)
    with pytest.raises(ValidationError, match="on loan"):
        desk.retention.destroy(clerk, other["id"], "clerk2", PASSWORD, "shredding", PASSWORD)
    desk.retention.release(clerk, ref, "诉讼结束")
    before = _state()
    with pytest.raises(ValidationError, match="someone other") as error:
        desk.retention.destroy(clerk, proposed["id"], "clerk1", PASSWORD, "shredding", PASSWORD)
    assert error.value.field == "witness"
    with pytest.raises(ValidationError, match="No active staff"):
        desk.retention.destroy(clerk, proposed["id"], "nobody", PASSWORD, "shredding", PASSWORD)
    with pytest.raises(ValidationError, match="method"):
        desk.retention.destroy(clerk, proposed["id"], "clerk2", PASSWORD, " ", PASSWORD)
    assert _state() == before
    with pytest.raises(AuthenticationFailed):  # the witness's own password, counted
        desk.retention.destroy(clerk, proposed["id"], "clerk2", "wrong", "shredding", PASSWORD)
    failed = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert failed.action == "auth.sign_failed" and failed.actor == "clerk2"
    assert Destruction.get_by_id(proposed["id"]).status == "approved"
    assert Item.get(Item.ref == ref).status == "available"
    assert desk.retention.destroy(clerk, proposed["id"], "clerk2", PASSWORD, "焚烧",
                                  PASSWORD)["method"] == "焚烧"


def test_destroy_rechecks_under_lock(desk, people, monkeypatch):
    """A hold placed between the pre-check and the write (another desk) still stops it."""
    clerk = people["clerk"]
    ref = _old(desk, clerk)
    listed = _approved(desk, people, [ref])
    sign = desk.keys.sign_pdf

    def hold_meanwhile(*args, **kwargs):
        signed = sign(*args, **kwargs)
        if args[2] == "witness":
            DisposalHold.create(item=Item.get(Item.ref == ref).id, reason="x",
                                placed_by=clerk.user_id, placed_at=datetime(2026, 11, 2))
        return signed

    monkeypatch.setattr(desk.keys, "sign_pdf", hold_meanwhile)
    before = _state()
    with pytest.raises(ValidationError, match="hold"):
        desk.retention.destroy(clerk, listed["id"], "clerk2", PASSWORD, "pulping", PASSWORD)
    after = list(_state())
    after[2] -= 1  # the hold "the other desk" placed
    assert tuple(after) == before and Item.get(Item.ref == ref).status == "available"


def test_personnel_files_stay_out_of_reach(desk, people, admin):
    officer = add_user(desk, admin, "hr", "personnel")
    sealed = desk.archive.add_item(officer, title="人事档案", kind="TZ", dept="KF",
                                   level="personnel", doc_date=date(2000, 1, 1),
                                   retention_years=5).ref
    clerk = people["clerk"]
    assert sealed not in [r["ref"] for r in desk.retention.due_page(clerk, 0, 50)]
    with pytest.raises(NotFound):
        desk.retention.hold(clerk, sealed, "x")
    with pytest.raises(NotFound):
        desk.retention.propose(clerk, [sealed], "x")


def _deciding_desk(url: str, user: str, destruction_id: int, approve: bool, barrier,
                   results) -> None:
    """One desk process: sign in, wait for the other, decide."""
    from tests.desks import close_desk, first_line, open_desk

    desk = None
    try:
        desk, manager = open_desk(url, user)
        barrier.wait(120)
        desk.retention.decide(manager, destruction_id, approve, "两台同时决定", PASSWORD)
        results.put((user, "decided"))
    except Conflict as error:
        results.put((user, "conflict: " + first_line(error)))
    except Exception as error:  # reported to the parent
        results.put((user, f"{type(error).__name__}: {first_line(error)}"))
        barrier.abort()
    finally:
        close_desk(desk)


def test_two_desks_deciding_at_once(desk, db_url, people, admin):
    """Two managers at two desks decide the same list at the same moment: one decision is
    stored and signed, the other desk gets the clear conflict."""
    import multiprocessing

    add_user(desk, admin, "boss2", "manager")
    listed = desk.retention.propose(people["clerk"], [_old(desk, people["clerk"])], "超过保管期限")
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    processes = [ctx.Process(target=_deciding_desk,
                             args=(db_url, user, listed["id"], approve, barrier, results))
                 for user, approve in (("boss", True), ("boss2", False))]
    for process in processes:
        process.start()
    outcome = dict(results.get(timeout=180) for _ in processes)
    for process in processes:
        process.join(30)
    assert sorted(text.split(":")[0] for text in outcome.values()) == ["conflict", "decided"], \
        outcome
    assert all("decided only once" in text for text in outcome.values() if text != "decided")
    assert SignedDocument.select().where(SignedDocument.kind == "destruction_decision").count() == 1
    assert AuditEntry.select().where(AuditEntry.action == "destruction_decision.sign").count() == 1
    winner = next(user for user, text in outcome.items() if text == "decided")
    assert Destruction.get_by_id(listed["id"]).status == (
        "approved" if winner == "boss" else "refused")
