"""The area manifest: contradictions stop the program at start-up, and everything shared
(roles, settings, pages, services, models, commands) comes from it."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

import pytest

from desk_app.domain import manifest
from desk_app.domain.area import AreaSpec, PageSpec, ServiceSpec, grants
from desk_app.domain.areas import archive, core
from desk_app.domain.roles import Role
from desk_app.domain.settings import Setting


class SamplePermission(StrEnum):
    SAMPLE_VIEW = "sample.view"


def _sample(**changes) -> AreaSpec:
    base = AreaSpec(key="sample", permissions=SamplePermission,
                    grants=grants({Role.CLERK: {SamplePermission.SAMPLE_VIEW}}),
                    settings=(Setting("sample_days", "Sample days", int, 3),),
                    services=(ServiceSpec("sample", "tests.unit.test_manifest:Nothing",
                                          ("settings",)),),
                    pages=(PageSpec("sample", "Sample", "SP_DirIcon", frozenset({Role.CLERK}),
                                    99),))
    return dataclasses.replace(base, **changes)


def test_the_shipped_manifest_is_consistent():
    manifest.check()


def test_a_sample_area_fits():
    manifest.check((*manifest.AREAS, _sample()))


def test_a_setting_declared_twice_stops_start_up():
    twice = _sample(settings=(Setting("company_name", "Company", str, "x"),))
    with pytest.raises(manifest.ManifestError, match="setting declared twice: company_name"):
        manifest.check((*manifest.AREAS, twice))


def test_a_permission_declared_twice_stops_start_up():
    class Clash(StrEnum):
        VIEW = "archive.view"  # the archive's

    with pytest.raises(manifest.ManifestError, match=r"permission declared twice: archive\.view"):
        manifest.check((*manifest.AREAS, _sample(permissions=Clash, grants={})))


def test_granting_another_areas_permission_is_refused():
    stray = _sample(grants={Role.CLERK: frozenset({"loan.handle"})})
    with pytest.raises(manifest.ManifestError, match="grants what it does not declare"):
        manifest.check((*manifest.AREAS, stray))


def test_two_areas_with_the_same_service_or_page_stop_start_up():
    with pytest.raises(manifest.ManifestError, match="declared twice"):
        manifest.check((*manifest.AREAS, _sample(), _sample(key="other")))


def test_a_service_needing_what_nobody_builds_or_a_circle_stops_start_up():
    lonely = _sample(services=(ServiceSpec("sample", "x:Y", ("nobody",)),))
    with pytest.raises(manifest.ManifestError, match="needs nobody"):
        manifest.check((*manifest.AREAS, lonely))
    circle = _sample(services=(ServiceSpec("sample", "x:Y", ("sample2",)),
                               ServiceSpec("sample2", "x:Y", ("sample",))))
    with pytest.raises(manifest.ManifestError, match="circle"):
        manifest.check((*manifest.AREAS, circle))


def test_services_are_built_after_what_they_need():
    # A register may share its service's name (the "loans" register, the "visits" service).
    order = manifest.build_order()
    services = {spec.name: n for n, spec in enumerate(order) if isinstance(spec, ServiceSpec)}
    for n, spec in enumerate(order):
        for need in spec.needs:
            if need != manifest.SOURCES:
                assert services[need] < n, (need, spec.name)


def test_roles_settings_and_pages_come_from_the_areas():
    assert archive.ArchivePermission.LOAN_HANDLE in manifest.role_permissions()[Role.CLERK]
    assert "ref_pattern" in manifest.settings_by_key()
    core_keys = [s.key for s in core.AREA.settings]
    assert core_keys == [s.key for s in manifest.settings_schema()][:len(core_keys)]
    assert {"backup_daily", "backup_keep", "backup_folder"} <= set(core_keys)
    assert [p.key for p in manifest.pages_for({Role.ADMIN})] == [
        "today", "keys", "reception", "audit", "admin"]
    assert manifest.model_modules()[0] == "desk_app.store.models"


def test_every_named_object_can_be_loaded():
    """The import paths are strings: a typo would only show when the page is opened."""
    for area in manifest.AREAS:
        for spec in (*area.services, *area.registers):
            assert callable(manifest.load(spec.factory)), spec.factory
        for module in area.cli:
            assert callable(manifest.load(f"{module}:register"))
        for page in area.pages:
            if page.factory:
                manifest.load(page.factory)  # imports Qt: fine in the test run
