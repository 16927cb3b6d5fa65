"""Business settings shared by every desk, stored in the database (schema in domain)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
            tx.audit(actor, "setting.set", "setting", key, before=before, after=value)
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
                     before={key: current[key] for key in changed}, after=changed)
        return {**current, **changed}
