"""The role × action rows of the monthly service report (issue 18: ServiceReportService),
merged into ``tests/services/test_permissions.py``'s tables.

The report names every agent's figures: supervisors, the manager and the auditor read and
write it; clerks see their own figures in their own lists only."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from desk_app.domain.roles import Role
from desk_app.domain.users import Actor
from tests.conftest import PASSWORD

REPORT = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.AUDITOR})

ALLOWED: dict[str, frozenset[Role]] = {
    "ServiceReportService.report": REPORT,
    "ServiceReportService.charts": REPORT,
    "ServiceReportService.check": REPORT,
    "ServiceReportService.write_report": REPORT,
}

Call = Callable[[Actor], Any]
_files = itertools.count()


def _month(w: Any) -> tuple[int, int]:
    now = w.desk.ctx.clock.now()
    return now.year, now.month


def _charts(w: Any) -> Call:
    report = w.desk.service_reports.report(w.staff, *_month(w))  # staff: clerk and supervisor
    return lambda a: w.desk.service_reports.charts(a, report)


def _write(w: Any) -> Call:
    return lambda a: w.desk.service_reports.write_report(
        a, *_month(w), "pdf", w.tmp / f"service-{next(_files)}.pdf", password=PASSWORD)


ACTIONS: dict[str, Callable[[Any], Call]] = {
    "ServiceReportService.report": lambda w: lambda a: w.desk.service_reports.report(
        a, *_month(w)),
    "ServiceReportService.charts": _charts,
    "ServiceReportService.check": lambda w: lambda a: w.desk.service_reports.check(
        a, "xlsx", w.tmp / f"service-{next(_files)}.xlsx"),
    "ServiceReportService.write_report": _write,
}
