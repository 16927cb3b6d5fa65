"""``desk-app verify-pdf FILE --ca CA.pem --crl CRL``: an auditor on another machine, no database;
and without them, the database's retired keys count as revoked (R15)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desk_app.cli import main
from desk_app.forms import pki
from desk_app.forms.crl import make_crl
from desk_app.forms.render import render_form
from desk_app.forms.signing import prepare_fields
from desk_app.forms.verify import verify_pdf
from tests.forms.conftest import CA_SECRET, loan_spec, sign_as


class Material:
    """A CA, a clerk, a form the clerk signed, and when: written to files by ``files``."""

    def __init__(self) -> None:
        self.ca = pki.create_ca("前台档案室 CA", "某某客服中心", CA_SECRET)
        self.clerk = pki.issue_user(self.ca, CA_SECRET, "zhang.san", "张三", "clerk-pw")
        rendered = render_form(loan_spec())
        self.pdf = sign_as(prepare_fields(rendered.pdf, rendered.slots), "clerk", self.clerk,
                           "clerk-pw", self.ca, None)
        signed_at = verify_pdf(self.pdf, self.ca.cert_pem).signatures[0].signed_at
        assert signed_at is not None
        self.signed_at = signed_at
        self.serial = format(pki.load_certificate(self.clerk.cert_pem).serial_number, "x")

    def crl(self, revoked_at: datetime | None, ca: pki.CaMaterial | None = None,
            password: str = CA_SECRET) -> bytes:
        revoked = [(self.serial, revoked_at)] if revoked_at else []
        return make_crl(ca or self.ca, password, revoked, datetime.now(UTC))


@pytest.fixture(scope="module")
def material() -> Material:
    return Material()


@pytest.fixture
def away(tmp_path, monkeypatch):
    """Another machine: an empty home, no DESK_DB, and opening a database fails the test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for variable in ("DESK_DB", "DESK_USER", "DESK_PASSWORD", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                     "XDG_STATE_HOME"):
        monkeypatch.delenv(variable, raising=False)

    def no_database(*_args, **_kwargs):
        raise AssertionError("verify-pdf --ca opened a database")

    monkeypatch.setattr("desk_app.cli.forms.open_desk", no_database)
    return tmp_path


def files(folder: Path, material: Material, crl: bytes) -> tuple[str, str, str]:
    (folder / "form.pdf").write_bytes(material.pdf)
    (folder / "ca.pem").write_bytes(material.ca.cert_pem)
    (folder / "revoked.crl").write_bytes(crl)
    return str(folder / "form.pdf"), str(folder / "ca.pem"), str(folder / "revoked.crl")


def test_a_good_pdf_is_valid_offline(away, material, capsys):
    pdf, ca, crl = files(away, material, material.crl(None))
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", crl]) == 0
    out = capsys.readouterr().out
    assert "VALID" in out and "NOT VALID" not in out and "revoked" not in out


def test_a_revocation_after_the_signature_keeps_it_valid(away, material, capsys):
    pdf, ca, crl = files(away, material, material.crl(material.signed_at + timedelta(days=2)))
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", crl]) == 0
    out = capsys.readouterr().out
    assert "certificate revoked:" in out and "NOT VALID" not in out
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", crl, "--json"]) == 0
    (check,) = json.loads(capsys.readouterr().out)["signatures"]
    assert check["revoked_at"] is not None and check["problem"] == ""


def test_a_signer_revoked_before_signing_fails_offline(away, material, capsys):
    pdf, ca, crl = files(away, material, material.crl(material.signed_at - timedelta(days=1)))
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", crl]) == 1
    out = capsys.readouterr().out
    assert "NOT VALID" in out and "revoked" in out and "before this signature" in out
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", crl, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    revoked_at = datetime.fromisoformat(report["signatures"][0]["revoked_at"])
    assert revoked_at == material.signed_at - timedelta(days=1)
    # Without the CRL the same file is valid: the CRL is what revokes.
    assert main(["verify-pdf", pdf, "--ca", ca]) == 0


def test_a_crl_from_another_ca_or_no_crl_at_all_is_refused(away, material, capsys):
    stranger = pki.create_ca("前台档案室 CA", "某某客服中心", "other")
    pdf, ca, crl = files(away, material, material.crl(None, stranger, "other"))
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", crl]) == 2
    assert "not issued by this office's certificate authority" in capsys.readouterr().err
    (away / "revoked.crl").write_text("not a revocation list")
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", crl]) == 2
    assert "not a certificate revocation list" in capsys.readouterr().err
    assert main(["verify-pdf", pdf, "--ca", ca, "--crl", str(away / "missing.crl")]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_a_fresh_process_on_a_machine_without_a_database(tmp_path, material):
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DESK_", "XDG_"))}
    env.update(HOME=str(home), DESK_LOG_DIR=str(tmp_path / "logs"),
               DESK_STATE_DIR=str(tmp_path / "state"))

    def run(crl: bytes) -> int:
        pdf, ca, crl_path = files(tmp_path, material, crl)
        return subprocess.run([sys.executable, "-m", "desk_app", "verify-pdf", pdf, "--ca", ca,
                               "--crl", crl_path], env=env, capture_output=True, timeout=120,
                              check=False).returncode

    assert run(material.crl(None)) == 0
    assert run(material.crl(material.signed_at - timedelta(seconds=5))) == 1
    assert not [path for path in tmp_path.rglob("*") if path.suffix in (".db", ".sqlite")]


# ------------------------------------------------------------------ with the database


@pytest.fixture
def exported(sqlite_url, tmp_path, monkeypatch, capsys):
    """A database whose administrator exported the audit trail as a signed PDF."""
    monkeypatch.setenv("DESK_DB", sqlite_url)
    monkeypatch.delenv("DESK_USER", raising=False)
    monkeypatch.delenv("DESK_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("boss-password\n"))
    assert main(["init", "--admin", "boss", "--password-stdin"]) == 0
    monkeypatch.setenv("DESK_USER", "boss")
    monkeypatch.setenv("DESK_PASSWORD", "boss-password")
    out = tmp_path / "audit.pdf"
    assert main(["export", "audit", "--format", "pdf", "--out", str(out)]) == 0
    capsys.readouterr()
    return sqlite_url, out


def retire_boss_key(url: str, at: datetime) -> None:
    from desk_app.desk import Desk
    from desk_app.store.models import User, UserKey

    desk = Desk.open(url)
    try:
        boss = User.get(User.name == "boss")
        UserKey.update(retired_at=at.astimezone(UTC).replace(tzinfo=None)).where(
            UserKey.user == boss).execute()
    finally:
        desk.close()


def test_the_databases_retired_keys_are_revocations(exported, capsys):
    url, pdf = exported
    assert main(["verify-pdf", str(pdf), "--json"]) == 0
    (check,) = json.loads(capsys.readouterr().out)["signatures"]
    assert check["revoked_at"] is None
    signed_at = datetime.fromisoformat(check["signed_at"])

    retire_boss_key(url, signed_at + timedelta(minutes=5))  # e.g. a password reset later
    assert main(["verify-pdf", str(pdf), "--json"]) == 0
    (check,) = json.loads(capsys.readouterr().out)["signatures"]
    assert datetime.fromisoformat(check["revoked_at"]) == signed_at + timedelta(minutes=5)

    retire_boss_key(url, signed_at - timedelta(minutes=5))
    assert main(["verify-pdf", str(pdf)]) == 1
    out = capsys.readouterr().out
    assert "NOT VALID" in out and "before this signature" in out
    # --ca without --crl opens no database, so it knows of no revocation.
    assert main(["ca", "export", str(pdf.with_name("ca.pem"))]) == 0
    assert main(["verify-pdf", str(pdf), "--ca", str(pdf.with_name("ca.pem"))]) == 0


def test_database_revocations_reads_naive_utc_as_aware(exported):
    from desk_app.desk import Desk
    from desk_app.services.exports import database_revocations
    from desk_app.store.models import UserKey

    url, _pdf = exported
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    retire_boss_key(url, moment)
    desk = Desk.open(url)
    try:
        revoked = database_revocations()
        serials = [int(key.serial, 16) for key in UserKey.select()]
    finally:
        desk.close()
    assert revoked == dict.fromkeys(serials, moment)
