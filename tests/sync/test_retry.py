"""A write aborted by PostgreSQL as a deadlock victim runs again; other errors do not."""

from __future__ import annotations

from contextlib import asynccontextmanager

import pytest
from sqlalchemy.exc import DBAPIError

from server.sync import retry


class _Orig(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


class _Db:
    def __init__(self):
        self.opened = 0

    @asynccontextmanager
    async def write(self):
        self.opened += 1
        yield self


def _error(code: str) -> DBAPIError:
    return DBAPIError("UPDATE ...", {}, _Orig(code))


async def test_a_deadlock_victim_is_run_again():
    db, calls = _Db(), []

    async def work(session):
        calls.append(session)
        if len(calls) < 3:
            raise _error("40P01")
        return "done"

    assert await retry.write(db, work) == "done"
    assert db.opened == 3


async def test_other_database_errors_are_not_retried():
    db = _Db()

    async def work(session):
        raise _error("23505")

    with pytest.raises(DBAPIError):
        await retry.write(db, work)
    assert db.opened == 1


async def test_it_gives_up_after_a_few_attempts():
    db = _Db()

    async def work(session):
        raise _error("40001")

    with pytest.raises(DBAPIError):
        await retry.write(db, work)
    assert db.opened == retry.ATTEMPTS
