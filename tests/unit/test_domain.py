"""Pure rules: no database, no Qt."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk_app.domain.audit import GENESIS, AuditRecord, ChainVerifier, canonical_json
from desk_app.domain.errors import ValidationError
from desk_app.domain.manifest import pages_for
from desk_app.domain.roles import Permission, Role, parse_roles, permissions_of
from desk_app.domain.settings import setting
from desk_app.domain.users import LockoutPolicy, check_new_password, normalise_user_name


def areas_of(roles) -> list[str]:
    return [page.key for page in pages_for(roles)]


def test_parse_roles_accepts_lists_and_text():
    assert parse_roles("clerk, Supervisor") == {Role.CLERK, Role.SUPERVISOR}
    assert parse_roles(["admin"]) == {Role.ADMIN}


@pytest.mark.parametrize("text", ["", " , ", "clerk,wizard"])
def test_parse_roles_rejects_empty_and_unknown(text):
    with pytest.raises(ValidationError) as error:
        parse_roles(text)
    assert error.value.field == "roles"


def test_areas_follow_roles():
    assert areas_of({Role.CLERK}) == [
        "today", "archive", "loans", "approvals", "documents", "handover", "keys", "reception",
    ]
    assert "admin" in areas_of({Role.ADMIN}) and "audit" in areas_of({Role.ADMIN})
    assert "admin" not in areas_of({Role.AUDITOR})
    assert areas_of({Role.MANAGER, Role.AUDITOR})[-1] == "audit"


def test_permissions_are_the_union_of_roles():
    assert Permission.USERS_MANAGE not in permissions_of({Role.CLERK})
    assert Permission.USERS_MANAGE in permissions_of({Role.CLERK, Role.ADMIN})


@pytest.mark.parametrize("name", ["a", "1abc", "with space", "x" * 33, "名字"])
def test_bad_user_names(name):
    with pytest.raises(ValidationError):
        normalise_user_name(name)


def test_user_names_are_folded_to_lower_case():
    assert normalise_user_name("  WangFang ") == "wangfang"


def test_password_rules():
    check_new_password("12345678", 8)
    for bad in ("1234567", " 12345678", ""):
        with pytest.raises(ValidationError):
            check_new_password(bad, 8)


def test_lockout_policy():
    policy = LockoutPolicy(threshold=3, minutes=15)
    now = datetime(2026, 1, 1, 8, 0)
    assert policy.after_failure(2, now) is None
    # Guessing slows down (1, 2, 4, 8 … minutes) but never locks a person out for longer
    # than the setting.
    pauses = [(policy.after_failure(n, now) - now).total_seconds() / 60 for n in range(3, 10)]
    assert pauses == [1, 2, 4, 8, 15, 15, 15]
    assert policy.after_failure(10_000, now) == now + timedelta(minutes=15)


def test_settings_schema_parses_and_validates():
    assert setting("idle_lock_minutes").parse("12") == 12
    with pytest.raises(ValidationError) as error:
        setting("idle_lock_minutes").parse("0")
    assert error.value.field == "idle_lock_minutes"
    with pytest.raises(ValidationError):
        setting("idle_lock_minutes").parse("five")
    with pytest.raises(ValidationError):
        setting("language").parse("fr")
    with pytest.raises(ValidationError):
        setting("company_name").parse("   ")
    with pytest.raises(ValidationError):
        setting("no_such_key")
    assert setting("idle_lock_minutes").default == 5


def test_canonical_json_is_stable():
    assert canonical_json({"b": 1, "a": "张"}) == '{"a":"张","b":1}'


def _chain(n: int) -> list[tuple[AuditRecord, str]]:
    rows, prev = [], GENESIS
    for seq in range(1, n + 1):
        record = AuditRecord(seq, f"2026-01-01T00:00:0{seq}.000000Z", "u", "a", "e", str(seq),
                             "{}", prev)
        prev = record.digest()
        rows.append((record, prev))
    return rows


def _verify(rows):
    verifier = ChainVerifier()
    for record, stored in rows:
        if not verifier.feed(record, stored):
            break
    return verifier.report()


def test_verifier_accepts_an_intact_chain():
    report = _verify(_chain(5))
    assert report.ok and report.count == 5 and report.head_hash == _chain(5)[-1][1]


def test_verifier_catches_edit_delete_insert_reorder():
    rows = _chain(5)
    edited = list(rows)
    record, stored = edited[2]
    edited[2] = (AuditRecord(**{**record.__dict__, "actor": "mallory"}), stored)
    assert _verify(edited).broken_seq == 3

    deleted = rows[:2] + rows[3:]
    assert _verify(deleted).broken_seq == 4

    reordered = [rows[0], rows[2], rows[1], *rows[3:]]
    assert _verify(reordered).broken_seq == 3

    forged = AuditRecord(3, "2026-01-01T00:00:09.000000Z", "m", "a", "e", "x", "{}", rows[1][1])
    inserted = [*rows[:2], (forged, forged.digest()), *[(r, h) for r, h in rows[2:]]]
    assert not _verify(inserted).ok


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\u200b\u2060 ", "\ufeff", "\u3000"])
def test_a_required_text_of_invisible_characters_is_missing(invisible):
    """A mandatory reason of a zero-width space was accepted (adversarial test, issue 12)."""
    from desk_app.domain import text

    with pytest.raises(ValidationError):
        text.required(invisible, "reason", "Give a reason.")
    assert text.required("同意\u200b", "reason", "Give a reason.") == "同意\u200b"
