"""Selects by one id whose SQL is made once per SQL dialect, not at every call.

Peewee turns a query into SQL by walking its nodes in Python each time it runs: for the slip
shown after every lend and the receipt after every return — joined selects of some twenty
columns — that walk was about half of a lend's CPU time on a busy desk server (issue 17:
eight desks on PostgreSQL). Such a query is built and compiled once with a marker in place
of the id; each call runs the same SQL with the id put where the marker was, and peewee's own
row wrapper of the query turns the rows into models with their joined models, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import peewee

_MARKER = -918_273_645  # an id no row has; found by position in the compiled parameters


class ById:
    """``ById(lambda row_id: Model.select(…).where(Model.id == row_id))``; ``rows(db, 7)``."""

    def __init__(self, build: Callable[[int], Any]) -> None:
        self.build = build
        self._made: dict[tuple[str, str], tuple[Any, str, list[Any]]] = {}
        self._lock = threading.Lock()

    def _compiled(self, db: peewee.Database) -> tuple[Any, str, list[Any]]:
        key = (type(db).__name__, db.param)
        made = self._made.get(key)
        if made is None:
            with self._lock:
                query = self.build(_MARKER)
                sql, params = query.sql()
                if params.count(_MARKER) < 1:
                    raise ValueError("the query does not use its id")
                made = self._made.setdefault(key, (query, sql, list(params)))
        return made

    def rows(self, db: peewee.Database, row_id: int) -> list[Any]:
        query, sql, params = self._compiled(db)
        values = [row_id if value == _MARKER else value for value in params]
        return list(query._get_cursor_wrapper(db.execute_sql(sql, values)))

    def first(self, db: peewee.Database, row_id: int) -> Any:
        found = self.rows(db, row_id)
        return found[0] if found else None
