"""A real HTTP server on loopback for the tuspy client, and linking photos to records through sync push."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from litestar.testing import AsyncTestClient
from tusclient import client as tus_client

from server.db import Database
from server.settings import Settings
from tests.live import serve
from tests.seed import PASSWORD, Ledger, sid


@dataclass
class LiveServer:
    """The app served by uvicorn in a thread; signs in over HTTP like a phone."""

    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            r = requests.post(f"{self.url}/api/auth/login", timeout=10,
                              json={"username": username, "password": PASSWORD, "device_name": "tuspy"})
            r.raise_for_status()
            self.tokens[username] = r.json()["token"]
            self.devices[username] = r.json()["device_id"]
        return self.tokens[username]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def link_photo(self, photo_id: str, area: str = "G1", *, user: str = "worker1", archived: bool = False) -> None:
        """Link ``photo_id`` to a new household in ``area`` through POST /api/sync/push."""
        r = requests.post(f"{self.url}/api/sync/push", headers=self.auth(user), timeout=10, json={
            "device_id": self.devices[user], "mutations": link_mutations(photo_id, sid(area), archived=archived)})
        _check_applied(r.status_code, r.json())

    def tus(self, username: str) -> tus_client.TusClient:
        return tus_client.TusClient(f"{self.url}/api/uploads", headers=self.auth(username))

    def get(self, path: str, username: str, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
        return requests.get(f"{self.url}{path}", headers={**self.auth(username), **kw.pop("headers", {})},
                            timeout=10, **kw)


@pytest.fixture
def live(settings: Settings, db: Database) -> Iterator[LiveServer]:
    """uvicorn on a free loopback port, serving ``create_app(settings)`` over the seeded ledger."""
    with serve(settings) as base_url:
        yield LiveServer(base_url)


def link_mutations(photo_id: str, area_id: str, *, archived: bool = False) -> list[dict[str, Any]]:
    """Push mutations that create a household in ``area_id`` and a photo record ``photo_id`` linking it."""
    household_id = str(uuid.uuid4())
    at = "2026-11-24T09:30:00+08:00"
    mutations = [
        {"id": str(uuid.uuid4()), "collection": "households", "record_id": household_id, "op": "create",
         "base_version": None, "at": at,
         "fields": {"area_id": area_id, "address": "3 Lane Road", "head_name": "Li", "lat": 30.1, "lon": 120.2}},
        {"id": str(uuid.uuid4()), "collection": "photos", "record_id": photo_id, "op": "create",
         "base_version": None, "at": at,
         "fields": {"record": {"collection": "households", "id": household_id}, "caption": "boundary wall",
                    "taken_at": at, "lat": 30.1, "lon": 120.2, "accuracy_m": 8.0}},
    ]
    if archived:
        mutations.append({"id": str(uuid.uuid4()), "collection": "photos", "record_id": photo_id, "op": "update",
                          "base_version": 1, "at": at, "fields": {"archived": True}})
    return mutations


def _check_applied(status: int, body: Any) -> None:
    assert status == 200, body
    assert all(r["status"] == "applied" for r in body["results"]), body


async def link_photo(client: AsyncTestClient, ledger: Ledger, photo_id: str, area: str = "G1", *,
                     user: str = "worker1", archived: bool = False) -> None:
    """Link ``photo_id`` to a new household in ``area`` through POST /api/sync/push, as a phone does."""
    r = await client.post("/api/sync/push", headers=await ledger.headers(user), json={
        "device_id": await ledger.device_id(user), "mutations": link_mutations(photo_id, sid(area), archived=archived)})
    _check_applied(r.status_code, r.json())
