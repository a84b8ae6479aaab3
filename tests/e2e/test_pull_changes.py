"""What pull says beyond new records: a household moved out of my area leaves the phone (`removed`),
and a change of my own areas replaces the phone's copy (`reset`)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from .helpers import api_login, api_pull_all, sign_in

pytestmark = pytest.mark.e2e


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _me(server: str, token: str) -> dict:
    return httpx.get(f"{server}/api/me", headers=_auth(token), timeout=10).json()


def _listed(page, server: str, household_ids: list[str], expected: bool, timeout: float = 30.0) -> None:
    """Sync, open the household list, and wait until each id is (or is not) on it."""
    deadline = time.monotonic() + timeout
    while True:
        page.click("[data-action=sync-now]")
        page.wait_for_timeout(500)
        page.click("[data-action=households]")
        page.wait_for_selector("[data-household-id]", state="attached")
        shown = [page.locator(f"[data-household-id='{i}']").count() > 0 for i in household_ids]
        if all(s == expected for s in shown):
            return
        assert time.monotonic() < deadline, f"households {household_ids} shown: {shown}, expected {expected}"


def test_a_moved_household_leaves_and_new_areas_replace_the_copy(server, phone):
    page = phone().new_page()
    sign_in(page, server, "worker1")
    admin = api_login(server, "admin")
    worker1, worker2 = api_login(server, "worker1"), api_login(server, "worker2")
    me1 = _me(server, worker1)
    their_grid = _me(server, worker2)["user"]["area_ids"][0]
    mine = sorted(api_pull_all(server, worker1)["households"].values(), key=lambda h: h["address"])
    moved, stays = mine[0], mine[1]
    _listed(page, server, [moved["id"], stays["id"]], expected=True)

    # An admin moves one household to worker2's grid: worker1's phone is told it is removed.
    r = httpx.post(f"{server}/api/sync/push", headers=_auth(admin), timeout=10, json={
        "device_id": "console", "mutations": [{
            "id": str(uuid.uuid4()), "collection": "households", "record_id": moved["id"], "op": "update",
            "base_version": moved["version"], "fields": {"area_id": their_grid}, "at": None}]})
    assert r.json()["results"][0]["status"] == "applied", r.text
    _listed(page, server, [moved["id"]], expected=False)
    _listed(page, server, [stays["id"]], expected=True)

    # worker1 is reassigned to worker2's grid: the phone's copy is replaced by that grid's households.
    r = httpx.patch(f"{server}/api/users/{me1['user']['id']}", headers=_auth(admin), timeout=10,
                    json={"area_ids": [their_grid]})
    assert r.status_code == 200, r.text
    _listed(page, server, [moved["id"]], expected=True)
    _listed(page, server, [stays["id"]], expected=False)
