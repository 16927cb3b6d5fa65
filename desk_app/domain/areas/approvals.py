"""Confidential access approvals (R5), retention and approved destruction (R2, R3).

Both are the manager's signed decisions on what a clerk asks: to read, copy or take out
secret files, and to destroy files past their retention.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from desk_app.domain.area import AreaSpec, PageSpec, RegisterSpec, ServiceSpec, grants
from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting
from desk_app.i18n import N_


class ApprovalsPermission(StrEnum):
    APPROVAL_VIEW = "approval.view"
    APPROVAL_REQUEST = "approval.request"  # file requests, record copies made
    APPROVAL_DECIDE = "approval.decide"  # approve, refuse, revoke (the manager)
    RETENTION_VIEW = "retention.view"
    RETENTION_MANAGE = "retention.manage"  # holds, destruction lists, carrying them out
    RETENTION_DECIDE = "retention.decide"  # approve or refuse a destruction (the manager)
    RETENTION_DEFAULTS = "retention.defaults"  # a kind's default retention (the admin)


P = ApprovalsPermission


def _closing_time_problem(value: Any) -> str | None:
    from desk_app.domain.approvals import parse_closing_time

    try:
        parse_closing_time(str(value))
    except ValueError:
        return N_("use a time of day such as 17:30.")
    return None


AREA = AreaSpec(
    key="approvals",
    permissions=ApprovalsPermission,
    grants=grants({
        Role.CLERK: {P.APPROVAL_VIEW, P.APPROVAL_REQUEST, P.RETENTION_VIEW, P.RETENTION_MANAGE},
        Role.SUPERVISOR: {P.APPROVAL_VIEW, P.APPROVAL_REQUEST, P.RETENTION_VIEW,
                          P.RETENTION_MANAGE},
        Role.MANAGER: {P.APPROVAL_VIEW, P.APPROVAL_DECIDE, P.RETENTION_VIEW, P.RETENTION_DECIDE},
        Role.AUDITOR: {P.APPROVAL_VIEW, P.RETENTION_VIEW},
        Role.ADMIN: {P.RETENTION_DEFAULTS},
    }),
    settings=(
        Setting("closing_time", N_("Closing time (in-office reading is due back by then)"), str,
                "17:30", _closing_time_problem),
    ),
    models="desk_app.store.approvals",
    services=(
        ServiceSpec("approvals", "desk_app.services.approvals:ApprovalService",
                    ("settings", "keys", "archive")),
        ServiceSpec("retention", "desk_app.services.retention:RetentionService",
                    ("settings", "keys", "archive")),
    ),
    registers=(
        RegisterSpec("approvals", "desk_app.services.approval_registers:ApprovalRegister"),
        RegisterSpec("destructions", "desk_app.services.retention_registers:DestructionRegister"),
        RegisterSpec("review_due", "desk_app.services.retention_registers:ReviewDueRegister"),
    ),
    cli=("desk_app.cli.approvals", "desk_app.cli.retention"),
    pages=(PageSpec(
        "approvals", N_("Approvals"), "SP_DialogApplyButton",
        frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR, Role.PERSONNEL}), 30,
        "desk_app.ui.approvals.page:ApprovalsPage",
        description=N_("Confidential access: requests to read, copy or take out secret files, "
                       "and the manager's signed approvals.")),),
)
