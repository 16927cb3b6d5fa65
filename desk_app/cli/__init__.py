"""The ``desk-app`` command (see ``main``)."""

from desk_app.cli.main import main

__all__ = ["main"]
