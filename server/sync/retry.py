"""Run a write transaction again when PostgreSQL aborts it as a deadlock victim or a serialisation failure.

The engine takes its advisory locks up front in sorted order, but a move (children locked later) or a
conflict resolution (record locked first) may still meet another batch the other way round; PostgreSQL
then aborts one of them. Nothing of an aborted transaction was committed, so running it again is safe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
RETRYABLE = {"40P01", "40001"}  # deadlock_detected, serialization_failure
ATTEMPTS = 4


def retryable(error: DBAPIError) -> bool:
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code in RETRYABLE


async def write(db: Any, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """``work`` in one committed write transaction, tried again (up to ATTEMPTS) when aborted by the database."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with db.write() as session:
                return await work(session)
        except DBAPIError as e:
            if attempt == ATTEMPTS or not retryable(e):
                raise
            await asyncio.sleep(0.02 * attempt)
    raise AssertionError("unreachable")
