"""The bundle's GUI smoke hook (DESK_SMOKE_PAGES): every page, labels, and a failing exit status."""

from __future__ import annotations

import pytest

from desk_app.ui import smoke
from tests.gui.conftest import DEMO_PASSWORD


@pytest.fixture
def smoke_env(monkeypatch, tmp_path):
    monkeypatch.setenv(smoke.SMOKE_PAGES, "1")
    monkeypatch.setenv("DESK_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv(smoke.SMOKE_OUT, str(tmp_path / "out"))
    return tmp_path / "out"


def test_visits_every_page_of_each_user_and_prints_labels(demo_desk, sqlite_url, smoke_env,
                                                          monkeypatch, capsys):
    monkeypatch.setenv("DESK_USER", "admin, chenjing")
    assert smoke.requested()
    assert smoke.run_pages(sqlite_url, "en") == smoke.EXIT_OK
    out = capsys.readouterr().out
    for page in ("today", "reception", "audit", "admin"):
        assert f"smoke: admin: page {page} ok" in out
    for page in ("today", "archive", "loans", "approvals", "handover", "keys", "reception", "audit"):
        assert f"smoke: chenjing: page {page} ok" in out
    assert "smoke: chenjing: archive scan and labels ok" in out
    assert out.rstrip().endswith("smoke: passed for admin, chenjing")
    labels = sorted(path.name for path in smoke_env.iterdir())
    assert len(labels) == 6 and all(name.startswith("labels-chenjing-") for name in labels)
    assert all((smoke_env / name).read_bytes().startswith(b"%PDF") for name in labels)


def test_an_exception_on_a_page_fails_the_run(demo_desk, sqlite_url, smoke_env, monkeypatch, capsys):
    from desk_app.ui.audit.page import AuditPage

    def broken(self):
        raise RuntimeError("page broke")

    monkeypatch.setattr(AuditPage, "_update_count", broken)  # while the page is built
    monkeypatch.setenv("DESK_USER", "admin")
    assert smoke.run_pages(sqlite_url, "en") == smoke.EXIT_PROBLEMS
    captured = capsys.readouterr()
    assert "smoke: admin: page today ok" in captured.out
    assert "smoke: admin: page audit ok" not in captured.out
    assert "RuntimeError: page broke" in captured.err
    assert "smoke: FAILED with" in captured.out


def test_wrong_password_and_missing_database(demo_desk, sqlite_url, smoke_env, monkeypatch, tmp_path):
    monkeypatch.setenv("DESK_USER", "admin")
    monkeypatch.setenv("DESK_PASSWORD", "wrong-password")
    assert smoke.run_pages(sqlite_url, "en") == smoke.EXIT_SIGN_IN
    monkeypatch.delenv("DESK_USER")
    assert smoke.run_pages(sqlite_url, "en") == smoke.EXIT_SIGN_IN
    monkeypatch.setenv("DESK_USER", "admin")
    assert smoke.run_pages(f"sqlite:///{tmp_path / 'missing.db'}", "en") == smoke.EXIT_DATABASE
