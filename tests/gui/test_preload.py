"""The sign-in window's idle work (desk_app/ui/preload.py, issue 17)."""

from __future__ import annotations

import sys

from desk_app.ui import preload
from desk_app.ui.preload import Preloader, modules_to_preload


def test_every_page_module_is_preloaded_main_window_first(monkeypatch):
    for name in ("desk_app.ui.main_window", "desk_app.ui.archive.page"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    names = modules_to_preload()
    assert names[0] == "desk_app.ui.main_window"
    assert "desk_app.ui.archive.page" in names
    assert all(name not in sys.modules for name in names)


def test_one_step_per_turn_until_done_and_a_failure_does_not_stop_it(qtbot, monkeypatch, caplog):
    monkeypatch.delitem(sys.modules, "json.tool", raising=False)
    monkeypatch.setattr(preload, "TYPES_PER_STEP", 1000)
    loader = Preloader(["desk_app.no_such_module", "json.tool"])
    loader.start()
    qtbot.waitUntil(lambda: loader.finished, timeout=10_000)
    assert loader.done[:2] == ["desk_app.no_such_module", "json.tool"]
    assert "json.tool" in sys.modules
    assert loader.done[2:] == [
        "PySide6.QtCore types", "PySide6.QtGui types", "PySide6.QtWidgets types",
        preload.SET_ASIDE]
    assert "preloading desk_app.no_such_module failed" in caplog.text


def test_stop_leaves_the_rest_undone(qtbot):
    loader = Preloader(["json.decoder", "json.encoder"])
    loader.stop()
    loader.start()
    loader.stop()
    qtbot.wait(50)
    assert loader.done == [] and not loader.finished


def test_long_lived_objects_are_set_aside_from_the_collector_once(monkeypatch):
    """A full collection walked ~100,000 start-up objects (~65 ms) during a first sign-in."""
    import gc

    frozen = []
    monkeypatch.setattr(preload, "_set_aside", False)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert preload.set_aside_long_lived(collect=False) and frozen == [True]
    assert not preload.set_aside_long_lived() and frozen == [True]  # once per process
