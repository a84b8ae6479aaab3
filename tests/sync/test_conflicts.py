"""Conflicts API (sync-protocol.md section 5): who sees them, resolution through the engine, 409 twice."""

from __future__ import annotations

from sqlalchemy import select

from server.models import AuditEntry
from tests.sync.helpers import dispute, mutation, new_id, pull_all, push, push_one


async def _clash(client, ledger) -> tuple[str, dict]:
    """worker1 sets status, the mediator sets it too from the same base: one conflict, the mediator's."""
    did = new_id()
    worker, mediator = await ledger.headers("worker1"), await ledger.headers("mediator")
    await push_one(client, worker, mutation("disputes", did, dispute(ledger.area("G1"))))
    await push_one(client, worker, mutation("disputes", did, {"status": "assigned"}, op="update", base=1))
    r = await push_one(client, mediator, mutation("disputes", did, {"status": "in_mediation"}, op="update", base=1))
    assert r["status"] == "conflict"
    return did, r


async def _listed(client, headers, status="open") -> list[dict]:
    r = await client.get("/api/conflicts", headers=headers, params={"status": status} if status else {})
    assert r.status_code == 200, r.text
    return r.json()["conflicts"]


async def test_who_sees_a_conflict(client, ledger):
    did, result = await _clash(client, ledger)
    [c] = await _listed(client, await ledger.headers("supervisor"))
    assert set(c) >= {"id", "collection", "record_id", "field", "base", "server", "client", "mutation_id",
                      "device_id", "user_id", "created_at", "status"}
    assert (c["id"], c["record_id"], c["field"], c["status"]) == (result["conflicts"][0]["conflict_id"], did,
                                                                  "status", "open")
    assert (c["base"], c["server"], c["client"]) == ("reported", "assigned", "in_mediation")
    assert c["user_id"] == ledger.user_id("mediator") and c["mutation_id"] == result["id"]
    assert (c["user_name"], c["device_name"]) == ("Mediator", "test phone")
    assert len(await _listed(client, await ledger.headers("admin"))) == 1
    assert len(await _listed(client, await ledger.headers("mediator"))) == 1  # their own
    assert await _listed(client, await ledger.headers("worker1")) == []  # not theirs
    assert await _listed(client, await ledger.headers("worker2")) == []
    assert await _listed(client, await ledger.headers("supervisor"), "resolved") == []
    r = await client.get("/api/conflicts", headers=await ledger.headers("supervisor"), params={"status": "maybe"})
    assert r.status_code == 400 and "status" in r.json()["detail"]


async def test_resolving_writes_a_new_version_that_pull_sends(client, ledger, db):
    did, result = await _clash(client, ledger)
    conflict_id = result["conflicts"][0]["conflict_id"]
    supervisor = await ledger.headers("supervisor")
    worker = await ledger.headers("worker1")
    _, cursor, _ = await pull_all(client, worker)
    r = await client.post(f"/api/conflicts/{conflict_id}/resolve", headers=supervisor,
                          json={"value": "in_mediation"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["conflict"]["status"] == "resolved" and body["conflict"]["resolved_by"] == ledger.user_id("supervisor")
    assert body["conflict"]["resolved_value"] == "in_mediation" and body["conflict"]["resolved_at"]
    assert body["record"]["status"] == "in_mediation" and body["record"]["version"] == 4
    assert body["record"]["conflicts"] == 0
    changes, _, _ = await pull_all(client, worker, cursor)
    assert [c["record"]["version"] for c in changes] == [4]
    assert changes[0]["record"]["status"] == "in_mediation"
    assert await _listed(client, supervisor) == []
    assert len(await _listed(client, supervisor, None)) == 1
    async with db.read() as session:
        actions = (await session.scalars(select(AuditEntry.action).where(AuditEntry.record_id == did))).all()
    assert "resolve_conflict" in actions

    again = await client.post(f"/api/conflicts/{conflict_id}/resolve", headers=supervisor, json={"value": "x"})
    assert again.status_code == 409 and "already resolved" in again.json()["detail"]


async def test_keeping_the_ledger_value_still_closes_the_conflict_in_a_new_version(client, ledger):
    _, result = await _clash(client, ledger)
    r = await client.post(f"/api/conflicts/{result['conflicts'][0]['conflict_id']}/resolve",
                          headers=await ledger.headers("admin"), json={"value": "assigned"})
    assert r.status_code == 200, r.text
    assert r.json()["record"]["conflicts"] == 0 and r.json()["record"]["version"] == 4


async def test_only_supervisors_and_admins_resolve_and_only_valid_values(client, ledger):
    _, result = await _clash(client, ledger)
    conflict_id = result["conflicts"][0]["conflict_id"]
    r = await client.post(f"/api/conflicts/{conflict_id}/resolve", headers=await ledger.headers("mediator"),
                          json={"value": "resolved"})
    assert r.status_code == 403
    supervisor = await ledger.headers("supervisor")
    r = await client.post(f"/api/conflicts/{conflict_id}/resolve", headers=supervisor, json={"value": "purple"})
    assert r.status_code == 400 and "`status`" in r.json()["detail"]
    assert len(await _listed(client, supervisor)) == 1  # still open: nothing was written
    r = await client.post(f"/api/conflicts/{conflict_id}/resolve", headers=supervisor, json={})
    assert r.status_code == 400 and "value" in str(r.json())
    r = await client.post(f"/api/conflicts/{new_id()}/resolve", headers=supervisor, json={"value": "x"})
    assert r.status_code == 404


async def test_the_list_pages_oldest_first_with_a_cursor(client, ledger):
    worker, mediator = await ledger.headers("worker1"), await ledger.headers("mediator")
    supervisor = await ledger.headers("supervisor")
    ids = [new_id() for _ in range(5)]
    await push(client, worker, [mutation("disputes", d, dispute(ledger.area("G1"))) for d in ids]
               + [mutation("disputes", d, {"status": "assigned"}, op="update", base=1) for d in ids])
    # one push: five conflicts written at the same instant, so the id breaks the tie
    clashed = await push(client, mediator, [mutation("disputes", d, {"status": "in_mediation"}, op="update", base=1)
                                            for d in ids])
    assert [r["status"] for r in clashed] == ["conflict"] * 5
    await _clash(client, ledger)  # a sixth, later
    everything = await _listed(client, supervisor)
    assert len(everything) == 6
    assert everything == sorted(everything, key=lambda c: (c["created_at"], c["id"]))

    pages, cursor = [], None
    while True:
        r = await client.get("/api/conflicts", headers=supervisor,
                             params={"status": "open", "limit": 4} | ({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.text
        page = r.json()
        pages.append([c["id"] for c in page["conflicts"]])
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert pages == [[c["id"] for c in everything[:4]], [c["id"] for c in everything[4:]]]
    # the last cursor asks for what came after: nothing yet
    r = await client.get("/api/conflicts", headers=supervisor, params={"cursor": cursor})
    assert r.json() == {"conflicts": [], "cursor": cursor, "has_more": False}

    for params, word in (({"cursor": "not-a-cursor"}, "cursor"), ({"limit": 0}, "limit"), ({"limit": 2001}, "limit")):
        r = await client.get("/api/conflicts", headers=supervisor, params=params)
        assert r.status_code == 400 and word in r.json()["detail"], r.text
