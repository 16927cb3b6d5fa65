"""Backups (online, consistent) and restores, each recorded in the audit trail."""

from __future__ import annotations

from pathlib import Path

from desk_app.domain.roles import Permission
from desk_app.domain.users import Actor
from desk_app.services.base import Service
from desk_app.store import backup as store_backup


class BackupService(Service):
    def backup(self, actor: Actor, target: Path) -> Path:
        self.require(actor, Permission.BACKUP_CREATE)
        # The audit entry goes in first so the backup itself contains it.
        with self.write() as tx:
            tx.audit(actor, "backup.create", "database", None, after={"file": str(target)})
        return store_backup.backup(self.ctx.db, target)

    def restore(self, actor: Actor, source: Path) -> None:
        self.require(actor, Permission.BACKUP_RESTORE)
        store_backup.open_backup(source).close()  # refuse a bad file before touching anything
        store_backup.restore(self.ctx.db, source)
        # The restored chain continues with a record of the restore itself.
        with self.write() as tx:
            tx.audit(actor, "backup.restore", "database", None, after={"file": str(source)})
