"""Random interleavings of edits from three devices on a few records, checked against a small model.

For every generated run: each result matches the merge rule (status, version, clashing fields with
base, server and client); replaying any earlier push returns the same results and changes nothing;
every value a device sent is in the ledger at the version its mutation made, or in a kept conflict;
and clients that start following pull at any point end equal to the server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from server.auth import Principal
from server.db import Database
from server.models import Change, Conflict, Dispute, Mutation
from server.scope import Scope
from server.sync import feed
from server.sync.apply import apply_batch
from server.sync.protocol import MutationIn
from server.sync.records import record_out
from tests.seed import seed, sid
from tests.sync.helpers import dispute, new_id

AREAS = {"G1": {"G1"}, "V1": {"V1", "G1", "G2"}, "T": {"T", "V1", "V2", "G1", "G2", "G3"}}
DEVICES = [("worker1", "field_worker", "G1"), ("mediator", "mediator", "V1"), ("supervisor", "supervisor", "T")]
# Few fields and few values, so edits from stale bases often meet.
VALUES = {
    "status": ["assigned", "in_mediation", "resolved"],
    "risk": ["red", "blue"],
    "parties": [[{"name": "Wu", "role": None, "phone": None}], [{"name": "Li", "role": "x", "phone": "1"}]],
    "area_id": ["G1", "G2", "G3", "G1"],
}
RECORDS = 2


def principal(i: int) -> Principal:
    user, role, area = DEVICES[i]
    return Principal(sid(user), user, user, role, f"device-{i}", (sid(area),),
                     Scope(frozenset(sid(a) for a in AREAS[area])))


def _value(name: str, value: Any) -> Any:
    return sid(value) if name == "area_id" else value


edit = st.tuples(st.integers(0, RECORDS - 1),
                 st.dictionaries(st.sampled_from(sorted(VALUES)), st.integers(0, 3), min_size=1, max_size=2))
push = st.tuples(st.just("push"), st.integers(0, 2), st.lists(edit, min_size=1, max_size=3))
# Pushes outnumber the rest, so devices often edit from stale bases and clash.
step = st.one_of(
    push, push, push, push,
    st.tuples(st.just("sync"), st.integers(0, 2)),
    st.tuples(st.just("replay"), st.integers(0, 50)),
    st.tuples(st.just("observe"), st.integers(0, 1)),
)


@dataclass
class Model:
    """The merge rule, written plainly: what the ledger must hold."""

    version: int = 1
    values: dict[str, Any] = field(default_factory=dict)
    last: dict[str, tuple[int, str]] = field(default_factory=dict)
    history: list[tuple[int, str, Any]] = field(default_factory=list)  # (version, field, value)

    def value_at(self, name: str, version: int) -> Any:
        found = [v for ver, f, v in self.history if f == name and ver <= version]
        return found[-1] if found else self.values_at_creation[name]

    def update(self, p: Principal, base: int, fields: dict[str, Any]) -> dict[str, Any]:
        if not p.scope.covers(self.values["area_id"]):
            return {"status": "rejected"}
        changed, clashes = {}, {}
        for name, value in fields.items():
            if value == self.values[name]:
                continue
            ver, device = self.last.get(name, (0, ""))
            if ver <= base or device == p.device_id:
                changed[name] = value
            else:
                clashes[name] = (self.value_at(name, base), self.values[name], value)
        if "area_id" in changed and not p.scope.covers(changed["area_id"]):
            return {"status": "rejected"}
        if changed or clashes:
            self.version += 1
        for name, value in changed.items():
            self.values[name] = value
            self.last[name] = (self.version, p.device_id)
            self.history.append((self.version, name, value))
        return {"status": "conflict" if clashes else "applied", "version": self.version, "clashes": clashes}


async def _state(db: Database) -> tuple[Any, ...]:
    async with db.read() as session:
        counts = [await session.scalar(select(func.count()).select_from(t)) for t in (Change, Mutation, Conflict)]
        rows = (await session.execute(select(Dispute.id, Dispute.version, Dispute.updated_at))).all()
    return tuple(counts), sorted(map(tuple, rows))


async def _follow(db: Database, cursor: str | None, local: dict[str, Any]) -> str:
    observer = principal(0)
    while True:
        async with db.read() as session:
            page = msgspec.json.decode(msgspec.json.encode(await feed.pull(session, observer, cursor, 7)))
        for change in page["changes"]:
            record = change["record"]
            if record.get("removed"):
                local.pop(record["id"], None)
            else:
                local[record["id"]] = record
        cursor = page["cursor"]
        if not page["has_more"]:
            return cursor


async def _run(db: Database, steps: list[tuple]) -> None:
    ids = [new_id() for _ in range(RECORDS)]
    base_fields = dispute(sid("G1"))
    creates = [MutationIn(id=new_id(), collection="disputes", record_id=i, op="create", fields=base_fields)
               for i in ids]
    async with db.write() as session:
        assert {r.status for r in await apply_batch(session, principal(0), creates)} == {"applied"}
    models = []
    for _ in ids:
        m = Model(values={k: base_fields.get(k) for k in VALUES})
        m.values_at_creation = dict(m.values)  # type: ignore[attr-defined]
        models.append(m)
    known = [[1] * RECORDS for _ in DEVICES]
    pushes: list[tuple[int, list[MutationIn], list[Any]]] = []
    sent: list[tuple[MutationIn, Any, int]] = []
    observers: list[tuple[dict[str, Any], str]] = []
    for s in steps:
        if s[0] == "push":
            _, dev, edits = s
            p = principal(dev)
            batch = [MutationIn(id=new_id(), collection="disputes", record_id=ids[r], op="update",
                                base_version=known[dev][r],
                                fields={k: _value(k, VALUES[k][i % len(VALUES[k])]) for k, i in f.items()})
                     for r, f in edits]
            async with db.write() as session:
                results = await apply_batch(session, p, batch)
            for (r, _), m, result in zip(edits, batch, results, strict=True):
                expected = models[r].update(p, m.base_version, m.fields)
                assert result.status == expected["status"], (m, result, expected)
                if result.status != "rejected":
                    assert result.version == expected["version"]
                    got = {c["field"]: (c["base"], c["server"], c["client"]) for c in result.conflicts}
                    assert got == expected["clashes"]
                    known[dev][r] = result.version
                sent.append((m, result, r))
            pushes.append((dev, batch, results))
        elif s[0] == "sync":
            known[s[1]] = [m.version for m in models]
        elif s[0] == "replay" and pushes:
            dev, batch, first = pushes[s[1] % len(pushes)]
            before = await _state(db)
            async with db.write() as session:
                again = await apply_batch(session, principal(dev), batch)
            assert [msgspec.structs.replace(r, replayed=True) for r in first] == again
            assert await _state(db) == before
        elif s[0] == "observe":
            local: dict[str, Any] = {}
            observers.append((local, await _follow(db, None, local)))

    # every value sent is in the ledger at its mutation's version, or in a kept conflict
    async with db.read() as session:
        kept = {(c.mutation_id, c.field): c.client for c in await session.scalars(select(Conflict))}
        rejected = set(await session.scalars(select(Mutation.id).where(Mutation.status == "rejected")))
    for m, result, r in sent:
        if result.status == "rejected":
            assert m.id in rejected
            continue
        for name, value in m.fields.items():
            if (m.id, name) in kept:
                assert kept[(m.id, name)] == value
            else:
                assert models[r].value_at(name, result.version) == value, (m, result)
    # the ledger holds what the model says, and followers of pull end equal to it
    async with db.read() as session:
        rows = {row.id: row for row in await session.scalars(select(Dispute))}
        in_scope = {row.id: msgspec.json.decode(msgspec.json.encode(record_out("disputes", row)))
                    for row in rows.values() if principal(0).scope.covers(row.area_id)}
    for record_id, m in zip(ids, models, strict=True):
        assert {k: getattr(rows[record_id], k) for k in VALUES} == m.values
        assert rows[record_id].version == m.version
    for local, cursor in [*observers, ({}, None)]:
        await _follow(db, cursor, local)
        assert local == in_scope


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(steps=st.lists(step, min_size=4, max_size=16))
def _check(loop: asyncio.AbstractEventLoop, db: Database, steps: list[tuple]) -> None:
    loop.run_until_complete(_run(db, steps))


def test_random_interleavings_of_three_devices(settings):
    # One loop and one engine for every example: the records of each example are new, so they share a ledger.
    loop = asyncio.new_event_loop()
    db = Database(settings)
    try:
        loop.run_until_complete(seed(db))
        _check(loop, db)
    finally:
        loop.run_until_complete(db.dispose())
        loop.close()
