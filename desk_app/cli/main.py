"""``desk-app``: the command line for admins and scripts; with no command it opens the GUI.

Commands that do not open a window never import Qt, so they start fast on a server.
Each area registers its commands from its own module (``admin``, ``forms``, …).

Every failure is one line on stderr, ``desk-app: <message>``, and one of the exit codes
in ``EXIT_CODES``; 70 is kept for bugs (the traceback goes to the log file), so nothing a
user can type (bad numbers, bytes that are not UTF-8, a damaged database) ends there.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence

from desk_app import __version__
from desk_app.cli.common import (
    CliError,
    Parser,
    database_url,
    is_undecodable,
    safe_console,
    safe_text,
    undecodable_text,
)
from desk_app.domain.errors import DatabaseUnavailable, DeskError, TargetExists
from desk_app.i18n import LANGUAGES, N_, _, set_language, system_language
from desk_app.logs import hold_records, log_file, setup_logging

log = logging.getLogger(__name__)

EXIT_DATABASE = DatabaseUnavailable.exit_code
EXIT_UNEXPECTED = 70
EXIT_INTERRUPTED = 130
EXIT_CODES = (
    (0, N_("done")),
    (1, N_("a check found a problem (audit verify, verify-pdf, script check)")),
    (2, N_("bad input: a wrong command, option or value")),
    (3, N_("not allowed, or a wrong password")),
    (4, N_("not found")),
    (5, N_("conflict: it exists already, or changed meanwhile")),
    (6, N_("database unavailable or damaged")),
    (EXIT_UNEXPECTED, N_("internal error, a bug (the traceback is in the log file)")),
    (EXIT_INTERRUPTED, N_("interrupted")),
)
# What the CLI reads from the environment (DESK_LOG_DIR & co. are paths: any bytes do).
ENVIRONMENT = ("DESK_DB", "DESK_USER", "DESK_PASSWORD", "DESK_LANG")


def build_parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {code:<5}{_(text)}" for code, text in EXIT_CODES)
    parser = Parser(
        prog="desk-app",
        description=_("Front desk and archive room register."),
        epilog=_("exit codes:") + "\n" + codes,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"desk-app {__version__}")
    parser.add_argument("--db", help=_("database URL (default: env DESK_DB, else a SQLite file "
                                       "in your data folder)"))
    parser.add_argument("--user", help=_("acting user (default: env DESK_USER)"))
    # dest differs from the `--lang` some commands have (a script's language), which
    # would otherwise overwrite this one.
    parser.add_argument("--lang", dest="language", choices=sorted(LANGUAGES), metavar="LANG",
                        help=_("language: en, zh_CN or zh_TW (default: env DESK_LANG)"))
    from desk_app.domain import manifest  # here, not at the top: the GUI starts without it

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in manifest.cli_modules():  # each area's commands, from its own module
        importlib.import_module(module).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from(argv))
    with safe_console():
        return _main(argv)


def _main(argv: list[str]) -> int:
    command = None
    try:
        _check_decodable(argv)
        args = _gui_only(argv) or build_parser().parse_args(argv)
        command = args.command
        if command is None:
            return _run_gui(args)
        setup_logging()
        return args.run(args)
    except DeskError as error:
        if isinstance(error, DatabaseUnavailable):  # "Cannot open …": say what to do if damaged
            damaged = _damaged_database(error, database_url_of(argv))
            if damaged:
                log.warning("database damaged (%s): %s", command, error, exc_info=True)
                return _fail(damaged, EXIT_DATABASE)
        log.info("command failed: %s", safe_text(error))
        if isinstance(error, TargetExists):
            hint = _("Add --force to replace it.")
            return _fail(f"{error} {hint}", error.exit_code)
        return _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        return _fail(_("interrupted"), EXIT_INTERRUPTED)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
        return 0
    except Exception as error:
        problem = _database_problem(error, database_url_of(argv))
        if problem:
            log.warning("database problem in %s", command, exc_info=True)
            return _fail(problem, EXIT_DATABASE)
        log.exception("unexpected error in %s", command)
        return _fail(_("unexpected error: {error} (details in {log})").format(
            error=error, log=log_file()), EXIT_UNEXPECTED)


def _run_gui(args: argparse.Namespace) -> int:
    # The GUI opens the log file once its sign-in window shows; until then records are held,
    # and written at the latest here (before an error that ends the GUI is logged below).
    hold_records()
    try:
        from desk_app.ui.app import run_gui

        return run_gui(database_url(args), language=args.language or os.environ.get("DESK_LANG"))
    finally:
        setup_logging()


def _fail(message: str, code: int) -> int:
    """The one line on stderr: whatever the message holds (user input echoed back, stored
    text), it cannot break the line or reach the terminal as a control sequence."""
    print(f"desk-app: {safe_text(message)}", file=sys.stderr)
    return code


def _check_decodable(argv: list[str]) -> None:
    """Bytes that are not UTF-8 would fail wherever the text goes (database, log, screen):
    refuse them up front, naming the argument or variable."""
    for arg in argv:
        if is_undecodable(arg):
            raise CliError(_("Not valid UTF-8 text on the command line: {text}").format(
                text=undecodable_text(arg)))
    for name in ENVIRONMENT:
        if is_undecodable(os.environ.get(name, "")):  # (the value may be a password)
            raise CliError(_("The environment variable {name} is not valid UTF-8 text.").format(
                name=name))


def _language_from(argv: list[str]) -> str:
    """The language is needed before argparse runs, for translated help texts. Only the
    global ``--lang`` (before the command) counts: ``script edit --lang zh_CN`` names the
    script's language, not the one to talk in."""
    return _global_options(argv).language or os.environ.get("DESK_LANG") or system_language()


def database_url_of(argv: list[str]) -> str:
    """The database the command line meant, for messages ('' if it cannot tell)."""
    try:
        return database_url(_global_options(argv))
    except Exception:
        return ""


def _global_options(argv: list[str]) -> argparse.Namespace:
    """The options before the command name, parsed as the real parser does (abbreviations
    such as ``--la`` included); everything from the command name on is left alone."""
    pre = _PreParser(add_help=False)
    pre.add_argument("--version", action="store_true")
    pre.add_argument("--db")
    pre.add_argument("--user")
    pre.add_argument("--lang", dest="language")
    pre.add_argument("rest", nargs=argparse.REMAINDER)
    try:
        return pre.parse_known_args(argv)[0]
    except _PreParserError:
        return argparse.Namespace(db=None, user=None, language=None, rest=[])


def _gui_only(argv: list[str]) -> argparse.Namespace | None:
    """The options of a plain ``desk-app [--db URL] [--user NAME] [--lang LANG]``, which opens
    the GUI: known without building every area's commands (which imports each area's CLI
    module, time the sign-in window would wait for). None for anything else, which the
    full parser reads (and refuses, if wrong)."""
    pre = _PreParser(add_help=False)
    pre.add_argument("--db")
    pre.add_argument("--user")
    pre.add_argument("--lang", dest="language")
    try:
        args, extras = pre.parse_known_args(argv)
    except _PreParserError:
        return None
    if extras or (args.language is not None and args.language not in LANGUAGES):
        return None
    args.command = None
    return args


class _PreParserError(Exception):
    pass


class _PreParser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise _PreParserError(message)


def _damaged_database(error: BaseException, url: str) -> str | None:
    """A one-line message if ``error`` (or what caused it) says the database is damaged:
    SQLite's "database disk image is malformed" may come from any query, not only at open."""
    for cause in _causes(error):
        name = getattr(cause, "sqlite_errorname", "") or ""
        if (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
                or type(cause).__name__ in ("DataCorrupted", "IndexCorrupted")):  # PostgreSQL
            return _("The database {url} is damaged ({reason}): restore a backup with "
                     "desk-app restore FILE, or put a backup copy in its place.").format(
                url=_display(url), reason=_reason(cause))
    return None


def _database_problem(error: BaseException, url: str) -> str | None:
    """A one-line message if ``error`` (or what caused it) says the database cannot be used:
    a damaged file, a lock held too long, a full disk, a lost server connection."""
    damaged = _damaged_database(error, url)
    if damaged:
        return damaged
    for cause in _causes(error):
        name = getattr(cause, "sqlite_errorname", "") or ""
        reason, where = _reason(cause), _display(url)
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return _("The database {url} is busy ({reason}): try again in a moment.").format(
                url=where, reason=reason)
        if name.startswith(("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN",
                            "SQLITE_PERM")) or _is_postgresql_operational(cause):
            return _("Cannot use the database {url}: {reason}").format(url=where, reason=reason)
    return None


def _reason(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (peewee puts the driver's error in ``args[0]``) and its
    ``__cause__``/``__context__`` chain."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(item for item in (*current.args[:1], current.__cause__, current.__context__)
                    if isinstance(item, BaseException))


def _is_postgresql_operational(error: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")  # only loaded if a PostgreSQL database was opened
    return psycopg is not None and isinstance(error, psycopg.OperationalError)


def _display(url: str) -> str:
    """The URL as messages show it (no password)."""
    with contextlib.suppress(Exception):
        from desk_app.store.db import parse_url

        return parse_url(url).display()
    return url
