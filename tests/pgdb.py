"""Throwaway PostgreSQL databases on the server a URL names, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
from sqlalchemy.engine import make_url


def asyncpg_dsn(url: str, database: str | None = None) -> str:
    """The URL as asyncpg takes it, optionally naming another database on the same server."""
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def scratch_database(url: str, prefix: str) -> Iterator[str]:
    """Create an empty database beside the one ``url`` names, yield its URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
