"""R15 "a changed byte must fail" for the signature container itself, and revocation (CRL).

The CMS in ``/Contents`` is not covered by its own signature: its zero padding, its unsigned
fields and the copy of the CA certificate it carries can be changed without breaking the
cryptography. verify_pdf must still refuse every such change (poppler's pdfsig does).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.forms import pki
from desk_app.forms.verify import verify_pdf

from .conftest import CA_SECRET, sign_as

FLIP = 0x01  # one bit of one byte: '0' -> '1', 'A' -> '@', '7' -> '6' ...


@pytest.fixture(scope="module")
def one_signature_pdf(fields_pdf, ca, clerk) -> bytes:
    return sign_as(fields_pdf, "clerk", clerk, "clerk-pw", ca, None)


@pytest.fixture(params=["one signature", "two signatures"])
def document(request, one_signature_pdf, signed_pdf) -> bytes:
    return one_signature_pdf if request.param == "one signature" else signed_pdf


def container(pdf: bytes, index: int = -1) -> tuple[int, int, int]:
    """(offset of ``<``, offset after ``>``, hex characters of the CMS DER) of a signature's
    /Contents (the last one by default: no later signature covers its bytes)."""
    from asn1crypto import cms
    from pyhanko.pdf_utils.reader import PdfFileReader

    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[index]
    _zero, start, end, _rest = (int(value) for value in sig.byte_range)
    der_length = len(cms.ContentInfo.load(sig.pkcs7_content).dump())
    assert pdf[start:start + 1] == b"<" and pdf[end - 1:end] == b">"
    return start, end, 2 * der_length


def flipped(pdf: bytes, at: int, mask: int = FLIP) -> bytes:
    return pdf[:at] + bytes([pdf[at] ^ mask]) + pdf[at + 1:]


def rejected(pdf: bytes, trusted: bytes, **options) -> bool:
    try:
        return not verify_pdf(pdf, trusted, **options).ok
    except ValidationError:
        return True  # unreadable is a failure too


def sample(positions: range, count: int) -> list[int]:
    if len(positions) <= count:
        return list(positions)
    step = len(positions) / count
    return [positions[int(i * step)] for i in range(count)]


def padding_positions(pdf: bytes) -> range:
    start, end, der_hex = container(pdf)
    return range(start + 1 + der_hex, end - 1)


def ca_positions(pdf: bytes, ca: pki.CaMaterial) -> range:
    from cryptography.hazmat.primitives.serialization import Encoding

    der_hex = pki.load_certificate(ca.cert_pem).public_bytes(Encoding.DER).hex().encode()
    start, end, _der = container(pdf)
    match = re.search(re.escape(der_hex), pdf[start:end], re.IGNORECASE)
    assert match, "the CA certificate is embedded in the signature"
    return range(start + match.start(), start + match.end())


# ------------------------------------------------------------------ the container


def test_untouched_documents_verify(document, ca):
    report = verify_pdf(document, ca.cert_pem)
    assert report.ok, report.problems
    assert all(check.revoked_at is None for check in report.signatures)


def test_every_sampled_padding_flip_fails(document, ca):
    positions = padding_positions(document)
    assert len(positions) > 4000  # the reservation is mostly padding
    accepted = [at for at in sample(positions, 50) if not rejected(flipped(document, at), ca.cert_pem)]
    assert accepted == []


def test_every_sampled_flip_in_the_embedded_ca_certificate_fails(document, ca):
    positions = ca_positions(document, ca)
    accepted = [at for at in sample(positions, 80) if not rejected(flipped(document, at), ca.cert_pem)]
    assert accepted == []


def test_every_sampled_flip_anywhere_in_the_container_fails(signed_pdf, ca):
    start, _end, der_hex = container(signed_pdf)
    positions = range(start, start + 1 + der_hex + 1)  # "<", the DER, the first padding byte
    accepted = [at for at in sample(positions, 150) if not rejected(flipped(signed_pdf, at), ca.cert_pem)]
    assert accepted == []


def test_the_first_signatures_container_is_covered_by_the_second(signed_pdf, ca):
    start, end, _der = container(signed_pdf, 0)
    for at in sample(range(start, end), 10):
        assert rejected(flipped(signed_pdf, at), ca.cert_pem)


def test_a_changed_letter_case_in_the_hex_fails(document, ca):
    """``<AB>`` and ``<ab>`` decode alike, but the file changed: a changed byte must fail."""
    start, _end, der_hex = container(document)
    at = next(i for i in range(start + 1, start + 1 + der_hex) if chr(document[i]) in "ABCDEFabcdef")
    assert rejected(flipped(document, at, 0x20), ca.cert_pem)


def test_a_changed_padding_end_or_terminator_fails(document, ca):
    _start, end, _der = container(document)
    for at, new in ((end - 2, b" "), (end - 1, b")"), (end - 2, b"F")):
        assert rejected(document[:at] + new + document[at + 1:], ca.cert_pem), (at, new)


def test_a_lengthened_outer_header_swallowing_padding_fails(document, ca):
    """``3082 05A3`` → ``3082 05A5``: two zero bytes of padding become part of the CMS (as an
    end-of-contents element, which asn1crypto and pyHanko let pass)."""
    start, _end, der_hex = container(document)
    header = document[start + 1:start + 9]
    assert header[:4] == b"3082" and int(header[4:], 16) * 2 + 8 == der_hex
    longer = b"3082" + format(int(header[4:], 16) + 2, "04X").encode()
    assert rejected(document[:start + 1] + longer + document[start + 9:], ca.cert_pem)


def test_a_changed_issuer_name_in_the_signer_identifier_fails(document, ca):
    """The SignerInfo names its certificate by issuer and serial, outside what is signed:
    "前台档案室 CA" → "前台档案室 cA" there must fail (names compare case-insensitively, so
    pyHanko still finds the certificate)."""
    from asn1crypto import cms
    from pyhanko.pdf_utils.reader import PdfFileReader

    sig = PdfFileReader(io.BytesIO(document)).embedded_signatures[-1]
    sid = cms.ContentInfo.load(sig.pkcs7_content)["content"]["signer_infos"][0]["sid"].dump()
    sid_hex = sid.hex().upper().encode()
    start, end, _der = container(document)
    at = document.index(sid_hex, start, end)
    at += sid_hex.index(b"204341") + 2  # " CA": the "4" of "43"
    assert document[at:at + 1] == b"4"
    assert rejected(flipped(document, at, 0x02), ca.cert_pem)  # 0x43 'C' -> 0x63 'c'


def rebuilt(pdf: bytes, change) -> bytes:
    """The last signature's CMS changed by ``change(signed_data)``, re-encoded and padded back
    into the same reservation (so every byte range still matches)."""
    from asn1crypto import cms

    start, end, der_hex = container(pdf)
    content = cms.ContentInfo.load(bytes.fromhex(pdf[start + 1:start + 1 + der_hex].decode()))
    change(content["content"])
    new_hex = content.dump(force=True).hex().upper().encode()
    room = end - start - 2
    assert len(new_hex) <= room
    return pdf[:start + 1] + new_hex + b"0" * (room - len(new_hex)) + pdf[end - 1:]


def asn1_certificate(pem: bytes):
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(asn1_pem.unarmor(pem)[2])


def test_an_added_certificate_fails(document, ca, foreign_ca):
    from asn1crypto import cms

    def add_foreign(signed_data):
        certs = [choice.chosen for choice in signed_data["certificates"]]
        signed_data["certificates"] = cms.CertificateSet(
            [cms.CertificateChoices(name="certificate", value=c)
             for c in [*certs, asn1_certificate(foreign_ca.cert_pem)]])

    changed = rebuilt(document, add_foreign)
    assert changed != document and len(changed) == len(document)
    report = verify_pdf(changed, ca.cert_pem)
    assert not report.ok
    assert not report.signatures[-1].intact and "certificate" in report.signatures[-1].problem


def test_rebuilding_an_unchanged_container_gives_the_same_bytes(document):
    """The control for the tests that change the container through ``rebuilt``."""
    assert rebuilt(document, lambda signed_data: None) == document


def test_an_added_crl_fails(document, ca):
    from asn1crypto import cms
    from asn1crypto import crl as asn1_crl
    from asn1crypto import pem as asn1_pem

    from desk_app.forms.crl import make_crl

    pem = make_crl(ca, CA_SECRET, [], datetime.now(UTC))
    crl = asn1_crl.CertificateList.load(asn1_pem.unarmor(pem)[2])

    def add_crl(signed_data):
        signed_data["crls"] = cms.RevocationInfoChoices([cms.RevocationInfoChoice(name="crl", value=crl)])

    assert rejected(rebuilt(document, add_crl), ca.cert_pem)


def test_a_changed_unsigned_digest_algorithm_list_fails(document, ca):
    from asn1crypto import algos, cms

    def sha512_too(signed_data):
        signed_data["digest_algorithms"] = cms.DigestAlgorithms(
            [*signed_data["digest_algorithms"], algos.DigestAlgorithm({"algorithm": "sha512"})])

    assert rejected(rebuilt(document, sha512_too), ca.cert_pem)


def pdfsig_valid(pdf: bytes, path, nss: list[str]) -> bool:
    """pdfsig's verdict: every signature valid, every certificate trusted (with our CA in its NSS
    database) or at least readable ("issuer isn't Trusted" when it does not know our CA)."""
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", *nss, str(path)], capture_output=True, text=True,
                            errors="replace", check=False, timeout=60)
    lines = [line.split(":", 1)[1].strip() for line in (result.stdout + result.stderr).splitlines()
             if "Validation:" in line]
    signatures = [line for line in lines if line.startswith("Signature")]
    return bool(lines) and all(line == "Signature is Valid." for line in signatures) and all(
        line in ("Certificate is Trusted.", "Certificate issuer isn't Trusted.")
        for line in lines if line not in signatures) and len(signatures) * 2 == len(lines)


def nss_trusting(ca: pki.CaMaterial, folder) -> list[str]:
    """pdfsig options for an NSS database that trusts our CA (needs certutil, libnss3-tools);
    without certutil, pdfsig's own database."""
    if shutil.which("certutil") is None:
        return []
    folder.mkdir()
    (folder / "ca.pem").write_bytes(ca.cert_pem)
    for command in (["-N", "--empty-password"],
                    ["-A", "-n", "desk-ca", "-t", "C,C,C", "-a", "-i", str(folder / "ca.pem")]):
        subprocess.run(["certutil", "-d", f"sql:{folder}", *command], capture_output=True,
                       check=True, timeout=60)
    return ["-nssdir", f"sql:{folder}"]


def test_whenever_pdfsig_rejects_a_flip_so_does_verify_pdf(signed_pdf, ca, tmp_path):
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) is not installed")
    nss = nss_trusting(ca, tmp_path / "nss")
    start, _end, der_hex = container(signed_pdf)
    in_ca = ca_positions(signed_pdf, ca)
    flips = (sample(padding_positions(signed_pdf), 10) + sample(in_ca, 15)
             + sample(range(start, in_ca.start), 20)
             + sample(range(in_ca.stop, start + 1 + der_hex), 15))
    assert pdfsig_valid(signed_pdf, tmp_path / "good.pdf", nss)
    pdfsig_rejects, disagreements = 0, []
    for at in flips:
        changed = flipped(signed_pdf, at)
        if not pdfsig_valid(changed, tmp_path / "flipped.pdf", nss):
            pdfsig_rejects += 1
            if not rejected(changed, ca.cert_pem):
                disagreements.append(at - start)
    assert pdfsig_rejects > 0  # the sample means something
    assert disagreements == []


# ------------------------------------------------------------------ revocation


def serial_hex(user: pki.UserKeyMaterial) -> str:
    return format(pki.load_certificate(user.cert_pem).serial_number, "x")


def serial(user: pki.UserKeyMaterial) -> int:
    return pki.load_certificate(user.cert_pem).serial_number


def test_crl_round_trip(ca, clerk, supervisor):
    from desk_app.forms.crl import load_crl, make_crl

    naive = datetime(2025, 3, 4, 9, 30)
    aware = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
    pem = make_crl(ca, CA_SECRET, [(serial_hex(clerk), naive), (serial_hex(supervisor), aware)],
                   datetime(2025, 3, 6, 8, 0))
    assert pem.startswith(b"-----BEGIN X509 CRL-----")
    revoked = load_crl(pem, ca.cert_pem)
    assert revoked == {serial(clerk): naive.replace(tzinfo=UTC), serial(supervisor): aware}
    assert all(moment.tzinfo is not None for moment in revoked.values())

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    crl = x509.load_pem_x509_crl(pem)
    assert crl.next_update_utc - crl.last_update_utc == timedelta(days=30)
    assert load_crl(crl.public_bytes(Encoding.DER), ca.cert_pem) == revoked
    assert load_crl(make_crl(ca, CA_SECRET, [], datetime.now(UTC)), ca.cert_pem) == {}


def test_crl_is_refused_unless_the_trusted_ca_signed_it(ca, foreign_ca, clerk):
    from desk_app.forms.crl import load_crl, make_crl

    with pytest.raises(ValidationError, match="certificate authority"):
        load_crl(make_crl(foreign_ca, "other", [(serial_hex(clerk), datetime.now(UTC))],
                          datetime.now(UTC)), ca.cert_pem)
    # Same names, another key: the signature decides, not the issuer name.
    twin = pki.create_ca("前台档案室 CA", "某某客服中心", "twin")
    with pytest.raises(ValidationError, match="certificate authority"):
        load_crl(make_crl(twin, "twin", [], datetime.now(UTC)), ca.cert_pem)
    for junk in (b"", b"not a crl", ca.cert_pem):
        with pytest.raises(ValidationError):
            load_crl(junk, ca.cert_pem)


def test_make_crl_needs_the_ca_password_and_hex_serials(ca):
    from desk_app.forms.crl import make_crl

    with pytest.raises(AuthenticationFailed):
        make_crl(ca, "wrong", [], datetime.now(UTC))
    with pytest.raises(ValidationError):
        make_crl(ca, CA_SECRET, [("not-hex", datetime.now(UTC))], datetime.now(UTC))


def signed_at(pdf: bytes, ca, index: int = 0) -> datetime:
    moment = verify_pdf(pdf, ca.cert_pem).signatures[index].signed_at
    assert moment is not None and moment.tzinfo is not None
    return moment


def test_signature_before_revocation_stays_valid(one_signature_pdf, ca, clerk):
    later = signed_at(one_signature_pdf, ca) + timedelta(seconds=1)
    report = verify_pdf(one_signature_pdf, ca.cert_pem, revoked={serial(clerk): later})
    assert report.ok, report.problems
    assert report.signatures[0].revoked_at == later and report.signatures[0].problem == ""


def test_signature_after_revocation_fails(one_signature_pdf, ca, clerk):
    moment = signed_at(one_signature_pdf, ca)
    for revoked_at in (moment - timedelta(days=1), moment):  # at the same second: after
        report = verify_pdf(one_signature_pdf, ca.cert_pem, revoked={serial(clerk): revoked_at})
        assert not report.ok
        check = report.signatures[0]
        assert check.revoked_at == revoked_at and check.intact and check.trusted
        assert "revoked" in check.problem and "before this signature" in check.problem


def test_revocation_through_a_crl_hits_only_that_signer(signed_pdf, ca, clerk, supervisor):
    from desk_app.forms.crl import load_crl, make_crl

    before = signed_at(signed_pdf, ca, 0) - timedelta(hours=1)
    pem = make_crl(ca, CA_SECRET, [(serial_hex(clerk), before)], datetime.now(UTC))
    report = verify_pdf(signed_pdf, ca.cert_pem, revoked=load_crl(pem, ca.cert_pem))
    assert not report.ok
    clerk_check, supervisor_check = report.signatures
    assert not clerk_check.ok and clerk_check.problem
    assert supervisor_check.ok and supervisor_check.revoked_at is None
    assert verify_pdf(signed_pdf, ca.cert_pem, revoked={}).ok
    assert verify_pdf(signed_pdf, ca.cert_pem, revoked={serial(supervisor) + 1: before}).ok
