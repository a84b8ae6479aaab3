"""No pull ever skips a change, even when PostgreSQL transactions commit out of the order in which they
took their sequence numbers (the outbox pitfall), proven with interleaved and concurrent writers."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select, text

from server.auth import Principal
from server.models import Change
from server.scope import Scope
from server.sync import feed
from server.sync.apply import apply_batch
from server.sync.protocol import MutationIn
from tests.seed import sid
from tests.sync.helpers import household, new_id

ADMIN = Principal(sid("admin"), "admin", "Admin", "admin", "fence-test", (), Scope(None))


def _create() -> MutationIn:
    return MutationIn(id=new_id(), collection="households", record_id=new_id(), op="create",
                      fields=household(sid("G1")))


async def _pull(db, cursor=None) -> tuple[list[str], str, bool]:
    async with db.read() as session:
        page = await feed.pull(session, ADMIN, cursor, 1000)
    return [c.record["id"] for c in page.changes], page.cursor, page.has_more


async def _seq(db, record_id: str) -> int:
    async with db.read() as session:
        return await session.scalar(select(Change.seq).where(Change.record_id == record_id))


@pytest.fixture
def quick_fence(monkeypatch):
    monkeypatch.setattr(feed, "FENCE_WAIT_S", 0.1)


async def test_an_earlier_sequence_committed_later_is_not_skipped(db, quick_fence):
    if db.is_sqlite:
        pytest.skip("SQLite writers are serial: commit order is sequence order")
    a, b = _create(), _create()
    async with db.write() as first:
        await apply_batch(first, ADMIN, [a])  # takes its sequence number now, commits last
        async with db.write() as second:
            await apply_batch(second, ADMIN, [b])
        assert await _seq(db, b.record_id) is not None  # b is committed and visible
        seen, cursor, _ = await _pull(db)
        assert seen == []  # b waits behind a: serving it would move the cursor past a's sequence number
    assert await _seq(db, a.record_id) < await _seq(db, b.record_id)
    seen, _, has_more = await _pull(db, cursor)
    assert seen == [a.record_id, b.record_id] and not has_more


async def test_an_older_transaction_that_writes_later_is_not_skipped(db, quick_fence):
    if db.is_sqlite:
        pytest.skip("SQLite writers are serial: commit order is sequence order")
    a, b = _create(), _create()
    async with db.write() as older:
        await older.execute(text("SELECT pg_current_xact_id()"))  # the older transaction id
        async with db.write() as younger:
            await apply_batch(younger, ADMIN, [a])
        seen, cursor, _ = await _pull(db)
        assert seen == []
        await apply_batch(older, ADMIN, [b])  # a later sequence number, an older transaction id
    seen, _, _ = await _pull(db, cursor)
    assert seen == [b.record_id, a.record_id]


async def test_a_reader_following_concurrent_writers_sees_every_change(db, quick_fence):
    created: list[str] = []
    done = asyncio.Event()
    rng = random.Random(7)

    async def writer(n: int) -> None:
        for _ in range(n):
            batch = [_create() for _ in range(3)]
            async with db.write() as session:
                await apply_batch(session, ADMIN, batch)
                # Hold the transaction open a moment, so commits land out of sequence order.
                await asyncio.sleep(rng.random() * 0.02)
            created.extend(m.record_id for m in batch)

    async def reader() -> set[str]:
        seen: set[str] = set()
        cursor = None
        while True:
            finished = done.is_set()
            while True:
                ids, cursor, has_more = await _pull(db, cursor)
                seen.update(ids)
                if not has_more:
                    break
            if finished:
                return seen
            await asyncio.sleep(0.005)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(12) for _ in range(6)))
    done.set()
    seen = await reading
    assert len(created) == 6 * 12 * 3
    assert set(created) <= seen


async def test_the_same_push_sent_twice_at_once_applies_once(db):
    """A phone that times out and retries while the first request still runs gets the first results back."""
    target = _create()
    batch = [_create() for _ in range(50)] + [target] + [
        MutationIn(id=new_id(), collection="households", record_id=target.record_id, op="update", base_version=1,
                   fields={"head_name": "Qian"})]

    async def push() -> list:
        async with db.write() as session:
            return await apply_batch(session, ADMIN, batch)

    first, second = await asyncio.gather(push(), push())
    assert {r.replayed for r in first} != {r.replayed for r in second}
    assert [r.version for r in first] == [r.version for r in second]
    async with db.read() as session:
        assert await session.scalar(select(func.count(Change.seq))) == 51
