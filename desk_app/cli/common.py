"""What every command shares: the argument parser, the database, the acting user,
passwords, list output, and terminal-safe text.

The GUI starts through this module too (``desk-app`` with no command): json and getpass,
which only commands use, are imported where they are used, not before the sign-in window.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import os
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
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
            message=safe_text(message), prog=prog))


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
    """User input quoted in a message: one line, not endless."""
    text = safe_text(text)
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


# --- Declaring commands ---------------------------------------------------------------
Option = tuple[tuple[str, ...], dict[str, Any]]
"""One argument of a command, as ``add_argument`` takes it: (names or flags, settings)."""


def option(*flags: str, **settings: Any) -> Option:
    return flags, settings


def add_command(commands: Any, name: str, helptext: str,
                run: Callable[[argparse.Namespace], int], *options: Option
                ) -> argparse.ArgumentParser:
    """The (sub)command ``name``: its help line, its arguments in the order given (so
    ``--help`` lists them so), and the function that runs it."""
    parser = commands.add_parser(name, help=helptext)
    for flags, settings in options:
        parser.add_argument(*flags, **settings)
    parser.set_defaults(run=run)
    return parser


def add_actions(commands: Any, name: str, helptext: str) -> Any:
    """A command made of actions (``user add``, ``user list``…): where its actions go;
    one is required."""
    parser = commands.add_parser(name, help=helptext)
    return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def json_option() -> Option:
    return option("--json", action="store_true")


def force_option(helptext: str | None = None) -> Option:
    return option("--force", action="store_true",
                  help=helptext or _("replace the file if it exists"))


def limit_option(default: int) -> Option:
    return option("--limit", type=bounded_int(1, MAX_ROWS), default=default)


def date_range_options() -> tuple[Option, Option]:
    """``--from`` and ``--to``: local calendar days, both inclusive."""
    return (option("--from", dest="since", type=parse_date, metavar="YYYY-MM-DD"),
            option("--to", dest="until", type=parse_date, metavar="YYYY-MM-DD"))


def is_undecodable(text: str) -> bool:
    """Python hands bytes that are not UTF-8 (in argv, environment, stdin) over as lone
    surrogates U+DC80–U+DCFF; nothing can store, log or print them."""
    return any("\udc80" <= char <= "\udcff" for char in text)


def undecodable_text(text: str) -> str:
    """For a message: the bad bytes shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# --- Terminal-safe text --------------------------------------------------------------
# Stored text may hold control characters (an ESC starts a terminal escape sequence that
# can recolour, retitle or rewrite the screen) and bidirectional overrides (which reorder
# what is shown). The domain refuses them now, but old data, PDFs from elsewhere and the
# command line itself may still carry them: the terminal gets a visible placeholder.
_BIDI_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))  # LRE…RLO, LRI…PDI
_UNSAFE: dict[int, str] = {code: chr(0x2400 + code) for code in range(0x20)
                           if code not in (0x09, 0x0A)}  # ␛ for ESC, ␍ for CR, …
_UNSAFE[0x7F] = "\u2421"  # ␡
_UNSAFE.update({code: "\ufffd" for code in range(0x80, 0xA0)})  # C1 controls (CSI, NEL, …)
_UNSAFE.update({code: "\ufffd" for code in _BIDI_CONTROLS})
_UNSAFE.update({code: "\ufffd" for code in range(0xD800, 0xE000)})  # lone surrogates
_ONE_LINE = {**_UNSAFE, 0x09: "\u2409", 0x0A: "\u240a", 0x2028: "\u2424", 0x2029: "\u2424"}
# JSON escapes C0 controls itself; these it writes raw with ensure_ascii=False.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in
                 (0x7F, *range(0x80, 0xA0), *_BIDI_CONTROLS, 0x2028, 0x2029,
                  *range(0xD800, 0xE000))}


def safe_text(value: object, *, keep_newlines: bool = False) -> str:
    """``value`` as text fit for a terminal: control and bidirectional-override characters
    become visible placeholders (ESC → ␛); newlines and tabs too unless ``keep_newlines``."""
    return str(value).translate(_UNSAFE if keep_newlines else _ONE_LINE)


def json_text(data: Any) -> str:
    """JSON as the CLI writes it: readable Chinese, every control character escaped
    (lossless: a JSON reader gets the stored text back exactly)."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=2, default=json_value)
    return text.translate(_JSON_ESCAPES)


class _SafeStream:
    """A text stream whose writes go through ``safe_text(keep_newlines=True)``; a character
    its encoding lacks (a Chinese name on a Latin-1 console) becomes ``?``, not an error."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        try:
            encoding = codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name
        except LookupError:
            encoding = "utf-8"
        self._encoding = None if encoding == "utf-8" else encoding

    def write(self, text: str) -> int:
        text = text.translate(_UNSAFE)
        if self._encoding:
            text = text.encode(self._encoding, "replace").decode(self._encoding)
        return self._stream.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_console() -> Iterator[None]:
    """While a command runs, whatever it prints is terminal-safe: the second line of
    defence behind ``safe_text`` (values on one line), for any print that forgot it."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeStream(sys.stdout), _SafeStream(sys.stderr)
    try:
        yield
    finally:
        # (A command that replaced a stream, e.g. by devnull after a broken pipe, keeps it.)
        if isinstance(sys.stdout, _SafeStream):
            sys.stdout = saved[0]
        if isinstance(sys.stderr, _SafeStream):
            sys.stderr = saved[1]


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
    import getpass

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
        sys.stdout.write(json_text(rows) + "\n")
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
    return "" if value is None else safe_text(value)


def with_actor(handler: Callable[[Any, Any, argparse.Namespace], int]) -> Callable[..., int]:
    """Open the database, sign in the acting user, run, close."""

    def run(args: argparse.Namespace) -> int:
        desk = open_desk(args)
        try:
            return handler(desk, sign_in(desk, args), args)
        finally:
            desk.close()

    return run
