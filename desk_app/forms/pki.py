"""A local certificate authority per database (R15): EC P-256 keys, PEM certificates.

Private keys are PKCS#8 sealed with AES-256-GCM under a scrypt key derived from a password
(see ``_key_pem``); the caller stores the PEM bytes and never the password.
Only ``cryptography`` is needed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.i18n import _

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

CA_VALIDITY = timedelta(days=365 * 30 + 7)
USER_VALIDITY = timedelta(days=365 * 10 + 2)
BACKDATE = timedelta(days=1)  # tolerate clock skew between desks and the database clock


@dataclass(frozen=True)
class CaMaterial:
    """The database's CA: certificate (PEM) and its private key (encrypted PKCS#8 PEM)."""

    cert_pem: bytes
    key_pem: bytes


@dataclass(frozen=True)
class UserKeyMaterial:
    """One user's signing identity: certificate (PEM) and private key (encrypted PKCS#8 PEM)."""

    user_name: str
    cert_pem: bytes
    key_pem: bytes


_KEY_USAGES = ("digital_signature", "content_commitment", "key_encipherment",
               "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
               "encipher_only", "decipher_only")


def _key_usage(*granted: str) -> x509.KeyUsage:
    """The KeyUsage extension allowing only ``granted`` (names of _KEY_USAGES)."""
    if not set(granted) <= set(_KEY_USAGES):
        raise ValueError(f"unknown key usages: {sorted(set(granted) - set(_KEY_USAGES))}")
    from cryptography import x509  # (loaded lazily, as everywhere in this module)

    return x509.KeyUsage(**{usage: usage in granted for usage in _KEY_USAGES})


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


KEY_PEM_LABEL = b"DESK_APP ENCRYPTED PRIVATE KEY"
# scrypt N=2**15, r=8: ~60 ms and 32 MiB per try, so a copied database does not give up
# weak passwords cheaply (PKCS#8's BestAvailableEncryption is PBKDF2 with 2048 rounds).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


def _check_password(password: str) -> None:
    if not password:
        raise ValidationError(_("A signing key needs a password."), field="password")


def _wrapping_key(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def _key_pem(key: ec.EllipticCurvePrivateKey, password: str) -> bytes:
    """The key as PKCS#8 DER sealed with AES-256-GCM under a scrypt-derived key, in PEM armour."""
    import base64
    import json
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    _check_password(password)
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_wrapping_key(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(
        nonce, der, KEY_PEM_LABEL
    )
    header = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "cipher": "aes-256-gcm",
              "salt": salt.hex(), "nonce": nonce.hex()}
    body = base64.encodebytes(json.dumps(header).encode() + b"\n" + sealed)
    return b"-----BEGIN " + KEY_PEM_LABEL + b"-----\n" + body + b"-----END " + KEY_PEM_LABEL + b"-----\n"


def load_private_key(pem: bytes, password: str) -> ec.EllipticCurvePrivateKey:
    """Decrypt a key written by this module; a wrong password raises ``AuthenticationFailed``."""
    import base64
    import binascii
    import json

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    not_a_key = ValidationError(_("This is not an encrypted signing key."))
    begin, end = b"-----BEGIN " + KEY_PEM_LABEL + b"-----", b"-----END " + KEY_PEM_LABEL + b"-----"
    if begin not in pem or end not in pem:
        raise not_a_key
    try:
        raw = base64.decodebytes(pem.split(begin, 1)[1].split(end, 1)[0])
        header_line, sealed = raw.split(b"\n", 1)
        header = json.loads(header_line)
        wrapping = _wrapping_key(password or "", bytes.fromhex(header["salt"]), header["n"],
                                 header["r"], header["p"])
    except (ValueError, KeyError, binascii.Error) as error:
        raise not_a_key from error
    try:
        der = AESGCM(wrapping).decrypt(bytes.fromhex(header["nonce"]), sealed, KEY_PEM_LABEL)
    except InvalidTag as error:
        raise AuthenticationFailed(_("Wrong password for the signing key.")) from error
    key = serialization.load_der_private_key(der, None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise not_a_key
    return key


def reencrypt(pem: bytes, old_password: str, new_password: str) -> bytes:
    """The same key under a new password (old password wrong → ``AuthenticationFailed``)."""
    return _key_pem(load_private_key(pem, old_password), new_password)


def load_certificate(pem: bytes) -> x509.Certificate:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as error:
        raise ValidationError(_("This is not a certificate.")) from error


def create_ca(
    common_name: str, organisation: str, key_password: str, *, now: datetime | None = None
) -> CaMaterial:
    """A self-signed CA (EC P-256, CA=true, keyCertSign+cRLSign, 30 years)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    _check_password(key_password)  # fail before the slow part
    start = _utc(now) - BACKDATE
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            _key_usage("key_cert_sign", "crl_sign"),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CaMaterial(cert_pem=cert.public_bytes(Encoding.PEM), key_pem=_key_pem(key, key_password))


def issue_user(
    ca: CaMaterial,
    ca_password: str,
    user_name: str,
    full_name: str,
    key_password: str,
    *,
    now: datetime | None = None,
) -> UserKeyMaterial:
    """A user's signing key and certificate (CN = full name or user name, UID = user name, 10 years).

    ``ca_password`` decrypts the CA key (wrong → ``AuthenticationFailed``); ``key_password``
    encrypts the new user key.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    if not user_name.strip():
        raise ValidationError(_("A user name is required."), field="user_name")
    _check_password(key_password)
    ca_key = load_private_key(ca.key_pem, ca_password)
    ca_cert = load_certificate(ca.cert_pem)
    start = _utc(now) - BACKDATE
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, (full_name or user_name).strip())]
    organisation = ca_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if organisation:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, str(organisation[0].value)))
    attributes.append(x509.NameAttribute(NameOID.USER_ID, user_name))
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(start + USER_VALIDITY, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage("digital_signature", "content_commitment"),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return UserKeyMaterial(
        user_name=user_name, cert_pem=cert.public_bytes(Encoding.PEM), key_pem=_key_pem(key, key_password)
    )


def certificate_names(cert_pem: bytes) -> tuple[str, str]:
    """(common name, user name attribute) of a certificate; empty strings when absent."""
    from cryptography.x509.oid import NameOID

    subject = load_certificate(cert_pem).subject

    def first(oid) -> str:
        values = subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    return first(NameOID.COMMON_NAME), first(NameOID.USER_ID)
