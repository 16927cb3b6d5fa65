"""The area manifest: the one list every shared part of the program iterates over.

``Desk`` builds the services and registers of each area, the main window shows its pages,
the CLI registers its commands, the store lists its models, the settings form shows its
settings and the role tables are the union of its grants. Adding an area is one entry here
plus the area's own files (docs/architecture.md, "Adding an area").

:func:`check` runs on first use: two areas declaring the same permission, setting, service,
register or page, or a service needing one nobody builds, stop the program at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from desk_app.domain.area import AreaSpec, PageSpec, RegisterSpec, ServiceSpec
from desk_app.domain.areas import approvals, archive, core, documents, handover, imports, reception
from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting

AREAS: tuple[AreaSpec, ...] = (
    core.AREA,
    archive.AREA,
    approvals.AREA,
    handover.HANDOVER,
    handover.KEYS,
    reception.AREA,
    documents.AREA,
    imports.AREA,
)

SOURCES = "sources"
"""A service needing this gets every area's register sources, by name."""


class ManifestError(Exception):
    """The manifest contradicts itself: a programming error, found at start-up."""


def _duplicates(names: Iterable[Any]) -> list[str]:
    seen: set[Any] = set()
    twice: set[str] = set()
    for name in names:
        if name in seen:
            twice.add(str(name))
        seen.add(name)
    return sorted(twice)


def check(areas: Sequence[AreaSpec] = AREAS) -> None:
    """Raise ManifestError naming what two areas both declare, or what is missing."""
    kinds: dict[str, list[Any]] = {
        "area": [area.key for area in areas],
        "permission": [p.value for area in areas if area.permissions for p in area.permissions],
        "setting": [s.key for area in areas for s in area.settings],
        "service": [s.name for area in areas for s in area.services],
        "register": [r.name for area in areas for r in area.registers],
        "page": [p.key for area in areas for p in area.pages],
        "page order": [p.order for area in areas for p in area.pages],
    }
    problems = [f"{kind} declared twice: {', '.join(map(str, found))}"
                for kind, names in kinds.items() if (found := _duplicates(names))]
    for area in areas:
        own = {p.value for p in area.permissions} if area.permissions else set()
        stray = {p for granted in area.grants.values() for p in granted} - own
        if stray:
            problems.append(f"area {area.key} grants what it does not declare: "
                            f"{', '.join(sorted(stray))}")
    known = set(kinds["service"]) | {SOURCES}
    for spec in _buildable(areas):
        missing = set(spec.needs) - known
        if missing:
            problems.append(f"{spec.name} needs {', '.join(sorted(missing))}, which no area builds")
    if problems:
        raise ManifestError("; ".join(problems))
    build_order(areas)  # raises on a cycle


def _buildable(areas: Sequence[AreaSpec]) -> list[ServiceSpec | RegisterSpec]:
    found: list[ServiceSpec | RegisterSpec] = []
    for area in areas:
        found.extend(area.services)
        found.extend(area.registers)
    return found


def build_order(areas: Sequence[AreaSpec] = AREAS) -> list[ServiceSpec | RegisterSpec]:
    """Services and registers, each after what it needs (the registers before whoever needs
    them all)."""
    pending = _buildable(areas)
    registers = {r.name for area in areas for r in area.registers}
    built: set[str] = set()
    built_registers: set[str] = set()
    order: list[ServiceSpec | RegisterSpec] = []
    while pending:
        ready = [s for s in pending
                 if all(n in built or (n == SOURCES and built_registers == registers)
                        for n in s.needs)]
        if not ready:
            raise ManifestError("services need each other in a circle: "
                                + ", ".join(s.name for s in pending))
        for spec in ready:
            pending.remove(spec)
            order.append(spec)
            if isinstance(spec, RegisterSpec):
                built_registers.add(spec.name)
            else:
                built.add(spec.name)
    return order


@cache
def role_permissions() -> dict[Role, frozenset[str]]:
    check()
    return {role: frozenset().union(*(area.grants.get(role, frozenset()) for area in AREAS))
            for role in Role}


@cache
def settings_schema() -> tuple[Setting, ...]:
    check()
    return tuple(s for area in AREAS for s in area.settings)


@cache
def settings_by_key() -> dict[str, Setting]:
    return {s.key: s for s in settings_schema()}


def pages() -> list[PageSpec]:
    return sorted((p for area in AREAS for p in area.pages), key=lambda page: page.order)


def pages_for(roles: Iterable[Role]) -> list[PageSpec]:
    """The pages a user with these roles sees, in navigation order."""
    held = set(roles)
    return [page for page in pages() if page.roles & held]


def register_names() -> list[str]:
    return sorted({r.name for area in AREAS for r in area.registers})


def model_modules() -> list[str]:
    return [area.models for area in AREAS if area.models]


def cli_modules() -> list[str]:
    return [module for area in AREAS for module in area.cli]


def load(path: str) -> Any:
    """``"package.module:Name"`` → the object (imported only when asked for)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)
