"""The item search index: FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL.

Both hold the same tokens (``domain.search``) of the folded text, so one query means the
same on both. Folding turns Traditional into Simplified characters (OpenCC) and lower-cases,
so 規劃 finds 规划 and the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

import peewee

from desk_app.domain.search import QueryTerms, index_tokens, query_terms
from desk_app.store.db import database_proxy, is_postgresql


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    return _converter().convert(text or "").lower()


# Marks personnel files in the index, so "matches minus sealed matches" counts what a
# user may see without reading every matching row (R6 filtering stays in the service).
SEALED_TOKEN = "zzsealedpersonnel"


def item_text(ref: str, title: str, keywords: str, dept: str, kind: str, level: str) -> str:
    """The indexed text of an item. Of a personnel file only its reference and the sealed
    marker (R6): no word of it is in the index; the personnel officer's search reads the
    few personnel files themselves (services/personnel.py)."""
    if level == "personnel":
        return f"{ref} {SEALED_TOKEN}"
    return " ".join([ref, title, keywords, dept, kind])


def searchable_text(ref: str, title: str, keywords: str, dept: str, kind: str) -> str:
    """What a search matches in a file, for the personnel officer's search in Python."""
    return " ".join([ref, title, keywords, dept, kind])


def matches(terms: QueryTerms, text: str) -> bool:
    """``text`` holds every term of the query, as the index would match it."""
    tokens = set(tokens_for(text))
    return all(token in tokens for token in terms.exact) and all(
        any(token.startswith(word) for token in tokens) for word in terms.prefixes)


def tokens_for(text: str) -> list[str]:
    return index_tokens(fold(text))


def terms_for(query: str) -> QueryTerms:
    return query_terms(fold(query))


def _db() -> peewee.Database:
    return database_proxy.obj


def upsert(rows: Iterable[tuple[int, str]]) -> None:
    """(item id, searchable text) pairs into the index; inside the caller's transaction."""
    db = _db()
    prepared = [(item_id, tokens_for(text)) for item_id, text in rows]
    if not prepared:
        return
    if is_postgresql(db):
        cursor = db.cursor()
        cursor.executemany(
            "INSERT INTO item_search (item_id, tsv) VALUES (%s, array_to_tsvector(%s::text[])) "
            "ON CONFLICT (item_id) DO UPDATE SET tsv = EXCLUDED.tsv",
            [(item_id, tokens) for item_id, tokens in prepared],
        )
    else:
        cursor = db.cursor()
        cursor.executemany("DELETE FROM item_fts WHERE rowid = ?", [(i,) for i, _ in prepared])
        cursor.executemany("INSERT INTO item_fts (rowid, tokens) VALUES (?, ?)",
                           [(item_id, " ".join(tokens)) for item_id, tokens in prepared])


BULK_PENDING_BYTES = 64 << 20  # the index's new tokens held in memory during a bulk load
_PENDING_BYTES = 1 << 20  # FTS5's own default ("hashsize")


@contextmanager
def bulk_insert() -> Iterator[None]:
    """SQLite, inside a write transaction, around many ``insert_tokens``: the index holds up
    to BULK_PENDING_BYTES of new tokens in memory before it writes them out as a segment
    (FTS5's 1 MB made 500,000 demo items write hundreds of small segments and merge them
    again and again: 20 s of CPU instead of 12). Then FTS5's default again, and its config
    table as it was (no "hashsize" row). An error rolls the setting back with the rest."""
    db = _db()
    if is_postgresql(db):
        yield
        return
    setting = "INSERT INTO item_fts (item_fts, rank) VALUES ('hashsize', ?)"
    db.execute_sql(setting, (BULK_PENDING_BYTES,))
    yield
    db.execute_sql(setting, (_PENDING_BYTES,))
    db.execute_sql("DELETE FROM item_fts_config WHERE k = 'hashsize'")


def insert_tokens(rows: Iterable[tuple[int, str]]) -> None:
    """SQLite, in bulk: (item id, its tokens joined by spaces, as ``tokens_for`` makes them)
    of items that have no row in the index yet, in id order; inside the caller's
    transaction (``bulk_insert`` around many calls). ``upsert`` is for items that may have
    one."""
    _db().cursor().executemany("INSERT INTO item_fts (rowid, tokens) VALUES (?, ?)", rows)


def _expression(terms: QueryTerms, sealed: bool = False) -> str:
    if is_postgresql(_db()):
        parts = [f"'{token}'" for token in terms.exact] + [f"'{word}':*" for word in terms.prefixes]
        return " & ".join(parts + ([f"'{SEALED_TOKEN}'"] if sealed else []))
    parts = [f'"{token}"' for token in terms.exact] + [f'"{word}"*' for word in terms.prefixes]
    return " AND ".join(parts + ([SEALED_TOKEN] if sealed else []))


def match_sql(terms: QueryTerms) -> tuple[str, list]:
    """SQL selecting the ids of matching items, and its parameters."""
    if is_postgresql(_db()):
        return ("SELECT item_id FROM item_search WHERE tsv @@ %s::tsquery", [_expression(terms)])
    return ("SELECT rowid FROM item_fts WHERE item_fts MATCH ?", [_expression(terms)])


def match_count(terms: QueryTerms, sealed: bool = False) -> int:
    """How many items match, from the index alone (``sealed``: only personnel files)."""
    db = _db()
    if is_postgresql(db):
        sql = "SELECT count(*) FROM item_search WHERE tsv @@ %s::tsquery"
    else:
        sql = "SELECT count(*) FROM item_fts WHERE item_fts MATCH ?"
    return db.execute_sql(sql, (_expression(terms, sealed),)).fetchone()[0]


def rebuild(batch: int = 5000) -> int:
    """Rebuild the index from the items (after a restore from another kind of database)."""
    from desk_app.store.archive import Department, Item, Kind, tuples

    db = _db()
    db.execute_sql("DELETE FROM item_search" if is_postgresql(db) else "DELETE FROM item_fts")
    done, last = 0, 0
    while True:
        rows = tuples(
            Item.select(Item.id, Item.ref, Item.title, Item.keywords, Department.name, Kind.name,
                        Item.level)
            .join_from(Item, Department).join_from(Item, Kind)
            .where(Item.id > last).order_by(Item.id).limit(batch)
        )
        if not rows:
            return done
        upsert((r[0], item_text(r[1], r[2], r[3], r[4], r[5], r[6])) for r in rows)
        done += len(rows)
        last = rows[-1][0]


def indexed_count() -> int:
    db = _db()
    table = "item_search" if is_postgresql(db) else "item_fts"
    return db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
