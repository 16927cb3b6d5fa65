"""Opening the one database: a SQLite file by default, PostgreSQL for shared desks."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import peewee

from desk_app.domain.errors import DatabaseUnavailable, ValidationError
from desk_app.i18n import _

log = logging.getLogger(__name__)

database_proxy = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10_000,
}
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class DatabaseUrl:
    backend: str  # "sqlite" or "postgresql"
    path: Path | None = None
    dbname: str = ""
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None

    def display(self) -> str:
        """The URL without its password, for status bars and logs."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.path}"
        who = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"postgresql://{who}{self.host or 'localhost'}{port}/{self.dbname}"


def parse_url(url: str) -> DatabaseUrl:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db``, a plain file path, or
    ``postgresql://user:pass@host:port/dbname``."""
    url = (url or "").strip()
    bad = ValidationError(
        _(
            "Not a database URL: {url}. Use sqlite:///path/file.db or "
            "postgresql://user:password@host:port/dbname."
        ).format(url=url or '""'),
        field="db",
    )
    if not url:
        raise bad
    if "://" not in url:
        return DatabaseUrl("sqlite", path=Path(url).expanduser())
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw = url.split("://", 1)[1]
        if not raw.startswith("/") or len(raw) < 2 or parts.query:
            raise bad
        return DatabaseUrl("sqlite", path=Path(unquote(raw[1:])).expanduser())
    if scheme in ("postgresql", "postgres"):
        dbname = parts.path.lstrip("/")
        try:
            port = parts.port
        except ValueError:
            raise bad from None
        if not dbname or "/" in dbname:
            raise bad
        return DatabaseUrl(
            "postgresql",
            dbname=unquote(dbname),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname,
            port=port,
        )
    raise bad


def _header_of(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(16)


def _open_in_this_process(path: Path) -> bool:
    """Whether this process has ``path`` open already (a second Desk on the same file, a
    test's own connection): then it is a database SQLite opened, and its header is not read
    again — closing any descriptor of a file drops every POSIX lock the process holds on it,
    SQLite's included, and another desk could then write under an open connection (the
    damage SQLite's "How to corrupt" page describes). Linux tells through /proc; elsewhere
    the header is read as before."""
    folder = Path("/proc/self/fd")
    if not folder.is_dir():
        return False
    try:
        target = path.resolve()
        for entry in folder.iterdir():
            try:
                if Path(os.readlink(entry)) == target:
                    return True
            except OSError:  # closed meanwhile
                continue
    except OSError:
        return False
    return False


def sqlite_file_problem(path: Path, must_exist: bool) -> str | None:
    """Why this path cannot hold our SQLite database, or None."""
    if path.exists():
        if path.is_dir():
            return _("{path} is a folder, not a database file.").format(path=path)
        header = b"" if _open_in_this_process(path) else _header_of(path)
        if header and header != SQLITE_HEADER:
            return _("{path} is not a database file.").format(path=path)
        return None
    if must_exist:
        return _("No database at {path}. Create one with: desk-app init --admin NAME").format(
            path=path
        )
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent

    if not os.access(parent, os.W_OK):
        return _("Cannot create a database in {folder}: the folder is not writable.").format(
            folder=path.parent
        )
    return None


def connect(url: DatabaseUrl, must_exist: bool = False) -> peewee.Database:
    """A connected peewee database; DatabaseUnavailable with a clear message otherwise."""
    if url.backend == "sqlite":
        return _connect_sqlite(url, must_exist)
    return _connect_postgresql(url)


def _connect_sqlite(url: DatabaseUrl, must_exist: bool) -> peewee.Database:
    assert url.path is not None
    problem = sqlite_file_problem(url.path, must_exist)
    if problem:
        raise DatabaseUnavailable(problem)
    try:
        url.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            _("Cannot create a database in {folder}: {reason}").format(
                folder=url.path.parent, reason=error.strerror)
        ) from error
    # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two desks
    # never deadlock upgrading read locks; busy_timeout lets the second one wait.
    db = peewee.SqliteDatabase(
        str(url.path), pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE"
    )
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except peewee.DatabaseError as error:
        db.close()
        raise DatabaseUnavailable(
            _("Cannot open {path}: {reason}").format(path=url.path, reason=error)
        ) from error
    return db


def _connect_postgresql(url: DatabaseUrl) -> peewee.Database:
    db = peewee.PostgresqlDatabase(
        url.dbname,
        user=url.user,
        password=url.password,
        host=url.host,
        port=url.port,
        connect_timeout=5,
        application_name="desk_app",
    )
    try:
        db.connect(reuse_if_open=True)
    except peewee.OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(
            _("Cannot reach the PostgreSQL server {where}: {reason}").format(
                where=url.display(), reason=reason
            )
        ) from error
    return db


def open_database_files(db: peewee.Database | None) -> list[Path]:
    """The files of an open SQLite database (main file, WAL, shared memory, journal):
    nothing may ever be written over them. Empty for PostgreSQL."""
    if db is None or not isinstance(db, peewee.SqliteDatabase):
        return []
    main = Path(db.database)
    if str(main) in ("", ":memory:"):
        return []
    return [main, *(main.with_name(main.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def is_postgresql(db: peewee.Database) -> bool:
    return isinstance(db, peewee.PostgresqlDatabase)


def server_now_sql(db: peewee.Database) -> str | None:
    """SQL giving the server's clock as naive UTC (R8), or None to use the local clock."""
    if is_postgresql(db):
        return "SELECT clock_timestamp() AT TIME ZONE 'UTC'"
    return None
