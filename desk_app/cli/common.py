"""What every command shares: the argument parser, the database, the acting user,
passwords, list output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from desk_app.domain.clock import format_date, format_datetime, local_iso
from desk_app.domain.errors import DeskError
from desk_app.i18n import _


class CliError(DeskError):
    exit_code = 2


class UsageError(CliError):
    """A command line argparse refused: one line, with where to read the usage."""

    def __init__(self, message: str, prog: str) -> None:
        super().__init__(_("{message} (see {prog} --help)").format(
            message=message, prog=prog))


# Where the innermost (sub)parser that parsed the command line puts its name, for the hint.
_PROG = "_desk_prog"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error()`` raises UsageError (exit 2) instead of
    printing the usage and exiting. ``add_subparsers`` makes every subparser of this class
    too (argparse's ``parser_class`` defaults to the parent's class); ``--help`` is unchanged."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(message, self.prog)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        namespace, extras = super().parse_known_args(args, namespace)
        if not hasattr(namespace, _PROG):  # a subparser (parsed first) already set it
            setattr(namespace, _PROG, self.prog)
        return namespace, extras

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        namespace, extras = self.parse_known_args(args, namespace)
        prog = vars(namespace).pop(_PROG, self.prog)
        if extras:
            raise UsageError(_("unrecognized arguments: {args}").format(args=" ".join(extras)),
                             prog)
        return namespace


# --limit of every list: enough for a screen or a script, never a number SQL cannot hold.
MAX_ROWS = 10_000


def _shown(text: str, limit: int = 40) -> str:
    """User input quoted in a message: not endless."""
    return text if len(text) <= limit else text[:limit] + "…"


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (no 10^30 reaching SQL)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # also a number of more than 4300 digits
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                _("not a whole number from {low} to {high}: {text}").format(
                    low=low, high=high, text=_shown(text)))
        return value

    return parse


# Dates outside these make local-time conversions overflow (year 1, year 9999).
FIRST_DATE, LAST_DATE = date(1000, 1, 1), date(9998, 12, 31)


def parse_date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or not FIRST_DATE <= value <= LAST_DATE:
        raise argparse.ArgumentTypeError(
            _("not a date from {first} to {last}: {text} (use YYYY-MM-DD)").format(
                first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat(), text=_shown(text)))
    return value


def is_undecodable(text: str) -> bool:
    """Python hands bytes that are not UTF-8 (in argv, environment, stdin) over as lone
    surrogates U+DC80–U+DCFF; nothing can store, log or print them."""
    return any("\udc80" <= char <= "\udcff" for char in text)


def undecodable_text(text: str) -> str:
    """For a message: the bad bytes shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def database_url(args: argparse.Namespace) -> str:
    if args.db:
        return args.db
    if os.environ.get("DESK_DB"):
        return os.environ["DESK_DB"]
    from desk_app.paths import default_database_url

    return default_database_url()


def open_desk(args: argparse.Namespace, create: bool = False):
    from desk_app.desk import Desk

    return Desk.open(database_url(args), create=create)


def read_new_password(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "password_stdin", False):
        try:
            line = sys.stdin.readline()
        except UnicodeDecodeError:
            line = "\udcff"
        if not line:
            raise CliError(_("No password on standard input."))
        return _decodable_password(line.rstrip("\r\n"))
    if not sys.stdin.isatty():
        raise CliError(_("No terminal to ask for the password: use --password-stdin."))
    first = _ask_password(prompt)
    if _ask_password(_("Repeat the password: ")) != first:
        raise CliError(_("The passwords do not match."))
    return first


def _ask_password(prompt: str) -> str:
    try:
        return _decodable_password(getpass.getpass(prompt))
    except UnicodeDecodeError:
        return _decodable_password("\udcff")


def _decodable_password(password: str) -> str:
    if is_undecodable(password):
        raise CliError(_("The password is not valid UTF-8 text."))
    return password


def sign_in(desk, args: argparse.Namespace):
    name = args.user or os.environ.get("DESK_USER")
    if not name:
        raise CliError(_("This command needs an acting user: --user NAME or env DESK_USER."))
    password = os.environ.get("DESK_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CliError(_("No terminal to ask for the password: set env DESK_PASSWORD."))
        password = _ask_password(_("Password for {name}: ").format(name=name))
    actor = desk.auth.login(name, password)
    args.signing_password = password  # the same password unseals the user's signing key
    return actor


def emit(args: argparse.Namespace, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """A list: JSON array with --json, else aligned text columns."""
    if getattr(args, "json", False):
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2, default=json_value)
        sys.stdout.write("\n")
        return
    if not rows:
        print(_("(none)"))
        return
    texts = [[_cell(row[column]) for column in columns] for row in rows]
    widths = [max(_width(column), *(_width(text[i]) for text in texts)) for i, column in
              enumerate(columns)]
    for line in [list(columns), *texts]:
        print("  ".join(_pad(cell, width) for cell, width in zip(line, widths, strict=True)).rstrip())


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def json_value(value: Any) -> Any:
    """JSON for what json cannot write itself: times as local ISO text with their offset."""
    if isinstance(value, datetime):
        return local_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple | frozenset | set):
        return ",".join(_cell(item) for item in value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return "" if value is None else str(value)


def with_actor(handler: Callable[[Any, Any, argparse.Namespace], int]) -> Callable[..., int]:
    """Open the database, sign in the acting user, run, close."""

    def run(args: argparse.Namespace) -> int:
        desk = open_desk(args)
        try:
            return handler(desk, sign_in(desk, args), args)
        finally:
            desk.close()

    return run
