"""Make the demo's rows on a second core while this process writes them.

At demo scale 100 half the catalogue's and loan history's time is Python making rows
(seeded ``random`` draws, pinyin keys, search tokens, dates as text) and half is SQLite
writing them; a thread does not overlap the two (the writing holds the interpreter's lock
between its steps: a trial was slower), a forked process does. The child makes the batches
from the same generator, in the same order, with the same seeded generator, and hands each
over through a pipe; at the end it hands back the generator's state and whatever else the
caller names, so the data — and the draws that follow — are exactly as made in one process
(tests/services/test_demo_data.py compares the two).

Only on Linux (fork is the platform's way there; macOS and Windows make the rows here), and
only for ``FORK_ROWS`` rows or more (demo scale 10 and up): a small demo — the tests'
fixtures' — is made here, where a fork would cost more than it saves. The child
touches no database connection and no lock another thread may hold — it only runs the
generator — and leaves by ``os._exit`` (multiprocessing's fork does), so nothing of the
parent's is closed or flushed twice.
"""

from __future__ import annotations

import multiprocessing
import random
import sys
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")

FORK_ROWS = 50_000
_BATCH, _DONE, _FAILED = "batch", "done", "failed"


def _child(make: Callable[[], Iterator[Any]], rng: random.Random, kept: Callable[[], Any],
           send: Connection) -> None:
    try:
        for batch in make():
            send.send((_BATCH, batch))
        send.send((_DONE, (rng.getstate(), kept())))
    except BaseException:  # the parent raises it with this text
        send.send((_FAILED, traceback.format_exc()))
    finally:
        send.close()


def ahead(make: Callable[[], Iterator[T]], rng: random.Random, rows: int,
          kept: Callable[[], Any] = lambda: None,
          restore: Callable[[Any], None] = lambda _kept: None) -> Iterator[T]:
    """The batches of ``make()``, ``rows`` rows in all: made in a forked child when they are
    ``FORK_ROWS`` or more and the platform forks, else here. ``rng`` is the generator ``make``
    draws from; ``kept()`` is what else it changes that the caller needs afterwards, handed
    to ``restore`` here at the end."""
    if rows < FORK_ROWS or sys.platform != "linux":
        yield from make()
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(make, rng, kept, send), name="demo-rows",
                            daemon=True)
    child.start()
    send.close()
    try:
        while True:
            try:
                kind, value = receive.recv()
            except EOFError:
                raise RuntimeError(f"the demo's row maker stopped (exit {child.exitcode})") \
                    from None
            if kind == _BATCH:
                yield value
            elif kind == _DONE:
                state, changed = value
                rng.setstate(state)
                restore(changed)
                return
            else:
                raise RuntimeError(f"the demo's row maker failed:\n{value}")
    finally:
        receive.close()
        child.join(timeout=5)
        if child.is_alive():  # the caller stopped early (an error while writing)
            child.terminate()
            child.join()
