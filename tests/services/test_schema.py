"""The numbered migrations build the schema the current models declare.

One database is built through ``store/migrations`` (as every real database is); a second one
is created straight from ``store.models.all_models()`` by peewee, on the same backend, so both
sides are read back by the same introspection (``db.get_tables/get_columns/get_indexes``) and
compared: tables, columns (name, type family, nullability), indexes (columns, uniqueness,
the WHERE of a partial index) and foreign keys (column, referenced table and column, ON
DELETE). What is read from the models' database is checked against the models' own
``_meta`` (fields, ``index``/``unique``, ``Meta.indexes``/``add_index``, foreign keys), so
the comparison cannot miss what the reading side overlooks. Runs on SQLite and, with
DESK_TEST_PG, on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import peewee
import pytest

from desk_app.store import migrate
from desk_app.store.db import connect, is_postgresql, parse_url
from desk_app.store.models import all_models

DECLARED_SCHEMA = "declared_by_models"  # PostgreSQL: where the models' own tables go

# Tables no model describes, on purpose: the search index is kept by store/search.py in raw SQL
# (an FTS5 virtual table with its shadow tables on SQLite, a tsvector table on PostgreSQL).
NOT_MODELS = re.compile(r"^(item_fts(_\w+)?|item_search)$")

_FAMILIES = {
    "integer": ("int", "integer", "bigint", "smallint", "serial", "bigserial", "auto", "bigauto"),
    "text": ("varchar", "character varying", "char", "character", "text", "uuid", "json"),
    "boolean": ("bool", "boolean"),
    "datetime": ("datetime", "timestamp", "timestamp without time zone"),
    "date": ("date",),
    "time": ("time", "time without time zone"),
    "binary": ("blob", "bytea"),
    "number": ("real", "float", "double", "double precision", "decimal", "numeric"),
}
_FAMILY_OF = {name: family for family, names in _FAMILIES.items() for name in names}


def type_family(data_type: str) -> str:
    base = re.sub(r"\(.*\)", "", data_type or "").strip().lower()
    return _FAMILY_OF.get(base, f"unknown type {data_type!r}")


def _where(sql: str | None) -> str:
    """The WHERE of a partial index, spelled one way (quotes, brackets, case, spaces)."""
    if not sql:
        return ""
    found = re.search(r"\bwhere\b(.*)$", sql, flags=re.IGNORECASE | re.DOTALL)
    if not found:
        return ""
    return " ".join(re.sub(r'["()`]', " ", found.group(1)).lower().split())


@dataclass(frozen=True)
class Column:
    family: str
    null: bool

    def __str__(self) -> str:
        return f"{self.family} {'NULL' if self.null else 'NOT NULL'}"


@dataclass(frozen=True)
class Index:
    columns: tuple[str, ...]
    unique: bool
    where: str

    def __str__(self) -> str:
        text = f"({', '.join(self.columns)})" + (" UNIQUE" if self.unique else "")
        return text + (f" WHERE {self.where}" if self.where else "")


@dataclass(frozen=True)
class ForeignKey:
    column: str
    references: str  # table.column
    on_delete: str

    def __str__(self) -> str:
        return f"({self.column}) -> {self.references} ON DELETE {self.on_delete}"


@dataclass
class Schema:
    tables: dict[str, tuple[dict[str, Column], dict[Index, str], dict[ForeignKey, str]]]


def read_schema(db: peewee.Database, schema: str | None = None) -> Schema:
    tables = {}
    for table in db.get_tables(schema=schema):
        if NOT_MODELS.match(table):
            continue
        columns = {c.name: Column(type_family(c.data_type), bool(c.null))
                   for c in db.get_columns(table, schema=schema)}
        indexes = {Index(tuple(i.columns), bool(i.unique), _where(i.sql)): i.name
                   for i in db.get_indexes(table, schema=schema)}
        foreign_keys = {ForeignKey(f.column, f"{f.dest_table}.{f.dest_column}",
                                   (f.on_delete or "NO ACTION").upper()): f.name or ""
                        for f in db.get_foreign_keys(table, schema=schema)}
        tables[table] = (columns, indexes, foreign_keys)
    return Schema(tables)


def differences(migrated: Schema, declared: Schema) -> tuple[list[str], list[str]]:
    """(what the models declare and the migrations do not build as declared,
    what the migrations build and no model declares)."""
    lacking: list[str] = []
    extra: list[str] = []
    for table in sorted(set(migrated.tables) | set(declared.tables)):
        if table not in declared.tables:
            extra.append(f"table {table}: created by the migrations, no model declares it")
            continue
        if table not in migrated.tables:
            lacking.append(f"table {table}: declared by a model, the migrations do not create it")
            continue
        (m_columns, m_indexes, m_keys), (d_columns, d_indexes, d_keys) = (migrated.tables[table],
                                                                        declared.tables[table])
        for name in sorted(set(m_columns) | set(d_columns)):
            m, d = m_columns.get(name), d_columns.get(name)
            if m is None:
                lacking.append(f"{table}.{name}: declared by the model ({d}), "
                               f"the migrations do not create it")
            elif d is None:
                extra.append(f"{table}.{name}: created by the migrations ({m}), "
                             f"the model does not declare it")
            elif m != d:
                lacking.append(f"{table}.{name}: the migrations make it {m}, "
                               f"the model declares {d}")
        for kind, m_found, d_found in (("index", m_indexes, d_indexes),
                                       ("foreign key", m_keys, d_keys)):
            for key in sorted(set(m_found) | set(d_found), key=str):
                what = " ".join(filter(None, (f"{table}: {kind}", d_found.get(key) or
                                              m_found.get(key), f"{key}:")))
                if key not in m_found:
                    lacking.append(f"{what} declared by the model, the migrations do not create it")
                elif key not in d_found:
                    extra.append(f"{what} created by the migrations, the model does not declare it")
    return lacking, extra


def as_declared_in_meta(model: type[peewee.Model]) -> tuple[list[str], list[tuple], list[tuple]]:
    """(columns, indexes as (columns, unique), foreign keys as (column, table.column)) of a
    model, from its ``_meta``: fields with ``index``/``unique``, ``Meta.indexes``, add_index."""
    meta = model._meta
    indexes = [(tuple(field.column_name for field in index._expressions), bool(index._unique))
               for index in meta.fields_to_index()]
    keys = [(field.column_name, f"{field.rel_model._meta.table_name}.{field.rel_field.column_name}")
            for field in meta.sorted_fields if isinstance(field, peewee.ForeignKeyField)]
    return sorted(field.column_name for field in meta.sorted_fields), sorted(indexes), sorted(keys)


def assert_read_as_declared(declared: Schema) -> None:
    """The database created from the models reads back as their ``_meta`` declares them
    (the primary key's own index aside)."""
    assert set(declared.tables) == {model._meta.table_name for model in all_models()}
    for model in all_models():
        columns, indexes, keys = declared.tables[model._meta.table_name]
        primary_key = tuple(field.column_name for field in model._meta.get_primary_keys())
        read = (sorted(columns),
                sorted((index.columns, index.unique) for index in indexes
                       if (index.columns, index.unique) != (primary_key, True)),
                sorted((key.column, key.references) for key in keys))
        assert read == as_declared_in_meta(model), model.__name__


@contextmanager
def declared_database(db_url: str, tmp_path) -> Iterator[tuple[peewee.Database, str | None]]:
    """An empty database (PostgreSQL: a schema of its own) with the models' tables in it."""
    url = parse_url(db_url)
    if url.backend == "sqlite":
        url = parse_url(f"sqlite:///{tmp_path / 'declared.db'}")
    db = connect(url, must_exist=False)
    schema = None
    try:
        if is_postgresql(db):
            schema = DECLARED_SCHEMA
            db.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            db.execute_sql(f"CREATE SCHEMA {schema}")
            db.execute_sql(f"SET search_path TO {schema}")  # this session creates its tables there
        models = all_models()
        with db.bind_ctx(models):
            db.create_tables(models, safe=False)
        yield db, schema
    finally:
        if schema:
            db.execute_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        db.close()


@pytest.fixture
def migrated(db_url) -> Iterator[peewee.Database]:
    db = connect(parse_url(db_url), must_exist=False)
    migrate.migrate(db)
    yield db
    db.close()


@pytest.fixture
def schemas(migrated, db_url, tmp_path) -> tuple[Schema, Schema]:
    """(the schema the migrations built, the schema the models declare)."""
    have = read_schema(migrated)
    with declared_database(db_url, tmp_path) as (declared_db, schema):
        want = read_schema(declared_db, schema)
    assert_read_as_declared(want)  # the reading side sees all the models declare
    return have, want


def test_migrations_build_everything_the_models_declare(schemas):
    """Every table, column (type family, nullability), index (columns, uniqueness, WHERE) and
    foreign key of the models exists as declared in a migrated database."""
    lacking, _extra = differences(*schemas)
    assert not lacking, ("the models declare what the migrations do not build "
                         f"({len(lacking)}):\n  " + "\n  ".join(lacking))


def test_migrations_build_nothing_the_models_do_not_declare(schemas):
    """The models are the description of the current schema: a column or index only a
    migration knows of is missing from them (and from anything built from them)."""
    _lacking, extra = differences(*schemas)
    assert not extra, ("the migrations build what the models do not declare "
                       f"({len(extra)}):\n  " + "\n  ".join(extra))


def test_a_model_gaining_an_index_or_a_column_without_a_migration_is_reported(
        migrated, db_url, tmp_path, monkeypatch):
    """What a drift looks like: a field turned ``index=True`` and a new field on ``loan``,
    without a migration, are both reported as lacking from the migrated database."""
    from desk_app.store.archive import Loan

    monkeypatch.setattr(Loan.return_condition, "index", True)
    Loan._meta.add_field("drift_note", peewee.CharField(null=True), set_attribute=False)
    try:
        with declared_database(db_url, tmp_path) as (declared_db, schema):
            want = read_schema(declared_db, schema)
        assert_read_as_declared(want)
    finally:
        Loan._meta.remove_field("drift_note")
    lacking, _extra = differences(read_schema(migrated), want)
    assert lacking == [
        "loan.drift_note: declared by the model (text NULL), the migrations do not create it",
        "loan: index loan_return_condition (return_condition): declared by the model, "
        "the migrations do not create it",
    ]


def test_the_comparison_sees_a_missing_index_a_column_and_a_partial_index():
    """The diff itself: an index the migrations lack, a column's nullability and type, a
    partial index whose WHERE differs and a foreign key's ON DELETE are each reported."""
    loan_open = Index(("item_id",), True, _where('... WHERE ("returned_at" IS NULL)'))
    assert loan_open == Index(("item_id",), True, "returned_at is null")
    migrated = Schema({"loan": ({"item_id": Column("integer", False),
                                 "note": Column("text", True)},
                                {loan_open: "loan_one_open_per_item"},
                                {ForeignKey("item_id", "item.id", "RESTRICT"): ""})})
    declared = Schema({"loan": ({"item_id": Column("integer", False),
                                 "note": Column("integer", False)},
                                {Index(("item_id",), True, "returned_at is not null"): "a",
                                 Index(("note",), False, ""): "loan_note"},
                                {ForeignKey("item_id", "item.id", "CASCADE"): "loan_item_fk"})})
    lacking, extra = differences(migrated, declared)
    found = lacking + extra
    assert "loan.note: the migrations make it text NULL, the model declares integer NOT NULL" in found
    assert ("loan: index loan_note (note): declared by the model, the migrations do not create it"
            in found)
    assert any("returned_at is null: created by the migrations" in line for line in extra)
    assert any("returned_at is not null: declared by the model" in line for line in lacking)
    assert ("loan: foreign key loan_item_fk (item_id) -> item.id ON DELETE CASCADE: declared by "
            "the model, the migrations do not create it" in lacking)
    assert type_family("VARCHAR(32)") == type_family("character varying") == "text"
    assert type_family("timestamp without time zone") == type_family("DATETIME")
