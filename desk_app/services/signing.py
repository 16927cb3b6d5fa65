"""Signing keys (R15): the database's CA, one key pair per user, signing forms.

The CA's private key is sealed with a random secret, and that secret is stored only sealed:
one copy per administrator (to their signing certificate, so their password opens it) and
one copy under a printed recovery code (services.keyring). A copy of the database alone
issues no certificate. Issuing a user's key therefore needs an administrator signed in on
this desk (or the set-up that creates the CA). Every user's private key is sealed with that
user's password, so nobody signs as another user. Retired keys (password reset, deactivated
user) are revoked: ``desk-app ca crl`` writes a CRL. See docs/signing.md, docs/security.md.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from desk_app.domain.errors import NotFound, PermissionDenied, Tampered, ValidationError
from desk_app.domain.roles import Permission, Role, parse_roles
from desk_app.domain.users import Actor, normalise_password
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.services.keyring import CA, PERSONNEL, Keyring, current_key, unsealing
from desk_app.services.passwords import PasswordGate
from desk_app.services.settings import SettingsService
from desk_app.store.models import Meta, SigningCa, User, UserKey

# Before the CA secret was sealed per administrator it was kept in clear here; the first
# administrator to sign in seals it and deletes this row (KeyService.after_sign_in).
_LEGACY_CA_SECRET = "ca_key_secret"


def _text(pem: bytes) -> str:
    return pem.decode("ascii")


def _write_file(path: Path, data: bytes, target) -> None:
    try:
        target.partial.write_bytes(data)
    except OSError as error:
        raise ValidationError(_("Cannot write {path}: {reason}").format(
            path=path, reason=error.strerror or error), "file") from None


class KeyService(Service):
    """Key material. The methods without an actor run inside a caller's transaction."""

    settings: SettingsService
    passwords: PasswordGate
    keyring: Keyring

    def __init__(self, ctx, **needs) -> None:
        super().__init__(ctx, **needs)
        self._recovery_code: str | None = None

    def ca_certificate(self) -> bytes:
        ca = SigningCa.select().order_by(SigningCa.id).first()
        if ca is None:
            raise NotFound(_("This database has no certificate authority yet."))
        return ca.cert_pem.encode("ascii")

    def export_ca(self, actor: Actor, out: Path, force: bool = False) -> Path:
        """Write the CA certificate (PEM) for verifiers; any signed-in user may, like any
        file written on request it is checked, never over the database, and recorded."""
        path = output.check_target(out, force=force, field="file")
        pem = self.ca_certificate()
        with output.OutputFile(path, replace=force) as target:
            _write_file(path, pem, target)
            target.publish(self, actor, "ca.export", "signing_ca", {})
        return path

    # ------------------------------------------------------------ the CA and its secret

    @staticmethod
    def _ca_row() -> SigningCa | None:
        return SigningCa.select().order_by(SigningCa.id).first()

    def create_ca(self, at: datetime, by: Actor) -> None:
        """Set-up: the database's CA, its secret held open for ``by`` and sealed under a new
        recovery code (``take_recovery_code``). Nothing happens when there is one already."""
        from desk_app.forms import pki

        if self._ca_row() is not None:
            return
        secret = secrets.token_urlsafe(32)
        company = str(self.settings.value("company_name"))
        material = pki.create_ca(_("{company} signing authority").format(company=company)[:64],
                                 company[:64], secret, now=at)
        SigningCa.create(subject=company, cert_pem=_text(material.cert_pem),
                         key_pem=_text(material.key_pem), created_at=at)
        self.keyring.pin_ca_certificate(material.cert_pem)
        self.keyring.hold(by.user_id, CA, secret.encode())
        self._recovery_code = self.keyring.seal_with_code(CA, secret.encode(), at)

    def take_recovery_code(self) -> str | None:
        """The recovery code made by the last ``create_ca``/``new_recovery_code``, once."""
        code, self._recovery_code = self._recovery_code, None
        return code

    def _ca_secret(self, by: Actor) -> str:
        opened = self.keyring.secret(by.user_id, CA)
        if opened is not None:
            return opened.decode()
        legacy = Meta.get_or_none(Meta.key == _LEGACY_CA_SECRET)
        if legacy is not None:  # not sealed yet: the next administrator's sign-in does it
            return str(legacy.value)
        raise PermissionDenied(_(
            "Issuing a signing key needs an administrator signed in on this desk: the "
            "certificate authority opens only with an administrator's password."))

    def _ca(self, at: datetime, by: Actor):
        from desk_app.forms import pki

        if self._ca_row() is None:
            self.create_ca(at, by)
        row = self._ca_row()
        assert row is not None
        return pki.CaMaterial(row.cert_pem.encode("ascii"), row.key_pem.encode("ascii")), \
            self._ca_secret(by)

    def issue(self, user: User, password: str, at: datetime, by: Actor) -> UserKey:
        """A new key pair and certificate for ``user``, certified with the CA opened by ``by``;
        earlier keys are retired (revoked from now on), not deleted. An administrator gets
        the CA's secret sealed to the new key."""
        from desk_app.forms import pki

        ca, secret = self._ca(at, by)
        material = pki.issue_user(ca, secret, user.name, user.full_name,
                                  normalise_password(password), now=at)
        UserKey.update(retired_at=at).where(
            (UserKey.user == user) & UserKey.retired_at.is_null()
        ).execute()
        serial = format(pki.load_certificate(material.cert_pem).serial_number, "x")
        key = UserKey.create(user=user, serial=serial, cert_pem=_text(material.cert_pem),
                             key_pem=_text(material.key_pem), created_at=at)
        if Role.ADMIN in parse_roles(user.roles) and user.active:
            self.keyring.seal_for(user, CA, secret.encode(), at)
        return key

    def seal_ca_for(self, user: User, at: datetime, by: Actor) -> None:
        """``user`` became an administrator: seal the CA's secret for them."""
        if self._ca_row() is not None and current_key(user.id) is not None:
            self.keyring.seal_for(user, CA, self._ca_secret(by).encode(), at)

    def retire(self, user: User, at: datetime) -> list[str]:
        """Revoke ``user``'s keys from ``at`` on (deactivation) and drop their sealed copies."""
        serials = [key.serial for key in UserKey.select(UserKey.serial).where(
            (UserKey.user == user) & UserKey.retired_at.is_null())]
        UserKey.update(retired_at=at).where(
            (UserKey.user == user) & UserKey.retired_at.is_null()).execute()
        for purpose in (CA, PERSONNEL):
            self.keyring.drop(user.id, purpose)
        return serials

    def after_sign_in(self, user: User, password: str) -> dict | None:
        """Open what is sealed for ``user``; the first administrator to sign in to a database
        from before sealing seals the CA's secret for every administrator (one audited step)."""
        self.keyring.unlock(user, password)
        if Role.ADMIN not in parse_roles(user.roles):
            return None
        if Meta.get_or_none(Meta.key == _LEGACY_CA_SECRET) is None:
            return None
        return self._seal_legacy_secret(user)

    def _seal_legacy_secret(self, user: User) -> dict | None:
        from desk_app.forms import pki

        actor = Actor(user_id=user.id, name=user.name, roles=parse_roles(user.roles))
        with self.write() as tx:
            legacy = Meta.get_or_none(Meta.key == _LEGACY_CA_SECRET)
            row = self._ca_row()
            if legacy is None or row is None:
                tx.unchanged()
                return None
            # A fresh secret: the clear one may survive in old copies of the database (they
            # still open the CA key of their day; see docs/security.md).
            secret = secrets.token_urlsafe(32)
            ca_key = pki.load_private_key(row.key_pem.encode("ascii"), legacy.value)
            if pki.load_certificate(row.cert_pem.encode("ascii")).public_key() != ca_key.public_key():
                raise Tampered(_("The certificate authority in the database is not the one this "
                                 "desk knows: its certificate was replaced."))
            self.keyring.pin_ca_certificate(row.cert_pem.encode("ascii"))
            row.key_pem = _text(pki.reencrypt(row.key_pem.encode("ascii"), legacy.value, secret))
            row.save()
            Meta.delete().where(Meta.key == _LEGACY_CA_SECRET).execute()
            sealed = []
            for admin in User.select().where(User.active == True):  # noqa: E712
                if Role.ADMIN in parse_roles(admin.roles) and current_key(admin.id) is not None:
                    self.keyring.seal_for(admin, CA, secret.encode(), tx.at)
                    sealed.append(admin.name)
            self.keyring.hold(user.id, CA, secret.encode())
            self._recovery_code = self.keyring.seal_with_code(CA, secret.encode(), tx.at)
            tx.audit(actor, "ca.sealed", "signing_ca", row.id,
                     after={"sealed_for": sealed, "recovery_code": True})
        return {"sealed_for": sealed}

    # ------------------------------------------------------------ administrators' actions

    def ca_status(self, actor: Actor) -> dict:
        """Who holds the CA's secret, whether a recovery code exists, and whether it is open
        on this desk for ``actor``."""
        self.require(actor, Permission.USERS_VIEW)
        holders = set(self.keyring.holders(CA))
        names = [user.name for user in User.select(User.id, User.name).order_by(User.name)
                 if user.id in holders]
        return {"holders": names, "recovery_code": self.keyring.has_recovery(CA),
                "open": self.keyring.secret(actor.user_id, CA) is not None,
                "legacy": Meta.get_or_none(Meta.key == _LEGACY_CA_SECRET) is not None}

    def new_recovery_code(self, actor: Actor) -> str:
        """Replace the recovery code (the old one stops working); shown once, stored nowhere."""
        self.require(actor, Permission.USERS_MANAGE)
        with self.write() as tx:
            code = self.keyring.seal_with_code(CA, self._ca_secret(actor).encode(), tx.at)
            tx.audit(actor, "ca.recovery_code", "signing_ca", None, after={"replaced": True})
        return code

    def recover(self, actor: Actor, code: str) -> None:
        """An administrator whose copy is gone (e.g. every other admin left) opens the CA's
        secret with the recovery code; it is sealed for them from now on."""
        self.require(actor, Permission.USERS_MANAGE)
        with self.write() as tx:
            secret = self.keyring.open_with_code(CA, code)
            self.keyring.seal_for(User.get_by_id(actor.user_id), CA, secret, tx.at)
            self.keyring.hold(actor.user_id, CA, secret)
            tx.audit(actor, "ca.recover", "signing_ca", None, after={"sealed_for": [actor.name]})

    def revocations(self) -> list[tuple[str, datetime]]:
        """(serial, retired at) of every revoked key, oldest first."""
        rows = (UserKey.select(UserKey.serial, UserKey.retired_at)
                .where(UserKey.retired_at.is_null(False)).order_by(UserKey.retired_at))
        return [(str(key.serial), key.retired_at) for key in rows if key.retired_at is not None]

    def export_crl(self, actor: Actor, out: Path, force: bool = False) -> Path:
        """Write a CRL of every retired key, signed by the CA (an administrator opens it), for
        verifiers on other machines (``verify-pdf --crl``); recorded like any file written."""
        from desk_app.forms import crl

        self.require(actor, Permission.USERS_MANAGE)
        path = output.check_target(out, force=force, field="file")
        now = self.ctx.clock.now()
        ca, secret = self._ca(now, actor)
        revoked = self.revocations()
        data = crl.make_crl(ca, secret, revoked, now)
        with output.OutputFile(path, replace=force) as target:
            _write_file(path, data, target)
            target.publish(self, actor, "ca.crl", "signing_ca", {"revoked": len(revoked)})
        return path

    # ------------------------------------------------------------ users' own keys

    @staticmethod
    def current(user_id: int | None) -> UserKey | None:
        return current_key(user_id)

    def reencrypt(self, user: User, old_password: str, new_password: str) -> None:
        from desk_app.forms import pki

        key = self.current(user.id)
        if key is not None:
            pem = key.key_pem.encode("ascii")
            key.key_pem = _text(unsealing(
                lambda old: pki.reencrypt(pem, old, normalise_password(new_password)), old_password))
            key.save()

    def _key(self, actor: Actor) -> UserKey:
        key = self.current(actor.user_id)
        if key is None:
            raise NotFound(_("{user} has no signing key: an administrator issues one by setting "
                             "a new password for {user}.").format(user=actor.name))
        return key

    def check_signing_password(self, actor: Actor, password: str | None) -> None:
        """Before a long job that ends in a signature: the password is right (counted and
        audited like any password check) and it opens the actor's key."""
        from desk_app.forms import pki

        self.passwords.check(actor.name, password or "", "sign")
        pem = self._key(actor).key_pem.encode("ascii")
        unsealing(lambda variant: pki.load_private_key(pem, variant), password or "")

    def sign_pdf(self, actor: Actor, pdf: bytes, field: str, password: str,
                 handwriting_png: bytes | None, role_label: str) -> bytes:
        """Fill one prepared signature field with the actor's own key (wrong password: refused,
        counted towards the lock-out and audited). The caller audits the signature itself."""
        from desk_app.forms import signing

        key, appearance = self._signing(actor, password, handwriting_png, role_label)
        return unsealing(lambda variant: signing.sign(
            pdf, field, key.key_pem.encode("ascii"), variant, key.cert_pem.encode("ascii"),
            self.ca_certificate(), appearance), password or "")

    def sign_pdf_file(self, actor: Actor, path: Path, field: str, password: str,
                      handwriting_png: bytes | None, role_label: str) -> None:
        """``sign_pdf`` of the PDF file at ``path``, signed in place (a big export is never
        read into memory whole)."""
        from desk_app.forms import signing

        key, appearance = self._signing(actor, password, handwriting_png, role_label)
        unsealing(lambda variant: signing.sign_file(
            path, field, key.key_pem.encode("ascii"), variant, key.cert_pem.encode("ascii"),
            self.ca_certificate(), appearance), password or "")

    def _signing(self, actor: Actor, password: str, handwriting_png: bytes | None,
                 role_label: str) -> tuple[UserKey, Any]:
        """The password checked, then the actor's key and the appearance of their signature."""
        from desk_app.forms import signing

        self.passwords.check(actor.name, password or "", "sign")
        key = self._key(actor)
        user = User.get_by_id(actor.user_id)
        appearance = signing.SignatureAppearance(
            handwriting_png=handwriting_png, signer_name=user.full_name or user.name,
            role_label=role_label, signed_at=self.ctx.clock.now(),
        )
        return key, appearance
