"""Check every signature of a PDF against the database's CA (R15).

For each signature: intact (the signed bytes hash to what was signed and the CMS signature is
valid), trusted (the signer's certificate chains to the given CA), and modified_after (anything
changed or appended after it, from pyHanko's coverage and difference analysis — poppler's pdfsig
still says "valid" when an update is appended after the last signature, so it is not the verdict).
Any exception while validating one signature makes that signature invalid. The report is ok only
with at least one signature and every signature intact, trusted and unmodified.

A changed byte must fail (R15), also inside the signature container, which its own signature
cannot cover: the bytes between the two signed byte ranges must be exactly ``<``, the hex of the
CMS (its length from its outer DER header; hex digits of one letter case only), zero padding and
``>``; the CMS must have the shape our signer writes (DER lengths only, one SignerInfo naming
the signer's certificate exactly, the digest algorithm list equal to its algorithm, no CRLs, no
unsigned attributes), and every certificate it carries must be byte-identical to the trusted CA
certificate or to the signer's certificate that validated. Anything else makes the signature
"not intact". (pyHanko alone accepts all of these changes: they are outside what is signed.)

Revocation: given ``revoked`` (certificate serial → revocation time, from a CRL of the CA or from
the database's retired keys), a signature whose signer's certificate was revoked at or before the
signing time is invalid; one made before the revocation stays valid (``revoked_at`` says when it
was revoked). The signing time is the one the signer's software wrote into the CMS (signingTime):
there is no timestamp authority. So whoever holds a retired key AND its password can still make a
signature that claims an earlier date; revocation only stops signatures that tell the truth about
their time, and signatures without a signing time (treated as made after the revocation).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from desk_app.domain.clock import format_datetime
from desk_app.domain.errors import ValidationError
from desk_app.i18n import N_, _

HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


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
    revoked_at: datetime | None = None
    """When the signer's certificate was revoked (aware), if it was and revocations were given;
    a revocation after ``signed_at`` leaves the signature valid."""

    dated_outside_certificate: bool = False
    """The signing time lies outside the signer's certificate's validity (back- or post-dated)."""

    role: str = ""
    """The signer's role as signed (the signature's reason: "经办人", "Auditor"), in words."""

    @property
    def slot_label(self) -> str:
        """The signature field in words ("Handled by"), not its name in the file (``clerk``)."""
        return slot_label(self.field_name)

    @property
    def revoked_before_signing(self) -> bool:
        """Revoked at or before the signing time (no signing time counts as after)."""
        if self.revoked_at is None:
            return False
        return self.signed_at is None or self.revoked_at <= self.signed_at

    @property
    def ok(self) -> bool:
        return (self.intact and self.trusted and not self.modified_after
                and not self.revoked_before_signing and not self.dated_outside_certificate)


# The signature fields of the desk's forms (forms.*: ``spec.signatures``), in words.
SLOT_LABELS: dict[str, str] = {
    "clerk": N_("Handled by"), "handler": N_("Handled by"), "supervisor": N_("Supervisor"),
    "exporter": N_("Exported by"), "signer": N_("Checkpoint signed by"),
    "outgoing": N_("Outgoing"), "incoming": N_("Incoming"), "preparer": N_("Prepared by"),
    "manager": N_("Manager"), "executor": N_("Carried out by"), "witness": N_("Witness"),
    "borrower": N_("Borrower"),
    # the document register's sheets (forms/documents_*.py)
    "drafter": N_("Drafted by"), "reviewer": N_("Reviewed by"),
    "approver": N_("Signed off by"), "head": N_("Department head"),
}


def slot_label(name: str) -> str:
    return _(SLOT_LABELS[name]) if name in SLOT_LABELS else name


def role_in_words(reason: Any) -> str:
    """A signature's reason as shown: a stored role value (``clerk``) by its name."""
    from desk_app.domain.roles import Role

    text = "" if reason is None else str(reason).strip()
    try:
        return Role(text).label
    except ValueError:
        return text


def _issued_by(cert: Any, ca_cert: Any) -> bool:
    """Whether ``cert`` carries this office's CA signature, judged on the certificate alone:
    a document changed after signing still names its signer's certificate rightly."""
    if cert is None:
        return False
    try:
        from cryptography import x509 as crypto_x509

        own = crypto_x509.load_der_x509_certificate(cert.dump())
        own.verify_directly_issued_by(crypto_x509.load_der_x509_certificate(ca_cert.dump()))
        return True
    except Exception:
        return False


def _signer_cert(sig: Any) -> Any:
    try:
        return sig.signer_cert
    except Exception:
        return None


def _reason(sig: Any) -> str:
    try:
        return role_in_words(sig.sig_object.get("/Reason"))
    except Exception:
        return ""


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


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _tlv(raw: bytes, at: int, end: int) -> tuple[int, int] | None:
    """(offset of the contents, offset after them) of the DER element at ``raw[at]``, or None for
    a high tag number, an indefinite or non-minimal length, or one running past ``end``."""
    if at + 2 > end or raw[at] & 0x1F == 0x1F:
        return None
    first = raw[at + 1]
    if first < 0x80:
        start, length = at + 2, first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or at + 2 + count > end or raw[at + 2] == 0:
            return None
        start, length = at + 2 + count, int.from_bytes(raw[at + 2:at + 2 + count], "big")
        if length < 0x80:
            return None
    return (start, start + length) if start + length <= end else None


def _is_der(raw: bytes, at: int, end: int) -> bool:
    """``raw[at:end]`` is a run of DER elements, the constructed ones nesting exactly."""
    while at < end:
        element = _tlv(raw, at, end)
        if element is None or raw[at] == 0:  # tag 0 (end-of-contents) has no place in DER:
            return False  # zero padding swallowed by a lengthened outer header would parse as it
        start, after = element
        if raw[at] & 0x20 and not _is_der(raw, start, after):
            return False
        at = after
    return True


def _contents_der(data: bytes, sig) -> bytes | None:
    """The CMS DER of ``sig`` when the bytes between its two signed ranges are exactly ``<`` +
    hex of that DER + zero padding + ``>`` (hex digits in one letter case); else None."""
    try:
        byte_range = [int(value) for value in sig.byte_range]
        raw_contents = bytes(sig.pkcs7_content)
    except Exception:
        return None
    if len(byte_range) != 4 or byte_range[0] != 0:
        return None
    _zero, start, end, rest = byte_range
    if not (0 < start < end and rest >= 0 and end + rest <= len(data)):
        return None
    gap = data[start:end]
    digits = gap[1:-1]
    if gap[:1] != b"<" or gap[-1:] != b">" or len(digits) % 2 or not digits:
        return None
    if not HEX_DIGITS.issuperset(digits) or (digits != digits.upper() and digits != digits.lower()):
        return None
    raw = bytes.fromhex(digits.decode("ascii"))
    if raw != raw_contents:  # pyHanko checked another /Contents than the one in the gap
        return None
    outer = _tlv(raw, 0, len(raw)) if raw[:1] == b"\x30" else None
    if outer is None or raw[outer[1]:].strip(b"\0") or not _is_der(raw, 0, outer[1]):
        return None
    return raw[:outer[1]]


def _altered() -> str:
    return _("The signature itself was altered: its data in the file is not what was signed.")


def _null_or_absent(algorithm) -> bool:
    return algorithm["parameters"].dump() in (b"", b"\x05\x00")


def _cms_problem(der: bytes, signer_cert, ca_der: bytes | None) -> str:
    """Empty when the CMS ``der`` has the shape our signer writes and carries only the trusted CA
    certificate and the signer's own; otherwise a translated sentence. ``ca_der`` None (a signer
    from another CA, invalid anyway): the certificates are not compared."""
    from asn1crypto import cms, core

    altered = _altered()
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            return altered
        signed = info["content"]
        signers = list(signed["signer_infos"])
        if len(signers) != 1:
            return altered
        signer = signers[0]
        shape = (signed["version"].native, signer["version"].native, signer["sid"].name)
        if shape not in (("v1", "v1", "issuer_and_serial_number"),
                         ("v3", "v3", "subject_key_identifier")):
            return altered
        sid = signer["sid"].chosen  # unsigned: it must name the signer's certificate exactly
        if shape[2] == "subject_key_identifier":
            if sid.native != signer_cert.key_identifier:
                return altered
        elif (sid["issuer"].dump() != signer_cert.issuer.dump()
              or sid["serial_number"].native != signer_cert.serial_number):
            return altered
        if [algorithm.dump() for algorithm in signed["digest_algorithms"]] != [
                signer["digest_algorithm"].dump()]:
            return altered
        if not (_null_or_absent(signer["digest_algorithm"])
                and _null_or_absent(signer["signature_algorithm"])):
            return altered
        encapsulated = signed["encap_content_info"]
        if encapsulated["content_type"].native != "data" or encapsulated["content"].native is not None:
            return altered
        if not isinstance(signed["crls"], core.Void) or not isinstance(signer["unsigned_attrs"], core.Void):
            return altered
        if isinstance(signer["signed_attrs"], core.Void):
            return altered
        certificates = [choice.dump() if choice.name != "certificate" else choice.chosen.dump()
                        for choice in signed["certificates"]]
    except Exception:
        return altered
    signer_der = signer_cert.dump()
    if ca_der is not None and (
            signer_der not in certificates or len(set(certificates)) != len(certificates)
            or not set(certificates) <= {signer_der, ca_der}):
        return _(
            "The signature carries a certificate that is neither the signer's nor this office's "
            "CA certificate."
        )
    return ""


def _outside_validity(signed_at: datetime | None, cert: Any) -> bool:
    """A signing time before the signer's certificate existed (or after it expired) was not
    written when the certificate's key signed: a retired key back-dated past its issue."""
    if signed_at is None or cert is None:
        return False
    validity = cert["tbs_certificate"]["validity"]
    start, end = validity["not_before"].native, validity["not_after"].native
    return not start <= _aware(signed_at) <= end


def verify_pdf(data: bytes, trusted_ca_pem: bytes, *,
               revoked: Mapping[int, datetime] | None = None) -> VerifyReport:
    """Verify every signature in ``data`` against ``trusted_ca_pem`` (see the module docstring).

    ``revoked``: certificate serial → revocation time (naive means UTC), e.g. from
    ``forms.crl.load_crl``; None checks no revocation. Not a PDF, truncated or unreadable →
    ``ValidationError``.
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
        role = _reason(sig)
        if status is None:
            checks.append(
                SignatureCheck(
                    name,
                    signer_name,
                    signer_user,
                    None,
                    False,
                    _issued_by(_signer_cert(sig), ca_cert),
                    True,
                    _(
                        "The signature cannot be checked: the document was damaged or altered ({error})."
                    ).format(error=type(failed).__name__),
                    role=role,
                )
            )
            continue
        intact = bool(status.intact and status.valid)
        # pyhanko judges trust only on an intact signature; a changed document must not read
        # as "signed by a foreign certificate" when its signer's certificate is this office's.
        trusted = bool(status.trusted) if intact else _issued_by(
            status.signing_cert or _signer_cert(sig), ca_cert)
        container = ""
        if intact:
            try:
                der = _contents_der(data, sig)
                container = (_altered() if der is None else _cms_problem(
                    der, status.signing_cert, ca_cert.dump() if trusted else None))
            except Exception:  # e.g. nesting deep enough to exhaust the recursion limit
                container = _altered()
            intact = not container
        signed_at = status.signer_reported_dt
        revoked_at = None
        if revoked is not None and trusted and status.signing_cert is not None:
            when = revoked.get(status.signing_cert.serial_number)
            revoked_at = _aware(when) if when is not None else None
        level = status.modification_level
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            modified = False
        elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
            modified = appended_after_last or level is None or level > ModificationLevel.FORM_FILLING
        else:
            modified = True
        check = SignatureCheck(
            field_name=name,
            signer_name=signer_name,
            signer_user=signer_user,
            signed_at=signed_at,
            intact=intact,
            trusted=trusted,
            modified_after=modified,
            revoked_at=revoked_at,
            dated_outside_certificate=_outside_validity(signed_at, status.signing_cert),
            role=role,
        )
        if container:
            problem = container
        elif not intact:
            problem = _("The document was changed after it was signed: its content no longer "
                        "matches the signature.")
        elif modified:
            problem = _("The document was changed after this signature.")
        elif not trusted:
            problem = _("The signer's certificate was not issued by this office's certificate authority.")
        elif check.dated_outside_certificate and signed_at is not None:
            problem = _("The signing time {time} lies outside the validity of the signer's "
                        "certificate: the signature was back-dated or post-dated.").format(
                            time=format_datetime(signed_at, seconds=True))
        elif check.revoked_before_signing and revoked_at is not None:
            problem = _("The signer's certificate was revoked on {date}, before this signature.").format(
                date=format_datetime(revoked_at, seconds=True))
        else:
            problem = ""
        checks.append(replace(check, problem=problem))
    return VerifyReport(signatures=checks, unsigned_fields=unsigned)
