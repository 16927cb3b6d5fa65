from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.forms import pki

from .conftest import CA_SECRET


def test_ca_is_a_p256_signing_ca(ca):
    cert = x509.load_pem_x509_certificate(ca.cert_pem)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    assert cert.issuer == cert.subject
    years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365.25
    assert 29.9 < years < 30.1
    assert b"DESK_APP ENCRYPTED PRIVATE KEY" in ca.key_pem and b"PRIVATE KEY-----\nMI" not in ca.key_pem


def test_user_cert_names_usage_and_issuer(ca, clerk):
    cert = x509.load_pem_x509_certificate(clerk.cert_pem)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "张三"
    assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "zhang.san"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert cert.issuer == ca_cert.subject
    cert.verify_directly_issued_by(ca_cert)
    years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365.25
    assert 9.9 < years < 10.1
    assert pki.certificate_names(clerk.cert_pem) == ("张三", "zhang.san")


def test_user_without_full_name_uses_user_name(ca):
    user = pki.issue_user(ca, CA_SECRET, "wang", "", "pw", now=datetime(2025, 1, 1, tzinfo=UTC))
    assert pki.certificate_names(user.cert_pem) == ("wang", "wang")


def test_wrong_password_is_authentication_failed(clerk, ca):
    assert isinstance(pki.load_private_key(clerk.key_pem, "clerk-pw"), ec.EllipticCurvePrivateKey)
    with pytest.raises(AuthenticationFailed, match="Wrong password for the signing key"):
        pki.load_private_key(clerk.key_pem, "nope")
    with pytest.raises(AuthenticationFailed):
        pki.issue_user(ca, "not-the-ca-secret", "x", "X", "pw")


def test_reencrypt(clerk):
    again = pki.reencrypt(clerk.key_pem, "clerk-pw", "new-pw")
    assert again != clerk.key_pem
    original = pki.load_private_key(clerk.key_pem, "clerk-pw")
    assert pki.load_private_key(again, "new-pw").private_numbers() == original.private_numbers()
    with pytest.raises(AuthenticationFailed):
        pki.load_private_key(again, "clerk-pw")
    with pytest.raises(AuthenticationFailed):
        pki.reencrypt(clerk.key_pem, "wrong", "new-pw")


def test_bad_inputs_are_validation_errors():
    with pytest.raises(ValidationError):
        pki.create_ca("CA", "Org", "")
    with pytest.raises(ValidationError):
        pki.load_private_key(b"hello", "pw")
    with pytest.raises(ValidationError):
        pki.load_certificate(b"not a cert")
