"""A record's history: every applied change with who, when and from which device, scoped like the record."""

from __future__ import annotations

from tests.sync.helpers import dispute, mutation, new_id, push_one


async def test_history_lists_changes_in_order_with_clashes_apart(client, ledger):
    worker, mediator = await ledger.headers("worker1"), await ledger.headers("mediator")
    case = new_id()
    await push_one(client, worker, mutation("disputes", case, dispute(ledger.area("G1"))))
    await push_one(client, worker, mutation("disputes", case, {"status": "assigned", "office": "司法所"},
                                            op="update", base=1))
    r = await push_one(client, mediator, mutation("disputes", case, {"status": "in_mediation", "risk": "red"},
                                                  op="update", base=1))
    assert r["status"] == "conflict"
    rejected = await push_one(client, worker, mutation("disputes", case, {"risk": "purple"}, op="update", base=3))
    assert rejected["status"] == "rejected"

    body = (await client.get(f"/api/records/disputes/{case}/history", headers=worker)).json()["history"]
    assert [(e["version"], e["op"], e["fields"], e["conflicts"]) for e in body] == [
        (1, "create", sorted(dispute(ledger.area("G1"))), []),
        (2, "update", ["office", "status"], []),
        (3, "update", ["risk"], ["status"]),
    ]
    assert [e["user_name"] for e in body] == ["Worker1", "Worker1", "Mediator"]
    assert body[0]["device_name"] == "test phone" and body[0]["at"] == "2026-11-24T09:30:00+08:00"


async def test_history_is_scoped_like_the_record(client, ledger):
    case = new_id()
    await push_one(client, await ledger.headers("worker1"), mutation("disputes", case, dispute(ledger.area("G1"))))
    r = await client.get(f"/api/records/disputes/{case}/history", headers=await ledger.headers("worker2"))
    assert r.status_code == 404
    r = await client.get(f"/api/records/disputes/{new_id()}/history", headers=await ledger.headers("admin"))
    assert r.status_code == 404
    r = await client.get(f"/api/records/nonsense/{case}/history", headers=await ledger.headers("admin"))
    assert r.status_code == 404
    r = await client.get(f"/api/records/disputes/{case}/history", headers=await ledger.headers("supervisor"))
    assert r.status_code == 200 and len(r.json()["history"]) == 1
