"""Composition root: database URL → connection → migrations → services."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

import peewee

from desk_app.domain import manifest
from desk_app.domain.area import RegisterSpec
from desk_app.domain.clock import Clock, SourceClock, SystemClock, local_today
from desk_app.domain.errors import DatabaseUnavailable
from desk_app.i18n import _
from desk_app.paths import data_dir
from desk_app.services.base import Context, Service
from desk_app.services.output import clean_stale_partials
from desk_app.services.registers import RegisterSource
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
    """Everything one process needs: the open database and the services over it.

    The composition root: every area's services and register sources (the manifest's
    ``ServiceSpec``/``RegisterSpec``) are built here, once, each given the services it
    needs. ``desk.loans`` is the loan service, ``desk.registers["loans"]`` its register.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.services: dict[str, Service] = {}
        self.registers: dict[str, RegisterSource] = {}
        for spec in manifest.build_order():
            needs = {name: self.registers if name == manifest.SOURCES else self.services[name]
                     for name in spec.needs}
            built = manifest.load(spec.factory)(ctx, **needs)
            if isinstance(spec, RegisterSpec):
                self.registers[spec.name] = built
            else:
                self.services[spec.name] = built

    def __getattr__(self, name: str) -> Any:
        """``desk.archive`` and the like: the service of that name."""
        services = self.__dict__.get("services", {})
        if name in services:
            return services[name]
        raise AttributeError(name)

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
        for service in desk.services.values():
            # An area's start-up work (e.g. shipped data that belongs with its schema),
            # done here once, never on a read.
            on_open = getattr(service, "on_open", None)
            if on_open is not None:
                on_open()
        return desk

    def now(self) -> datetime:
        """The standard clock (R8): the database server's on PostgreSQL."""
        return self.ctx.clock.now()

    def today(self) -> date:
        """Today's local date by the standard clock: the default of every date field."""
        return local_today(self.now())

    def release_thread(self) -> None:
        """A worker thread is done with the database: close its own connection
        (peewee keeps one per thread)."""
        if not self.ctx.db.is_closed():
            self.ctx.db.close()

    def close(self) -> None:
        if self.ctx.url.backend == "sqlite" and not self.ctx.db.is_closed():
            # SQLite's advice for long-lived connections: refresh planner statistics
            # where they are stale (cheap; usually does nothing). It may need a write lock:
            # when another desk holds one, skip it rather than fail the close.
            try:
                self.ctx.db.execute_sql("PRAGMA optimize")
            except peewee.OperationalError as error:
                log.info("PRAGMA optimize skipped at close: %s", error)
        self.ctx.db.close()
