"""The CA opens only with an administrator's password or the recovery code (issue 11).

The attack that worked before: with nothing but a copy of the database, read the CA's
sealing secret from ``desk_meta``, open the CA key and issue a certificate for anyone.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import peewee
import pytest

from desk_app.desk import Desk
from desk_app.domain.errors import AuthenticationFailed, PermissionDenied, ValidationError
from desk_app.forms import pki
from desk_app.store.models import AuditEntry, Meta, SealedSecret, SigningCa, User, UserKey
from tests.conftest import PASSWORD, add_user


def _every_text_value(path: Path) -> set[str]:
    """Every text value of every table of a SQLite file: what a holder of the copy can try."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    values: set[str] = set()
    try:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                values.update(value for value in row if isinstance(value, str) and value)
    finally:
        connection.close()
    return values


def _ca_opens_with(key_pem: bytes, candidate: str) -> bool:
    try:
        pki.load_private_key(key_pem, candidate)
    except (AuthenticationFailed, ValidationError):
        return False
    return True


def test_a_copy_of_the_database_does_not_open_the_ca(sqlite_desk: Desk, tmp_path):
    sqlite_desk.users.create_first_admin("admin", PASSWORD)
    admin = sqlite_desk.auth.login("admin", PASSWORD)
    for name, roles in (("clerk1", "clerk"), ("boss", "manager"), ("admin2", "admin")):
        add_user(sqlite_desk, admin, name, roles)
    copy = tmp_path / "stolen.db"
    source = sqlite3.connect(str(sqlite_desk.ctx.url.path))
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    ca_pem = SigningCa.select().first().key_pem.encode("ascii")
    candidates = _every_text_value(copy)
    assert len(candidates) > 50
    opened = [value[:20] for value in candidates if len(value) < 200 and _ca_opens_with(ca_pem, value)]
    assert not opened, f"the CA key opens with a value stored in the database: {opened}"
    assert Meta.get_or_none(Meta.key == "ca_key_secret") is None


def test_issuing_needs_an_administrator_signed_in_on_this_desk(sqlite_url, clock, tmp_path):
    first = Desk.open(sqlite_url, create=True, clock=clock)
    first.users.create_first_admin("admin", PASSWORD)
    admin = first.auth.login("admin", PASSWORD)
    add_user(first, admin, "clerk1", "clerk")
    first.close()
    # Another desk, another process: the CA is sealed; a clerk cannot open it, an admin can.
    second = Desk.open(sqlite_url, clock=clock)
    try:
        second.auth.login("clerk1", PASSWORD)
        assert second.keys.current(User.get(User.name == "clerk1").id) is not None
        admin_here = actor_of(second, "admin")
        with pytest.raises(PermissionDenied):  # known to the table, not signed in here
            second.users.add(admin_here, "clerk2", PASSWORD, "clerk")
        signed_in = second.auth.login("admin", PASSWORD)
        second.users.add(signed_in, "clerk2", PASSWORD, "clerk")
        assert second.keys.current(User.get(User.name == "clerk2").id) is not None
        second.auth.sign_out(signed_in)
        with pytest.raises(PermissionDenied):
            second.users.reset_password(signed_in, "clerk2", "brand-new-pass")
    finally:
        second.close()


def actor_of(desk: Desk, name: str):
    from desk_app.domain.roles import parse_roles
    from desk_app.domain.users import Actor

    user = User.get(User.name == name)
    return Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles))


def test_the_admin_role_carries_a_sealed_copy(desk: Desk, admin):
    add_user(desk, admin, "helper", "clerk")
    helper = User.get(User.name == "helper")
    assert not SealedSecret.select().where(SealedSecret.user == helper.id).exists()
    desk.users.set_roles(admin, "helper", "clerk,admin")
    assert SealedSecret.select().where((SealedSecret.user == helper.id)
                                       & (SealedSecret.purpose == "ca")).exists()
    promoted = desk.auth.login("helper", PASSWORD)
    desk.users.add(promoted, "byhelper", PASSWORD, "clerk")  # the new admin can issue
    desk.users.set_roles(admin, "helper", "clerk")
    assert not SealedSecret.select().where(SealedSecret.user == helper.id).exists()
    status = desk.keys.ca_status(admin)
    assert status["holders"] == ["admin"] and status["recovery_code"] and status["open"]


def test_the_recovery_code_reopens_the_ca(desk: Desk, admin):
    code = desk.keys.new_recovery_code(admin)
    # Every administrator's copy is lost (say, all keys were reissued by a restore of users).
    SealedSecret.delete().where(SealedSecret.user.is_null(False)).execute()
    desk.auth.sign_out(admin)
    again = desk.auth.login("admin", PASSWORD)
    with pytest.raises(PermissionDenied):
        desk.users.add(again, "late", PASSWORD, "clerk")
    with pytest.raises(AuthenticationFailed):
        desk.keys.recover(again, "00000-00000-00000-00000-00000")
    desk.keys.recover(again, code.lower().replace("-", " "))  # typed loosely
    desk.users.add(again, "late", PASSWORD, "clerk")
    actions = [row.action for row in AuditEntry.select().order_by(AuditEntry.seq)]
    assert "ca.recovery_code" in actions and "ca.recover" in actions
    assert code not in " ".join(row.change for row in AuditEntry.select())


def test_a_database_from_before_sealing_is_sealed_at_the_first_admin_sign_in(desk: Desk, admin):
    # Make it look like the old format: the secret in clear in desk_meta, no sealed copies.
    row = SigningCa.select().first()
    secret = desk.keyring.secret(admin.user_id, "ca").decode()
    legacy = "legacy-secret-in-clear"
    row.key_pem = pki.reencrypt(row.key_pem.encode(), secret, legacy).decode()
    row.save()
    Meta.create(key="ca_key_secret", value=legacy)
    SealedSecret.delete().execute()
    desk.auth.sign_out(admin)
    clerk = add_user(desk, desk.auth.login("admin", PASSWORD), "x1", "clerk")  # sealed now
    assert Meta.get_or_none(Meta.key == "ca_key_secret") is None
    assert not _ca_opens_with(SigningCa.select().first().key_pem.encode(), legacy)
    assert AuditEntry.select().where(AuditEntry.action == "ca.sealed").count() == 1
    assert desk.keys.take_recovery_code()
    assert clerk.name == "x1"


def test_deactivating_a_user_revokes_their_key(desk: Desk, admin):
    add_user(desk, admin, "leaver", "clerk")
    key = desk.keys.current(User.get(User.name == "leaver").id)
    desk.users.set_active(admin, "leaver", False)
    key = UserKey.get_by_id(key.id)
    assert key.retired_at is not None
    assert key.serial in [serial for serial, _at in desk.keys.revocations()]
    entry = AuditEntry.select().where(AuditEntry.action == "user.deactivate").get()
    assert key.serial in entry.change


def test_signed_documents_are_append_only(desk: Desk, admin):
    """Like the audit trail: a stored signed form is never updated or deleted."""
    from desk_app.store.archive import SignedDocument

    SignedDocument.create(kind="loan_slip", record_no="JY-TEST-1", pdf=b"%PDF-1.7 x",
                          sha256="0" * 64, created_at=desk.ctx.clock.now(), created_by=admin.user_id)
    with pytest.raises(peewee.DatabaseError), desk.ctx.db.atomic():
        SignedDocument.update(pdf=b"%PDF-1.7 forged").execute()
    with pytest.raises(peewee.DatabaseError), desk.ctx.db.atomic():
        SignedDocument.delete().execute()
    assert bytes(SignedDocument.get().pdf) == b"%PDF-1.7 x"


def test_a_stored_signed_document_is_checked_against_its_hash(desk: Desk, admin):
    """A holder of the database file drops the trigger and swaps the stored PDF (with or
    without recomputing the row's hash): showing it is an error, never a silent display."""
    import hashlib

    from desk_app.domain.errors import Tampered
    from desk_app.services.loans import BorrowerInput
    from desk_app.store.archive import SignedDocument
    from desk_app.store.db import is_postgresql

    clerk = add_user(desk, admin, "desk1", "clerk")
    refs = [desk.archive.add_item(clerk, title=f"文件 {n}", kind="TZ", dept="KF",
                                  level="public").ref for n in (1, 2)]
    numbers = []
    for ref in refs:
        slip = desk.loans.lend(clerk, [ref], BorrowerInput(name="外来人员", contact="13800000000"),
                               "查阅")
        desk.loans.sign_slip(clerk, slip["id"], PASSWORD, None, None)
        numbers.append(slip["number"])
    first, second = (bytes(SignedDocument.get(SignedDocument.record_no == n).pdf) for n in numbers)
    assert desk.loans.document(clerk, numbers[0]) == first
    if is_postgresql(desk.ctx.db):
        desk.ctx.db.execute_sql("DROP TRIGGER signed_document_append_only ON signed_document")
    else:
        desk.ctx.db.execute_sql("DROP TRIGGER signed_document_no_update")
    SignedDocument.update(pdf=b"%PDF-1.7 a forged slip").where(
        SignedDocument.record_no == numbers[0]).execute()
    with pytest.raises(Tampered, match=numbers[0]):
        desk.loans.document(clerk, numbers[0])
    # Another genuine signed slip, with the row's hash rewritten to match it.
    SignedDocument.update(pdf=second, sha256=hashlib.sha256(second).hexdigest()).where(
        SignedDocument.record_no == numbers[0]).execute()
    with pytest.raises(Tampered, match=numbers[0]):
        desk.loans.document(clerk, numbers[0])
    assert desk.loans.document(clerk, numbers[1]) == second


def test_losing_the_role_or_the_account_drops_the_sealed_copies(desk: Desk, admin):
    add_user(desk, admin, "officer2", "personnel")
    user = User.get(User.name == "officer2")
    now = desk.ctx.clock.now()
    with desk.ctx.db.atomic():
        desk.keyring.seal_for(user, "personnel", b"k" * 32, now)
    desk.users.set_roles(admin, "officer2", "clerk")
    assert not SealedSecret.select().where(SealedSecret.user == user.id).exists()
    desk.users.set_roles(admin, "officer2", "personnel,admin")
    with desk.ctx.db.atomic():
        desk.keyring.seal_for(user, "personnel", b"k" * 32, now)
    assert SealedSecret.select().where(SealedSecret.user == user.id).count() == 2
    desk.users.set_active(admin, "officer2", False)
    assert not SealedSecret.select().where(SealedSecret.user == user.id).exists()
