"""Certificate revocation lists of the database's CA (R15): retired signing keys are revoked.

A key is retired when an administrator resets (or deactivates) a user: from then on its
certificate is revoked. :func:`make_crl` writes an X.509 CRL signed by the CA key, for an auditor
who verifies signed PDFs away from the database (``desk-app verify-pdf --ca CA.pem --crl CRL``);
:func:`load_crl` reads one back, refusing any CRL the trusted CA did not sign. The result,
serial → revocation time, is what ``forms.verify.verify_pdf(revoked=...)`` takes. A revocation
only invalidates signatures made at or after it (see ``forms.verify`` on signing times).

Only ``cryptography`` is needed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from desk_app.domain.errors import ValidationError
from desk_app.forms import pki
from desk_app.i18n import _

CRL_VALIDITY = timedelta(days=30)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def make_crl(
    ca: pki.CaMaterial,
    ca_password: str,
    revoked: Sequence[tuple[str, datetime]],
    now: datetime,
    next_update: timedelta = CRL_VALIDITY,
) -> bytes:
    """A PEM CRL signed by the CA key, listing ``revoked`` (serial as lowercase hex, as stored in
    ``UserKey.serial``; revocation time naive UTC or aware), issued ``now`` and valid for
    ``next_update``. Wrong ``ca_password`` → ``AuthenticationFailed``; a serial that is not hex
    → ``ValidationError``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding

    entries = []
    for serial, when in revoked:
        try:
            number = int(str(serial).strip(), 16)
        except ValueError:
            raise ValidationError(_("{serial} is not a certificate serial number.").format(
                serial=serial)) from None
        entries.append((number, _utc(when)))
    ca_key = pki.load_private_key(ca.key_pem, ca_password)
    ca_cert = pki.load_certificate(ca.cert_pem)
    issued = _utc(now)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(issued)
        .next_update(issued + next_update)
        # RFC 5280 §5.2.3: a monotonically increasing number; the issue time in seconds is one.
        .add_extension(x509.CRLNumber(max(0, int(issued.timestamp()))), critical=False)
    )
    try:
        ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    except x509.ExtensionNotFound:
        pass  # (every CA of forms.pki has one; the CRL is valid without it)
    for number, when in sorted(entries):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(number).revocation_date(when).build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    return crl.public_bytes(Encoding.PEM)


def load_crl(pem_or_der: bytes, trusted_ca_pem: bytes) -> dict[int, datetime]:
    """Certificate serial → revocation time (aware UTC) from a CRL (PEM or DER) that the CA of
    ``trusted_ca_pem`` signed. Unreadable, or not signed by that CA → ``ValidationError``."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    data = bytes(pem_or_der or b"")
    try:
        if b"-----BEGIN X509 CRL-----" in data:
            crl = x509.load_pem_x509_crl(data)
        else:
            crl = x509.load_der_x509_crl(data)
    except ValueError as error:
        raise ValidationError(_("This is not a certificate revocation list.")) from error
    ca_cert = pki.load_certificate(trusted_ca_pem)
    ca_key = ca_cert.public_key()  # our CAs are EC P-256 (forms.pki)
    try:
        signed = (isinstance(ca_key, ec.EllipticCurvePublicKey) and crl.issuer == ca_cert.subject
                  and crl.is_signature_valid(ca_key))
    except (TypeError, ValueError):
        signed = False
    if not signed:
        raise ValidationError(_(
            "This revocation list was not issued by this office's certificate authority."))
    try:
        return {entry.serial_number: entry.revocation_date_utc for entry in crl}
    except ValueError as error:
        raise ValidationError(_("This is not a certificate revocation list.")) from error
