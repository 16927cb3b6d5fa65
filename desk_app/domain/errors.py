"""The one error hierarchy. Services raise these; UI and CLI show ``str(error)``."""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error a user may see. The message is already translated."""

    exit_code = 1


class ValidationError(DeskError):
    """Bad input. ``field`` names the input so the UI can show the message beside it."""

    exit_code = 2

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TargetExists(ValidationError):
    """A file to be written exists. The user may choose to replace it: the GUI asks, the
    command line takes ``--force``."""

    def __init__(self, message: str, field: str | None, path: object) -> None:
        super().__init__(message, field)
        self.path = path


class PermissionDenied(DeskError):
    exit_code = 3


class AuthenticationFailed(DeskError):
    exit_code = 3


class NotFound(DeskError):
    exit_code = 4


class Conflict(DeskError):
    exit_code = 5


class Tampered(DeskError):
    """A stored record no longer matches the hash recorded with it (a signed document)."""

    exit_code = 1


class DatabaseUnavailable(DeskError):
    """The database cannot be opened: unreachable server, unwritable path, not a database."""

    exit_code = 6


class NewerDatabase(DatabaseUnavailable):
    """The database was written by a newer desk_app; opening it could damage it."""
