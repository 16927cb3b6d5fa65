"""What an area of the product is made of, as plain data (see ``desk_app.domain.manifest``).

An area brings its pages, permissions, role grants, settings, tables, services, exportable
registers and CLI commands. Everything that is not pure Python (services, pages, models, CLI
modules) is named by an import path, so reading the manifest imports neither Qt nor the
database: the CLI builds its parser and the domain computes permissions from the same list
the main window and ``Desk`` iterate over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting


@dataclass(frozen=True)
class PageSpec:
    """One entry of the main window's navigation."""

    key: str
    title: str  # untranslated (N_), shown through _()
    icon: str  # a QStyle.StandardPixmap name ("SP_DirIcon") or a file in resources/icons
    roles: frozenset[Role]  # who sees the page
    order: int  # place in the navigation (Ctrl+1 … follow it)
    factory: str | None = None  # "module:Class(desk, actor)"; None: a placeholder page
    description: str = ""  # untranslated; what a placeholder page says is coming


@dataclass(frozen=True)
class ServiceSpec:
    """A service ``Desk`` builds once: ``factory(ctx, **{name: service for name in needs})``."""

    name: str  # the attribute on Desk, e.g. "loans"
    factory: str  # "module:Class"
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisterSpec:
    """An exportable register: a ``RegisterSource`` built like a service."""

    name: str  # e.g. "loans"; the CLI's ``export NAME`` and the file name prefix
    factory: str  # "module:Class"
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class AreaSpec:
    key: str
    permissions: type[StrEnum] | None = None  # the area's own permission enum
    grants: Mapping[Role, frozenset[str]] = field(default_factory=dict)
    settings: tuple[Setting, ...] = ()
    models: str | None = None  # module with the area's peewee models
    services: tuple[ServiceSpec, ...] = ()
    registers: tuple[RegisterSpec, ...] = ()
    cli: tuple[str, ...] = ()  # modules with ``register(commands)``
    pages: tuple[PageSpec, ...] = ()


def grants(table: Mapping[Role, set[StrEnum]]) -> dict[Role, frozenset[str]]:
    """A grant table written with an area's enum, as the manifest keeps it."""
    return {role: frozenset(permissions) for role, permissions in table.items()}
