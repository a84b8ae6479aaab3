"""A small test town: one town, two villages, three grids and the five roles.

    T (town)
    |- V1 (village): G1 (grid), G2 (grid)
    `- V2 (village): G3 (grid)

admin: everything; supervisor: T; mediator: V1; worker1: G1; worker2: G3.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field

from litestar.testing import AsyncTestClient
from sqlalchemy import insert, text

from server.auth import hash_password
from server.clock import utcnow
from server.db import Database
from server.models import Area, Base, User, UserArea

PASSWORD = "correct-horse-battery"
NS = uuid.UUID("6f1c1c1e-0000-4000-8000-000000000000")


def sid(name: str) -> str:
    """A stable id for a seeded name."""
    return str(uuid.uuid5(NS, name))


AREAS = [("T", None, "town"), ("V1", "T", "village"), ("V2", "T", "village"),
         ("G1", "V1", "grid"), ("G2", "V1", "grid"), ("G3", "V2", "grid")]
USERS = [("admin", "admin", []), ("supervisor", "supervisor", ["T"]), ("mediator", "mediator", ["V1"]),
         ("worker1", "field_worker", ["G1"]), ("worker2", "field_worker", ["G3"])]


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


async def reset(db: Database) -> None:
    """Empty every table (PostgreSQL databases are shared by a test process; SQLite files are fresh)."""
    if db.is_sqlite:
        return
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with db.write() as session:
        await session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


async def seed(db: Database) -> None:
    """Reset, then load the test town."""
    await reset(db)
    now = utcnow()
    async with db.write() as session:
        await session.execute(insert(Area), [
            {"id": sid(code), "parent_id": sid(parent) if parent else None, "kind": kind, "name": f"Area {code}",
             "code": code, "boundary": None, "created_at": now} for code, parent, kind in AREAS])
        await session.execute(insert(User), [
            {"id": sid(name), "username": name, "display_name": name.title(), "role": role,
             "password_hash": _password_hash(), "disabled": False, "created_at": now} for name, role, _ in USERS])
        links = [{"user_id": sid(name), "area_id": sid(code)} for name, _, codes in USERS for code in codes]
        await session.execute(insert(UserArea), links)


@dataclass
class Ledger:
    """Signs in as seeded users and remembers their tokens."""

    client: AsyncTestClient
    tokens: dict[str, dict] = field(default_factory=dict)

    area = staticmethod(sid)
    user_id = staticmethod(sid)

    async def login(self, username: str, device_name: str = "test phone") -> dict:
        r = await self.client.post("/api/auth/login", json={"username": username, "password": PASSWORD,
                                                            "device_name": device_name})
        assert r.status_code == 200, r.text
        return r.json()

    async def headers(self, username: str) -> dict[str, str]:
        """Authorization headers for ``username`` (one device per user per test)."""
        if username not in self.tokens:
            self.tokens[username] = await self.login(username)
        return {"Authorization": f"Bearer {self.tokens[username]['token']}"}

    async def device_id(self, username: str) -> str:
        await self.headers(username)
        return self.tokens[username]["device_id"]
