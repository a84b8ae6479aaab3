"""Push (sync-protocol.md section 3): statuses, exactly once, validation, derived areas, order, log and audit."""

from __future__ import annotations

from sqlalchemy import func, select

from server.models import AuditEntry, Change, Household, Mutation
from tests.sync.helpers import (
    dispute,
    household,
    mutation,
    new_id,
    pull_all,
    push,
    push_one,
    visit,
)


async def _count(db, column, *where) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count(column)).where(*where))


async def test_create_is_applied_and_pulled_with_every_field(client, ledger):
    h = await ledger.headers("worker1")
    hid = new_id()
    r = await push_one(client, h, mutation("households", hid, household(ledger.area("G1"))))
    assert r == {"id": r["id"], "status": "applied", "record_id": hid, "version": 1, "replayed": False,
                 "conflicts": [], "error": None}
    changes, _, _ = await pull_all(client, h)
    record = changes[0]["record"]
    assert changes[0]["collection"] == "households"
    for key in ("id", "version", "area_id", "created_at", "updated_at", "created_by", "updated_by", "archived",
                "conflicts", "address", "head_name", "lat", "lon"):
        assert key in record, key
    assert record["created_by"] == ledger.user_id("worker1")
    assert record["archived"] is False and record["conflicts"] == 0
    assert record["created_at"].endswith("+00:00")
    assert "field_meta" not in record


async def test_a_repeated_push_is_answered_from_the_log_and_changes_nothing(client, ledger, db):
    h = await ledger.headers("worker1")
    hid = new_id()
    batch = [mutation("households", hid, household(ledger.area("G1"))),
             mutation("households", hid, {"address": "2 Well Lane"}, op="update", base=1),
             mutation("households", new_id(), {"address": "no area"})]
    first = await push(client, h, batch)
    assert [r["status"] for r in first] == ["applied", "applied", "rejected"]
    changes = await _count(db, Change.seq)
    again = await push(client, h, batch)
    assert [r | {"replayed": False} for r in again] == first
    assert all(r["replayed"] for r in again)
    assert await _count(db, Change.seq) == changes
    assert await _count(db, Mutation.id) == 3
    pulled, _, _ = await pull_all(client, h)
    assert pulled[0]["record"]["version"] == 2


async def test_the_same_mutation_twice_in_one_push_applies_once(client, ledger):
    h = await ledger.headers("worker1")
    hid = new_id()
    create = mutation("households", hid, household(ledger.area("G1")))
    edit = mutation("households", hid, {"head_name": "Zhang"}, op="update", base=1)
    results = await push(client, h, [create, edit, edit])
    assert [r["replayed"] for r in results] == [False, False, True]
    assert results[2]["version"] == results[1]["version"] == 2


async def test_rejections_name_the_field_and_what_is_allowed(client, ledger):
    h = await ledger.headers("worker1")
    g1 = ledger.area("G1")
    cases = [
        (mutation("disputes", new_id(), dispute(g1, risk="purple")), "invalid_value", ["`risk`", "red, orange"]),
        (mutation("disputes", new_id(), dispute(g1, colour="red")), "unknown_field", ["`colour`"]),
        (mutation("disputes", new_id(), dispute(g1, deadline="next week")), "invalid_value",
         ["`deadline`", "YYYY-MM-DD"]),
        (mutation("disputes", new_id(), dispute(g1, followup_class=4)), "invalid_value", ["`followup_class`"]),
        (mutation("disputes", new_id(), dispute(g1, parties=[{"name": "A", "age": 3}])), "invalid_value",
         ["`parties`"]),
        (mutation("disputes", new_id(), {"area_id": g1, "title": "x", "risk": "red"}), "missing_field",
         ["`category`"]),
        (mutation("disputes", new_id(), dispute(g1, version=3)), "read_only_field", ["`version`"]),
        (mutation("disputes", new_id(), dispute(g1, resolved_at="2026-01-01T00:00:00Z")), "read_only_field",
         ["`resolved_at`"]),
        (mutation("households", new_id(), household(g1, lat=91)), "invalid_value", ["`lat`", "-90"]),
        (mutation("visits", new_id(), visit(new_id(), visited_at="yesterday")), "invalid_value", ["`visited_at`"]),
        (mutation("cats", new_id(), {}), "unknown_collection", ["households"]),
        (mutation("households", new_id(), {}, op="delete"), "invalid_op", ["create or update"]),
        (mutation("households", new_id(), {"address": "x"}, op="update", base=1), "not_found", ["create it"]),
        (mutation("photos", "not-a-hash", {"record": {"collection": "visits", "id": "x"}}), "invalid_id",
         ["SHA-256"]),
    ]
    results = await push(client, h, [m for m, _, _ in cases])
    for result, (_, code, words) in zip(results, cases, strict=True):
        assert result["status"] == "rejected", result
        assert result["error"]["code"] == code, result
        for word in words:
            assert word in result["error"]["message"], result


async def test_a_rejected_mutation_is_kept_and_the_rest_of_the_batch_applies_in_order(client, ledger, db):
    h = await ledger.headers("worker1")
    hid = new_id()
    bad = mutation("households", new_id(), household(ledger.area("G1"), lat="north"))
    batch = [mutation("households", hid, household(ledger.area("G1"))), bad,
             mutation("visits", new_id(), visit(hid))]
    results = await push(client, h, batch)
    assert [r["id"] for r in results] == [m["id"] for m in batch]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    async with db.read() as session:
        row = await session.get(Mutation, bad["id"])
    assert row.status == "rejected" and row.fields["lat"] == "north" and row.at == bad["at"]
    assert row.device_id == await ledger.device_id("worker1")


async def test_creating_an_existing_record_again(client, ledger):
    h = await ledger.headers("worker1")
    hid = new_id()
    fields = household(ledger.area("G1"))
    await push_one(client, h, mutation("households", hid, fields))
    same = await push_one(client, h, mutation("households", hid, fields))
    assert same["status"] == "applied" and same["version"] == 1 and not same["replayed"]
    other = await push_one(client, h, mutation("households", hid, fields | {"address": "elsewhere"}))
    assert other["status"] == "rejected" and other["error"]["code"] == "exists"


async def test_several_mutations_for_one_record_in_one_push(client, ledger):
    h = await ledger.headers("worker1")
    did = new_id()
    results = await push(client, h, [
        mutation("disputes", did, dispute(ledger.area("G1"))),
        mutation("disputes", did, {"status": "assigned"}, op="update", base=1),
        mutation("disputes", did, {"status": "in_mediation"}, op="update", base=2),
        mutation("disputes", did, {"archived": True}, op="update", base=3),
    ])
    assert [r["version"] for r in results] == [1, 2, 3, 4]
    changes, _, _ = await pull_all(client, h)
    assert len(changes) == 1
    assert changes[0]["record"]["status"] == "in_mediation" and changes[0]["record"]["archived"] is True


async def test_derived_areas_come_from_the_parent(client, ledger):
    h = await ledger.headers("worker1")
    g1 = ledger.area("G1")
    hid, vid, did, fid = new_id(), new_id(), new_id(), new_id()
    photo = "a" * 64
    results = await push(client, h, [
        mutation("households", hid, household(g1)),
        mutation("visits", vid, visit(hid, dispute_ids=[did])),
        mutation("disputes", did, dispute(g1, household_ids=[hid])),
        mutation("followups", fid, {"dispute_id": did, "due_on": "2027-01-01", "agreement_kept": None}),
        mutation("photos", photo, {"record": {"collection": "visits", "id": vid}, "kind": "site",
                                   "taken_at": "2026-11-24T09:31:00+08:00"}),
        mutation("visits", new_id(), visit(new_id())),
        mutation("visits", new_id(), visit(hid, area_id=ledger.area("G2"))),
    ])
    assert [r["status"] for r in results] == ["applied"] * 5 + ["rejected"] * 2
    assert "household_id" in results[5]["error"]["message"]
    assert "area_id" in results[6]["error"]["message"]
    changes, _, _ = await pull_all(client, h)
    records = {c["collection"]: c["record"] for c in changes}
    assert {r["area_id"] for r in records.values()} == {g1}
    assert records["photos"]["record"] == {"collection": "visits", "id": vid}
    assert records["followups"]["due_on"] == "2027-01-01"
    assert records["visits"]["dispute_ids"] == [did]


async def test_scope_is_checked_on_every_write_and_a_move_needs_both_areas(client, ledger):
    worker = await ledger.headers("worker1")
    mediator = await ledger.headers("mediator")
    supervisor = await ledger.headers("supervisor")
    hid = new_id()
    r = await push_one(client, worker, mutation("households", new_id(), household(ledger.area("G3"))))
    assert r["error"]["code"] == "out_of_scope"
    assert (await push_one(client, worker, mutation("households", hid, household(ledger.area("G1")))))["version"] == 1
    # worker2 (G3) may not touch a G1 household
    other = await push_one(client, await ledger.headers("worker2"),
                           mutation("households", hid, {"address": "x"}, op="update", base=1))
    assert other["error"]["code"] == "out_of_scope"
    # worker1 may not move it out of G1, the mediator (V1) may move it within V1, not to G3
    r = await push_one(client, worker, mutation("households", hid, {"area_id": ledger.area("G2")}, op="update", base=1))
    assert r["error"]["code"] == "out_of_scope"
    r = await push_one(client, mediator, mutation("households", hid, {"area_id": ledger.area("G3")}, op="update",
                                                  base=1))
    assert r["error"]["code"] == "out_of_scope"
    r = await push_one(client, mediator, mutation("households", hid, {"area_id": ledger.area("G2")}, op="update",
                                                  base=1))
    assert r["status"] == "applied" and r["version"] == 2
    r = await push_one(client, supervisor, mutation("households", hid, {"area_id": ledger.area("G3")}, op="update",
                                                    base=2))
    assert r["status"] == "applied"


async def test_resolved_at_follows_the_status(client, ledger):
    h = await ledger.headers("worker1")
    did = new_id()
    await push_one(client, h, mutation("disputes", did, dispute(ledger.area("G1"), status="resolved")))
    changes, cursor, _ = await pull_all(client, h)
    assert changes[0]["record"]["resolved_at"]
    await push_one(client, h, mutation("disputes", did, {"status": "in_mediation"}, op="update", base=1))
    changes, cursor, _ = await pull_all(client, h, cursor)
    assert changes[0]["record"]["resolved_at"] is None
    await push_one(client, h, mutation("disputes", did, {"status": "resolved"}, op="update", base=2))
    changes, _, _ = await pull_all(client, h, cursor)
    assert changes[0]["record"]["resolved_at"]


async def test_changes_and_audit_are_written_with_the_records(client, ledger, db):
    h = await ledger.headers("worker1")
    hid = new_id()
    await push(client, h, [mutation("households", hid, household(ledger.area("G1"))),
                           mutation("households", hid, {"head_name": "Zhao"}, op="update", base=1)])
    async with db.read() as session:
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.record_id == hid)
                                       .order_by(AuditEntry.id))).all()
        household_row = await session.get(Household, hid)
    assert [(a.action, a.version) for a in audit] == [("create", 1), ("update", 2)]
    assert audit[1].detail["fields"] == ["head_name"]
    assert {a.device_id for a in audit} == {await ledger.device_id("worker1")}
    assert household_row.head_name == "Zhao" and household_row.version == 2
    assert await _count(db, Change.seq, Change.record_id == hid) == 1


async def test_an_update_from_a_base_the_record_never_had_is_rejected(client, ledger):
    h = await ledger.headers("worker1")
    hid = new_id()
    await push_one(client, h, mutation("households", hid, household(ledger.area("G1"))))
    for base in (None, 0, 7):
        r = await push_one(client, h, mutation("households", hid, {"address": "x"}, op="update", base=base))
        assert r["error"]["code"] == "invalid_base", r
        assert r["version"] == 1
