"""Confidential access approval rules (R5): pure functions and value types."""

from __future__ import annotations

from datetime import time


def parse_closing_time(text: str) -> time:
    """"17:30" → 17:30; ValueError for anything else."""
    hours, minutes = (text or "").strip().split(":")
    if not (len(hours) in (1, 2) and len(minutes) == 2):
        raise ValueError(text)
    return time(int(hours), int(minutes))
