"""A signing time outside the signer's certificate's validity fails (found by an adversarial
test: a retired key's signature back-dated to 2020, before its certificate existed, verified)."""

from __future__ import annotations

import datetime as dt

import pytest

from desk_app.forms.verify import verify_pdf
from tests.forms.conftest import sign_as


def _signed_at(monkeypatch, fields_pdf, clerk, ca, when: dt.datetime) -> bytes:
    """Sign with pyHanko's clock set to ``when`` (what a holder of the key can do)."""
    import pyhanko.sign.signers.pdf_cms as pdf_cms
    import pyhanko.sign.signers.pdf_signer as pdf_signer

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return when.astimezone(tz) if tz else when

    for module in (pdf_signer, pdf_cms):
        if hasattr(module, "datetime"):
            monkeypatch.setattr(module, "datetime", Clock)
    return sign_as(fields_pdf, "clerk", clerk, "clerk-pw", ca, None)


@pytest.mark.parametrize("when", [dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                                  dt.datetime(2099, 1, 1, tzinfo=dt.UTC)])
def test_a_signing_time_outside_the_certificate_fails(monkeypatch, fields_pdf, clerk, ca, when):
    report = verify_pdf(_signed_at(monkeypatch, fields_pdf, clerk, ca, when), ca.cert_pem)
    (check,) = report.signatures
    assert check.signed_at == when and check.intact and check.trusted
    assert check.dated_outside_certificate and not report.ok
    assert "outside the validity" in check.problem


def test_a_signing_time_inside_the_certificate_is_fine(fields_pdf, clerk, ca):
    report = verify_pdf(sign_as(fields_pdf, "clerk", clerk, "clerk-pw", ca, None), ca.cert_pem)
    assert report.ok and not report.signatures[0].dated_outside_certificate
