"""Grants of personnel files (R6): the officer lets one named user read one file until a day.

A grant is a ``PersonnelGrant`` row and a copy of the file's title and keywords sealed to the
grantee's signing certificate (``sealed_secret`` purpose ``grant:<id>``, services/keyring.py),
made in the same write. The grantee's sign-in opens that copy like any other; the file is then
visible to them (lists, counts, searches by its words, details, history, labels, loan lists,
register exports) for as long as the grant is live: not revoked and today (the standard
clock's local day) not after ``until``. Every check asks the clock again, so the file
disappears the day after ``until`` with no job to run. A revoked grant's copy is deleted with
the revocation; an ended grant's copy is deleted by the next grant any officer makes.

The visibility is one query (``granted_items``): a grantee's live grants are few.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from desk_app.domain import archive as rules
from desk_app.domain import text
from desk_app.domain.areas.archive import ArchivePermission
from desk_app.domain.clock import Clock, SystemClock, local_today
from desk_app.domain.errors import NotFound, ValidationError
from desk_app.domain.search import QueryTerms
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.store import search
from desk_app.store.archive import (
    SEALED_TITLE,
    Department,
    Item,
    Kind,
    PersonnelGrant,
    PersonnelSealed,
    tuples,
)
from desk_app.store.models import SealedSecret, User

if TYPE_CHECKING:
    from desk_app.services.personnel import PersonnelService

MAX_DAYS = 366
PREFIX = "grant:"

# The standard clock of the desk open in this process (one database per process, like
# store.db.database_proxy): the visibility helpers of services/archive.py take only an actor.
_clock: list[Clock] = [SystemClock()]


def bind_clock(clock: Clock) -> None:
    _clock[0] = clock


def today() -> date:
    return local_today(_clock[0].now())


def purpose(grant_id: int) -> str:
    return f"{PREFIX}{grant_id}"


def _live(day: date) -> Any:
    return PersonnelGrant.revoked_at.is_null() & (PersonnelGrant.until >= day)


def granted_items(actor: Actor) -> list[int]:
    """Ids of the personnel files ``actor`` holds a live grant to (usually none)."""
    if actor.user_id is None:
        return []
    query = (PersonnelGrant.select(PersonnelGrant.item).join(Item)
             .where((PersonnelGrant.user == actor.user_id) & _live(today())
                    & (Item.level == rules.Level.PERSONNEL.value)))
    return sorted({row[0] for row in tuples(query)})


def not_open() -> str:
    """The title a grantee reads before their sign-in opened the grant's copy."""
    return _("Sealed — sign in again to open your grant.")


def status_of(grant: PersonnelGrant, day: date) -> str:
    if grant.revoked_at is not None:
        return "revoked"
    return "live" if day <= grant.until else "ended"


class GrantBook:
    """The grant use cases and the grantee's reading, for PersonnelService (which holds the
    public methods, the permission checks and the key)."""

    def __init__(self, service: PersonnelService) -> None:
        self.service = service

    # ------------------------------------------------------------ the officer's actions

    def grant(self, actor: Actor, ref: str, user_name: str, until: date,
              reason: str) -> dict[str, Any]:
        service = self.service
        service.require(actor, ArchivePermission.PERSONNEL_GRANT)
        reason = text.required(text.line(reason, "reason", _("The reason"), 500), "reason",
                               _("Give the reason for the grant."))
        day = today()
        if until is None or until < day:
            raise ValidationError(_("The grant must last until today or a later day."),
                                  field="until")
        if until > day + timedelta(days=MAX_DAYS):
            raise ValidationError(_("A grant lasts at most {days} days (until {last}).").format(
                days=MAX_DAYS, last=(day + timedelta(days=MAX_DAYS)).isoformat()), field="until")
        key = service.require_key(actor)
        wanted = (ref or "").strip().upper()
        name = text.lookup(user_name or "").strip().lower()
        with service.write() as tx:
            item = service.locked(Item.select().where(
                (Item.ref == wanted) & (Item.level == rules.Level.PERSONNEL.value)), of=Item).first()
            if item is None:
                raise ValidationError(_("No personnel file with the reference {ref}.").format(
                    ref=ref), field="ref")
            user = User.get_or_none(User.name == name)
            if user is None or not user.active:
                raise ValidationError(_("No active user {name}.").format(name=user_name),
                                      field="user")
            if user.id == actor.user_id:
                raise ValidationError(_("An officer does not grant a file to themself."),
                                      field="user")
            if PersonnelGrant.select().where((PersonnelGrant.item == item.id)
                                             & (PersonnelGrant.user == user.id)
                                             & _live(day)).exists():
                raise ValidationError(_("{name} holds a live grant to {ref} already: revoke it "
                                        "first to change it.").format(name=user.name,
                                                                      ref=item.ref),
                                      field="user")
            fields = self._fields_with(key, item)
            grant = PersonnelGrant.create(item=item.id, user=user.id, until=until, reason=reason,
                                          granted_by=actor.user_id, granted_at=tx.at)
            service.keyring.seal_for(user, purpose(grant.id), json.dumps(
                {"title": fields[0], "keywords": fields[1]}, ensure_ascii=False).encode("utf-8"),
                tx.at)
            after: dict[str, Any] = {"ref": item.ref, "user": user.name,
                                     "until": until.isoformat(), "reason": reason}
            dropped = self._drop_ended(day)
            if dropped:
                after["ended_copies_dropped"] = dropped
            tx.audit(actor, "personnel.grant", "personnel_grant", grant.id, after=after)
        return self._row(PersonnelGrant.get_by_id(grant.id), day, fields[0])

    @staticmethod
    def _fields_with(key: bytes, item: Item) -> tuple[str, str]:
        from desk_app.services.personnel import open_fields

        row = PersonnelSealed.get_or_none(PersonnelSealed.item == item.id)
        opened = open_fields(key, item.id, item.ref, row.blob) if row is not None else None
        if opened is None:
            raise ValidationError(_("The file {ref} does not open with the personnel key: "
                                    "nothing to grant.").format(ref=item.ref), field="ref")
        return opened

    @staticmethod
    def _drop_ended(day: date) -> int:
        """Inside a write: delete the sealed copies of grants that ended (by the clock)."""
        ended = [purpose(row[0]) for row in tuples(PersonnelGrant.select(PersonnelGrant.id).where(
            PersonnelGrant.revoked_at.is_null() & (PersonnelGrant.until < day)))]
        dropped = 0
        for start in range(0, len(ended), 500):
            dropped += SealedSecret.delete().where(
                SealedSecret.purpose.in_(ended[start:start + 500])).execute()
        return dropped

    def revoke(self, actor: Actor, grant_id: int, reason: str) -> dict[str, Any]:
        service = self.service
        service.require(actor, ArchivePermission.PERSONNEL_GRANT)
        reason = text.line(reason, "reason", _("The reason"), 500)
        day = today()
        with service.write() as tx:
            grant = service.locked(PersonnelGrant.select().where(
                PersonnelGrant.id == grant_id), of=PersonnelGrant).first()
            if grant is None:
                raise NotFound(_("No grant {id}.").format(id=grant_id))
            if grant.revoked_at is not None:
                raise ValidationError(_("Grant {id} is revoked already.").format(id=grant_id),
                                      field="grant")
            grant.revoked_at, grant.revoked_by, grant.revoke_reason = tx.at, actor.user_id, reason
            grant.save()
            service.keyring.drop(grant.user_id, purpose(grant.id))
            tx.audit(actor, "personnel.grant_revoke", "personnel_grant", grant.id, after={
                "ref": grant.item.ref, "user": grant.user.name, "reason": reason,
                "was": status_of(PersonnelGrant(until=grant.until), day)})
        shown = service.readable(actor, [(grant.item_id, grant.item.ref)])
        return self._row(PersonnelGrant.get_by_id(grant_id), day,
                         shown.get(grant.item_id, (SEALED_TITLE, ""))[0])

    def grants(self, actor: Actor, current_only: bool) -> list[dict[str, Any]]:
        service = self.service
        service.require(actor, ArchivePermission.PERSONNEL_GRANTS_VIEW)
        day = today()
        query = PersonnelGrant.select().order_by(PersonnelGrant.id.desc())
        if current_only:
            query = query.where(_live(day))
        grants = list(query)
        titles = service.readable(actor, {(g.item_id, g.item.ref) for g in grants})
        return [self._row(grant, day, titles.get(grant.item_id, (SEALED_TITLE, ""))[0])
                for grant in grants]

    def _row(self, grant: PersonnelGrant, day: date, title: str | None = None) -> dict[str, Any]:
        return {"id": grant.id, "ref": grant.item.ref, "title": title, "user": grant.user.name,
                "until": grant.until, "reason": grant.reason,
                "granted_by": grant.granted_by.name, "granted_at": grant.granted_at,
                "status": status_of(grant, day),
                "revoked_by": grant.revoked_by.name if grant.revoked_by is not None else None,
                "revoked_at": grant.revoked_at, "revoke_reason": grant.revoke_reason,
                # staff as lists show them, by full name
                "user_full_name": grant.user.full_name or grant.user.name,
                "granted_by_full_name": grant.granted_by.full_name or grant.granted_by.name,
                "revoked_by_full_name": (grant.revoked_by.full_name or grant.revoked_by.name)
                if grant.revoked_by is not None else None}

    # ------------------------------------------------------------ the grantee's reading

    def _opened(self, reader: Actor, item_ids: list[int] | None) -> dict[int, tuple[str, str] | None]:
        """Per live grant of ``reader`` (to ``item_ids``, or all): the file's fields from the
        copy sealed for the grant, None when this desk has not opened it (a grant made since
        the reader signed in)."""
        if reader.user_id is None:
            return {}
        query = PersonnelGrant.select(PersonnelGrant.id, PersonnelGrant.item).where(
            (PersonnelGrant.user == reader.user_id) & _live(today()))
        if item_ids is not None:
            query = query.where(PersonnelGrant.item.in_(item_ids))
        shown: dict[int, tuple[str, str] | None] = {}
        for grant_id, item_id in tuples(query):
            secret = self.service.keyring.secret(reader.user_id, purpose(grant_id))
            fields = None
            if secret is not None:
                try:
                    data = json.loads(secret.decode("utf-8"))
                    fields = (str(data["title"]), str(data["keywords"]))
                except (ValueError, KeyError, TypeError):
                    fields = None
            if shown.get(item_id) is None:
                shown[item_id] = fields
        return shown

    def fields(self, reader: Actor, item_ids: list[int]) -> dict[int, tuple[str, str]]:
        """(title, keywords) of the files among ``item_ids`` ``reader`` holds a live grant to;
        a file whose copy is not open here reads "sign in again"."""
        later = not_open()
        return {item_id: fields or (later, "")
                for item_id, fields in self._opened(reader, item_ids).items()}

    def matching(self, reader: Actor, terms: QueryTerms) -> list[int] | None:
        """Ids of the granted files whose text matches (None: ``reader`` holds no live grant)."""
        opened = self._opened(reader, None)
        if not opened:
            return None
        query = (Item.select(Item.id, Item.ref, Department.name, Kind.name)
                 .join_from(Item, Department).join_from(Item, Kind)
                 .where(Item.id.in_(list(opened)) & (Item.level == rules.Level.PERSONNEL.value)))
        found = []
        for item_id, ref, dept, kind in tuples(query):
            title, keywords = opened[item_id] or ("", "")
            if search.matches(terms, search.searchable_text(ref, title, keywords, dept, kind)):
                found.append(item_id)
        return sorted(found)
