"""Small builders for sync tests: mutations, pushes and pulls through the real HTTP stack."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient


def new_id() -> str:
    return str(uuid.uuid4())


def mutation(collection: str, record_id: str, fields: dict[str, Any], *, op: str = "create",
             base: int | None = None, mutation_id: str | None = None) -> dict[str, Any]:
    return {"id": mutation_id or new_id(), "collection": collection, "record_id": record_id, "op": op,
            "base_version": base, "fields": fields, "at": "2026-11-24T09:30:00+08:00"}


def household(area: str, **fields: Any) -> dict[str, Any]:
    return {"area_id": area, "address": "1 Well Lane", "head_name": "Li Wei", "lat": 30.1, "lon": 120.2} | fields


def dispute(area: str, **fields: Any) -> dict[str, Any]:
    return {"area_id": area, "household_ids": [], "title": "Boundary wall", "category": "neighbour",
            "risk": "yellow", "status": "reported", "parties": []} | fields


def visit(household_id: str, **fields: Any) -> dict[str, Any]:
    return {"household_id": household_id, "visited_at": "2026-11-24T09:30:00+08:00", "outcome": "met",
            "notes": "ok"} | fields


async def push(client: AsyncTestClient, headers: dict[str, str], mutations: list[dict[str, Any]],
               status: int = 200) -> list[dict[str, Any]]:
    r = await client.post("/api/sync/push", headers=headers, json={"device_id": "x", "mutations": mutations})
    assert r.status_code == status, r.text
    return r.json()["results"] if status == 200 else r.json()


async def push_one(client: AsyncTestClient, headers: dict[str, str], m: dict[str, Any]) -> dict[str, Any]:
    return (await push(client, headers, [m]))[0]


async def pull_all(client: AsyncTestClient, headers: dict[str, str], cursor: str | None = None,
                   limit: int = 500) -> tuple[list[dict[str, Any]], str, bool]:
    """Follow the feed until has_more is false: (changes, last cursor, whether any page said reset)."""
    changes: list[dict[str, Any]] = []
    reset = False
    for _ in range(10_000):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        r = await client.get("/api/sync/pull", headers=headers, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        reset = reset or page.get("reset", False)
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, cursor, reset
    raise AssertionError("the feed never ended")


def replay_into(local: dict[tuple[str, str], dict[str, Any]], changes: list[dict[str, Any]]) -> None:
    """Apply pulled changes to a client's local copy, as the field app does."""
    for change in changes:
        key = (change["collection"], change["record"]["id"])
        if change["record"].get("removed"):
            local.pop(key, None)
        else:
            local[key] = change["record"]
