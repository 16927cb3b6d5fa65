"""Numbered migrations ``mNNNN_name.py``, each with ``VERSION`` and ``upgrade(db)``.

A migration never imports ``store.models`` (nor ``store.archive``, ``store.reception``): it
freezes the tables it creates, so a later change to the models cannot change what an old
migration does. ``store.migrate.migrate()`` runs each pending migration in its own
transaction, together with the version bump; a migration opens no transaction of its own.

A new table: freeze its model (and a bare ``class User(_Base)`` with ``table_name`` for
each table it refers to) in the migration and ``db.create_tables`` it under
``db.bind_ctx``, as m0002…m0005 do.

A column or index on an existing table (``item``, ``loan`` …) goes through
``playhouse.migrate``, with the migrator of ``store.migrate.schema_migrator(db)``::

    import peewee
    from peewee import SQL

    from desk_app.store.migrate import schema_migrator

    VERSION = 6

    def upgrade(db: peewee.Database) -> None:
        migrator = schema_migrator(db)
        migrator.migrate(
            migrator.add_column("item", "box_no", peewee.CharField(max_length=20, null=True)),
            migrator.add_column("loan", "reminders_sent",
                                peewee.IntegerField(constraints=[SQL("DEFAULT 0")]),
                                allow_not_null=True),
            migrator.add_index("item", ("box_no",), name="item_box_no"),
            migrator.add_index("loan", ("reminders_sent",), where=SQL("returned_at IS NULL"),
                               name="loan_open_reminders_sent"),
        )

The fields passed to ``add_column`` are the frozen copy: write them out in the migration.

- A nullable column works everywhere. A NOT NULL column needs its default in the database
  (``constraints=[SQL("DEFAULT …")]`` and ``allow_not_null=True``): SQLite cannot add a
  NOT NULL column without one, and with only a Python ``default=`` the migrator fills the
  rows and then rebuilds the table on SQLite, which ``schema_migrator`` refuses (see there).
  Changing a column's type, default or nullability later has the same limit on SQLite:
  add a new column, copy the values with an UPDATE, and stop using the old one.
- Name every index (``name=``) after the one the model declares, and declare it in the
  model too (``index=True``, ``unique=True`` or ``Model.add_index``): the models describe
  the whole schema and ``tests/services/test_schema.py`` fails until the migrated database
  and the models agree (tables, columns, indexes, foreign keys).
- Do not call ``migrator.migration_context()``: the migration already runs in a
  transaction (on SQLite the context could not switch foreign keys off in there anyway).
- PostgreSQL's DDL is transactional and so is SQLite's: a migration that fails half-way
  leaves the schema, and its version, as they were.
"""
