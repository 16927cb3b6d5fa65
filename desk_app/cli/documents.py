"""The document register (收发文) on the command line: ``desk-app doc …``."""

from __future__ import annotations


def register(commands) -> None:
    """Filled in by the CLI part of issue 15."""
