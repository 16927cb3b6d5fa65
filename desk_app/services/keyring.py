"""Secrets this desk holds open for its signed-in user, and their sealed copies.

A secret (the CA key's secret, the personnel data key) is stored only sealed: one copy per
holder, to the holder's signing certificate (forms.sealing), and optionally one copy under a
recovery code. At sign-in the holder's private key — sealed by their password — opens their
copies, which this process keeps in memory until another user signs in. A copy of the
database therefore opens nothing without a holder's password. See docs/security.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from desk_app.domain.errors import AuthenticationFailed, NotFound, Tampered
from desk_app.domain.users import normalise_password
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.store.models import SealedSecret, SigningCa, User, UserKey

T = TypeVar("T")
CA = "ca"
PERSONNEL = "personnel"


def unsealing(use: Callable[[str], T], password: str) -> T:
    """Keys are sealed with the NFC form of the password; keys sealed before that with the
    text as typed. Try both, NFC first."""
    normal = normalise_password(password)
    try:
        return use(normal)
    except AuthenticationFailed:
        if normal == password:
            raise
        return use(password)


def _fingerprint(cert_pem: bytes) -> str:
    import hashlib

    from cryptography.hazmat.primitives.serialization import Encoding

    from desk_app.forms.pki import load_certificate

    return hashlib.sha256(load_certificate(cert_pem).public_bytes(Encoding.DER)).hexdigest()


def _pack(secret: bytes, ca_fingerprint: str) -> bytes:
    import base64
    import json

    return json.dumps({"secret": base64.b64encode(secret).decode("ascii"),
                       "ca": ca_fingerprint}).encode()


def _unpack(payload: bytes) -> tuple[bytes, str]:
    import base64
    import json

    fields = json.loads(payload)
    return base64.b64decode(fields["secret"]), str(fields["ca"])


def current_key(user_id: int | None) -> UserKey | None:
    return (UserKey.select()
            .where((UserKey.user == user_id) & UserKey.retired_at.is_null())
            .order_by(UserKey.id.desc()).first())


class Keyring(Service):
    """Methods without an actor run inside a caller's transaction (or read only)."""

    def __init__(self, ctx, **needs) -> None:
        super().__init__(ctx, **needs)
        self._open: dict[tuple[int | None, str], bytes] = {}
        # The CA certificate this desk trusts, by fingerprint: sealed inside every copy (so
        # the holder's password vouches for it) or met when this desk made the CA. A copy is
        # sealed only to a certificate that CA issued, so a certificate planted in the
        # database (or a swapped CA certificate) receives nothing.
        self._pinned_ca: str | None = None

    # ------------------------------------------------------------ in this process

    def secret(self, user_id: int | None, purpose: str) -> bytes | None:
        return self._open.get((user_id, purpose))

    def hold(self, user_id: int | None, purpose: str, secret: bytes) -> None:
        self._open[(user_id, purpose)] = secret

    def forget(self, user_id: int | None = None) -> None:
        """Drop what this process holds (for one user, or everything)."""
        for key in [key for key in self._open if user_id is None or key[0] == user_id]:
            del self._open[key]

    def unlock(self, user: User, password: str) -> list[str]:
        """Open every copy sealed for ``user`` (right after a successful sign-in): the purposes
        now open. Copies sealed to an earlier key of the user (before a password reset) no
        longer open; another holder must seal a new one."""
        from desk_app.forms import pki, sealing

        self.forget(user.id)  # others' stay until they sign out (AuthService.sign_out)
        key = current_key(user.id)
        rows = list(SealedSecret.select().where(SealedSecret.user == user.id))
        usable = [row for row in rows if key is not None and row.key_serial == key.serial]
        if not usable or key is None:
            return []
        pem = key.key_pem.encode("ascii")
        private = unsealing(lambda variant: pki.load_private_key(pem, variant), password)
        opened = []
        for row in usable:
            try:
                secret, ca = _unpack(sealing.open_with_key(row.blob, private, row.purpose))
            except (AuthenticationFailed, ValueError, KeyError):
                continue  # a damaged copy opens nothing; the others still do
            self.pin_ca(ca)
            self.hold(user.id, row.purpose, secret)
            opened.append(row.purpose)
        return opened

    # ------------------------------------------------------------ the CA this desk trusts

    def pin_ca(self, fingerprint: str) -> None:
        if self._pinned_ca is not None and self._pinned_ca != fingerprint:
            raise Tampered(_("The certificate authority in the database is not the one this "
                             "desk knows: its certificate was replaced."))
        self._pinned_ca = fingerprint

    def pin_ca_certificate(self, cert_pem: bytes) -> None:
        """This desk made (or verified against its private key) the CA certificate."""
        self.pin_ca(_fingerprint(cert_pem))

    def _trusted_ca(self) -> bytes:
        row = SigningCa.select().order_by(SigningCa.id).first()
        if row is None:
            raise NotFound(_("This database has no certificate authority yet."))
        pem = row.cert_pem.encode("ascii")
        if self._pinned_ca is None:
            # Nothing opened here yet (the first personnel officer, a recovery code): the
            # database's CA is taken as found; every copy sealed from now on pins it.
            return pem
        if _fingerprint(pem) != self._pinned_ca:
            raise Tampered(_("The certificate authority in the database is not the one this "
                             "desk knows: its certificate was replaced."))
        return pem

    @staticmethod
    def _issued_by(cert_pem: bytes, ca_pem: bytes) -> bool:
        from desk_app.forms.pki import load_certificate

        try:
            load_certificate(cert_pem).verify_directly_issued_by(load_certificate(ca_pem))
        except Exception:  # wrong issuer name, bad signature, unsupported key: not ours
            return False
        return True

    # ------------------------------------------------------------ sealed copies

    def seal_for(self, user: User, purpose: str, secret: bytes, at: datetime) -> str:
        """Store a copy of ``secret`` sealed to ``user``'s current certificate (replacing an
        earlier copy); returns the key serial. Inside the caller's write transaction."""
        from desk_app.forms import sealing

        key = current_key(user.id)
        if key is None:
            raise NotFound(_("{user} has no signing key yet: sign in once to get one.").format(
                user=user.name))
        ca_pem = self._trusted_ca()
        cert_pem = key.cert_pem.encode("ascii")
        if not self._issued_by(cert_pem, ca_pem):
            raise Tampered(_("The signing certificate of {user} in the database was not issued "
                             "by this office's certificate authority: nothing is sealed for "
                             "it.").format(user=user.name))
        blob = sealing.seal_to_certificate(_pack(secret, _fingerprint(ca_pem)), cert_pem, purpose)
        SealedSecret.delete().where((SealedSecret.purpose == purpose)
                                    & (SealedSecret.user == user.id)).execute()
        SealedSecret.create(purpose=purpose, user=user.id, key_serial=key.serial, blob=blob,
                            created_at=at)
        return str(key.serial)

    def seal_with_code(self, purpose: str, secret: bytes, at: datetime) -> str:
        """Replace the recovery copy of ``purpose`` by one sealed with a new code; the code
        is returned once and stored nowhere."""
        from desk_app.forms import sealing

        code = sealing.new_recovery_code()
        payload = _pack(secret, _fingerprint(self._trusted_ca()))
        SealedSecret.delete().where((SealedSecret.purpose == purpose)
                                    & SealedSecret.user.is_null()).execute()
        SealedSecret.create(purpose=purpose, user=None, key_serial=None,
                            blob=sealing.seal_with_code(payload, code, purpose), created_at=at)
        return code

    def open_with_code(self, purpose: str, code: str) -> bytes:
        from desk_app.forms import sealing

        row = SealedSecret.get_or_none((SealedSecret.purpose == purpose)
                                       & SealedSecret.user.is_null())
        if row is None:
            raise NotFound(_("There is no recovery code for this database."))
        secret, ca = _unpack(sealing.open_with_code(row.blob, code, purpose))
        self.pin_ca(ca)
        return secret

    @staticmethod
    def has_recovery(purpose: str) -> bool:
        return SealedSecret.select().where((SealedSecret.purpose == purpose)
                                           & SealedSecret.user.is_null()).exists()

    @staticmethod
    def holders(purpose: str) -> list[int]:
        """Users holding a copy sealed to their current key."""
        rows = (SealedSecret.select(SealedSecret.user)
                .join(UserKey, on=(UserKey.serial == SealedSecret.key_serial))
                .where((SealedSecret.purpose == purpose) & SealedSecret.user.is_null(False)
                       & UserKey.retired_at.is_null()))
        return sorted(row.user_id for row in rows if row.user_id is not None)

    def drop(self, user_id: int, purpose: str) -> None:
        """Delete ``user_id``'s copy (inside a write transaction) and forget it here."""
        SealedSecret.delete().where((SealedSecret.purpose == purpose)
                                    & (SealedSecret.user == user_id)).execute()
        self._open.pop((user_id, purpose), None)
