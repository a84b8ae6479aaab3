"""A case resolved on any path gets its follow-ups scheduled by class, once, through the engine."""

from __future__ import annotations

from server.services.cases import add_months
from server.services.reports import local_today
from tests.sync.helpers import dispute, mutation, new_id, pull_all, push


def followups_of(changes, dispute_id):
    return [c["record"] for c in changes
            if c["collection"] == "followups" and c["record"].get("dispute_id") == dispute_id]


async def test_resolving_a_case_schedules_its_followup_by_class(client, ledger):
    worker = await ledger.headers("worker1")
    settled_at_door, mediated, no_class = new_id(), new_id(), new_id()
    area = ledger.area("G1")
    results = await push(client, worker, [
        mutation("disputes", settled_at_door, dispute(area, status="resolved", followup_class=2)),
        mutation("disputes", mediated, dispute(area, followup_class=1)),
        mutation("disputes", no_class, dispute(area, status="resolved")),
    ])
    assert [r["status"] for r in results] == ["applied"] * 3
    resolve = mutation("disputes", mediated, {"status": "resolved"}, op="update", base=1)
    assert (await push(client, worker, [resolve]))[0]["status"] == "applied"

    changes, cursor, _ = await pull_all(client, worker)
    today = local_today()
    door = followups_of(changes, settled_at_door)
    assert [(f["due_on"], f["area_id"], f["done_at"]) for f in door] == [
        (add_months(today, 3).isoformat(), area, None)]
    assert [f["due_on"] for f in followups_of(changes, mediated)] == [add_months(today, 1).isoformat()]
    assert followups_of(changes, no_class) == []

    # the same resolution pushed again (a lost response) schedules nothing more
    assert (await push(client, worker, [resolve]))[0]["replayed"] is True
    again, _, _ = await pull_all(client, worker, cursor)
    assert followups_of(again, mediated) == []


async def test_reopened_and_resolved_again_the_same_day_is_scheduled_once(client, ledger):
    worker = await ledger.headers("worker1")
    case = new_id()
    await push(client, worker, [mutation("disputes", case, dispute(ledger.area("G1"), status="resolved",
                                                                   followup_class=1))])
    await push(client, worker, [mutation("disputes", case, {"status": "in_mediation"}, op="update", base=1)])
    await push(client, worker, [mutation("disputes", case, {"status": "resolved"}, op="update", base=2)])
    changes, _, _ = await pull_all(client, worker)
    assert len(followups_of(changes, case)) == 1
