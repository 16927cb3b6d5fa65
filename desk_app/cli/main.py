"""``desk-app``: the command line for admins and scripts; with no command it opens the GUI.

Commands that do not open a window never import Qt, so they start fast on a server.
Each area registers its commands from its own module (``admin``, ``forms``, …).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from desk_app import __version__
from desk_app.cli import admin, archive, forms, reception
from desk_app.cli.common import database_url
from desk_app.domain.errors import DeskError
from desk_app.i18n import _, set_language, system_language
from desk_app.logs import log_file, setup_logging

log = logging.getLogger(__name__)

EXIT_UNEXPECTED = 70
# forms last: its `export` command lists the registers the other areas added.
AREAS = (admin, archive, reception, forms)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desk-app",
        description=_("Front desk and archive room register."),
    )
    parser.add_argument("--version", action="version", version=f"desk-app {__version__}")
    parser.add_argument("--db", help=_("database URL (default: env DESK_DB, else a SQLite file "
                                       "in your data folder)"))
    parser.add_argument("--user", help=_("acting user (default: env DESK_USER)"))
    parser.add_argument("--lang", help=_("language: en, zh_CN or zh_TW (default: env DESK_LANG)"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for area in AREAS:
        area.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language_from(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()
    if args.command is None:
        from desk_app.ui.app import run_gui

        return run_gui(database_url(args), language=args.lang or os.environ.get("DESK_LANG"))
    try:
        return args.run(args)
    except DeskError as error:
        log.info("command failed: %s", error)
        print(f"desk-app: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(_("desk-app: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which stopped reading: not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
        return 0
    except Exception as error:
        log.exception("unexpected error in %s", args.command)
        print(_("desk-app: unexpected error: {error} (details in {log})").format(
            error=error, log=log_file()), file=sys.stderr)
        return EXIT_UNEXPECTED


def _language_from(argv: list[str]) -> str:
    """The language is needed before argparse runs, for translated help texts."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("DESK_LANG") or system_language()
