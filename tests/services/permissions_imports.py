"""The role × action rows of ledger imports (issue 16), merged into
``tests/services/test_permissions.py``'s tables.

An import needs import.run (administrator, personnel officer) and the permission of the
ledger's typed entries: the catalogue archive.edit or personnel.register (a personnel
officer imports personnel files only: other rows are row errors, so the call imports only
the valid rows)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from desk_app.services.imports.report import ImportOptions

IMPORTERS = frozenset({Role.ADMIN, Role.PERSONNEL})

ALLOWED: dict[str, frozenset[Role]] = {
    "ImportService.preview": IMPORTERS,
    "ImportService.check": IMPORTERS,
    "ImportService.run": IMPORTERS,
    "ImportService.batches": IMPORTERS,
    # which ledgers one may import (what the wizard offers): asked by anyone, empty for most
    "ImportService.kinds_for": frozenset(Role),
}

Call = Callable[[Actor], Any]


def _ledger(w: Any) -> Any:
    path = w.tmp / f"ledger-{w.n()}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["档号", "题名", "类别", "部门"],
                                      [f"IMP-{w.n()}", "导入的文件", "TZ", "KF"]])
    return path


def _options() -> ImportOptions:
    return ImportOptions(only_valid=True, force=True)


ACTIONS: dict[str, Callable[[Any], Call]] = {
    "ImportService.preview": lambda w: (lambda path: lambda a: w.desk.imports.preview(
        a, "items", path))(_ledger(w)),
    "ImportService.check": lambda w: (lambda path: lambda a: w.desk.imports.check(
        a, "items", path, _options()))(_ledger(w)),
    "ImportService.run": lambda w: (lambda path: lambda a: w.desk.imports.run(
        a, "items", path, _options()))(_ledger(w)),
    "ImportService.batches": lambda w: lambda a: w.desk.imports.batches(a),
    "ImportService.kinds_for": lambda w: lambda a: w.desk.imports.kinds_for(a),
}
