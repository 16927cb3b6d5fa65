"""Signing keys (R15): the database's CA, one key pair per user, signing forms.

The CA private key is stored in the database, sealed with a random secret that is also in
the database: whoever can read the whole database can issue certificates. The protection
that matters for signatures is elsewhere: every user's private key is sealed with that
user's password, so nobody can sign as another user, and the CA certificate an auditor
trusts is exported once (``desk-app ca export``). See docs/signing.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from desk_app.domain.errors import AuthenticationFailed, NotFound, ValidationError
from desk_app.domain.users import Actor, normalise_password
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.services.passwords import PasswordGate
from desk_app.services.settings import SettingsService
from desk_app.store.models import Meta, SigningCa, User, UserKey

_CA_SECRET = "ca_key_secret"
T = TypeVar("T")


def _text(pem: bytes) -> str:
    return pem.decode("ascii")


def _unsealing(use: Callable[[str], T], password: str) -> T:
    """Keys are sealed with the NFC form of the password; keys sealed before that with the
    text as typed. Try both, NFC first."""
    normal = normalise_password(password)
    try:
        return use(normal)
    except AuthenticationFailed:
        if normal == password:
            raise
        return use(password)


class KeyService(Service):
    """Key material. The methods without an actor run inside a caller's transaction."""

    settings: SettingsService
    passwords: PasswordGate

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
        with output.OutputFile(path) as target:
            try:
                target.partial.write_bytes(pem)
            except OSError as error:
                raise ValidationError(_("Cannot write {path}: {reason}").format(
                    path=path, reason=error.strerror or error), "file") from None
            target.publish(self, actor, "ca.export", "signing_ca", {})
        return path

    def _ca(self, at: datetime):
        from desk_app.forms import pki

        row = SigningCa.select().order_by(SigningCa.id).first()
        if row is not None:
            secret = Meta.get(Meta.key == _CA_SECRET).value
            return pki.CaMaterial(row.cert_pem.encode("ascii"), row.key_pem.encode("ascii")), secret
        secret = secrets.token_urlsafe(32)
        company = str(self.settings.value("company_name"))
        material = pki.create_ca(_("{company} signing authority").format(company=company)[:64],
                                 company[:64], secret, now=at)
        Meta.create(key=_CA_SECRET, value=secret)
        SigningCa.create(subject=company, cert_pem=_text(material.cert_pem),
                         key_pem=_text(material.key_pem), created_at=at)
        return material, secret

    def issue(self, user: User, password: str, at: datetime) -> UserKey:
        """A new key pair and certificate for ``user``; earlier keys are retired, not deleted."""
        from desk_app.forms import pki

        ca, secret = self._ca(at)
        material = pki.issue_user(ca, secret, user.name, user.full_name,
                                  normalise_password(password), now=at)
        UserKey.update(retired_at=at).where(
            (UserKey.user == user) & UserKey.retired_at.is_null()
        ).execute()
        serial = format(pki.load_certificate(material.cert_pem).serial_number, "x")
        return UserKey.create(user=user, serial=serial, cert_pem=_text(material.cert_pem),
                              key_pem=_text(material.key_pem), created_at=at)

    @staticmethod
    def current(user_id: int | None) -> UserKey | None:
        return (UserKey.select()
                .where((UserKey.user == user_id) & UserKey.retired_at.is_null())
                .order_by(UserKey.id.desc()).first())

    def reencrypt(self, user: User, old_password: str, new_password: str) -> None:
        from desk_app.forms import pki

        key = self.current(user.id)
        if key is not None:
            pem = key.key_pem.encode("ascii")
            key.key_pem = _text(_unsealing(
                lambda old: pki.reencrypt(pem, old, normalise_password(new_password)), old_password))
            key.save()

    def _key(self, actor: Actor) -> UserKey:
        key = self.current(actor.user_id)
        if key is None:
            raise NotFound(_("{user} has no signing key yet: sign in once to get one.").format(
                user=actor.name))
        return key

    def check_signing_password(self, actor: Actor, password: str | None) -> None:
        """Before a long job that ends in a signature: the password is right (counted and
        audited like any password check) and it opens the actor's key."""
        from desk_app.forms import pki

        self.passwords.check(actor.name, password or "", "sign")
        pem = self._key(actor).key_pem.encode("ascii")
        _unsealing(lambda variant: pki.load_private_key(pem, variant), password or "")

    def sign_pdf(self, actor: Actor, pdf: bytes, field: str, password: str,
                 handwriting_png: bytes | None, role_label: str) -> bytes:
        """Fill one prepared signature field with the actor's own key (wrong password: refused,
        counted towards the lock-out and audited). The caller audits the signature itself."""
        from desk_app.forms import signing

        self.passwords.check(actor.name, password or "", "sign")
        key = self._key(actor)
        user = User.get_by_id(actor.user_id)
        appearance = signing.SignatureAppearance(
            handwriting_png=handwriting_png, signer_name=user.full_name or user.name,
            role_label=role_label, signed_at=self.ctx.clock.now(),
        )
        return _unsealing(lambda variant: signing.sign(
            pdf, field, key.key_pem.encode("ascii"), variant, key.cert_pem.encode("ascii"),
            self.ca_certificate(), appearance), password or "")
