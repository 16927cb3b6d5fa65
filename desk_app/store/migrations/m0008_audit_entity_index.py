"""An index on the audit trail's entity and id: showing a stored signed form looks up the
entry that recorded its signature (and its hash) without walking every signature."""

from __future__ import annotations

import peewee

from desk_app.store.migrate import schema_migrator

VERSION = 8


def upgrade(db: peewee.Database) -> None:
    migrator = schema_migrator(db)
    migrator.migrate(
        migrator.add_index("audit_entry", ("entity", "entity_id"), name="audit_entry_entity"),
    )
