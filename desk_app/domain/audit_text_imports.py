"""Ledger imports' audit entries in words (issue 16): one entry per imported file, naming
the file, its SHA-256 and the counts — merged into ``domain.audit_text`` when that is
imported, like ``audit_text_documents``."""

from __future__ import annotations

from desk_app.domain import audit_text
from desk_app.i18n import N_

ACTIONS: dict[str, tuple[str, str]] = {
    "import.items": (N_("Catalogue imported"),
                     N_("{actor} imported {imported} of {rows} rows of the catalogue from "
                        "{file}")),
    "import.loans": (N_("Loan ledger imported"),
                     N_("{actor} imported {imported} historical loans of {rows} rows from "
                        "{file}")),
    "import.borrowers": (N_("Borrowers imported"),
                         N_("{actor} imported {imported} outside borrowers of {rows} rows from "
                            "{file}")),
    "import.users": (N_("Staff list imported"),
                     N_("{actor} imported {imported} users of {rows} rows from {file}")),
    "import.keys": (N_("Key list imported"),
                    N_("{actor} imported {imported} keys and articles of {rows} rows from "
                       "{file}")),
}

FIELDS: dict[str, str] = {
    "sha256": N_("SHA-256"), "sheet": N_("Worksheet"), "rows": N_("Rows read"),
    "imported": N_("Imported"), "skipped": N_("Left out"),
    "only_valid": N_("Only the valid rows"), "forced": N_("Imported again"),
    "created": N_("Created kinds, departments and locations"), "historical": N_("Historical records"),
}

audit_text.ACTIONS.update(ACTIONS)
audit_text.FIELDS.update({key: label for key, label in FIELDS.items()
                          if key not in audit_text.FIELDS})
