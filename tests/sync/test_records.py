"""record_out: the record as pull sends it, from an ORM object or a row, for reports and the photo routes."""

from __future__ import annotations

from sqlalchemy import select

from server.models import Dispute, Photo
from server.sync.records import record_out
from tests.sync.helpers import (
    dispute,
    household,
    mutation,
    new_id,
    pull_all,
    push,
    visit,
)


async def test_record_out_matches_what_pull_sends(client, ledger, db):
    h = await ledger.headers("worker1")
    hid, vid, did, photo = new_id(), new_id(), new_id(), "b" * 64
    results = await push(client, h, [
        mutation("households", hid, household(ledger.area("G1"))),
        mutation("visits", vid, visit(hid)),
        mutation("disputes", did, dispute(ledger.area("G1"), deadline="2027-02-01", status="resolved",
                                          parties=[{"name": "Wu", "role": "neighbour", "phone": None}])),
        mutation("photos", photo, {"record": {"collection": "disputes", "id": did}, "kind": "agreement"}),
    ])
    assert {r["status"] for r in results} == {"applied"}
    pulled = {c["record"]["id"]: c["record"] for c in (await pull_all(client, h))[0]}
    async with db.read() as session:
        orm_dispute = await session.get(Dispute, did)
        orm_photo = await session.get(Photo, photo)
        row = (await session.execute(select(Dispute.__table__).where(Dispute.id == did))).one()
    assert record_out("disputes", orm_dispute) == pulled[did]
    assert record_out("disputes", row) == pulled[did]
    assert record_out("photos", orm_photo) == pulled[photo]
    assert pulled[photo]["record"] == {"collection": "disputes", "id": did}
    assert pulled[did]["deadline"] == "2027-02-01" and pulled[did]["resolved_at"].endswith("+00:00")
