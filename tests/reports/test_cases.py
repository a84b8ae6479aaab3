"""Case management through the sync engine: office, assignee, deadline, status, and follow-ups on resolution."""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select

from server.models import Dispute, Followup
from server.services.cases import add_months, followups_for
from tests.reports.town import Town, today
from tests.seed import sid


def test_followups_for_schedules_by_class():
    resolved = date(2026, 1, 31)
    assert followups_for({"id": "d", "followup_class": None}, resolved) == []
    assert [f["due_on"] for f in followups_for({"id": "d", "followup_class": 1}, resolved)] == ["2026-02-28"]
    assert [f["due_on"] for f in followups_for({"id": "d", "followup_class": 2}, resolved)] == ["2026-04-30"]
    assert [f["due_on"] for f in followups_for({"id": "d", "followup_class": 3}, date(2026, 8, 31))] == ["2027-02-28"]
    one = followups_for({"id": "d", "followup_class": 1}, resolved)[0]
    assert one["dispute_id"] == "d" and one["done_at"] is None and one["agreement_kept"] is None
    # The same case resolved again the same day gets the same follow-up, not a second one.
    assert one["id"] == followups_for({"id": "d", "followup_class": 1}, resolved)[0]["id"]
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


async def test_bulk_sets_fields_and_resolving_schedules_a_followup(client, ledger, town: Town, db):
    headers = await ledger.headers("supervisor")
    d1, d2, d4 = town.names["d1"], town.names["d2"], town.names["d4"]
    r = await client.post("/api/disputes/bulk", headers=headers, json={
        "ids": [d1, d2], "set": {"office": "司法所", "assignee_id": sid("mediator"), "deadline": "2026-12-31"}})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [(x["id"], x["status"], x["version"]) for x in results] == [(d1, "applied", 2), (d2, "applied", 2)]
    async with db.read() as session:
        rows = {d.id: d for d in await session.scalars(select(Dispute).where(Dispute.id.in_([d1, d2])))}
    for d in rows.values():
        assert (d.office, d.assignee_id, d.deadline) == ("司法所", sid("mediator"), date(2026, 12, 31))

    r = await client.post("/api/disputes/bulk", headers=headers,
                          json={"ids": [d1, d4], "set": {"status": "resolved"}})
    results = {x["id"]: x for x in r.json()["results"]}
    assert results[d1]["status"] == "applied" and results[d1]["followups"] == []  # d1 has no follow-up class
    assert results[d4]["status"] == "applied" and len(results[d4]["followups"]) == 1  # class 2
    t = today()  # class 2: a quarter after today, on the same day or the month's last
    year, month = t.year + (t.month + 2) // 12, (t.month + 2) % 12 + 1
    expected = date(year, month, min(t.day, calendar.monthrange(year, month)[1]))
    async with db.read() as session:
        followups = list(await session.scalars(select(Followup).where(Followup.dispute_id == d4)))
        resolved = await session.get(Dispute, d4)
    assert [(f.id, f.due_on, f.area_id) for f in followups] == [(results[d4]["followups"][0], expected, sid("G2"))]
    assert resolved.status == "resolved"

    # Resolving an already resolved case schedules nothing more.
    r = await client.post("/api/disputes/bulk", headers=headers, json={"ids": [d4], "set": {"status": "resolved"}})
    assert r.json()["results"][0]["followups"] == []
    summary = (await client.get("/api/reports/summary", headers=headers)).json()
    assert summary["resolved"] == sum(d["status"] == "resolved" for d in town.live_disputes()) + 2


async def test_bulk_fills_the_configured_office_when_assigning(client, ledger, town: Town, db, settings):
    headers = await ledger.headers("admin")
    d1 = town.names["d1"]
    r = await client.post("/api/disputes/bulk", headers=headers, json={"ids": [d1], "set": {"status": "assigned"}})
    assert r.json()["results"][0]["status"] == "applied"
    async with db.read() as session:
        assert (await session.get(Dispute, d1)).office == settings.offices["neighbour"]


async def test_bulk_rejects_what_it_cannot_do(client, ledger, town: Town):
    headers = await ledger.headers("supervisor")
    d1 = town.names["d1"]
    for body, named in [({"ids": [d1], "set": {}}, "set"), ({"ids": [d1], "set": {"status": "done"}}, "status"),
                        ({"ids": [d1], "set": {"deadline": "soon"}}, "deadline"),
                        ({"ids": [d1], "set": {"followup_class": 4}}, "followup_class"),
                        ({"ids": [d1], "set": {"assignee_id": "nobody"}}, "assignee_id"),
                        ({"ids": [d1, d1], "set": {"office": "x"}}, "ids"),
                        ({"ids": [], "set": {"office": "x"}}, "ids"),
                        ({"ids": [d1], "set": {"colour": "red"}}, "colour")]:
        r = await client.post("/api/disputes/bulk", headers=headers, json=body)
        assert r.status_code == 400, (body, r.text)
        assert named in r.text
    r = await client.post("/api/disputes/bulk", headers=headers,
                          json={"ids": [d1, "no-such-case", town.names["d8"]], "set": {"office": "x"}})
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["applied", "rejected", "rejected"]
    assert results[1]["error"]["code"] == "not_found"
    r = await client.post("/api/disputes/bulk", headers=await ledger.headers("mediator"),
                          json={"ids": [d1], "set": {"office": "x"}})
    assert r.status_code == 403
