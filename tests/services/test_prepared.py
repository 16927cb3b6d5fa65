"""store/prepared.ById: a select by id compiled once per dialect gives the rows the query
gives, joined models included, on every backend (issue 17: the slip after every lend)."""

from __future__ import annotations

import pytest

from desk_app.store.models import User
from desk_app.store.prepared import ById


def test_rows_by_id_are_the_querys_rows(desk, admin):
    by_id = ById(lambda user_id: User.select(User.id, User.name).where(User.id == user_id))
    expected = User.select(User.id, User.name).where(User.id == admin.user_id).first()
    for _ in range(2):  # compiled the first time, reused the second
        found = by_id.first(desk.ctx.db, admin.user_id)
        assert (found.id, found.name) == (expected.id, expected.name) == (admin.user_id, "admin")
    assert by_id.first(desk.ctx.db, 987_654) is None


def test_a_query_that_does_not_use_its_id_is_refused(desk):
    by_id = ById(lambda _user_id: User.select().where(User.id == 1))
    with pytest.raises(ValueError, match="does not use its id"):
        by_id.rows(desk.ctx.db, 5)
