"""Backups (online, consistent) and restores, each recorded in the audit trail."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desk_app.domain.errors import ValidationError
from desk_app.domain.roles import Permission
from desk_app.domain.users import Actor
from desk_app.i18n import _
from desk_app.services import output
from desk_app.services.base import Service
from desk_app.store import backup as store_backup


class BackupService(Service):
    def backup(self, actor: Actor, target: Path, force: bool = False) -> Path:
        """A snapshot in ``FILE.partial``, then the audit entry (with the file's hash and the
        chain head the backup holds) and the rename: a failed or killed backup records
        nothing and leaves no file (services.output)."""
        self.require(actor, Permission.BACKUP_CREATE)
        path = output.check_target(target, force=force, field="file")
        with output.OutputFile(path) as out:
            try:
                store_backup.snapshot(self.ctx.db, out.partial)
            except (OSError, sqlite3.OperationalError) as error:
                raise ValidationError(_("Cannot write {path}: {reason}").format(
                    path=path, reason=getattr(error, "strerror", None) or error), "file") from None
            seq, head = store_backup.chain_head(out.partial)  # what the file holds
            out.publish(self, actor, "backup.create", "database",
                        {"chain_head": seq, "chain_hash": head})
        return path

    def restore(self, actor: Actor, source: Path) -> None:
        self.require(actor, Permission.BACKUP_RESTORE)
        store_backup.open_backup(source).close()  # refuse a bad file before touching anything
        store_backup.restore(self.ctx.db, source)
        # The restored chain continues with a record of the restore itself.
        with self.write() as tx:
            tx.audit(actor, "backup.restore", "database", None, after={"file": str(source)})
