"""The archive room: the catalogue of files and the loan register (R1–R7)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from desk_app.domain.area import AreaSpec, PageSpec, RegisterSpec, ServiceSpec, grants
from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting, between
from desk_app.i18n import N_


class ArchivePermission(StrEnum):
    ARCHIVE_VIEW = "archive.view"
    ARCHIVE_EDIT = "archive.edit"
    LOAN_VIEW = "loan.view"
    LOAN_HANDLE = "loan.handle"
    LOAN_CORRECT = "loan.correct"
    REGISTER_EXPORT = "register.export"
    # R6: only the personnel officer registers personnel files and admits another officer
    # to the personnel key (services/personnel.py).
    PERSONNEL_REGISTER = "personnel.register"
    PERSONNEL_ADMIT = "personnel.admit"
    # R6: the officer lets one named user read one personnel file for a time; the grants
    # are listed for auditors too.
    PERSONNEL_GRANT = "personnel.grant"
    PERSONNEL_GRANTS_VIEW = "personnel.grants_view"


P = ArchivePermission


def _ref_pattern_problem(value: Any) -> str | None:
    from desk_app.domain.archive import check_ref_pattern

    return check_ref_pattern(value)


AREA = AreaSpec(
    key="archive",
    permissions=ArchivePermission,
    grants=grants({
        Role.CLERK: {P.ARCHIVE_VIEW, P.ARCHIVE_EDIT, P.LOAN_VIEW, P.LOAN_HANDLE},
        Role.SUPERVISOR: {P.ARCHIVE_VIEW, P.ARCHIVE_EDIT, P.LOAN_VIEW, P.LOAN_HANDLE,
                          P.LOAN_CORRECT},
        Role.MANAGER: {P.ARCHIVE_VIEW, P.LOAN_VIEW, P.REGISTER_EXPORT},
        Role.AUDITOR: {P.ARCHIVE_VIEW, P.LOAN_VIEW, P.REGISTER_EXPORT, P.PERSONNEL_GRANTS_VIEW},
        Role.PERSONNEL: {P.ARCHIVE_VIEW, P.PERSONNEL_REGISTER, P.PERSONNEL_ADMIT,
                         P.PERSONNEL_GRANT, P.PERSONNEL_GRANTS_VIEW},
        Role.ADMIN: {P.ARCHIVE_EDIT, P.ARCHIVE_VIEW, P.REGISTER_EXPORT},
    }),
    settings=(
        Setting("ref_pattern", N_("Reference pattern"), str, "{dept}-{kind}-{year}-{seq:04d}",
                _ref_pattern_problem),
        Setting("max_renewals", N_("Renewals allowed per loan"), int, 2, between(0, 20)),
        Setting("renewal_days", N_("Days added by a renewal"), int, 14, between(1, 365)),
        # Overdue reminders by e-mail (services/reminders.py): no host, no e-mail — every
        # reminder is printed. The password is never shown back (Setting.secret).
        Setting("smtp_host", N_("E-mail server (SMTP) for reminders"), str, ""),
        Setting("smtp_port", N_("E-mail server port"), int, 587, between(1, 65535)),
        Setting("smtp_user", N_("E-mail server user name"), str, ""),
        Setting("smtp_password", N_("E-mail server password"), str, "", secret=True),
        Setting("smtp_from", N_("Reminders are sent from (e-mail address)"), str, ""),
        Setting("smtp_starttls", N_("Encrypt the connection (STARTTLS)"), str, "yes",
                choices=("yes", "no")),
        Setting("office_contact", N_("Archive office contact printed on reminders"), str, ""),
    ),
    models="desk_app.store.archive",
    services=(
        ServiceSpec("personnel", "desk_app.services.personnel:PersonnelService", ("keyring",)),
        ServiceSpec("archive", "desk_app.services.archive:ArchiveService",
                    ("settings", "personnel")),
        ServiceSpec("archive_edit", "desk_app.services.archive_edit:ArchiveEditService",
                    ("archive", "personnel")),
        ServiceSpec("loans", "desk_app.services.loans:LoanService",
                    ("settings", "keys", "archive")),
        ServiceSpec("labels", "desk_app.services.labels:LabelService", ("archive",)),
        ServiceSpec("borrowers", "desk_app.services.borrowers:BorrowerService"),
    ),
    registers=(
        RegisterSpec("items", "desk_app.services.archive_registers:ItemRegister", ("archive",)),
        RegisterSpec("loans", "desk_app.services.archive_registers:LoanRegister", ("archive",)),
        RegisterSpec("borrowers", "desk_app.services.borrowers:BorrowerRegister"),
    ),
    cli=("desk_app.cli.archive", "desk_app.cli.personnel"),
    pages=(
        PageSpec("archive", N_("Archive"), "SP_DirIcon",
                 frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR,
                            Role.PERSONNEL}), 10, "desk_app.ui.archive.page:ArchivePage"),
        PageSpec("loans", N_("Loans"), "SP_FileDialogDetailedView",
                 frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR}), 20,
                 "desk_app.ui.loans.page:LoansPage"),
    ),
)
