"""The working set of one batch: the records it touches as plain dicts, and the rows it will write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.sync import rows, store
from server.sync.fields import PARENTS, SCHEMAS
from server.sync.protocol import MutationIn


def parent_key(collection: str, values: dict[str, Any]) -> tuple[str, str] | None:
    """(collection, id) of the record this one takes its area from; None when it has its own area."""
    link = PARENTS[collection]
    if link is None:
        return None
    field, parent_collection = link
    value = values.get(field)
    if collection == "photos":
        return (value["collection"], value["id"]) if isinstance(value, dict) else None
    return (parent_collection, value) if isinstance(value, str) else None


class Rec:
    """One record in the batch: its state, whether it is new, and its area when the batch began."""

    __slots__ = ("area0", "collection", "dirty", "light", "moved", "new", "state")

    def __init__(self, collection: str, state: dict[str, Any], new: bool, light: bool = False):
        self.collection, self.state, self.new = collection, state, new
        self.light = light  # only id and area_id were read: the record is a parent, never changed here
        self.dirty = new
        self.area0 = None if new else state["area_id"]
        self.moved = False  # its area changed during this batch: its children must follow

    @property
    def id(self) -> str:
        return self.state["id"]  # type: ignore[no-any-return]

    @property
    def area(self) -> str:
        return self.state["area_id"]  # type: ignore[no-any-return]


class Work:
    def __init__(self, session: AsyncSession, principal: Principal, now: datetime):
        self.session, self.principal, self.now = session, principal, now
        self.recs: dict[tuple[str, str], Rec] = {}
        self.known: dict[str, tuple[str, dict[str, Any]]] = {}
        self.areas: set[str] = set()
        self.results: dict[str, dict[str, Any]] = {}  # this batch's first results, for repeats within it
        self.mutation_rows: list[dict[str, Any]] = []
        self.conflict_rows: list[tuple[Rec, dict[str, Any], dict[str, Any]]] = []
        self.audit_rows: list[dict[str, Any]] = []
        self.pending_bases: list[tuple[str, str, int, list[dict[str, Any]], dict[str, Any]]] = []
        self.resolved: list[Rec] = []  # disputes this batch resolved: their follow-ups are scheduled after it

    async def prepare(self, mutations: list[MutationIn]) -> None:
        """Lock (PostgreSQL), then read everything the batch needs in a few set-based queries."""
        targets: dict[str, set[str]] = {name: set() for name in SCHEMAS}
        parents: dict[str, set[str]] = {name: set() for name in SCHEMAS}
        areas: set[str] = set()
        for m in mutations:
            if m.collection not in SCHEMAS or not isinstance(m.fields, dict):
                continue
            targets[m.collection].add(m.record_id)
            parent = parent_key(m.collection, m.fields)
            if parent is not None and parent[0] in parents:
                parents[parent[0]].add(parent[1])
            area = m.fields.get("area_id")
            if isinstance(area, str):
                areas.add(area)
        await store.lock(self.session, [f"m:{m.id}" for m in mutations]
                         + [f"r:{c}:{i}" for c in SCHEMAS for i in targets[c] | parents[c]])
        # A parent that is not itself changed is only asked for its area: read just that.
        loaded = await store.load(self.session, [m.id for m in mutations], targets,
                                  {c: parents[c] - targets[c] for c in SCHEMAS}, areas)
        self.known, self.areas = loaded.known, loaded.areas
        for collection in SCHEMAS:
            for state in loaded.records[collection]:
                self.recs[(collection, state["id"])] = Rec(collection, state, new=False)
            for record_id, area in loaded.parent_areas[collection]:
                self.recs[(collection, record_id)] = Rec(collection, {"id": record_id, "area_id": area}, new=False,
                                                         light=True)

    def create(self, collection: str, record_id: str, values: dict[str, Any], area: str) -> Rec:
        user = self.principal.user_id
        state = dict(values)
        state.update(id=record_id, area_id=area, version=1, created_at=self.now, updated_at=self.now,
                     created_by=user, updated_by=user, conflicts=0, field_meta={})
        # No field_meta entries at creation: a field never changed since counts as changed at version 1,
        # and every update's base is at least 1, so creation values never clash.
        rec = Rec(collection, state, new=True)
        if collection == "disputes":
            state["resolved_at"] = self.now if state.get("status") == "resolved" else None
            if state["resolved_at"] is not None:
                self.resolved.append(rec)
        self.recs[(collection, record_id)] = rec
        return rec

    def change(self, rec: Rec, changed: dict[str, Any], area: str, conflict_delta: int) -> None:
        """A new version of ``rec`` with ``changed`` applied."""
        state = rec.state
        version = state["version"] + 1
        if rec.collection == "disputes" and "status" in changed:
            # resolved_at is the server's: set when a case becomes resolved, cleared when it is reopened.
            if changed["status"] == "resolved" and state.get("status") != "resolved":
                state["resolved_at"] = self.now
                self.resolved.append(rec)
            elif changed["status"] != "resolved":
                state["resolved_at"] = None
        before = state["area_id"]
        state.update(changed)
        meta = state["field_meta"]
        for name in changed:
            meta[name] = [version, self.principal.device_id]
        state["area_id"] = area
        rec.moved = rec.moved or area != before
        state.update(version=version, updated_at=self.now, updated_by=self.principal.user_id,
                     conflicts=max(0, state["conflicts"] + conflict_delta))
        rec.dirty = True

    def add_conflicts(self, m: MutationIn, rec: Rec, conflicts: list[dict[str, Any]]) -> None:
        for c in conflicts:
            self.conflict_rows.append((rec, c, {
                "id": c["conflict_id"], "collection": rec.collection, "record_id": rec.id, "field": c["field"],
                "server": c["server"], "client": c["client"], "mutation_id": m.id,
                "device_id": self.principal.device_id, "user_id": self.principal.user_id, "created_at": self.now,
                "status": "open", "resolved_by": None, "resolved_at": None, "resolved_value": None}))

    def audit(self, m: MutationIn | None, rec: Rec, action: str, fields: list[str], clashes: list[str],
              **detail: Any) -> None:
        if m is not None:
            detail["mutation_id"] = m.id
        if fields:
            detail["fields"] = fields
        if clashes:
            detail["conflicts"] = clashes
        self.audit_rows.append({"at": self.now, "user_id": self.principal.user_id,
                                "device_id": self.principal.device_id, "action": action,
                                "collection": rec.collection, "record_id": rec.id, "version": rec.state["version"],
                                "detail": detail})

    def log_mutation(self, m: MutationIn, result: dict[str, Any], fields: dict[str, Any]) -> None:
        """Every mutation goes in the log, rejected ones too, with its first result."""
        self.results[m.id] = result
        applied = result["status"] != "rejected"
        self.mutation_rows.append({
            "id": m.id, "device_id": self.principal.device_id, "user_id": self.principal.user_id,
            "collection": m.collection, "record_id": m.record_id, "op": m.op, "base_version": m.base_version,
            "fields": fields, "at": m.at, "received_at": self.now, "status": result["status"],
            "version": result["version"] if applied else None, "result": result})

    async def flush(self) -> None:
        """Write the batch: records, mutation log, conflicts, change feed, audit; one executemany each."""
        by_collection: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        changes, moved = [], []
        txid = None
        for rec in self.recs.values():
            if not rec.dirty:
                continue
            new, changed = by_collection.setdefault(rec.collection, ([], []))
            (new if rec.new else changed).append(rec.state)
            if txid is None:
                txid = await store.transaction_id(self.session)
            left = rec.area0 if rec.area0 is not None and rec.area0 != rec.area else None
            changes.append({"collection": rec.collection, "record_id": rec.id, "area_id": rec.area,
                            "old_area_id": left, "version": rec.state["version"], "txid": txid})
            if left is not None:
                moved.append({"m_collection": rec.collection, "m_record_id": rec.id, "m_area_id": rec.area})
        writes = rows.Writes(self.session)
        for collection, (new, changed) in by_collection.items():
            store.write_records(writes, collection, new, changed)
        # The base value is filled in by history.fill_bases; the area is the record's at the end of the batch.
        conflicts = [row | {"base": c["base"], "area_id": rec.area} for rec, c, row in self.conflict_rows]
        store.write_log(writes, self.mutation_rows, conflicts, changes, self.audit_rows)
        await writes.run()
        await store.move_conflicts(self.session, moved)
