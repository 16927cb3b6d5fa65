"""keys on the command line: skeleton, filled in next."""

from __future__ import annotations


def register(commands) -> None:
    return None
