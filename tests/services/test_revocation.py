"""A retired key signs nothing that verifies (issue 11).

The attack that worked before: keep a colleague's sealed key and password (or be that
colleague), let an admin reset the password (the key is retired) or deactivate the account,
then sign with the old key: ``verify-pdf`` said VALID.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desk_app.forms import signing
from desk_app.forms.crl import load_crl
from desk_app.forms.render import render_form
from desk_app.forms.spec import FormSpec
from desk_app.services.exports import database_revocations, verify_pdf_file
from desk_app.store.models import User, UserKey
from tests.conftest import PASSWORD, add_user


def _blank(number: str) -> bytes:
    spec = FormSpec("Test Co", "Test form", number, datetime(2026, 11, 2))
    spec.signatures([("signer", "Signed by")])
    rendered = render_form(spec)
    return signing.prepare_fields(rendered.pdf, rendered.slots)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@pytest.fixture
def retired(desk, admin, clock, tmp_path):
    """(before.pdf signed while the key was current, after.pdf signed with it once retired,
    the CA certificate), for a password reset and for a deactivation."""
    def make(how: str) -> tuple[Path, Path]:
        name = f"leaver{how}"
        clerk = add_user(desk, admin, name, "clerk")
        before = tmp_path / f"before-{how}.pdf"
        before.write_bytes(desk.keys.sign_pdf(clerk, _blank(f"B-{how}"), "signer", PASSWORD,
                                              None, "Clerk"))
        old = desk.keys.current(clerk.user_id)
        # Signing times and CRL revocation dates have whole seconds, and a revocation in the
        # signature's own second counts against it: the revocation must fall in a later second
        # (with 1.1 s, the clock set 200 ms back could land in the same one; CI saw it).
        time.sleep(2.1)
        clock._now = _now() - timedelta(milliseconds=200)
        if how == "reset":
            desk.users.reset_password(admin, name, "a-brand-new-pass")
        else:
            desk.users.set_active(admin, name, False)
        assert UserKey.get_by_id(old.id).retired_at is not None
        time.sleep(1.1)
        # The holder of the old sealed key and its password signs on their own.
        forged = signing.sign(_blank(f"A-{how}"), "signer", old.key_pem.encode(), PASSWORD,
                              old.cert_pem.encode(), desk.keys.ca_certificate(), None)
        after = tmp_path / f"after-{how}.pdf"
        after.write_bytes(forged)
        return before, after
    return make


@pytest.mark.parametrize("how", ["reset", "deactivate"])
def test_a_signature_made_with_a_retired_key_fails(desk, retired, how):
    before, after = retired(how)
    ca = desk.keys.ca_certificate()
    assert verify_pdf_file(after, ca).ok  # what the old check said: VALID
    revoked = database_revocations()
    assert verify_pdf_file(before, ca, revoked).ok
    report = verify_pdf_file(after, ca, revoked)
    assert not report.ok and "revoked" in report.signatures[0].problem


def test_the_crl_carries_the_same_verdict_to_another_machine(desk, admin, retired, tmp_path):
    before, after = retired("reset")
    crl_path = desk.keys.export_crl(admin, tmp_path / "desk.crl")
    ca = desk.keys.ca_certificate()
    revoked = load_crl(crl_path.read_bytes(), ca)
    assert verify_pdf_file(before, ca, revoked).ok
    assert not verify_pdf_file(after, ca, revoked).ok
    leaver = User.get(User.name == "leaverreset")
    retired_serials = {int(key.serial, 16) for key in UserKey.select().where(
        (UserKey.user == leaver) & UserKey.retired_at.is_null(False))}
    assert retired_serials <= set(revoked)


def test_pdfsig_sees_the_revocation_through_the_crl(desk, admin, retired, tmp_path):
    """poppler's pdfsig checks a CRL imported into its NSS database (docs/signing.md). NSS
    judges at the present time, so it marks the signature made before the revocation too:
    stricter than verify-pdf, never laxer."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    for tool in ("pdfsig", "certutil", "crlutil"):
        if shutil.which(tool) is None:  # `make test` installs them (scripts/system-deps.sh)
            pytest.fail(f"{tool} is missing: install poppler-utils and libnss3-tools")
    _before, after = retired("reset")
    nss = tmp_path / "nss"
    nss.mkdir()
    ca_pem = desk.keys.export_ca(admin, tmp_path / "ca.pem")
    crl = x509.load_pem_x509_crl(desk.keys.export_crl(admin, tmp_path / "ca.crl").read_bytes())
    (tmp_path / "ca.der").write_bytes(crl.public_bytes(Encoding.DER))

    def run(*command: str) -> str:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    run("certutil", "-A", "-d", f"sql:{nss}", "-n", "desk-ca", "-t", "C,C,C", "-a", "-i",
        str(ca_pem))
    assert "Certificate is Trusted" in run("pdfsig", "-nssdir", f"sql:{nss}", str(after))
    run("crlutil", "-I", "-d", f"sql:{nss}", "-i", str(tmp_path / "ca.der"), "-B")
    assert "Certificate has been Revoked" in run("pdfsig", "-nssdir", f"sql:{nss}", str(after))
