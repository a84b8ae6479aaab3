"""When a record moves to another area, the records that take their area from it move with it.

Visits follow their household, follow-ups their dispute, photos the record they link. Each moved child
gets a new version and a change-feed row with its old area, so pull sends ``removed`` to those who saw it.
The caller was checked for both areas of the record it moved; the children come along without a check.
"""

from __future__ import annotations

from server.sync import store
from server.sync.work import Rec, Work, parent_key

# parent collection -> (child collection, column naming the parent, photo link collection)
CHILDREN: dict[str, list[tuple[str, str, str | None]]] = {
    "households": [("visits", "household_id", None), ("photos", "record_id", "households")],
    "visits": [("photos", "record_id", "visits")],
    "disputes": [("followups", "dispute_id", None), ("photos", "record_id", "disputes")],
    "followups": [("photos", "record_id", "followups")],
}


async def cascade(work: Work) -> None:
    frontier = [rec for rec in work.recs.values() if rec.moved]
    while frontier:
        await _load_stored_children(work, frontier)
        parents = {(rec.collection, rec.id): rec for rec in frontier}
        following: list[Rec] = []
        for rec in list(work.recs.values()):
            parent = parents.get(parent_key(rec.collection, rec.state))  # type: ignore[arg-type]
            if parent is not None and rec.area != parent.area:
                work.change(rec, {}, parent.area, 0)
                work.audit(None, rec, "move", [], [], follows={"collection": parent.collection, "id": parent.id})
                following.append(rec)
        frontier = following


async def _load_stored_children(work: Work, parents: list[Rec]) -> None:
    for collection, children in CHILDREN.items():
        ids = sorted(rec.id for rec in parents if rec.collection == collection and not rec.new)
        if not ids:
            continue
        for child, column, link in children:
            found = await store.child_ids(work.session, child, column, ids, link)
            missing = [i for i in found if (child, i) not in work.recs or work.recs[(child, i)].light]
            if not missing:
                continue
            # Read after locking, so a concurrent push on PostgreSQL cannot write over the move.
            await store.lock(work.session, [f"r:{child}:{i}" for i in missing])
            for state in await store.load_records(work.session, child, missing):
                work.recs[(child, state["id"])] = Rec(child, state, new=False)
