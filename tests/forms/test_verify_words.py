"""The verify report in words: signers' roles and fields by name, and a file changed after
signing is called changed — not "signed by a certificate this office did not issue"."""

from __future__ import annotations

from datetime import datetime

import pytest

from desk_app.cli.forms import print_verify_report
from desk_app.forms.signing import SignatureAppearance
from desk_app.forms.verify import verify_pdf
from tests.forms.conftest import sign_as

CHANGED = "The document was changed after it was signed"
FOREIGN = "not issued by this office"


def _tampered(pdf: bytes) -> bytes:
    at = pdf.index(b"/Author") + 1  # inside the signed range, same length
    return pdf[:at] + b"B" + pdf[at + 1:]


def test_an_intact_file_names_the_field_and_the_role_in_words(signed_pdf, ca):
    report = verify_pdf(signed_pdf, ca.cert_pem)
    assert report.ok
    clerk, supervisor = report.signatures
    assert (clerk.slot_label, clerk.role) == ("Handled by", "经办人")
    assert (supervisor.slot_label, supervisor.role) == ("Supervisor", "主管")


def test_a_changed_file_says_changed_and_keeps_the_office_certificate(signed_pdf, ca, capsys):
    report = verify_pdf(_tampered(signed_pdf), ca.cert_pem)
    assert not report.ok
    for check in report.signatures:
        assert not check.intact and check.trusted  # the certificate is still this office's
        assert check.problem.startswith(CHANGED) and FOREIGN not in check.problem
    print_verify_report(report)
    out = capsys.readouterr().out
    assert "Signature Handled by: 张三 (zhang.san)" in out and "signed as: 经办人" in out
    assert "certificate issued by this office: yes" in out and "clerk" not in out
    assert CHANGED in out and "NOT VALID." in out


def test_a_foreign_certificate_is_still_called_foreign(fields_pdf, ca, foreign_ca):
    from desk_app.forms import pki

    stranger = pki.issue_user(foreign_ca, "other", "x.y", "某人", "pw")
    pdf = sign_as(fields_pdf, "clerk", stranger, "pw", foreign_ca,
                  SignatureAppearance(None, "某人", "clerk", datetime(2025, 3, 4, 9, 6)))
    intact = verify_pdf(pdf, ca.cert_pem).signatures[0]
    assert intact.intact and not intact.trusted and FOREIGN in intact.problem
    assert intact.role == "Clerk"  # a role stored as its value reads as its name
    changed = verify_pdf(_tampered(pdf), ca.cert_pem).signatures[0]
    assert not changed.intact and not changed.trusted and changed.problem.startswith(CHANGED)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.7])
def test_a_byte_changed_anywhere_is_not_blamed_on_the_certificate(signed_pdf, ca, fraction):
    at = int(len(signed_pdf) * fraction)
    tampered = signed_pdf[:at] + bytes([signed_pdf[at] ^ 0x01]) + signed_pdf[at + 1:]
    report = verify_pdf(tampered, ca.cert_pem)
    assert not report.ok
    assert all(check.trusted and FOREIGN not in check.problem for check in report.signatures)
