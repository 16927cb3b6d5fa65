"""``desk-app``: the command line for admins and scripts; with no command it opens the GUI.

Commands that do not open a window never import Qt, so they start fast on a server.
Each area registers its commands from its own module (``admin``, ``forms``, …).

Every failure is one line on stderr, ``desk-app: <message>``, and one of the exit codes
in ``EXIT_CODES``; 70 is kept for bugs (the traceback goes to the log file).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from desk_app import __version__
from desk_app.cli import admin, archive, forms, reception
from desk_app.cli.common import Parser, database_url
from desk_app.domain.errors import DeskError
from desk_app.i18n import LANGUAGES, N_, _, set_language, system_language
from desk_app.logs import log_file, setup_logging

log = logging.getLogger(__name__)

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
# forms last: its `export` command lists the registers the other areas added.
AREAS = (admin, archive, reception, forms)


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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in AREAS:
        area.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from(argv))
    return _main(argv)


def _main(argv: list[str]) -> int:
    command = None
    try:
        args = build_parser().parse_args(argv)
        command = args.command
        setup_logging()
        if command is None:
            from desk_app.ui.app import run_gui

            return run_gui(database_url(args), language=args.language or os.environ.get("DESK_LANG"))
        return args.run(args)
    except DeskError as error:
        log.info("command failed: %s", error)
        return _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        return _fail(_("interrupted"), EXIT_INTERRUPTED)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
        return 0
    except Exception as error:
        log.exception("unexpected error in %s", command)
        return _fail(_("unexpected error: {error} (details in {log})").format(
            error=error, log=log_file()), EXIT_UNEXPECTED)


def _fail(message: str, code: int) -> int:
    print(f"desk-app: {message}", file=sys.stderr)
    return code


def _language_from(argv: list[str]) -> str:
    """The language is needed before argparse runs, for translated help texts. Only the
    global ``--lang`` (before the command) counts: ``script edit --lang zh_CN`` names the
    script's language, not the one to talk in."""
    return _global_options(argv).language or os.environ.get("DESK_LANG") or system_language()


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


class _PreParserError(Exception):
    pass


class _PreParser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise _PreParserError(message)
