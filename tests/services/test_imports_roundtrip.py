"""THE round trip of issue 16: the demo catalogue and loan register exported to XLSX and
imported into an empty database give the same registers."""

from __future__ import annotations

from openpyxl import load_workbook

from desk_app.desk import Desk
from desk_app.services.imports.report import ImportOptions
from desk_app.store.archive import Loan
from desk_app.store.db import database_proxy
from desk_app.store.models import User

DEMO_PASSWORD = "demo1234"


def _rows(path) -> list[list[str]]:
    book = load_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        return [["" if cell is None else str(cell) for cell in row]
                for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _export(desk: Desk, actor, register: str, path) -> list[list[str]]:
    desk.exports.export(actor, register, None, None, "xlsx", path)
    return _rows(path)


def _table(rows: list[list[str]], drop: tuple[str, ...] = ()) -> tuple[list[str], list[tuple]]:
    """The header row and the data rows (sorted: equal times may list in either order),
    without the columns ``drop`` (a loan's number is the new database's own)."""
    start = next(i for i, row in enumerate(rows) if "Reference" in row)
    header = rows[start]
    keep = [i for i, name in enumerate(header) if name not in drop]
    data = sorted(tuple(row[i] for i in keep) for row in rows[start + 1:] if any(row))
    return [header[i] for i in keep], data


def test_demo_catalogue_and_loans_round_trip(demo_desk, tmp_path, clock):
    demo = demo_desk
    admin = demo.auth.login("admin", DEMO_PASSWORD)
    items_before = _export(demo, admin, "items", tmp_path / "items.xlsx")
    loans_before = _export(demo, admin, "loans", tmp_path / "loans.xlsx")
    staff = [(u.name, u.full_name, u.roles, u.active) for u in User.select().order_by(User.id)]
    assert len(items_before) > 50 and len(loans_before) > 10

    empty = Desk.open(f"sqlite:///{tmp_path / 'empty.db'}", create=True, clock=clock)
    try:
        empty.users.create_first_admin("admin", DEMO_PASSWORD, "系统管理员")
        new_admin = empty.auth.login("admin", DEMO_PASSWORD)
        for name, full_name, roles, active in staff:
            if name != "admin":
                empty.users.add(new_admin, name, DEMO_PASSWORD, roles, full_name)
                if not active:
                    empty.users.set_active(new_admin, name, False)
        checked = empty.imports.check(new_admin, "items", tmp_path / "items.xlsx",
                                      ImportOptions(create_missing=True))
        assert checked.error_count == 0, (checked.error_count, checked.errors[:8])
        items = empty.imports.run(new_admin, "items", tmp_path / "items.xlsx",
                                  ImportOptions(create_missing=True))
        assert items.error_count == 0, items.errors[:5]
        assert items.imported == len(_table(items_before)[1])
        loans = empty.imports.run(new_admin, "loans", tmp_path / "loans.xlsx", ImportOptions())
        assert loans.error_count == 0, loans.errors[:5]
        assert loans.imported == len(loans_before) - 1
        assert Loan.select().where(Loan.import_batch == loans.batch_id).count() == loans.imported
        items_after = _export(empty, new_admin, "items", tmp_path / "items2.xlsx")
        loans_after = _export(empty, new_admin, "loans", tmp_path / "loans2.xlsx")
    finally:
        empty.close()
        demo.ctx.db.connect(reuse_if_open=True)
        database_proxy.initialize(demo.ctx.db)

    # Everything comes back: on loan from the imported open loans, destroyed from the
    # catalogue's Status column, each return's condition from the loans' Condition column.
    assert _table(items_after) == _table(items_before)
    assert "On loan" in {row[_table(items_after)[0].index("Status")]
                         for row in _table(items_after)[1]}
    assert _table(loans_after, drop=("No.",)) == _table(loans_before, drop=("No.",))
