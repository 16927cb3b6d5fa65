"""Readies the main window and its pages while the sign-in window waits for a password.

Most of a first sign-in's wait was not building widgets but PySide6 making Python types:
it makes a Qt class, with its enums, when Python first names it, and the first event a
Python event filter (the idle lock's) sees for an object of a class it does not know
(Qt's private gesture manager, on the first register page) makes it load every remaining
type of QtCore, QtGui and QtWidgets: ~400 enum types, ~0.4 s on the office PC before a
page showed. So, while the user types a name and a password: the main window's and every
page's modules are imported, then the Qt types are loaded, a few at a time. One step per
turn of the event loop keeps the sign-in window answering keys in between; whatever is
left when the user signs in happens then, as before (each is done once, whoever asks).

Last, the objects made so far are set aside from Python's cyclic garbage collector
(``set_aside_long_lived``): a full collection walks every tracked object, ~100,000 after
start-up (modules, Qt types), ~65 ms — and one fell in the middle of building the Audit page
at a first sign-in.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from types import ModuleType

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QObject, QTimer

from desk_app.domain.manifest import pages

log = logging.getLogger(__name__)

# What a first sign-in needs before the first page shows, in that order.
FIRST = ("desk_app.ui.main_window", "desk_app.ui.pages.today")
QT_MODULES = (QtCore, QtGui, QtWidgets)
TYPES_PER_STEP = 25  # ~20 ms a step on the office PC


def modules_to_preload() -> list[str]:
    """The main window, then every page's module in navigation order (not yet imported)."""
    names = [*FIRST]
    for page in pages():
        if page.factory:
            module = page.factory.partition(":")[0]
            if module not in names:
                names.append(module)
    return [name for name in names if name not in sys.modules]


def _load_types(module: ModuleType, names: list[str]) -> None:
    for name in names:
        getattr(module, name, None)


def steps(modules: list[str]) -> Iterator[tuple[str, Callable[[], object]]]:
    """(what, do it) for each module to import, then for each few Qt types to load, then
    the objects made by then set aside from the garbage collector."""
    for name in modules:
        yield name, partial(importlib.import_module, name)
    for qt in QT_MODULES:
        names = [name for name in dir(qt) if name.startswith("Q")]  # its classes
        for start in range(0, len(names), TYPES_PER_STEP):
            yield f"{qt.__name__} types", partial(_load_types, qt,
                                                  names[start:start + TYPES_PER_STEP])
    yield SET_ASIDE, set_aside_long_lived


SET_ASIDE = "long-lived objects set aside"
_set_aside = False


def set_aside_long_lived(collect: bool = True) -> bool:
    """Once per process: what start-up made (and left alive) is frozen out of the cyclic
    garbage collector (``gc.freeze``), so later full collections walk only newer objects.
    ``collect``: garbage is collected first (the preloader's idle time); at a sign-in
    before the preloader got there, it is not (that is the wait this avoids): the little
    garbage then frozen stays. True if it was done now."""
    global _set_aside
    if _set_aside:
        return False
    _set_aside = True
    if collect:
        gc.collect()
    gc.freeze()
    return True


class Preloader(QObject):
    """``start()`` takes one step per event-loop turn; ``stop()`` ends it early."""

    def __init__(self, modules: list[str] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._steps = steps(modules_to_preload() if modules is None else modules)
        self.done: list[str] = []
        self.finished = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)

    def start(self) -> None:
        if not self.finished:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _next(self) -> None:
        step = next(self._steps, None)
        if step is None:
            self.finished = True
            self._timer.stop()
            return
        what, do = step
        started = time.perf_counter()
        try:
            do()
        except Exception:  # the sign-in does it again, and reports it there
            log.exception("preloading %s failed", what)
        self.done.append(what)
        log.debug("preloaded %s in %.0f ms", what, (time.perf_counter() - started) * 1000)
