"""The engine's I/O: set-based reads before a batch, and one executemany per table after it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.models import Area, AuditEntry, Change, Conflict, Mutation
from server.sync import rows
from server.sync.fields import SCHEMAS
from server.sync.records import TABLES, state_from_row

# The key first: rows.Writes.update sets every other column where the first one matches.
RECORD_COLUMNS = {name: ("id", *(c for c in table.columns.keys() if c != "id"))  # noqa: SIM118 (names, not Columns)
                  for name, table in TABLES.items()}


def is_postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]


# Advisory locks live in PostgreSQL's shared lock table (max_locks_per_transaction x connections), so keys
# are folded into a fixed number of buckets: a batch holds at most LOCK_BUCKETS locks however large it is.
# Two pushes that share a bucket run one after the other, which is only slower, never wrong.
LOCK_BUCKETS = 512
LOCK_SPACE = 0x5359  # "SY": keeps these apart from advisory locks anyone else takes


def lock_key(text_key: str) -> int:
    return int.from_bytes(hashlib.blake2b(text_key.encode(), digest_size=8).digest(), "big") % LOCK_BUCKETS


async def lock(session: AsyncSession, keys: Iterable[str]) -> None:
    """PostgreSQL: take transaction-scoped advisory locks on every mutation id and record a batch touches.

    Concurrent pushes then never both apply one mutation id, nor both create one record, nor merge into
    one record from the same stale state. Buckets are taken in sorted order, so two batches that lock
    everything up front cannot deadlock. SQLite needs none of this: it has one writer at a time.
    """
    if not is_postgres(session):
        return
    ordered = sorted({lock_key(k) for k in keys})
    if ordered:
        await session.execute(text("SELECT count(pg_advisory_xact_lock(:space, k)) "
                                   "FROM unnest(CAST(:keys AS integer[])) AS k"),
                              {"space": LOCK_SPACE, "keys": ordered})


class Loaded(NamedTuple):
    """What a batch reads before it starts (see load)."""

    known: dict[str, tuple[str, dict[str, Any]]]  # mutation id -> (user id, first result)
    records: dict[str, list[dict[str, Any]]]  # collection -> working copies of stored records
    parent_areas: dict[str, list[tuple[str, str]]]  # collection -> (id, area_id) of parents
    areas: set[str]  # the ids among the asked ones that are areas of the ledger


async def load(session: AsyncSession, mutation_ids: list[str], targets: dict[str, set[str]],
               parents: dict[str, set[str]], areas: set[str]) -> Loaded:
    """Everything a batch reads, as one set-based query per table (sent together on SQLite)."""
    names = list(SCHEMAS)
    queries = [rows.Select(Mutation.__table__, ("id", "user_id", "result"), "id", mutation_ids),
               rows.Select(Area.__table__, ("id",), "id", sorted(areas))]
    queries += [rows.Select(TABLES[c], RECORD_COLUMNS[c], "id", sorted(targets[c])) for c in names]
    queries += [rows.Select(TABLES[c], ("id", "area_id"), "id", sorted(parents[c])) for c in names]
    known, existing, *per_collection = await rows.select_many(session, queries)
    records, parent_rows = per_collection[:len(names)], per_collection[len(names):]
    return Loaded(
        known={row[0]: (row[1], row[2]) for row in known},
        records={c: [_state(c, row) for row in found] for c, found in zip(names, records, strict=True)},
        parent_areas={c: [(row[0], row[1]) for row in found] for c, found in zip(names, parent_rows, strict=True)},
        areas={row[0] for row in existing})


def _state(collection: str, row: tuple[Any, ...]) -> dict[str, Any]:
    return state_from_row(collection, dict(zip(RECORD_COLUMNS[collection], row, strict=True)))


async def load_records(session: AsyncSession, collection: str, ids: Iterable[str]) -> list[dict[str, Any]]:
    """Working copies of the stored records among ``ids``."""
    columns = RECORD_COLUMNS[collection]
    found = await rows.select_in(session, TABLES[collection], columns, "id", sorted(set(ids)))
    return [_state(collection, row) for row in found]


async def child_ids(session: AsyncSession, collection: str, column: str, parent_ids: list[str],
                    link_collection: str | None = None) -> list[str]:
    """Ids of the records whose ``column`` names one of ``parent_ids`` (for photos, of ``link_collection``)."""
    # link_collection comes from moves.CHILDREN, never from a client.
    where = f" AND record_collection = '{link_collection}'" if link_collection else ""
    found = await rows.select_in(session, TABLES[collection], ("id",), column, parent_ids, where)
    return [row[0] for row in found]


async def history(session: AsyncSession, keys: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """Applied mutations of these records: the field history a conflict's base value comes from."""
    out: list[dict[str, Any]] = []
    pairs = sorted(keys)
    for start in range(0, len(pairs), 200):
        where = or_(*(and_(Mutation.collection == c, Mutation.record_id == r) for c, r in pairs[start:start + 200]))
        rows = await session.execute(
            select(Mutation.collection, Mutation.record_id, Mutation.version, Mutation.fields, Mutation.result)
            .where(where, Mutation.status.in_(("applied", "conflict")), Mutation.version.is_not(None)))
        out.extend(dict(row._mapping) for row in rows)
    return out


async def transaction_id(session: AsyncSession) -> int:
    """PostgreSQL: this transaction's 64-bit id, the fence pull reads behind; 0 on SQLite (serial writers)."""
    if not is_postgres(session):
        return 0
    return int(await session.scalar(text("SELECT pg_current_xact_id()::text::bigint")))


def write_records(writes: rows.Writes, collection: str, new: list[dict[str, Any]],
                  changed: list[dict[str, Any]]) -> None:
    table = TABLES[collection]
    columns = RECORD_COLUMNS[collection]
    writes.insert(table, columns, [_record_row(collection, s) for s in new])
    writes.update(table, columns, [_record_row(collection, s) for s in changed])


_RECORD_GETTERS = {name: itemgetter(*columns) for name, columns in RECORD_COLUMNS.items()}


def _record_row(collection: str, state: dict[str, Any]) -> tuple[Any, ...]:
    if collection == "photos":
        ref = state["record"]
        state = state | {"record_collection": ref["collection"], "record_id": ref["id"]}
    return _RECORD_GETTERS[collection](state)  # type: ignore[no-any-return]


LOG_COLUMNS = {model: tuple(c.name for c in model.__table__.columns if not (c.primary_key and c.autoincrement is True))
               for model in (Mutation, Conflict, Change, AuditEntry)}
_LOG_GETTERS = {model: itemgetter(*columns) for model, columns in LOG_COLUMNS.items()}


def write_log(writes: rows.Writes, mutations: list[dict[str, Any]], conflicts: list[dict[str, Any]],
              changes: list[dict[str, Any]], audit: list[dict[str, Any]]) -> None:
    """The mutation log, new conflicts, the change feed and the audit log, one executemany each."""
    for model, batch in ((Mutation, mutations), (Conflict, conflicts), (Change, changes), (AuditEntry, audit)):
        get = _LOG_GETTERS[model]
        writes.insert(model.__table__, LOG_COLUMNS[model], [get(r) for r in batch])


async def move_conflicts(session: AsyncSession, moves: list[dict[str, Any]]) -> None:
    """Open and closed conflicts follow their record into its new area (they are listed by area)."""
    if moves:
        table = Conflict.__table__
        stmt = (update(table).where(table.c.collection == bindparam("m_collection"),
                                    table.c.record_id == bindparam("m_record_id"))
                .values(area_id=bindparam("m_area_id")))
        await session.execute(stmt, moves)
