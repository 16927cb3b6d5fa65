"""Personnel files sealed at rest (R6): one data key, opened only by admitted officers.

The personnel data key is 32 random bytes. It is never stored in clear: one copy is sealed
to each admitted personnel officer's signing certificate (services/keyring.py), so it opens
on that officer's desk when they sign in with their password. A personnel file's title and
keywords are stored encrypted with it (AES-256-GCM, bound to the item's id and reference,
``store.archive.PersonnelSealed``); the item row holds a placeholder, the search index only
the reference.

- Having the personnel role is not having the key: an officer sees personnel files only as
  sealed until an officer who holds the key admits them (``admit``). So an administrator who
  gives himself the role sees references and placeholders, nothing more.
- The first personnel officer who works with personnel files when no key exists makes it
  (``key_for``), sealed for themself, and seals every personnel file still in clear text in
  the same transaction (one ``personnel.sealed`` audit entry with the count). Audit entries
  and backups from before cannot be rewritten and still hold what they held.
- If the last officer holding the key leaves, the files cannot be read again: keep two
  officers admitted (``status`` says how many hold it), and a recovery code
  (``new_recovery_code``, printed and locked away) with which an officer can ``recover``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from datetime import date
from typing import Any

import peewee

from desk_app.domain import archive as rules
from desk_app.domain import text
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.errors import NotFound, PermissionDenied, ValidationError
from desk_app.domain.pinyin import sort_key
from desk_app.domain.roles import Role, parse_roles
from desk_app.domain.search import QueryTerms
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.base import Service
from desk_app.services.keyring import PERSONNEL, Keyring
from desk_app.services.personnel_grants import GrantBook, bind_clock, not_open
from desk_app.store import search
from desk_app.store.archive import (
    SEALED_TITLE,
    Department,
    Item,
    Kind,
    PersonnelKey,
    PersonnelSealed,
    tuples,
)
from desk_app.store.db import is_postgresql
from desk_app.store.models import User

_VERSION = b"\x01"
_SEAL_BATCH = 300  # files sealed per statement (three values each: within any driver's limit)
_FINGERPRINT_TEXT = b"desk_app personnel key v1"


def _fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def _aad(item_id: int, ref: str) -> bytes:
    return f"desk_app personnel file v1:{item_id}:{ref}".encode()


def seal_fields(key: bytes, item_id: int, ref: str, title: str, keywords: str) -> str:
    """Title and keywords encrypted for the item ``item_id``/``ref`` (base64 text)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    plain = json.dumps({"title": title, "keywords": keywords}, ensure_ascii=False,
                       sort_keys=True).encode("utf-8")
    nonce = os.urandom(12)
    return base64.b64encode(_VERSION + nonce + AESGCM(key).encrypt(nonce, plain,
                                                                   _aad(item_id, ref))).decode()


def open_fields(key: bytes, item_id: int, ref: str, blob: str) -> tuple[str, str] | None:
    """(title, keywords) of a sealed file, or None when it does not open (another key, or a
    blob moved to another item)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.b64decode(blob.encode("ascii"), validate=True)
        if raw[:1] != _VERSION:
            return None
        plain = AESGCM(key).decrypt(raw[1:13], raw[13:], _aad(item_id, ref))
        fields = json.loads(plain.decode("utf-8"))
        return str(fields["title"]), str(fields["keywords"])
    except (InvalidTag, ValueError, KeyError, TypeError):
        return None


def sealed_digest(blob: str) -> str:
    """What the audit trail records of a personnel file's contents: the SHA-256 of its sealed
    form (random nonce inside, so nothing can be guessed from it; an officer can check it)."""
    return hashlib.sha256(blob.encode("ascii")).hexdigest()


class PersonnelService(Service):
    """``admit`` and ``status`` are actions (a permission each). The methods taking a
    ``reader`` are the archive's building blocks, called after its own permission check:
    they refuse nothing, they only ever open what that reader may read."""

    keyring: Keyring

    def __init__(self, ctx: Any, **needs: Any) -> None:
        super().__init__(ctx, **needs)
        self._key_exists = False
        self._swept: set[int | None] = set()  # officers whose desk sealed any clear files left
        self._cache: tuple[tuple[Any, ...], dict[int, str]] | None = None
        self._verified: bytes | None = None  # the last key checked against the fingerprint
        self._grants = GrantBook(self)
        bind_clock(ctx.clock)  # for the visibility helpers (services/personnel_grants.py)

    # ------------------------------------------------------------ the key

    @staticmethod
    def is_officer(reader: Actor) -> bool:
        return Role.PERSONNEL in reader.roles

    def exists(self) -> bool:
        if not self._key_exists:
            self._key_exists = PersonnelKey.select().where(
                PersonnelKey.purpose == PERSONNEL).exists()
        return self._key_exists

    def key_for(self, reader: Actor) -> bytes | None:
        """The personnel key open for ``reader`` on this desk, or None (not an officer, or an
        officer not admitted). The first officer to ask when there is no key makes it."""
        if not self.is_officer(reader):
            return None
        key = self.keyring.secret(reader.user_id, PERSONNEL)
        if key is None and not self.exists():
            key = self._create(reader)
        if key is None or not self._genuine(key):
            return None
        if reader.user_id not in self._swept:
            self._seal_clear_files(reader, key)
            self._swept.add(reader.user_id)
        return key

    def _genuine(self, key: bytes) -> bool:
        """The key opened is the database's (a copy sealed by a program that made its own
        key, or restored from another database, opens nothing here)."""
        if self._verified is not None and hmac.compare_digest(self._verified, key):
            return True
        row = PersonnelKey.get_or_none(PersonnelKey.purpose == PERSONNEL)
        if row is None or not hmac.compare_digest(row.fingerprint, _fingerprint(key)):
            return False
        self._verified = key
        return True

    def _create(self, reader: Actor) -> bytes | None:
        key = os.urandom(32)
        user = User.get_or_none(User.id == reader.user_id)
        if user is None:
            return None
        try:
            with self.write() as tx:
                if PersonnelKey.select().where(PersonnelKey.purpose == PERSONNEL).exists():
                    tx.unchanged()  # another desk made it meanwhile
                    return None
                PersonnelKey.create(purpose=PERSONNEL, fingerprint=_fingerprint(key),
                                    created_at=tx.at, created_by=reader.name)
                self.keyring.seal_for(user, PERSONNEL, key, tx.at)
                count = self._seal_all(key, tx.at)
                tx.audit(reader, "personnel.sealed", "personnel_key", None,
                         after={"key": "created", "sealed_for": [reader.name], "files": count})
        except peewee.IntegrityError:  # two officers at once: the other one made it
            return None
        except NotFound:  # the officer has no signing key yet (an admin issues one)
            return None
        self._key_exists = True
        self._swept.add(reader.user_id)
        self.keyring.hold(reader.user_id, PERSONNEL, key)
        return key

    def _seal_clear_files(self, reader: Actor, key: bytes) -> None:
        """Seal personnel files still in clear text (from before sealing, or re-classified to
        personnel by a program without this): one audited step, nothing when there are none."""
        if not self._clear_files().exists():
            return
        with self.write() as tx:
            count = self._seal_all(key, tx.at)
            if not count:
                tx.unchanged()
                return
            tx.audit(reader, "personnel.sealed", "personnel_key", None, after={"files": count})

    @staticmethod
    def _clear_files() -> Any:
        return Item.select(Item.id).where(
            (Item.level == rules.Level.PERSONNEL.value)
            & Item.id.not_in(PersonnelSealed.select(PersonnelSealed.item)))

    def _seal_all(self, key: bytes, at: Any) -> int:
        """Inside a write transaction: encrypt the clear personnel files, leave placeholders,
        re-index them by reference only. Returns how many."""
        rows = tuples(Item.select(Item.id, Item.ref, Item.title, Item.keywords)
                      .where(Item.id.in_(self._clear_files())).order_by(Item.id))
        placeholder_key = sort_key(SEALED_TITLE)  # no pinyin key of the sealed title either
        sealed = []
        for start in range(0, len(rows), _SEAL_BATCH):
            blobs = {item_id: (ref, seal_fields(key, item_id, ref, title, keywords))
                     for item_id, ref, title, keywords in rows[start:start + _SEAL_BATCH]}
            PersonnelSealed.insert_many(
                [{"item": item_id, "sealed_at": at, "blob": blob}
                 for item_id, (_ref, blob) in blobs.items()]).on_conflict_ignore().execute()
            # Another desk sealing the same file at the same moment: its row wins (this insert
            # waited for it and left it); the files sealed here are those holding our blobs.
            ours = sorted(item_id for item_id, blob in tuples(
                PersonnelSealed.select(PersonnelSealed.item, PersonnelSealed.blob)
                .where(PersonnelSealed.item.in_(list(blobs)))) if blob == blobs[item_id][1])
            if ours:
                Item.update(title=SEALED_TITLE, title_key=placeholder_key, keywords="").where(
                    Item.id.in_(ours)).execute()
            sealed += [(item_id, blobs[item_id][0]) for item_id in ours]
        search.upsert((item_id, search.item_text(ref, "", "", "", "", rules.Level.PERSONNEL.value))
                      for item_id, ref in sealed)
        if sealed and not is_postgresql(self.ctx.db):
            # Merge the index's segments so the old tokens are not left in superseded ones.
            self.ctx.db.execute_sql("INSERT INTO item_fts(item_fts) VALUES('optimize')")
        self._cache = None
        return len(sealed)

    # ------------------------------------------------------------ files

    def seal_new(self, officer: Actor, item: Item, title: str, keywords: str, at: Any) -> str:
        """Inside ``add_item``'s transaction: store the fields of a new personnel file sealed;
        returns the digest its audit entry records."""
        key = self.keyring.secret(officer.user_id, PERSONNEL)
        if key is None:
            raise PermissionDenied(self.not_admitted())
        blob = seal_fields(key, item.id, item.ref, title, keywords)
        PersonnelSealed.create(item=item.id, blob=blob, sealed_at=at)
        self._cache = None
        return sealed_digest(blob)

    @staticmethod
    def not_admitted() -> str:
        return _("Sealed — ask a personnel officer to admit you.")

    def require_key(self, officer: Actor) -> bytes:
        """The key, for registering a personnel file; a refusal says how to get it."""
        key = self.key_for(officer)
        if key is None:
            raise PermissionDenied(self.not_admitted())
        return key

    def fields(self, reader: Actor, items: Iterable[tuple[int, str]]) -> dict[int, tuple[str, str]]:
        """(title, keywords) of personnel files (id, ref) as ``reader`` may read them: the
        clear text for an admitted officer or under a live grant, the placeholder for anyone
        else."""
        items = list(items)
        if not items:
            return {}
        key = self.key_for(reader)
        sealed = self.not_admitted()
        shown = {item_id: (sealed, "") for item_id, _ref in items}
        if key is None:
            shown.update(self._grants.fields(reader, [item_id for item_id, _ref in items]))
            return shown
        refs = dict(items)
        for start in range(0, len(items), 500):
            ids = [item_id for item_id, _ref in items[start:start + 500]]
            for row in PersonnelSealed.select().where(PersonnelSealed.item.in_(ids)):
                opened = open_fields(key, row.item_id, refs[row.item_id], row.blob)
                if opened is not None:
                    shown[row.item_id] = opened
        return shown

    def readable(self, reader: Actor, items: Iterable[tuple[int, str]]) -> dict[int, tuple[str, str]]:
        """Of ``fields``, only the files ``reader`` reads (no placeholders): for the registers,
        which show "—" for the rest."""
        sealed = {self.not_admitted(), not_open()}
        return {item_id: shown for item_id, shown in self.fields(reader, items).items()
                if shown[0] not in sealed}

    def matching(self, reader: Actor, terms: QueryTerms) -> list[int] | None:
        """Ids of the personnel files whose text matches ``terms``, for an admitted officer
        or a holder of live grants (None for anyone else: they find personnel files by
        reference only, in the index). The files are few: they are opened and matched here,
        never indexed."""
        key = self.key_for(reader)
        if key is None:
            return self._grants.matching(reader, terms)
        texts = self._texts(key)
        return sorted(item_id for item_id, words in texts.items() if search.matches(terms, words))

    def _texts(self, key: bytes) -> dict[int, str]:
        """The searchable text of every sealed file, kept until a file is added (here or at
        another desk: the stamp is the count and the newest sealing)."""
        stamp = tuple(PersonnelSealed.select(peewee.fn.COUNT(PersonnelSealed.item),
                                             peewee.fn.MAX(PersonnelSealed.sealed_at),
                                             peewee.fn.MAX(PersonnelSealed.item)).tuples()[0])
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        query = (PersonnelSealed.select(PersonnelSealed.item, PersonnelSealed.blob, Item.ref,
                                        Department.name, Kind.name)
                 .join(Item).join_from(Item, Department).join_from(Item, Kind))
        texts = {}
        for item_id, blob, ref, dept, kind in tuples(query):
            opened = open_fields(key, item_id, ref, blob)
            if opened is not None:
                texts[item_id] = search.searchable_text(ref, opened[0], opened[1], dept, kind)
        self._cache = (stamp, texts)
        return texts

    # ------------------------------------------------------------ officers

    def admit(self, actor: Actor, user_name: str) -> None:
        """An officer holding the key seals a copy for another personnel officer (R6: the role
        alone opens nothing). Audited; the new officer's next sign-in opens it."""
        self.require(actor, ArchivePermission.PERSONNEL_ADMIT)
        key = self.require_key(actor)
        name = text.lookup(user_name or "").strip().lower()
        with self.write() as tx:
            user = User.get_or_none(User.name == name)
            if user is None or not user.active:
                raise ValidationError(_("No active user {name}.").format(name=user_name),
                                      field="user")
            if Role.PERSONNEL not in parse_roles(user.roles):
                raise ValidationError(
                    _("{name} is not a personnel officer: an administrator gives the role "
                      "first.").format(name=user.name), field="user")
            if user.id in self.keyring.holders(PERSONNEL):
                raise ValidationError(_("{name} is admitted already.").format(name=user.name),
                                      field="user")
            self.keyring.seal_for(user, PERSONNEL, key, tx.at)
            tx.audit(actor, "personnel.admit", "user", user.id, after={"user": user.name})

    def status(self, actor: Actor) -> dict[str, Any]:
        """Whether the key exists, who holds it, whether a recovery code exists, and whether
        the key is open here for ``actor``."""
        self.require(actor, ArchivePermission.PERSONNEL_ADMIT)
        holders = set(self.keyring.holders(PERSONNEL))
        names = [user.name for user in User.select(User.id, User.name).order_by(User.name)
                 if user.id in holders]
        return {"exists": self.exists(), "holders": names,
                "recovery_code": self.keyring.has_recovery(PERSONNEL),
                "open": self.key_for(actor) is not None}

    # ------------------------------------------------------------ recovery

    def new_recovery_code(self, actor: Actor) -> str:
        """A copy of the key sealed under a new recovery code (the old code stops working),
        for when no admitted officer is left. Shown once, stored nowhere: print it and lock
        it away with the CA's."""
        self.require(actor, ArchivePermission.PERSONNEL_ADMIT)
        key = self.require_key(actor)
        with self.write() as tx:
            code = self.keyring.seal_with_code(PERSONNEL, key, tx.at)
            tx.audit(actor, "personnel.recovery_code", "personnel_key", None,
                     after={"replaced": True})
        return code

    def recover(self, actor: Actor, code: str) -> None:
        """A personnel officer with no copy (every holder left, or a password reset retired
        theirs) opens the key with the recovery code; it is sealed for them from now on."""
        self.require(actor, ArchivePermission.PERSONNEL_ADMIT)
        with self.write() as tx:
            key = self.keyring.open_with_code(PERSONNEL, code)
            if not self._genuine(key):
                raise ValidationError(_("This recovery code opens another key than this "
                                        "database's personnel key."), field="code")
            user = User.get_by_id(actor.user_id)
            self.keyring.seal_for(user, PERSONNEL, key, tx.at)
            tx.audit(actor, "personnel.recover", "personnel_key", None,
                     after={"sealed_for": [actor.name]})
        self.keyring.hold(actor.user_id, PERSONNEL, key)

    # ------------------------------------------------------------ grants (personnel_grants.py)

    def grant(self, actor: Actor, ref: str, user_name: str, until: date,
              reason: str) -> dict[str, Any]:
        """Let one named user read one personnel file until the end of ``until`` (at most
        366 days ahead), with a reason: audited, listed, revocable."""
        return self._grants.grant(actor, ref, user_name, until, reason)

    def grants(self, actor: Actor, current_only: bool = False) -> list[dict[str, Any]]:
        """Every grant (or only the live ones), newest first, status by the clock; the title
        is the placeholder for a reader who may not read the file (an auditor)."""
        return self._grants.grants(actor, current_only)

    def revoke_grant(self, actor: Actor, grant_id: int, reason: str) -> dict[str, Any]:
        """End a grant now; its sealed copy is deleted."""
        return self._grants.revoke(actor, grant_id, reason)
