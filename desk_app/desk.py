"""Composition root: database URL → connection → migrations → services."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

import peewee

from desk_app.domain.clock import Clock, SourceClock, SystemClock, local_today
from desk_app.domain.errors import DatabaseUnavailable
from desk_app.i18n import _
from desk_app.paths import data_dir
from desk_app.services.archive import ArchiveService
from desk_app.services.audit import AuditService
from desk_app.services.auth import AuthService
from desk_app.services.backup import BackupService
from desk_app.services.base import Context
from desk_app.services.demo import DemoService
from desk_app.services.exports import ExportService
from desk_app.services.labels import LabelService
from desk_app.services.loans import LoanService
from desk_app.services.output import clean_stale_partials
from desk_app.services.reception import ReceptionService
from desk_app.services.settings import SettingsService
from desk_app.services.signing import KeyService
from desk_app.services.users import UserService
from desk_app.store import backup as store_backup
from desk_app.store import migrate
from desk_app.store.db import DatabaseUrl, connect, database_proxy, parse_url, server_now_sql

log = logging.getLogger(__name__)


def standard_clock(db: peewee.Database) -> Clock:
    """R8: a shared database's server clock, else this machine's."""
    sql = server_now_sql(db)
    if sql is None:
        return SystemClock()

    def server_now() -> datetime:
        return db.execute_sql(sql).fetchone()[0]

    return SourceClock(server_now)


def _pre_migration_backup(db: peewee.Database, url: DatabaseUrl):
    def save(version: int) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        if url.backend == "sqlite" and url.path is not None:
            target = url.path.with_name(f"{url.path.name}.schema{version}-{stamp}.bak")
        else:
            folder = data_dir() / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{url.dbname}.schema{version}-{stamp}.bak"
        return store_backup.backup(db, target)

    return save


class Desk:
    """Everything one process needs: the open database and the services over it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.auth = AuthService(ctx)
        self.users = UserService(ctx)
        self.settings = SettingsService(ctx)
        self.audit = AuditService(ctx)
        self.backups = BackupService(ctx)
        self.demo = DemoService(ctx)
        self.keys = KeyService(ctx)
        self.archive = ArchiveService(ctx)
        self.loans = LoanService(ctx)
        self.labels = LabelService(ctx)
        self.exports = ExportService(ctx)
        self.reception = ReceptionService(ctx)

    @classmethod
    def open(cls, url_text: str, *, create: bool = False, clock: Clock | None = None) -> Desk:
        """Open (and migrate) the database. ``create`` allows a new, empty one."""
        url = parse_url(url_text)
        db = connect(url, must_exist=not create)
        try:
            version = migrate.current_version(db)
            if version == 0 and not create:
                raise DatabaseUnavailable(
                    _("The database {url} is empty. Create it with: desk-app init --admin NAME")
                    .format(url=url.display())
                )
            migrate.migrate(db, backup=_pre_migration_backup(db, url))
        except peewee.DatabaseError as error:
            db.close()
            raise DatabaseUnavailable(
                _("Cannot use the database {url}: {reason}").format(url=url.display(), reason=error)
            ) from error
        except BaseException:
            db.close()
            raise
        database_proxy.initialize(db)
        log.info("opened %s", url.display())
        clean_stale_partials()  # files a killed export or backup left half-written
        desk = cls(Context(db=db, clock=clock or standard_clock(db), url=url))
        # Shipped data belongs with the schema it needs: a new database, or an update that
        # ships new scripts, gets them here (a cheap check otherwise), never on a read.
        if "script_version" in db.get_tables():  # (a program older than the reception area)
            desk.reception.ensure_scripts()
        return desk

    def now(self) -> datetime:
        """The standard clock (R8): the database server's on PostgreSQL."""
        return self.ctx.clock.now()

    def today(self) -> date:
        """Today's local date by the standard clock: the default of every date field."""
        return local_today(self.now())

    def close(self) -> None:
        if self.ctx.url.backend == "sqlite" and not self.ctx.db.is_closed():
            # SQLite's advice for long-lived connections: refresh planner statistics
            # where they are stale (cheap; usually does nothing).
            self.ctx.db.execute_sql("PRAGMA optimize")
        self.ctx.db.close()
