"""The generic register model: whole count up front, pages fetched lazily, bounded cache."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desk_app.store.audit_chain import AuditFilter
from desk_app.ui.audit.page import audit_columns
from desk_app.ui.models.paged import Column, PagedTableModel


def numbers_model(total: int, page_size: int = 10, max_pages: int = 3):
    calls: list[tuple[int, int]] = []

    def fetch(offset: int, limit: int) -> list[int]:
        calls.append((offset, limit))
        return list(range(offset, min(total, offset + limit)))

    columns = [
        Column(lambda: "n", lambda row: row, align=Qt.AlignmentFlag.AlignRight),
        Column(lambda: "square", lambda row: row * row, tooltip=lambda row: f"{row}²"),
    ]
    return PagedTableModel(lambda: total, fetch, columns, page_size, max_pages), calls


def test_model_passes_qt_model_tester(qtmodeltester):
    model, _calls = numbers_model(95)
    qtmodeltester.check(model)  # Qt's QAbstractItemModelTester
    qtmodeltester.check(model, force_py=True)  # pytest-qt's own, stricter on roles


def test_row_count_is_the_whole_register_and_pages_load_lazily():
    model, calls = numbers_model(1_000_000, page_size=200, max_pages=10)
    assert model.rowCount() == 1_000_000
    assert calls == []  # nothing fetched until a row is asked for
    assert model.data(model.index(999_999, 0)) == "999999"
    assert calls == [(999_800, 200)]
    assert model.data(model.index(999_998, 1)) == str(999_998 ** 2)
    assert len(calls) == 1  # same page, from the cache


def test_cache_keeps_at_most_max_pages_lru():
    model, calls = numbers_model(1000, page_size=10, max_pages=3)
    for row in (0, 10, 20):
        model.row(row)
    model.row(0)  # page 0 becomes most recent
    model.row(30)  # evicts page 1, the least recently used
    assert model.cached_pages() == [2, 0, 3]
    model.row(5)
    assert len(calls) == 4  # page 0 was still cached
    for row in range(0, 1000, 10):
        model.row(row)
    assert len(model.cached_pages()) == 3


def test_refresh_forgets_pages_and_recounts():
    total = [5]
    model = PagedTableModel(lambda: total[0],
                            lambda offset, limit: list(range(total[0]))[offset:offset + limit],
                            [Column(lambda: "n", lambda row: row)])
    model.row(0)
    total[0] = 8
    model.refresh()
    assert model.rowCount() == 8
    assert model.cached_pages() == []
    assert model.row(99) is None
    assert model.data(model.index(7, 0)) == "7"


def test_roles_and_headers():
    model, _calls = numbers_model(20)
    index = model.index(3, 1)
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "3²"
    assert model.data(model.index(3, 0), Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.data(index, PagedTableModel.ROW_ROLE) == 3
    assert model.headerData(1, Qt.Orientation.Horizontal) == "square"


def test_audit_register_model_matches_the_service(qtmodeltester, demo_desk, admin_actor):
    flt = AuditFilter()
    model = PagedTableModel(lambda: demo_desk.audit.count(admin_actor, flt),
                            lambda offset, limit: demo_desk.audit.page(admin_actor, flt, offset, limit),
                            audit_columns(), page_size=4, max_pages=2)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == demo_desk.audit.count(admin_actor, flt)
    newest = demo_desk.audit.page(admin_actor, flt, 0, 1)[0]
    assert model.data(model.index(0, 0)) == str(newest["seq"])
    assert model.data(model.index(0, 2)) == newest["actor_name"]
    assert model.data(model.index(0, 3)) == newest["label"]
    assert model.data(model.index(0, 4)) == newest["sentence"]
    oldest = model.row(model.rowCount() - 1)
    assert oldest["seq"] == 1
    assert len(model.cached_pages()) <= 2


def test_a_register_source_gives_the_model_its_columns_and_rows(qtbot, demo_desk):
    """A page over ``desk.registers[name]`` shows what that register's exports write."""
    from desk_app.services.registers import Period

    auditor = demo_desk.auth.login("chenjing", "demo1234")
    source = demo_desk.registers["loans"]
    flt = source.period(Period())
    model = PagedTableModel.for_register(source, auditor, flt)
    assert model.rowCount() == source.count(auditor, flt) > 0
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())] \
        == source.header()
    first = source.page(auditor, flt, 0, 1)[0]
    assert [model.data(model.index(0, i)) for i in range(model.columnCount())] == \
        source.cells(first)


def test_a_big_register_paints_its_first_page_before_the_count(qtbot, demo_desk, admin_actor,
                                                               monkeypatch):
    """With a desk, the first page is read at once and the exact count follows from a worker
    thread; rows are inserted when it arrives, the page read first stays."""
    monkeypatch.setattr(PagedTableModel, "count_in_background", True)
    flt = AuditFilter()
    total = demo_desk.audit.count(admin_actor, flt)
    counts_in: list[str] = []

    def count() -> int:
        import threading

        counts_in.append(threading.current_thread().name)
        return demo_desk.audit.count(admin_actor, flt)

    model = PagedTableModel(count, lambda offset, limit: demo_desk.audit.page(
        admin_actor, flt, offset, limit), audit_columns(), page_size=20, desk=demo_desk)
    assert total > 20
    assert not model.count_known and model.rowCount() == 20 and model.cached_pages() == [0]
    with qtbot.waitSignal(model.counted, timeout=20_000) as signal:
        pass
    assert signal.args == [total]
    assert model.count_known and model.rowCount() == total
    assert counts_in and counts_in[0] != "MainThread"
    assert model.row(total - 1)["seq"] == 1
    # A refresh starts from the last count; a count started before a refresh is dropped.
    model.refresh()
    assert model.rowCount() == total and not model.count_known
    stale = model._generation - 1
    model._counted(stale, 3)
    assert model.rowCount() == total
    with qtbot.waitSignal(model.counted, timeout=20_000):
        pass
    assert model.rowCount() == total
    model._counted(model._generation, 5)  # fewer than estimated (rows deleted meanwhile)
    assert model.rowCount() == 5 and model.row(4) is not None and model.row(5) is None


def test_a_short_first_page_is_the_count(qtbot, demo_desk, admin_actor, monkeypatch):
    monkeypatch.setattr(PagedTableModel, "count_in_background", True)

    def count() -> int:
        raise AssertionError("not asked: the first page was not full")

    model = PagedTableModel(count, lambda offset, limit: list(range(offset, min(7, offset + limit))),
                            [Column(lambda: "n", lambda row: row)], page_size=20, desk=demo_desk)
    assert model.count_known and model.rowCount() == 7
    model.refresh()
    assert model.count_known and model.rowCount() == 7
