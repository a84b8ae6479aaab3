"""Pull: the change feed read through an opaque cursor, scope-filtered, latest state once per page.

The feed is read in (txid, seq) order. On SQLite txid is 0 and writers are serial, so seq order is commit
order. On PostgreSQL a sequence value is taken at insert time but becomes visible at commit, so a reader
going by seq alone could pass over a row whose transaction commits later. Each change row therefore
records its transaction id, and pull serves only rows whose transaction id is below
``pg_snapshot_xmin(pg_current_snapshot())``: every transaction below that is finished, and every
transaction that may still add rows has an id at or above it, so nothing can appear behind the cursor.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import msgspec
from sqlalchemy import func, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.models import Change
from server.scope import Scope
from server.sync.protocol import ChangeOut, PullResponse
from server.sync.records import OUT_COLUMNS, TABLES, record_out
from server.sync.store import is_postgres

CURSOR_VERSION = 1
FENCE = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
# How long a pull waits for an older transaction still in progress before it answers without the
# changes committed behind it (they come with the next pull).
FENCE_WAIT_S = 2.0


class Cursor(msgspec.Struct, array_like=True):
    version: int
    txid: int
    seq: int
    scope: str


def encode_cursor(txid: int, seq: int, scope: Scope) -> str:
    raw = msgspec.json.encode(Cursor(CURSOR_VERSION, txid, seq, scope.fingerprint()))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Cursor | None:
    """The cursor's position, or None when it cannot be read (the caller then starts again)."""
    if len(cursor) > 200:
        return None
    try:
        parsed = msgspec.json.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), type=Cursor)
    except (ValueError, msgspec.DecodeError):
        return None
    if parsed.version != CURSOR_VERSION or parsed.txid < 0 or parsed.seq < 0:
        return None
    return parsed


def _visible(scope: Scope) -> Any:
    return or_(scope.clause(Change.area_id), scope.clause(Change.old_area_id))


async def pull(session: AsyncSession, principal: Principal, cursor: str | None, limit: int) -> PullResponse:
    scope = principal.scope
    position, reset = (0, 0), False
    if cursor:
        parsed = decode_cursor(cursor)
        if parsed is None or parsed.scope != scope.fingerprint():
            reset = True  # an unreadable cursor or a changed scope: the client starts again from here
        else:
            position = (parsed.txid, parsed.seq)
    rows = await _page(session, scope, position, limit)
    if not rows and position != (0, 0) and not reset and await _beyond_feed(session, position):
        # A cursor from another ledger (or a restored one) would skip changes: start again instead.
        reset, position = True, (0, 0)
        rows = await _page(session, scope, position, limit)
    has_more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        position = (rows[-1][0], rows[-1][1])
    changes = await _latest(session, scope, [(row[2], row[3]) for row in rows])
    return PullResponse(changes=changes, cursor=encode_cursor(*position, scope), has_more=has_more, reset=reset)


async def _page(session: AsyncSession, scope: Scope, position: tuple[int, int], limit: int) -> list[Any]:
    stmt = (select(Change.txid, Change.seq, Change.collection, Change.record_id)
            .where(tuple_(Change.txid, Change.seq) > tuple_(*position), _visible(scope))
            .order_by(Change.txid, Change.seq).limit(limit + 1))
    if not is_postgres(session):
        return list(await session.execute(stmt))
    fenced = stmt.where(Change.txid < FENCE)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FENCE_WAIT_S
    while True:
        rows = list(await session.execute(fenced))
        if len(rows) > limit or loop.time() >= deadline or not await _held_back(session, scope, position, rows):
            return rows
        # Committed changes wait behind an older transaction still in progress; it is usually
        # milliseconds from its commit. Each statement sees a fresh snapshot (READ COMMITTED).
        await session.rollback()
        await asyncio.sleep(0.02)


async def _held_back(session: AsyncSession, scope: Scope, position: tuple[int, int], rows: list[Any]) -> bool:
    after = (rows[-1][0], rows[-1][1]) if rows else position
    stmt = (select(Change.seq).where(tuple_(Change.txid, Change.seq) > tuple_(*after), _visible(scope),
                                     Change.txid >= FENCE).limit(1))
    return (await session.scalar(stmt)) is not None


async def _beyond_feed(session: AsyncSession, position: tuple[int, int]) -> bool:
    last = (await session.execute(select(func.max(Change.txid), func.max(Change.seq)))).one()
    return last[1] is None or position[1] > last[1] or position[0] > (last[0] or 0)


async def _latest(session: AsyncSession, scope: Scope, keys: list[tuple[str, str]]) -> list[ChangeOut]:
    """Each record once, as its latest state; a record now outside the caller's scope as ``removed``."""
    order: dict[tuple[str, str], None] = dict.fromkeys(keys)
    by_collection: dict[str, list[str]] = {}
    for collection, record_id in order:
        by_collection.setdefault(collection, []).append(record_id)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for collection, ids in by_collection.items():
        table = TABLES[collection]
        columns = [table.c[name] for name in OUT_COLUMNS[collection]]
        for row in await session.execute(select(*columns).where(table.c.id.in_(ids))):
            record = record_out(collection, row)
            found[(collection, record["id"])] = record
    out = []
    for key in order:
        record = found.get(key)
        if record is None:
            continue
        if not scope.covers(record["area_id"]):
            record = {"id": key[1], "removed": True}
        out.append(ChangeOut(collection=key[0], record=record))
    return out
