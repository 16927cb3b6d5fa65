"""The demo's signatures: each demo signer's key opened once per demo run.

The demo signs some ninety forms as a handful of people, all with the demo password, through
the services as users would. Opening a signing key costs a scrypt derivation (0.2 s, the
point of it), which the product pays at every signature: it holds no key open, and that is a
security decision the demo does not change. ``DemoKeys`` is the key service the demo gives
the services it builds for itself: the password is checked by the same gate at every
signature, and the key it opens is kept for the rest of this one run, in this object only.
"""

from __future__ import annotations

import hmac
from typing import Any

from desk_app.domain.users import Actor
from desk_app.services.keyring import unsealing
from desk_app.services.signing import KeyService
from desk_app.store.models import UserKey


class DemoKeys(KeyService):
    """``KeyService`` whose ``sign_pdf`` opens each signer's key once (per password)."""

    def __init__(self, keys: KeyService) -> None:
        super().__init__(keys.ctx, settings=keys.settings, passwords=keys.passwords,
                         keyring=keys.keyring)
        self._opened: dict[int, tuple[str, Any]] = {}  # key id → (password, private key)
        self._ca_pem: bytes | None = None

    def opened(self, key: UserKey, password: str) -> Any:
        """The private key of ``key``, opened with ``password`` (once: then from memory)."""
        from desk_app.forms import pki

        held = self._opened.get(key.id)
        if held is None or not hmac.compare_digest(held[0].encode(), password.encode()):
            pem = key.key_pem.encode("ascii")
            held = (password, unsealing(lambda variant: pki.load_private_key(pem, variant),
                                        password))
            self._opened[key.id] = held
        return held[1]

    def signer(self, actor: Actor, password: str) -> tuple[Any, bytes]:
        """The actor's private key, opened with ``password`` (once), and their certificate."""
        key = self._key(actor)
        return self.opened(key, password), key.cert_pem.encode("ascii")

    def ca_certificate(self) -> bytes:
        if self._ca_pem is None:
            self._ca_pem = super().ca_certificate()
        return self._ca_pem

    def sign_pdf(self, actor: Actor, pdf: bytes, field: str, password: str,
                 handwriting_png: bytes | None, role_label: str) -> bytes:
        """``KeyService.sign_pdf``, the same checks and the same signature, with the key
        opened once."""
        from desk_app.forms import signing

        key, appearance = self._signing(actor, password, handwriting_png, role_label)
        return signing.sign_with_key(pdf, field, self.opened(key, password or ""),
                                     key.cert_pem.encode("ascii"), self.ca_certificate(),
                                     appearance)
