"""The demo's rows made in a forked child (demo/prefetch.py, issue 17: ``demo --scale 100``
under 90 s) are the rows made in one process: the same seeded draws, the same numbers, and
the generator's state handed back for the draws that follow."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from desk_app.demo import prefetch
from desk_app.demo.prefetch import ahead
from tests.conftest import _open

TABLES = ("item", "loan_slip", "loan", "borrower", "number_counter", "document",
          "document_route", "document_note")

pytestmark = pytest.mark.skipif(not prefetch.sys.platform.startswith("linux"),
                                reason="the rows are made in a child only on Linux")


def _draws(rng: random.Random, seen: list[int]) -> Iterator[list[float]]:
    for _ in range(5):
        seen.append(len(seen))  # changed in the child: handed back through ``kept``
        yield [rng.random() for _ in range(1000)]


def test_a_forked_maker_gives_the_batches_and_the_state_made_here(monkeypatch):
    here_rng, here_seen = random.Random(7), []
    here = list(ahead(lambda: _draws(here_rng, here_seen), here_rng, 5000))
    monkeypatch.setattr(prefetch, "FORK_ROWS", 1)
    forked_rng, forked_seen, restored = random.Random(7), [], []
    forked = list(ahead(lambda: _draws(forked_rng, forked_seen), forked_rng, 5000,
                        kept=lambda: forked_seen, restore=restored.append))
    assert forked == here
    assert forked_seen == [] and restored == [here_seen] == [[0, 1, 2, 3, 4]]
    assert forked_rng.random() == here_rng.random()  # the draws that follow go on alike


def _failing(rng: random.Random) -> Iterator[list[float]]:
    yield [rng.random()]
    raise ValueError("no pinyin for 𠀀")


def test_an_error_in_the_child_is_raised_here_with_its_text(monkeypatch):
    monkeypatch.setattr(prefetch, "FORK_ROWS", 1)
    rng = random.Random(1)
    batches = ahead(lambda: _failing(rng), rng, 10)
    assert len(next(batches)) == 1
    with pytest.raises(RuntimeError, match="ValueError: no pinyin for 𠀀"):
        next(batches)


def test_a_caller_that_stops_early_leaves_no_child_behind(monkeypatch):
    monkeypatch.setattr(prefetch, "FORK_ROWS", 1)
    rng = random.Random(1)
    endless = (list(range(10_000)) for _ in iter(int, 1))
    batches = ahead(lambda: endless, rng, 10**9)
    next(batches)
    batches.close()  # as a write error ends the caller's loop
    assert prefetch.multiprocessing.active_children() == []


def _dump(url: str, clock) -> dict[str, list[tuple]]:
    desk = _open(url, clock)
    try:
        desk.demo.generate(None)
        db = desk.ctx.db
        tables = {table: db.execute_sql(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                  for table in TABLES}
        tables["item_fts"] = db.execute_sql(
            "SELECT rowid, tokens FROM item_fts ORDER BY rowid").fetchall()
        return tables
    finally:
        desk.close()


def test_the_demo_made_in_a_child_is_the_demo_made_here(tmp_path, clock, monkeypatch):
    monkeypatch.setattr("desk_app.demo.handover.WEEKS", 0)
    monkeypatch.setattr("desk_app.demo.documents.SIGNED", False)
    monkeypatch.setattr("desk_app.demo.archive.BATCH", 1000)  # several batches of each
    monkeypatch.setattr("desk_app.demo.documents.BATCH", 100)
    here = _dump(f"sqlite:///{tmp_path / 'here.db'}", clock)
    monkeypatch.setattr(prefetch, "FORK_ROWS", 1)
    forked = _dump(f"sqlite:///{tmp_path / 'forked.db'}", clock)
    assert len(here["item"]) == 5000 and len(here["loan"]) == 10_000
    assert len(here["document"]) == 1000
    for table, rows in here.items():
        assert forked[table] == rows, table
