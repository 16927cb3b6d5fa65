"""Check every signature of a PDF against the database's CA (R15).

For each signature: intact (the signed bytes hash to what was signed and the CMS signature is
valid), trusted (the signer's certificate chains to the given CA), and modified_after (anything
changed or appended after it, from pyHanko's coverage and difference analysis — poppler's pdfsig
still says "valid" when an update is appended after the last signature, so it is not the verdict).
Any exception while validating one signature makes that signature invalid. The report is ok only
with at least one signature and every signature intact, trusted and unmodified.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desk_app.domain.errors import ValidationError
from desk_app.i18n import _


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str
    signer_name: str
    """Common name of the signer's certificate (the full name)."""
    signer_user: str
    """The user name attribute (UID) of the signer's certificate."""
    signed_at: datetime | None
    """The signing time the signer's software recorded (aware), if any."""
    intact: bool
    trusted: bool
    modified_after: bool
    problem: str = ""
    """Empty when the signature is fine; otherwise a translated sentence for the user."""

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and not self.modified_after


@dataclass(frozen=True)
class VerifyReport:
    signatures: list[SignatureCheck] = field(default_factory=list)
    unsigned_fields: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def problems(self) -> list[str]:
        if not self.signatures:
            return [_("The document has no signature.")]
        return [f"{s.field_name}: {s.problem}" for s in self.signatures if s.problem]


def _reader(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not isinstance(data, bytes | bytearray) or not data.lstrip()[:5] == b"%PDF-":
        raise ValidationError(_("This file is not a PDF."))
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("This PDF is incomplete (the file is truncated)."))
    try:
        reader = PdfFileReader(io.BytesIO(bytes(data)))
        reader.root  # noqa: B018 - forces the trailer and catalogue to be read
        return reader
    except Exception as error:
        raise ValidationError(_("This PDF is damaged and cannot be read.")) from error


def _names(cert) -> tuple[str, str]:
    from asn1crypto import x509 as asn1_x509

    common, user = "", ""
    if cert is None:
        return common, user
    for rdn in cert.subject.chosen:
        for attribute in rdn:
            oid = attribute["type"].dotted
            value = attribute["value"].native
            if oid == asn1_x509.NameType.map("common_name") or oid == "2.5.4.3":
                common = str(value)
            elif oid == "0.9.2342.19200300.100.1.1":
                user = str(value)
    return common, user


def verify_pdf(data: bytes, trusted_ca_pem: bytes) -> VerifyReport:
    """Verify every signature in ``data`` against ``trusted_ca_pem`` (see the module docstring).

    Not a PDF, truncated or unreadable → ``ValidationError``.
    """
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = _reader(data)
    try:
        ca_der = asn1_pem.unarmor(trusted_ca_pem)[2] if asn1_pem.detect(trusted_ca_pem) else trusted_ca_pem
        ca_cert = asn1_x509.Certificate.load(ca_der)
        ca_cert.native  # noqa: B018 - parse fully now
    except Exception as error:
        raise ValidationError(_("The trusted certificate cannot be read.")) from error
    try:
        embedded = list(reader.embedded_regular_signatures)
        unsigned = [name for name, value, _r in enumerate_sig_fields(reader) if value is None]
    except Exception as error:
        raise ValidationError(_("This PDF is damaged and cannot be read.")) from error

    last_revision = max((sig.signed_revision for sig in embedded), default=-1)
    # Something appended after the newest signature is never legitimate in a desk_app form.
    appended_after_last = False
    checks: list[SignatureCheck] = []
    statuses: list[tuple[Any, Any, Exception | None]] = []
    for sig in embedded:
        try:
            context = ValidationContext(
                trust_roots=[ca_cert], allow_fetching=False, revocation_mode="soft-fail"
            )
            status = validate_pdf_signature(sig, context)
            statuses.append((sig, status, None))
            if sig.signed_revision == last_revision and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
                appended_after_last = True
        except Exception as failure:  # some tampering raises instead of returning "invalid"
            statuses.append((sig, None, failure))

    for sig, status, failed in statuses:
        try:
            name = str(sig.field_name)
        except Exception:
            name = "?"
        try:
            signer_name, signer_user = _names(sig.signer_cert)
        except Exception:
            signer_name, signer_user = "", ""
        if status is None:
            checks.append(
                SignatureCheck(
                    name,
                    signer_name,
                    signer_user,
                    None,
                    False,
                    False,
                    True,
                    _(
                        "The signature cannot be checked: the document was damaged or altered ({error})."
                    ).format(error=type(failed).__name__),
                )
            )
            continue
        intact = bool(status.intact and status.valid)
        trusted = bool(status.trusted)
        level = status.modification_level
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            modified = False
        elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
            modified = appended_after_last or level is None or level > ModificationLevel.FORM_FILLING
        else:
            modified = True
        if not intact:
            problem = _("The signed content was changed.")
        elif modified:
            problem = _("The document was changed after this signature.")
        elif not trusted:
            problem = _("The signer's certificate was not issued by this office's certificate authority.")
        else:
            problem = ""
        checks.append(
            SignatureCheck(
                field_name=name,
                signer_name=signer_name,
                signer_user=signer_user,
                signed_at=status.signer_reported_dt,
                intact=intact,
                trusted=trusted,
                modified_after=modified,
                problem=problem,
            )
        )
    return VerifyReport(signatures=checks, unsigned_fields=unsigned)
