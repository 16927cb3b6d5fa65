"""Keys and equipment (who holds what now) and the shift handover with its checklist, rota
and swaps (R8–R12; seed 001 part 2 交接班制度 and part 4 shift times)."""

from __future__ import annotations

from enum import StrEnum

from desk_app.domain.area import AreaSpec, PageSpec, RegisterSpec, ServiceSpec, grants
from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting
from desk_app.domain.shifts import DEFAULT_PATTERN, pattern_problem
from desk_app.i18n import N_


class KeysPermission(StrEnum):
    KEYS_VIEW = "keys.view"
    KEYS_LEND = "keys.lend"  # check out and in at the desk
    KEYS_MANAGE = "keys.manage"  # add, edit and retire articles of the register


class HandoverPermission(StrEnum):
    HANDOVER_VIEW = "handover.view"
    HANDOVER_WORK = "handover.work"  # prepare, count, flag, sign one's own part
    HANDOVER_COUNTERSIGN = "handover.countersign"  # the supervisor (R11); also corrections
    HANDOVER_TEMPLATE = "handover.template"  # the checklist lines not in the register
    SHIFT_VIEW = "shift.view"
    SHIFT_REQUEST = "shift.request"  # ask for a swap or substitute (R12)
    SHIFT_DECIDE = "shift.decide"  # approve or refuse it beforehand (the supervisor)
    SHIFT_PLAN = "shift.plan"  # write the rota


K = KeysPermission
H = HandoverPermission

KEYS = AreaSpec(
    key="keys",
    permissions=KeysPermission,
    grants=grants({
        Role.CLERK: {K.KEYS_VIEW, K.KEYS_LEND},
        Role.SUPERVISOR: {K.KEYS_VIEW, K.KEYS_LEND, K.KEYS_MANAGE},
        Role.MANAGER: {K.KEYS_VIEW},
        Role.AUDITOR: {K.KEYS_VIEW},
        Role.ADMIN: {K.KEYS_VIEW, K.KEYS_MANAGE},
    }),
    models="desk_app.store.handover",
    services=(
        ServiceSpec("equipment", "desk_app.services.handover.equipment:EquipmentService",
                    ("settings", "shifts")),
    ),
    registers=(
        RegisterSpec("keys", "desk_app.services.handover.registers:EquipmentRegister"),
        RegisterSpec("key_loans", "desk_app.services.handover.registers:EquipmentLoanRegister"),
    ),
    cli=("desk_app.cli.keys",),
    pages=(PageSpec(
        "keys", N_("Keys & equipment"), "keys.svg",
        frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR, Role.ADMIN}), 50,
        "desk_app.ui.keys.page:KeysPage",
        description=N_("Keys and equipment: who holds which key, phone or radio now, and every "
                       "hand-over of them.")),),
)

HANDOVER = AreaSpec(
    key="handover",
    permissions=HandoverPermission,
    grants=grants({
        Role.CLERK: {H.HANDOVER_VIEW, H.HANDOVER_WORK, H.SHIFT_VIEW, H.SHIFT_REQUEST},
        Role.SUPERVISOR: {H.HANDOVER_VIEW, H.HANDOVER_WORK, H.HANDOVER_COUNTERSIGN,
                          H.HANDOVER_TEMPLATE, H.SHIFT_VIEW, H.SHIFT_REQUEST, H.SHIFT_DECIDE,
                          H.SHIFT_PLAN},
        Role.MANAGER: {H.HANDOVER_VIEW, H.SHIFT_VIEW},
        Role.AUDITOR: {H.HANDOVER_VIEW, H.SHIFT_VIEW},
        Role.ADMIN: {H.HANDOVER_TEMPLATE, H.SHIFT_VIEW},
    }),
    settings=(
        Setting("shift_pattern", N_("Shifts (name=start-end; …)"), str, DEFAULT_PATTERN,
                pattern_problem),
    ),
    services=(
        ServiceSpec("shifts", "desk_app.services.handover.shifts:ShiftService", ("settings",)),
        ServiceSpec("handovers", "desk_app.services.handover.handovers:HandoverService",
                    ("settings", "keys", "shifts", "equipment")),
    ),
    registers=(
        RegisterSpec("handovers",
                    "desk_app.services.handover.handover_registers:HandoverRegister"),
        RegisterSpec("shift_swaps", "desk_app.services.handover.registers:ShiftSwapRegister"),
    ),
    cli=("desk_app.cli.shifts", "desk_app.cli.handover"),
    pages=(PageSpec(
        "handover", N_("Handover"), "SP_BrowserReload",
        frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR}), 40,
        "desk_app.ui.handover.page:HandoverPage",
        description=N_("Shift handover: issues, instructions and checklists handed over face to "
                       "face, signed by both and countersigned.")),),
)
