"""What an import was asked to do and what it found: the options, one problem per bad cell,
the report, and the preview the wizard shows before anything is checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_PROBLEMS = 1000  # kept in the report; ``error_count`` counts them all


@dataclass
class ImportOptions:
    sheet: str | None = None
    mapping: dict[str, str] | None = None  # header text → field ("" ignores); None: guessed
    values: dict[tuple[str, str], str] = field(default_factory=dict)  # (field, text) → code
    create_missing: bool = False  # create unknown kinds and departments
    location_separator: str | None = None  # None: guessed per cell (domain.ledger)
    # An existing room, cabinet or shelf whose levels the cells leave out: a ledger kept in
    # one archive room writes 2号柜-3层-03盒, and its room is given here.
    location_under: str | None = None
    only_valid: bool = False  # import the valid rows, skip the others (recorded)
    force: bool = False  # import a file imported before (same SHA-256 and kind)
    initial_password: str | None = None  # users: the password every imported user starts with


@dataclass
class ImportProblem:
    row: int  # 1-based row in the file or sheet; 0 for the file as a whole
    column: str  # the header text ("" for the file or a whole row)
    message: str
    value: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message,
                "value": self.value}


@dataclass
class ImportReport:
    kind: str
    file_name: str
    sha256: str
    sheet: str | None
    header_row: int
    rows: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    error_count: int = 0
    unknown: dict[str, list[str]] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = True
    batch_id: int | None = None

    def add(self, problem: ImportProblem) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(problem)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.file_name, "sha256": self.sha256,
            "sheet": self.sheet, "header_row": self.header_row, "rows": self.rows,
            "imported": self.imported, "skipped": self.skipped,
            "errors": [problem.as_json() for problem in self.errors],
            "error_count": self.error_count, "unknown": self.unknown, "created": self.created,
            "dry_run": self.dry_run, "batch": self.batch_id,
        }


@dataclass
class LedgerPreview:
    sheets: list[str]
    sheet: str | None
    header_row: int
    headers: list[str]
    mapping: dict[int, str]  # column index → field (guessed)
    rows: list[list[str]]  # the first data rows, as clean text
    encoding: str | None
    estimated_rows: int
