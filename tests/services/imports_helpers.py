"""Small ledgers for the import tests, written with the csv module (the messy files of every
format are tests/services/ledger_files.py)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from desk_app.store.archive import Item, Loan, LoanSlip
from desk_app.store.imports import ImportBatch
from desk_app.store.models import AuditEntry


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def counts() -> dict[str, int]:
    """What an import may write, to show that a refused or dry one wrote nothing."""
    return {"audit": AuditEntry.select().count(), "item": Item.select().count(),
            "loan": Loan.select().count(), "slip": LoanSlip.select().count(),
            "batch": ImportBatch.select().count()}


ITEMS_HEADER = ["档号", "题名", "类别", "部门", "成文日期", "存放位置", "密级", "保管期限", "关键词"]
