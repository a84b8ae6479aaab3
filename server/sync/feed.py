"""Pull: the change feed read through an opaque cursor, scope-filtered, latest state once per page.

The feed is read in (txid, seq) order. On SQLite txid is 0 and writers are serial, so seq order is commit
order. On PostgreSQL a sequence value is taken at insert time but becomes visible at commit, so a reader
going by seq alone could pass over a row whose transaction commits later. Each change row therefore
records its writer's transaction id, and pull serves only rows below a fence F that no transaction still
able to add rows can go under:

1. one statement takes a snapshot S1 and, after it, the transaction ids of the sessions connected to this
   database (pg_stat_activity); F is the smallest id in S1's in-progress list that belongs to one of them,
   or S1's xmax when there is none;
2. a later statement (a fresh snapshot S2) reads the rows with txid < F.

A transaction that could still add a row under F after S2 had its id before S1, so was in progress at S1
and when pg_stat_activity was read; if it is in this database it set F. Transactions in other databases
of the cluster cannot write here, so they never hold the feed back (pg_snapshot_xmin alone would).
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
from server.sync.records import read_out
from server.sync.store import is_postgres

CURSOR_VERSION = 1
# backend_xid is a 32-bit xid; the snapshot's ids are 64-bit xid8: compare the low 32 bits.
FENCE_SQL = text("""
SELECT coalesce(
  (SELECT min(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
    WHERE (x::text::bigint % 4294967296)::text IN (
      SELECT backend_xid::text FROM pg_stat_activity
       WHERE datname = current_database() AND backend_xid IS NOT NULL)),
  pg_snapshot_xmax(pg_current_snapshot())::text::bigint)
""")
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
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FENCE_WAIT_S
    while True:
        fence = await _fence(session)
        rows = list(await session.execute(stmt.where(Change.txid < fence)))
        if len(rows) > limit or loop.time() >= deadline or not await _held_back(session, scope, position, rows,
                                                                                 fence):
            return rows
        # Committed changes wait behind an older transaction of this database still in progress;
        # it is usually milliseconds from its commit.
        await session.rollback()
        await asyncio.sleep(0.02)


async def _fence(session: AsyncSession) -> int:
    # The activity view is cached per transaction: clear it so it is read after this statement's snapshot.
    await session.execute(text("SELECT pg_stat_clear_snapshot()"))
    return int(await session.scalar(FENCE_SQL))  # type: ignore[arg-type]


async def _held_back(session: AsyncSession, scope: Scope, position: tuple[int, int], rows: list[Any],
                     fence: int) -> bool:
    after = (rows[-1][0], rows[-1][1]) if rows else position
    stmt = (select(Change.seq).where(tuple_(Change.txid, Change.seq) > tuple_(*after), _visible(scope),
                                     Change.txid >= fence).limit(1))
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
        for record in await read_out(session, collection, ids):
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
