"""The document register (收发文, seed 001 §1.8–1.11 and §2): incoming documents signed in,
instructed by the general manager, circulated, handled and filed; outgoing documents
drafted, reviewed, signed off, numbered and sent; internal liaison sheets (工作联络单)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from desk_app.domain.area import AreaSpec, PageSpec, RegisterSpec, ServiceSpec, grants
from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting, between
from desk_app.i18n import N_


class DocumentsPermission(StrEnum):
    DOCUMENT_VIEW = "document.view"  # the register; reading, handling and replying as a
    # department's head or member is checked against the department, not a role
    DOCUMENT_REGISTER = "document.register"  # office staff: sign in, carry, chase, number,
    # send, file (seed §2.1, §2.2(3), §2.4)
    DOCUMENT_DRAFT = "document.draft"  # draft outgoing documents and liaison sheets
    DOCUMENT_INSTRUCT = "document.instruct"  # the general manager: instruct, answer, sign off
    DOCUMENT_DEPARTMENTS = "document.departments"  # who belongs to and heads which department


P = DocumentsPermission


def _pattern_problem(value: Any) -> str | None:
    from desk_app.domain.documents import check_number_pattern

    try:
        check_number_pattern(str(value))
    except ValueError as error:
        return str(error)
    return None


def _org_problem(value: Any) -> str | None:
    return N_("use at most 20 characters.") if len(str(value)) > 20 else None


AREA = AreaSpec(
    key="documents",
    permissions=DocumentsPermission,
    grants=grants({
        Role.CLERK: {P.DOCUMENT_VIEW, P.DOCUMENT_REGISTER, P.DOCUMENT_DRAFT},
        Role.SUPERVISOR: {P.DOCUMENT_VIEW, P.DOCUMENT_REGISTER, P.DOCUMENT_DRAFT},
        Role.MANAGER: {P.DOCUMENT_VIEW, P.DOCUMENT_DRAFT, P.DOCUMENT_INSTRUCT},
        Role.AUDITOR: {P.DOCUMENT_VIEW},
        Role.ADMIN: {P.DOCUMENT_DEPARTMENTS},
    }),
    settings=(
        Setting("outgoing_number_pattern",
                N_("Outgoing document number (placeholders: org, year, seq)"), str,
                "{org}发〔{year}〕{seq}号", _pattern_problem),
        Setting("document_org_code", N_("Organisation's short name in document numbers"), str,
                "示例物业", _org_problem),
        Setting("document_office_dept", N_("The office's department code (its staff sign in, "
                                           "carry, number, send and file documents)"), str,
                "ZB", _org_problem),
        Setting("document_handling_days", N_("Handling is due after (days, when the manager "
                                              "names no date)"), int, 5, between(1, 365)),
    ),
    models="desk_app.store.documents",
    services=(
        ServiceSpec("documents", "desk_app.services.documents.service:DocumentService",
                    ("settings", "keys", "archive")),
    ),
    registers=(
        RegisterSpec("documents", "desk_app.services.documents.registers:DocumentRegister"),
    ),
    cli=("desk_app.cli.documents",),
    pages=(PageSpec(
        "documents", N_("Documents"), "SP_FileDialogDetailedView",
        frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR}), 35,
        "desk_app.ui.documents.page:DocumentsPage",
        description=N_("Incoming and outgoing documents and liaison sheets: sign-in, the "
                       "manager's instructions, circulation, handling, sign-off and filing.")),),
)
