"""Fixtures for the report tests: the small town of ``town.py`` pushed through the real sync path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reports.town import Town, build, today
from tests.seed import PASSWORD


async def push(client: Any, ledger: Any, username: str, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Push ``mutations`` as ``username`` and insist every one is applied."""
    results: list[dict[str, Any]] = []
    for start in range(0, len(mutations), 500):
        r = await client.post("/api/sync/push", headers=await ledger.headers(username),
                              json={"device_id": await ledger.device_id(username),
                                    "mutations": mutations[start:start + 500]})
        assert r.status_code == 200, r.text
        results += r.json()["results"]
    bad = [r for r in results if r["status"] != "applied"]
    assert not bad, bad
    return results


@pytest.fixture
async def town(client, ledger) -> Town:
    data, pushes = build(today())
    for who in ("admin", "worker1", "mediator", "worker2", "admin_late"):
        await push(client, ledger, who.removesuffix("_late"), pushes[who])
    return data


@pytest.fixture
async def village_supervisor(client, ledger) -> dict[str, str]:
    """Headers of a supervisor of V2 only, created the way an admin does it."""
    r = await client.post("/api/users", headers=await ledger.headers("admin"),
                          json={"username": "sup_v2", "role": "supervisor", "password": PASSWORD,
                                "area_ids": [ledger.area("V2")]})
    assert r.status_code in (200, 201), r.text
    login = await ledger.login("sup_v2")
    return {"Authorization": f"Bearer {login['token']}"}
