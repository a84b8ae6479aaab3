"""A real HTTP server on loopback for the tuspy client, and helpers to link photos to records."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
import uvicorn
from sqlalchemy import insert
from tusclient import client as tus_client

from server.app import create_app
from server.clock import utcnow
from server.db import Database
from server.models import Household, Photo
from server.settings import Settings
from tests.seed import PASSWORD, sid


@dataclass
class LiveServer:
    """The app served by uvicorn in a thread; signs in over HTTP like a phone."""

    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            r = requests.post(f"{self.url}/api/auth/login", timeout=10,
                              json={"username": username, "password": PASSWORD, "device_name": "tuspy"})
            r.raise_for_status()
            self.tokens[username] = r.json()["token"]
        return self.tokens[username]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def tus(self, username: str) -> tus_client.TusClient:
        return tus_client.TusClient(f"{self.url}/api/uploads", headers=self.auth(username))

    def get(self, path: str, username: str, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
        return requests.get(f"{self.url}{path}", headers={**self.auth(username), **kw.pop("headers", {})},
                            timeout=10, **kw)


@pytest.fixture
def live(settings: Settings, db: Database) -> Iterator[LiveServer]:
    """uvicorn on a free loopback port, serving ``create_app(settings)`` over the seeded ledger."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), lifespan="on", log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    yield LiveServer(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)
    sock.close()


async def link_photo(db: Database, photo_id: str, area: str = "G1", *, archived: bool = False) -> str:
    """A household in ``area`` and a photo record ``photo_id`` linking it; returns the household id.

    Inserted directly until the sync engine's push exists; then this goes through POST /api/sync/push.
    """
    now = utcnow()
    household_id = str(uuid.uuid4())
    common = {"area_id": sid(area), "version": 1, "created_at": now, "updated_at": now,
              "created_by": sid("worker1"), "updated_by": sid("worker1"), "conflicts": 0, "field_meta": {}}
    async with db.write() as session:
        await session.execute(insert(Household).values(id=household_id, address="3 Lane Road", head_name="Li",
                                                       archived=False, **common))
        await session.execute(insert(Photo).values(id=photo_id, record_collection="households",
                                                   record_id=household_id, caption="wall", archived=archived,
                                                   **common))
    return household_id
