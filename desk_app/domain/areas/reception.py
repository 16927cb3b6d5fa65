"""Reception: greeting and phone scripts, the visitor and call log, call-backs, complaints,
messages for absent colleagues."""

from __future__ import annotations

from enum import StrEnum

from desk_app.domain import timeouts
from desk_app.domain.area import AreaSpec, PageSpec, RegisterSpec, ServiceSpec, grants
from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting, between
from desk_app.i18n import N_


class ReceptionPermission(StrEnum):
    RECEPTION_VIEW = "reception.view"
    RECEPTION_USE = "reception.use"
    RECEPTION_SUPERVISE = "reception.supervise"
    # the manager decides what the supervisor could not settle (a complaint the customer
    # refused, issue 18)
    RECEPTION_MANAGE = "reception.manage"
    # the monthly service report names every agent's figures (issue 18)
    RECEPTION_REPORT = "reception.report"
    SCRIPTS_EDIT = "scripts.edit"


P = ReceptionPermission

AREA = AreaSpec(
    key="reception",
    permissions=ReceptionPermission,
    # clerks and supervisors use the desk; supervisors review timeouts; the admin edits the
    # script library; the auditor reads the log.
    grants=grants({
        Role.CLERK: {P.RECEPTION_VIEW, P.RECEPTION_USE},
        Role.SUPERVISOR: {P.RECEPTION_VIEW, P.RECEPTION_USE, P.RECEPTION_SUPERVISE,
                          P.RECEPTION_REPORT},
        Role.MANAGER: {P.RECEPTION_VIEW, P.RECEPTION_MANAGE, P.RECEPTION_REPORT},
        Role.AUDITOR: {P.RECEPTION_VIEW, P.RECEPTION_REPORT},
        Role.ADMIN: {P.SCRIPTS_EDIT},
    }),
    # R14: response targets and timeout thresholds
    settings=(
        Setting("reception_answer_seconds", N_("Answer within (seconds; 3 rings ≈ 9 s)"), int, 9,
                between(1, 600)),
        Setting("reception_answer_moderate_seconds",
                N_("Answer: moderate timeout after (seconds)"), int, 15, between(1, 3600)),
        Setting("reception_answer_severe_seconds", N_("Answer: severe timeout after (seconds)"),
                int, 30, between(1, 3600)),
        Setting("reception_reply_minutes", N_("Reply within (minutes)"), int, 5, between(1, 1440)),
        Setting("reception_reply_moderate_minutes", N_("Reply: moderate timeout after (minutes)"),
                int, 10, between(1, 2880)),
        Setting("reception_reply_severe_minutes", N_("Reply: severe timeout after (minutes)"),
                int, 30, between(1, 10080)),
        Setting("complaint_reply_hours", N_("Reply to a complaint within (hours)"), int, 24,
                between(1, 720)),
        Setting("complaint_callback_days",
                N_("Call back a customer who signed a complaint's resolution after (days)"), int,
                3, between(0, 60)),
        # issue 18 (002): reply targets per request type, urgent requests' share of them,
        # the measure table, the appeal window and the evidence files' size
        Setting("reception_type_targets",
                N_("Reply targets per request type (minutes: late/moderate/severe)"), str,
                timeouts.DEFAULT_TYPE_TARGETS, timeouts.check_type_targets),
        Setting("reception_urgent_percent",
                N_("Urgent requests: reply targets cut to (per cent)"), int, 50,
                between(10, 100)),
        Setting("timeout_measures", N_("Measure per timeout level"), str,
                timeouts.DEFAULT_MEASURES, timeouts.check_measures),
        Setting("timeout_appeal_days", N_("Appeal against a timeout review within (days)"), int,
                5, between(1, 60)),
        Setting("timeout_evidence_mb", N_("Largest evidence file of a timeout review (MB)"),
                int, 20, between(1, 200)),
        # issue 18: a promised reply is reminded of before it is due
        Setting("promise_remind_minutes",
                N_("Remind the desk of a promised reply before it is due (minutes)"), int, 15,
                between(0, 1440)),
        # issue 18: a message for an absent colleague is chased when still unconfirmed
        Setting("message_chase_minutes", N_("Chase a message not confirmed after (minutes)"),
                int, 60, between(5, 10080)),
    ),
    models="desk_app.store.reception",
    services=(
        ServiceSpec("scripts", "desk_app.services.reception.scripts:ScriptService",
                    ("settings",)),
        ServiceSpec("visits", "desk_app.services.reception.visits:VisitService", ("settings",)),
        ServiceSpec("callbacks", "desk_app.services.reception.callbacks:CallBackService",
                    ("settings", "keys")),
        ServiceSpec("complaints", "desk_app.services.reception.complaints:ComplaintService",
                    ("settings", "keys")),
        ServiceSpec("complaint_flow",
                    "desk_app.services.reception.complaint_flow:ComplaintFlowService",
                    ("settings", "keys")),
        ServiceSpec("complaint_months",
                    "desk_app.services.reception.complaint_month:ComplaintMonthService",
                    ("settings", "keys", "complaints")),
        ServiceSpec("messages", "desk_app.services.reception.messages:MessageService",
                    ("settings",)),
        ServiceSpec("follow_up", "desk_app.services.reception.follow_up:FollowUpService",
                    ("settings",)),
        ServiceSpec("timeouts", "desk_app.services.reception.timeouts:TimeoutService",
                    ("settings",)),
        ServiceSpec("service_reports",
                    "desk_app.services.reception.service_report:ServiceReportService",
                    ("settings", "keys")),
    ),
    registers=(
        RegisterSpec("visits", "desk_app.services.reception.registers:VisitRegister"),
        RegisterSpec("callbacks", "desk_app.services.reception.registers:CallBackRegister"),
        RegisterSpec("complaints", "desk_app.services.reception.registers:ComplaintRegister"),
    ),
    cli=("desk_app.cli.reception", "desk_app.cli.complaints", "desk_app.cli.timeouts",
         "desk_app.cli.service_report"),
    pages=(
        PageSpec("reception", N_("Reception"), "reception.svg",
                 frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR, Role.ADMIN}),
                 60,
                 "desk_app.ui.reception.page:ReceptionPage"),
    ),
)
