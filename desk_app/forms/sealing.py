"""Sealing a secret for one person (ECDH to their certificate) or for a recovery code.

Used for the CA's key secret (sealed per administrator) and the personnel data key (sealed
per personnel officer): the database holds only these sealed copies, so a copy of the
database alone opens none of them. A copy is opened with the holder's private signing key,
itself sealed by their password (``pki.load_private_key``).

Format (JSON text): ECIES over P-256 — an ephemeral key pair, ECDH with the holder's public
key, HKDF-SHA256 bound to the purpose label and both public points, AES-256-GCM. The
signing key is used for key agreement here as well; certificates say "digital signature"
because verifiers only ever see signatures.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from typing import TYPE_CHECKING

from desk_app.domain.errors import AuthenticationFailed, ValidationError
from desk_app.i18n import _

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec

_INFO = b"desk_app sealed secret v1:"
# Recovery codes: 25 characters of Crockford's base32 in five groups (125 bits), typed by hand.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_SCRYPT = (2**15, 8, 1)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _point(public_key: ec.EllipticCurvePublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)


def _shared_key(shared: bytes, label: str, ephemeral: bytes, holder: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(hashes.SHA256(), 32, salt=ephemeral + holder,
                info=_INFO + label.encode("utf-8")).derive(shared)


def seal_to_certificate(secret: bytes, cert_pem: bytes, label: str) -> str:
    """``secret`` sealed so that only the private key of ``cert_pem`` opens it."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from desk_app.forms.pki import load_certificate

    holder_key = load_certificate(cert_pem).public_key()
    if not isinstance(holder_key, ec.EllipticCurvePublicKey):
        raise ValidationError(_("This certificate has no EC key to seal a secret for."))
    ephemeral = ec.generate_private_key(holder_key.curve)
    ephemeral_point, holder_point = _point(ephemeral.public_key()), _point(holder_key)
    key = _shared_key(ephemeral.exchange(ec.ECDH(), holder_key), label, ephemeral_point,
                      holder_point)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, secret, label.encode("utf-8"))
    return json.dumps({"v": 1, "kind": "ecdh-p256", "epk": _b64(ephemeral_point),
                       "nonce": _b64(nonce), "ct": _b64(sealed)})


def open_with_key(blob: str, private_key: ec.EllipticCurvePrivateKey, label: str) -> bytes:
    """The secret of a ``seal_to_certificate`` blob; a wrong key or a changed blob raises
    ``AuthenticationFailed``."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    fields = _fields(blob, "ecdh-p256")
    try:
        ephemeral_point = _unb64(fields["epk"])
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(private_key.curve, ephemeral_point)
        key = _shared_key(private_key.exchange(ec.ECDH(), ephemeral), label, ephemeral_point,
                          _point(private_key.public_key()))
        return AESGCM(key).decrypt(_unb64(fields["nonce"]), _unb64(fields["ct"]),
                                   label.encode("utf-8"))
    except (InvalidTag, ValueError) as error:
        raise AuthenticationFailed(_("This sealed secret does not open with this key.")) from error


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _i in range(25))
    return "-".join(raw[i:i + 5] for i in range(0, 25, 5))


def _normal_code(code: str) -> str:
    """Typed codes forgive case, spaces, dashes and the letters people confuse (O/0, I/L/1)."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch not in " -\t")
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def _code_key(code: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    n, r, p = _CODE_SCRYPT
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(_normal_code(code).encode())


def seal_with_code(secret: bytes, code: str, label: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_code_key(code, salt)).encrypt(nonce, secret, label.encode("utf-8"))
    return json.dumps({"v": 1, "kind": "scrypt-code", "salt": _b64(salt), "nonce": _b64(nonce),
                       "ct": _b64(sealed)})


def open_with_code(blob: str, code: str, label: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    fields = _fields(blob, "scrypt-code")
    try:
        return AESGCM(_code_key(code, _unb64(fields["salt"]))).decrypt(
            _unb64(fields["nonce"]), _unb64(fields["ct"]), label.encode("utf-8"))
    except (InvalidTag, ValueError) as error:
        raise AuthenticationFailed(_("Wrong recovery code.")) from error


def _fields(blob: str, kind: str) -> dict[str, str]:
    try:
        fields = json.loads(blob)
    except ValueError as error:
        raise ValidationError(_("This sealed secret is damaged.")) from error
    if not isinstance(fields, dict) or fields.get("v") != 1 or fields.get("kind") != kind:
        raise ValidationError(_("This sealed secret is damaged."))
    return fields
