"""The engine's batched statements fail the way SQLAlchemy's own do, on either database."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.models import Area, Change
from server.sync import rows, store


async def _changes(db) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count(Change.seq)))


async def test_a_failing_statement_raises_integrity_error_and_the_whole_batch_rolls_back(db):
    before = await _changes(db)
    table = Change.__table__
    columns = store.LOG_COLUMNS[Change]
    row = ("visits", "v-1", None, None, 1, 0)
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            writes = rows.Writes(session)
            writes.insert(table, columns, [row])
            # version is NOT NULL: the second statement fails after the first ran in the same transaction
            writes.insert(table, columns, [("visits", "v-2", None, None, None, 0)])
            await writes.run()
    assert await _changes(db) == before


async def test_reads_sent_together_come_back_per_query_and_converted(db):
    async with db.read() as session:
        area_ids = sorted((await session.scalars(select(Area.id))).all())
        found = await rows.select_many(session, [
            rows.Select(Change.__table__, ("seq",), "collection", []),  # nothing asked: no statement
            rows.Select(Area.__table__, ("id", "created_at"), "id", [area_ids[0], "missing"]),
            rows.Select(Area.__table__, ("id",), "id", area_ids),
        ])
    assert found[0] == []
    [(area_id, created_at)] = found[1]
    assert area_id == area_ids[0] and isinstance(created_at, datetime) and created_at.tzinfo is not None
    assert sorted(r[0] for r in found[2]) == area_ids
