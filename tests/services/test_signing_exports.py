"""Keys per user, signed audit exports, verification through the services and the CLI."""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
from datetime import date

import pytest

from desk_app.cli import main
from desk_app.domain.errors import AuthenticationFailed, PermissionDenied, ValidationError
from desk_app.forms import signing
from desk_app.forms.render import render_form
from desk_app.forms.spec import FormSpec
from desk_app.forms.verify import verify_pdf
from desk_app.services.signing import KeyService
from desk_app.store.models import AuditEntry, UserKey
from tests.conftest import PASSWORD, add_user


def test_every_new_user_gets_a_sealed_key_from_the_database_ca(desk, admin):
    clerk = add_user(desk, admin, "clerk1", "clerk", "王芳")
    key = KeyService.current(clerk.user_id)
    assert key is not None and "DESK_APP ENCRYPTED PRIVATE KEY" in key.key_pem
    assert "BEGIN CERTIFICATE" in key.cert_pem
    from desk_app.forms import pki

    assert pki.certificate_names(key.cert_pem.encode()) == ("王芳", "clerk1")
    with pytest.raises(AuthenticationFailed):
        pki.load_private_key(key.key_pem.encode(), "not-the-password")


def test_password_change_reseals_and_reset_issues_a_new_key(desk, admin):
    clerk = add_user(desk, admin, "clerk1", "clerk")
    first = KeyService.current(clerk.user_id)
    desk.auth.change_own_password(clerk, PASSWORD, "second-password")
    resealed = KeyService.current(clerk.user_id)
    assert resealed.id == first.id and resealed.key_pem != first.key_pem
    desk.users.reset_password(admin, "clerk1", "third-password")
    renewed = KeyService.current(clerk.user_id)
    assert renewed.id != first.id and renewed.serial != first.serial
    assert UserKey.get_by_id(first.id).retired_at is not None  # kept, not deleted


def _two_signer_form(desk, clerk, supervisor, handwriting=None) -> bytes:
    spec = FormSpec("示例物业服务有限公司", "借阅单 / 借閱單", "LN-0001", desk.ctx.clock.now())
    spec.paragraph("档案借阅登记：规划文件。檔案借閱登記：規劃文件。")
    spec.signatures([("clerk", "经办人"), ("supervisor", "主管")])
    rendered = render_form(spec)
    pdf = signing.prepare_fields(rendered.pdf, rendered.slots)
    pdf = desk.keys.sign_pdf(clerk, pdf, "clerk", PASSWORD, handwriting, "经办人")
    return desk.keys.sign_pdf(supervisor, pdf, "supervisor", PASSWORD, handwriting, "主管")


def test_two_signers_each_with_their_own_key(desk, admin):
    clerk = add_user(desk, admin, "clerk1", "clerk", "王芳")
    supervisor = add_user(desk, admin, "super1", "supervisor", "李强")
    pdf = _two_signer_form(desk, clerk, supervisor)
    report = verify_pdf(pdf, desk.keys.ca_certificate())
    assert report.ok
    assert [(c.field_name, c.signer_user) for c in report.signatures] == [
        ("clerk", "clerk1"), ("supervisor", "super1")]
    with pytest.raises(AuthenticationFailed):
        desk.keys.sign_pdf(clerk, pdf, "clerk", "wrong-password", None, "经办人")


def test_signed_audit_export_verifies_and_tampering_fails(desk, admin, tmp_path):
    auditor = add_user(desk, admin, "audit1", "auditor", "陈静")
    out = tmp_path / "audit.pdf"
    before = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    result = desk.exports.export(auditor, "audit", None, None, "pdf", out, password=PASSWORD)
    # The file shows the chain up to the head it saw; the export's own entry comes after
    # the finished file and carries its hash.
    assert result.rows == before.seq
    assert (result.head_seq, result.head_hash) == (before.seq, before.hash)
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert (last.seq, last.action, last.actor) == (before.seq + 1, "export.audit", "audit1")
    data = out.read_bytes()
    recorded = json.loads(last.change)["after"]
    assert recorded["sha256"] == hashlib.sha256(data).hexdigest()
    assert recorded["bytes"] == len(data) and recorded["file"] == str(out)
    ca = desk.keys.ca_certificate()
    assert verify_pdf(data, ca).ok
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    assert not verify_pdf(bytes(tampered), ca).ok


def test_export_refusals_write_nothing(desk, admin, tmp_path):
    auditor = add_user(desk, admin, "audit1", "auditor")
    clerk = add_user(desk, admin, "clerk1", "clerk")
    out = tmp_path / "audit.pdf"
    entries = AuditEntry.select().count()
    with pytest.raises(AuthenticationFailed):
        desk.exports.export(auditor, "audit", None, None, "pdf", out, password="wrong-password")
    # The wrong password is counted and audited like every password check; no export.*.
    failed = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert failed.action == "auth.sign_failed" and failed.actor == "audit1"
    entries += 1
    with pytest.raises(PermissionDenied):
        desk.exports.export(clerk, "audit", None, None, "pdf", out, password=PASSWORD)
    with pytest.raises(ValidationError):
        desk.exports.export(auditor, "audit", date(2026, 2, 1), date(2026, 1, 1), "csv", out)
    with pytest.raises(ValidationError):
        desk.exports.export(auditor, "audit", None, None, "csv", tmp_path / "no" / "dir.csv")
    assert not out.exists() and AuditEntry.select().count() == entries


def test_csv_export_of_a_period_and_cancel(desk, admin, clock, tmp_path):
    auditor = add_user(desk, admin, "audit1", "auditor")
    clock.advance(days=3)
    desk.settings.set(admin, "company_name", "華南物業")
    today = clock.now().date()
    out = tmp_path / "audit.csv"
    result = desk.exports.export(auditor, "audit", today, today, "csv", out)
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "No." and len(rows) == 1 + result.rows
    assert [row[3] for row in rows[1:]] == ["Settings changed"]  # its own entry follows the file
    last = AuditEntry.select().order_by(AuditEntry.seq.desc()).first()
    assert last.action == "export.audit"
    assert "Company name: 示例物业服务有限公司 → 華南物業" in rows[1][5]

    def cancel(done, total):
        return False

    for index in range(2100):  # enough rows for the progress callback to be asked
        AuditEntry.insert(seq=10_000 + index, at="2020-01-01T00:00:00.000000Z", actor="x",
                          action="bulk", entity="", entity_id="", change="{}", prev_hash="",
                          hash="").execute()
    entries = AuditEntry.select().count()
    for fmt in ("csv", "xlsx"):  # (a half-written XLSX must not complain when collected)
        target = tmp_path / f"c.{fmt}"
        with pytest.raises(InterruptedError):
            desk.exports.export(auditor, "audit", None, None, fmt, target, progress=cancel)
        gc.collect()
        assert not target.exists() and not list(tmp_path.glob(f"{target.name}*.partial"))
    assert AuditEntry.select().count() == entries  # a cancelled export is not recorded


def test_cli_export_verify_and_ca_export(sqlite_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DESK_DB", sqlite_url)
    assert main(["demo"]) == 0
    monkeypatch.setenv("DESK_USER", "chenjing")
    monkeypatch.setenv("DESK_PASSWORD", "demo1234")
    out = tmp_path / "audit.pdf"
    assert main(["export", "audit", "--format", "pdf", "--out", str(out)]) == 0
    assert main(["ca", "export", str(tmp_path / "ca.pem")]) == 0
    capsys.readouterr()
    assert main(["verify-pdf", str(out)]) == 0
    text = capsys.readouterr().out
    assert "陈静 (chenjing)" in text and "intact: yes" in text and "VALID" in text
    assert main(["verify-pdf", str(out), "--ca", str(tmp_path / "ca.pem")]) == 0
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(out.read_bytes()))
    writer.add_object(generic.TextStringObject("appended after signing"))
    appended = tmp_path / "appended.pdf"
    with appended.open("wb") as handle:
        writer.write(handle)
    capsys.readouterr()
    assert main(["verify-pdf", str(appended)]) == 1
    assert "NOT VALID" in capsys.readouterr().out
    (tmp_path / "note.pdf").write_text("not a pdf")
    assert main(["verify-pdf", str(tmp_path / "note.pdf")]) == 2
    assert "desk-app:" in capsys.readouterr().err
