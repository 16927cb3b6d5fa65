"""Shared fixtures: a fresh database per test, on SQLite and (with DESK_TEST_PG) PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from desk_app.desk import Desk
from desk_app.domain.clock import FixedClock
from desk_app.domain.users import Actor
from desk_app.i18n import set_language

PASSWORD = "correct-horse"
PG_URL = os.environ.get("DESK_TEST_PG")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]

os.environ.setdefault("DESK_LOG_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test-logs"))
os.environ.setdefault("DESK_STATE_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test-state"))


@pytest.fixture(autouse=True)
def own_checkpoints(tmp_path, monkeypatch):
    """Each test's desks keep their audit checkpoints in its own folder (child processes
    inherit it), so no test sees another's and nothing piles up under var/."""
    monkeypatch.setenv("DESK_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))


@pytest.fixture(autouse=True)
def cheap_key_sealing(request, monkeypatch):
    """Users get signing keys sealed with scrypt (~60 ms each); tests need not pay that
    except where the sealing itself is under test."""
    if "forms" in request.path.parts or "perf" in request.path.parts:
        return
    from desk_app.forms import pki

    monkeypatch.setattr(pki, "SCRYPT_N", 2**10)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """argon2id at the product's cost takes ~47 ms per hash and per check, and a test with a
    handful of users pays it a dozen times. Hashes carry their own parameters, so checking
    one made at the product's cost (tests/services/test_users_and_auth.py) still works."""
    from argon2 import PasswordHasher

    from desk_app.services import passwords

    monkeypatch.setattr(passwords, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests assert English messages unless they switch language themselves."""
    set_language("en")
    yield
    set_language("en")


def reset_postgresql(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "postgresql":
        assert PG_URL
        reset_postgresql(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 1, 30))


def _open(url: str, clock: FixedClock) -> Desk:
    return Desk.open(url, create=True, clock=clock)


@pytest.fixture
def desk(db_url: str, clock: FixedClock) -> Iterator[Desk]:
    """An empty, migrated database on every backend under test."""
    opened = _open(db_url, clock)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_desk(sqlite_url: str, clock: FixedClock) -> Iterator[Desk]:
    opened = _open(sqlite_url, clock)
    yield opened
    opened.close()


def add_user(desk: Desk, admin: Actor, name: str, roles: str, full_name: str = "") -> Actor:
    desk.users.add(admin, name, PASSWORD, roles, full_name)
    return desk.auth.login(name, PASSWORD)


@pytest.fixture
def admin(desk: Desk) -> Actor:
    desk.users.create_first_admin("admin", PASSWORD, "系统管理员")
    return desk.auth.login("admin", PASSWORD)


_DEMO_TEMPLATES: dict[tuple, Path] = {}


def _demo_template(clock: FixedClock, folder_factory: pytest.TempPathFactory) -> Path:
    """The folder holding a generated demo database (``desk.db``) and its checkpoints, made
    once per process for each clock, language and demo setting the tests run it with."""
    from desk_app.demo import documents, handover
    from desk_app.forms import pki
    from desk_app.i18n import current_language

    key = (clock.now(), current_language(), pki.SCRYPT_N, handover.WEEKS, documents.SIGNED,
           documents.DOCS_PER_SCALE)
    if key not in _DEMO_TEMPLATES:
        folder = folder_factory.mktemp("demo-template")
        saved = os.environ.get("DESK_CHECKPOINT_DIR")
        os.environ["DESK_CHECKPOINT_DIR"] = str(folder / "checkpoints")
        try:
            desk = _open(f"sqlite:///{folder / 'desk.db'}", FixedClock(clock.now()))
            try:
                desk.demo.generate(None)
            finally:
                desk.close()
        finally:
            if saved is None:
                del os.environ["DESK_CHECKPOINT_DIR"]
            else:
                os.environ["DESK_CHECKPOINT_DIR"] = saved
        _DEMO_TEMPLATES[key] = folder
    return _DEMO_TEMPLATES[key]


@pytest.fixture
def demo_desk(request, tmp_path, clock: FixedClock, monkeypatch,
              tmp_path_factory) -> Desk:
    """A SQLite desk with the demo users (password ``demo1234``).

    Without the demo's three weeks of signed past handovers and its few signed documents
    (none of the hundreds of tests using this fixture reads them): the register, the rota and
    the open handover are there. ``desk-app demo`` (tests/cli, the bundle smoke test) makes
    them all. Generating takes ~5 s, so each test gets a copy of one generated per process
    (with its audit checkpoints), opened as ``sqlite_desk``."""
    target = tmp_path / "desk.db"
    assert not target.exists(), "demo_desk must come before any other use of sqlite_url"
    monkeypatch.setattr("desk_app.demo.handover.WEEKS", 0)
    monkeypatch.setattr("desk_app.demo.documents.SIGNED", False)
    template = _demo_template(clock, tmp_path_factory)
    for part in template.glob("desk.db*"):  # with any -wal file a close left behind
        shutil.copy(part, tmp_path / part.name)
    if (template / "checkpoints").exists():
        shutil.copytree(template / "checkpoints", tmp_path / "checkpoints", dirs_exist_ok=True)
    desk: Desk = request.getfixturevalue("sqlite_desk")
    return desk
