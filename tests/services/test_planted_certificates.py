"""Someone who can write to the database plants a certificate of their own, then waits for a
routine action to seal a secret to it (found by an adversarial test of issue 11):

- a certificate in a user's current key row, then an admin gives that user the admin role →
  the CA's secret would be sealed to the attacker's key;
- the same, then a personnel officer admits that user → the personnel key would be;
- the CA certificate itself swapped for one of the attacker's CA.

A copy is sealed only to a certificate the trusted CA issued, and the CA certificate must be
the one sealed inside the copies this desk opened.
"""

from __future__ import annotations

from datetime import date

import pytest

from desk_app.domain.errors import Tampered
from desk_app.forms import pki
from desk_app.store.models import SealedSecret, SigningCa, User, UserKey
from tests.conftest import PASSWORD, add_user


def _attacker_certificate(name: str) -> str:
    """A certificate and key of the attacker's own making (their own CA issued it)."""
    evil = pki.create_ca("示例物业服务有限公司 signing authority", "示例物业服务有限公司", "x")
    issued = pki.issue_user(evil, "x", name, name, "attacker-pass")
    return issued.cert_pem.decode()


def _plant(name: str) -> None:
    user = User.get(User.name == name)
    UserKey.update(cert_pem=_attacker_certificate(name)).where(
        (UserKey.user == user) & UserKey.retired_at.is_null()).execute()


def test_no_ca_copy_for_a_planted_certificate(desk, admin):
    add_user(desk, admin, "zhangwei", "manager")
    _plant("zhangwei")
    with pytest.raises(Tampered, match="zhangwei"):
        desk.users.set_roles(admin, "zhangwei", "manager,admin")
    zhangwei = User.get(User.name == "zhangwei")
    assert "admin" not in zhangwei.roles  # the change is refused as a whole
    assert not SealedSecret.select().where(SealedSecret.user == zhangwei.id).exists()


def test_no_personnel_copy_for_a_planted_certificate(desk, admin):
    add_user(desk, admin, "hr1", "personnel")
    hr1 = desk.auth.login("hr1", PASSWORD)
    desk.archive.add_item(hr1, title="员工档案：测试", kind="YH", dept="XZ", level="personnel",
                          doc_date=date(2026, 3, 1))  # the officer's first file makes the key
    desk.users.set_roles(admin, "admin", "admin,personnel")
    _plant("admin")
    with pytest.raises(Tampered):
        desk.personnel.admit(hr1, "admin")
    assert not SealedSecret.select().where((SealedSecret.user == admin.user_id)
                                           & (SealedSecret.purpose == "personnel")).exists()


def test_a_swapped_ca_certificate_is_refused(desk, admin):
    evil = pki.create_ca("示例物业服务有限公司 signing authority", "示例物业服务有限公司", "x")
    SigningCa.update(cert_pem=evil.cert_pem.decode()).execute()
    with pytest.raises(Tampered, match="replaced"):
        desk.users.add(admin, "admin2", PASSWORD, "admin")
    assert not User.select().where(User.name == "admin2").exists()
