"""Messages taken at the phone for an absent colleague (issue 18; 003 第一章: 同事不在时帮助
接听电话，并留言记录): the desk writes down who called, how to reach them and what for; the
addressee sees it on Today and confirms it; a message left unconfirmed longer than the
``message_chase_minutes`` setting is chased, each chase recorded. Nothing is deleted (R3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from desk_app.domain import reception as rules
from desk_app.domain.areas.reception import ReceptionPermission
from desk_app.domain.errors import Conflict, PermissionDenied, ValidationError
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services.reception.base import ReceptionBase
from desk_app.store.models import User
from desk_app.store.reception import PhoneMessage

CHASE_SETTING = "message_chase_minutes"


@dataclass(frozen=True)
class MessageView:
    id: int
    visit_id: int | None
    caller: str
    caller_title: str
    contact: str
    text: str
    for_user: str
    taken_at: datetime
    taken_by: str
    confirmed_at: datetime | None
    chases: int
    chased_at: datetime | None
    for_name: str = ""  # full names, in lists
    taken_by_name: str = ""

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def as_dict(self) -> dict[str, Any]:
        """The CLI's row (times as json_value writes them, local with their offset)."""
        return {"id": self.id, "for": self.for_user, "for_name": self.for_name,
                "caller": rules.addressed(self.caller, self.caller_title),
                "contact": self.contact, "text": self.text, "taken_at": self.taken_at,
                "taken_by": self.taken_by, "confirmed_at": self.confirmed_at,
                "chases": self.chases, "chased_at": self.chased_at, "visit": self.visit_id}


@dataclass(frozen=True)
class MessageFilter:
    for_user: str | None = None
    unconfirmed_only: bool = False
    to_chase_before: datetime | None = None  # unconfirmed and taken before this time


def message_view(row: PhoneMessage, names: Mapping[str, str] | None = None) -> MessageView:
    names = names or {}
    return MessageView(row.id, row.__data__.get("visit"), row.caller, row.caller_title,
                       row.contact, row.text, row.for_user, row.taken_at, row.taken_by,
                       row.confirmed_at, row.chases, row.chased_at,
                       names.get(row.for_user, row.for_user), names.get(row.taken_by, row.taken_by))


def _query(flt: MessageFilter) -> Any:
    query = PhoneMessage.select()
    if flt.for_user:
        query = query.where(PhoneMessage.for_user == flt.for_user)
    if flt.unconfirmed_only or flt.to_chase_before is not None:
        query = query.where(PhoneMessage.confirmed_at.is_null())
    if flt.to_chase_before is not None:
        query = query.where(PhoneMessage.taken_at < flt.to_chase_before)
    return query


def _names_of(rows: list[PhoneMessage]) -> dict[str, str]:
    """Full names of the people a page of messages names (a page, not every user: a
    desk may have thousands)."""
    wanted = {row.for_user for row in rows} | {row.taken_by for row in rows}
    if not wanted:
        return {}
    return {user.name: user.full_name or user.name
            for user in User.select(User.name, User.full_name).where(User.name.in_(wanted))}


class MessageService(ReceptionBase):
    def take_message(self, actor: Actor, for_user: str, caller: str, text: str,
                     contact: str = "", caller_title: str = "",
                     visit_id: int | None = None) -> MessageView:
        """Write down a message for ``for_user`` (an active user's name)."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        caller = rules.text_field(caller, "caller", _("The caller"), 64)
        caller_title = rules.text_field(caller_title, "caller_title", _("The title"), 16)
        contact = rules.text_field(contact, "contact", _("The contact"), 64)
        text = rules.text_field(text, "text", _("The message"), 2000)
        for_user = (for_user or "").strip()
        if not for_user:
            raise ValidationError(_("Choose whom the message is for."), field="for_user")
        if not caller:
            raise ValidationError(_("Write down who called."), field="caller")
        if not text:
            raise ValidationError(_("Write down the message."), field="text")
        caller, caller_title = rules.split_title(caller, caller_title)
        with self.write() as tx:
            addressee = User.get_or_none(User.name == for_user)
            if addressee is None or not addressee.active:
                raise ValidationError(
                    _("{name} is not an active user: a message can only be left for a "
                      "colleague who can sign in and confirm it.").format(name=for_user or "—"),
                    field="for_user")
            if visit_id is not None:
                self._visit(visit_id)
            row = PhoneMessage.create(visit=visit_id, caller=caller, caller_title=caller_title,
                                      contact=contact, text=text, for_user=for_user,
                                      taken_at=tx.at, taken_by=actor.name)
            tx.audit(actor, "message.take", "phone_message", row.id,
                     after={"for": for_user, "caller": caller, "contact": contact,
                            "visit": visit_id})
        return message_view(row)

    def addressees(self, actor: Actor) -> list[tuple[str, str]]:
        """(user name, "full name (user name)") of every active user, for the desk's choice
        of whom a message is for."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        users = (User.select(User.name, User.full_name).where(User.active == True)  # noqa: E712
                 .order_by(User.name))
        return [(user.name, f"{user.full_name} ({user.name})" if user.full_name else user.name)
                for user in users]

    def confirm_message(self, actor: Actor, message_id: int) -> MessageView:
        """The addressee read the message (and will call back): only they may confirm it."""
        with self.write() as tx:
            row = self._locked_row(PhoneMessage, message_id, _("No message {id}."))
            if row.for_user != actor.name:
                raise PermissionDenied(_("Message {id} is for {name}: only they can confirm "
                                         "it.").format(id=message_id, name=row.for_user))
            if row.confirmed_at is not None:
                raise Conflict(_("Message {id} was already confirmed.").format(id=message_id))
            row.confirmed_at = tx.at
            row.save()
            tx.audit(actor, "message.confirm", "phone_message", row.id,
                     after={"taken_at": row.taken_at.isoformat(), "chases": row.chases})
        return message_view(row)

    def chase_message(self, actor: Actor, message_id: int) -> MessageView:
        """The desk reminded the addressee of a message still unconfirmed."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        with self.write() as tx:
            row = self._locked_row(PhoneMessage, message_id, _("No message {id}."))
            if row.confirmed_at is not None:
                raise Conflict(_("Message {id} was already confirmed.").format(id=message_id))
            row.chases += 1
            row.chased_at, row.chased_by = tx.at, actor.name
            row.save()
            tx.audit(actor, "message.chase", "phone_message", row.id,
                     after={"for": row.for_user, "chases": row.chases})
        return message_view(row)

    def my_messages(self, actor: Actor, limit: int = 20) -> list[MessageView]:
        """The messages left for the signed-in user and not yet confirmed, oldest first."""
        rows = list(_query(MessageFilter(for_user=actor.name, unconfirmed_only=True))
                    .order_by(PhoneMessage.taken_at, PhoneMessage.id).limit(limit))
        names = _names_of(rows)
        return [message_view(row, names) for row in rows]

    def _chase_after(self) -> timedelta:
        return timedelta(minutes=int(self.settings.value(CHASE_SETTING)))  # type: ignore[call-overload]

    def to_chase(self, actor: Actor) -> MessageFilter:
        """The filter of the messages due for a chase now."""
        self.require(actor, ReceptionPermission.RECEPTION_USE)
        return MessageFilter(to_chase_before=self.now() - self._chase_after())

    def count_messages(self, actor: Actor, flt: MessageFilter | None = None) -> int:
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        return _query(flt or MessageFilter()).count()

    def page_messages(self, actor: Actor, flt: MessageFilter | None = None, offset: int = 0,
                      limit: int = 200) -> list[MessageView]:
        """Newest first."""
        self.require(actor, ReceptionPermission.RECEPTION_VIEW)
        rows = list(_query(flt or MessageFilter())
                    .order_by(PhoneMessage.taken_at.desc(), PhoneMessage.id.desc())
                    .offset(offset).limit(limit))
        names = _names_of(rows)
        return [message_view(row, names) for row in rows]
