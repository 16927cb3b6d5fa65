"""The CLI tests' shared desk: one demo database per test run (generating takes seconds),
copied for each test, and ``cli(*args, user=…)`` running ``desk-app`` in-process as a demo
user (code, stdout, stderr). A module changes the default user with a ``cli_user`` fixture."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from desk_app.cli import main


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory):
    """Without the demo's eleven documents signed through the services (about 10 s of
    signatures; tests/cli/test_documents_cli.py makes its own, and
    test_cli.py's demo tests run the whole demo)."""
    from desk_app.demo import documents

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    signed, documents.SIGNED = documents.SIGNED, False
    try:
        assert main(["--db", f"sqlite:///{path}", "demo"]) == 0
    finally:
        documents.SIGNED = signed
    return path


@pytest.fixture
def cli_user() -> str:
    return "wangfang"


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path, demo_file, cli_user):
    copy = tmp_path / "desk.db"
    shutil.copy(demo_file, copy)
    monkeypatch.setenv("DESK_DB", f"sqlite:///{copy}")
    monkeypatch.setenv("DESK_WITNESS_PASSWORD", "demo1234")
    capsys.readouterr()

    def run(*args: str, user: str = cli_user):
        monkeypatch.setenv("DESK_USER", user)
        monkeypatch.setenv("DESK_PASSWORD", "demo1234")
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    def writes() -> int:
        """Audit entries other than sign-ins: what a refused command must not add."""
        with sqlite3.connect(copy) as db:
            return db.execute("SELECT COUNT(*) FROM audit_entry WHERE action NOT LIKE 'auth.%'"
                              ).fetchone()[0]

    run.path = copy  # type: ignore[attr-defined]
    run.writes = writes  # type: ignore[attr-defined]
    return run
