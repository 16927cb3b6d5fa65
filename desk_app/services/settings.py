"""Business settings shared by every desk, stored in the database (schema in domain)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from peewee import fn

from desk_app.domain.roles import Permission
from desk_app.domain.settings import schema, setting
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.store.models import SettingValue


def _store(key: str, text: str, at: datetime, by: str) -> None:
    values = {"value": text, "updated_at": at, "updated_by": by}
    SettingValue.insert(key=key, **values).on_conflict(
        conflict_target=[SettingValue.key], update=values
    ).execute()


class SettingsService(Service):
    def value(self, key: str) -> Any:
        """Any signed-in code may read settings; the company name is on every form."""
        definition = setting(key)
        row = SettingValue.get_or_none(SettingValue.key == key)
        if row is None:
            return definition.default
        return definition.parse(row.value)

    def marker(self) -> tuple[int, str]:
        """What changes whenever any desk stores a setting: how many values are stored and
        the last time one was. One small query, so an open session can poll it (the main
        window does every 30 s) and read the settings again only when it moved."""
        row: Any = (SettingValue.select(fn.COUNT(SettingValue.key),
                                        fn.MAX(SettingValue.updated_at)).tuples().get())
        return int(row[0] or 0), str(row[1] or "")

    def all(self) -> dict[str, Any]:
        stored = {row.key: row.value for row in SettingValue.select()}
        return {
            item.key: item.parse(stored[item.key]) if item.key in stored else item.default
            for item in schema()
        }

    def set(self, actor: Actor, key: str, raw: Any) -> Any:
        self.require(actor, Permission.SETTINGS_EDIT)
        definition = setting(key)
        value = definition.parse(raw)
        with self.write() as tx:
            row = SettingValue.get_or_none(SettingValue.key == key)
            before = definition.parse(row.value) if row else definition.default
            _store(key, definition.to_text(value), tx.at, actor.name)
            tx.audit(actor, "setting.set", "setting", key, before=definition.shown(before),
                     after=definition.shown(value))
        return value

    def set_many(self, actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
        """Save a whole settings form in one transaction and one audit entry."""
        self.require(actor, Permission.SETTINGS_EDIT)
        parsed = {key: setting(key).parse(raw) for key, raw in values.items()}
        current = self.all()
        changed = {key: value for key, value in parsed.items() if current[key] != value}
        if not changed:
            return current
        with self.write() as tx:
            for key, value in changed.items():
                _store(key, setting(key).to_text(value), tx.at, actor.name)
            tx.audit(actor, "setting.set", "setting", ",".join(sorted(changed)),
                     before={key: setting(key).shown(current[key]) for key in changed},
                     after={key: setting(key).shown(value) for key, value in changed.items()})
        return {**current, **changed}
