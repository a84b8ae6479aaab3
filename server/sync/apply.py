"""Apply a batch of mutations inside the caller's transaction: idempotency, validation, scope, merge,
conflicts, derived areas, change feed and audit. Every write in Doorstep comes through here.

Reads are set-based (one query for the known mutation ids, one per collection for the records a batch
touches, one for areas), the work happens on plain dicts, and each table gets one executemany.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.clock import utcnow
from server.sync import history, moves
from server.sync.fields import (
    PARENTS,
    SCHEMAS,
    SHA256_HEX,
    FieldError,
    check_fields,
    with_defaults,
)
from server.sync.merge import merge, same
from server.sync.protocol import OPS, MutationIn, MutationResult
from server.sync.work import Work, parent_key


class Rejected(Exception):
    def __init__(self, code: str, message: str, version: int | None = None):
        super().__init__(message)
        self.code, self.message, self.version = code, message, version


async def apply_batch(session: AsyncSession, principal: Principal, mutations: list[MutationIn], *,
                      closes: dict[str, int] | None = None) -> list[MutationResult]:
    """Apply ``mutations`` in order and return one result each; the caller commits.

    ``closes`` maps a mutation id to the number of open conflicts on its record that it settles
    (conflict resolution); the record's ``conflicts`` count drops by that much in the same version.
    """
    work = Work(session, principal, utcnow())
    await work.prepare(mutations)
    results = [_result(work, m, closes or {}) for m in mutations]
    await moves.cascade(work)
    await history.fill_bases(work)
    await work.flush()
    followups = _scheduled_followups(work)
    if followups:
        # Through the engine like any write: versioned, audited, in the feed. The ids come from the
        # dispute and due date, so a case resolved twice on one day is scheduled once.
        await apply_batch(session, principal, followups)
    return [MutationResult(**r, replayed=replayed) for r, replayed in results]


def _scheduled_followups(work: Work) -> list[MutationIn]:
    """Follow-up creates for the cases this batch resolved (class 1: a month, 2: three, 3: six)."""
    from server.services.cases import followup_mutation, followups_for
    from server.services.reports import local_today

    today = local_today()
    return [followup_mutation(f, work.now.isoformat())
            for rec in dict.fromkeys(work.resolved) if rec.state.get("status") == "resolved"
            for f in followups_for(rec.state, today)]


def _result(work: Work, m: MutationIn, closes: dict[str, int]) -> tuple[dict[str, Any], bool]:
    if m.id in work.results:
        return work.results[m.id], True
    known = work.known.get(m.id)
    if known is not None:
        user_id, first = known
        if user_id == work.principal.user_id or work.principal.scope.is_all:
            work.results[m.id] = first
            return first, True
        # Another user's mutation id: answer without revealing or overwriting what they sent.
        return _rejected(m, "duplicate_id", "This mutation id is already used; send it under a new id."), False
    try:
        if m.collection not in SCHEMAS:
            raise Rejected("unknown_collection",
                           f"`collection` must be one of {', '.join(SCHEMAS)}; got {m.collection!r}.")
        if m.op not in OPS:
            raise Rejected("invalid_op", f"`op` must be create or update; got {m.op!r}.")
        if not isinstance(m.fields, dict):
            raise Rejected("invalid_value", "`fields` must be an object of field names and values.")
        result, fields = _create(work, m) if m.op == "create" else _update(work, m, closes.get(m.id, 0))
    except FieldError as e:
        result, fields = _rejected(m, e.code, e.message), m.fields
    except Rejected as e:
        result, fields = _rejected(m, e.code, e.message, e.version), m.fields
    work.log_mutation(m, result, fields)
    return result, False


def _rejected(m: MutationIn, code: str, message: str, version: int | None = None) -> dict[str, Any]:
    return {"id": m.id, "status": "rejected", "record_id": m.record_id, "version": version, "conflicts": [],
            "error": {"code": code, "message": message}}


def _split_area(m: MutationIn) -> tuple[dict[str, Any], Any]:
    """A derived record's ``area_id`` is not the client's to set: take it out of the fields to compare later."""
    if PARENTS[m.collection] is not None and "area_id" in m.fields:
        fields = dict(m.fields)
        return fields, fields.pop("area_id")
    return m.fields, None


def _check_sent_area(m: MutationIn, sent: Any, area: str | None) -> None:
    if sent is not None and sent != area:
        raise FieldError("read_only_field", f"`area_id` of {m.collection} is taken from the record it belongs "
                                            f"to ({area}); leave it out or send that value.")


def _area_for(work: Work, collection: str, values: dict[str, Any]) -> str:
    """The area a record with these values belongs to: its own, or its parent's."""
    parent = parent_key(collection, values)
    if parent is None:
        area = values["area_id"]
        if area not in work.areas:
            raise FieldError("not_found", f"`area_id` {area!r} is not an area of this ledger.")
        return area
    rec = work.recs.get(parent)
    if rec is None:
        field = PARENTS[collection][0]  # type: ignore[index]
        raise FieldError("not_found", f"`{field}` names {parent[0]} {parent[1]!r}, which the server does not "
                                      "have; push that record first.")
    return rec.area


def _out_of_scope(area: str | None, moving: bool = False) -> Rejected:
    verb = "Moving this record needs both its old and its new area" if moving else "This record's area"
    return Rejected("out_of_scope", f"{verb} in your scope; {area!r} is not one of your areas.")


def _create(work: Work, m: MutationIn) -> tuple[dict[str, Any], dict[str, Any]]:
    if m.collection == "photos" and not SHA256_HEX.match(m.record_id):
        raise Rejected("invalid_id", "A photo's id is the lowercase hex SHA-256 of its bytes.")
    fields, sent_area = _split_area(m)
    clean = check_fields(m.collection, fields, creating=True)
    existing = work.recs.get((m.collection, m.record_id))
    if existing is not None:
        if not work.principal.scope.covers(existing.area):
            raise Rejected("exists", f"A {m.collection} record with this id already exists.")
        if all(same(existing.state.get(k), v) for k, v in clean.items()) and sent_area in (None, existing.area):
            return _ok(m, existing.state["version"], []), clean  # the same create again: nothing to do
        raise Rejected("exists", f"{m.collection} {m.record_id} already exists with other content; "
                                 "change it with an update from the version you have.", existing.state["version"])
    values = with_defaults(m.collection, clean)
    area = _area_for(work, m.collection, values)
    _check_sent_area(m, sent_area, area)
    if not work.principal.scope.covers(area):
        raise _out_of_scope(area)
    rec = work.create(m.collection, m.record_id, values, area)
    work.audit(m, rec, "create", [], [])
    return _ok(m, 1, []), clean


def _update(work: Work, m: MutationIn, closes: int) -> tuple[dict[str, Any], dict[str, Any]]:
    rec = work.recs.get((m.collection, m.record_id))
    if rec is None:
        raise Rejected("not_found", f"The server has no {m.collection} record {m.record_id!r}; create it first.")
    scope = work.principal.scope
    if not scope.covers(rec.area):
        raise _out_of_scope(rec.area)
    version = rec.state["version"]
    if m.base_version is None or not 1 <= m.base_version <= version:
        raise Rejected("invalid_base", f"`base_version` must be the record's version you last saw, from 1 to "
                                       f"{version}; got {m.base_version!r}.", version)
    fields, sent_area = _split_area(m)
    clean = check_fields(m.collection, fields, creating=False)
    outcome = merge(rec.state, rec.state["field_meta"], m.base_version, work.principal.device_id, clean)
    area = rec.area
    if "area_id" in outcome.changed or PARENTS[m.collection] and PARENTS[m.collection][0] in outcome.changed:
        area = _area_for(work, m.collection, rec.state | outcome.changed)
        if area != rec.area and not scope.covers(area):
            raise _out_of_scope(area, moving=True)
    _check_sent_area(m, sent_area, area)
    conflicts = [{"conflict_id": str(uuid.uuid4()), "field": name, "base": None, "server": server,
                  "client": client} for name, (server, client) in outcome.clashes.items()]
    if outcome.changed or conflicts or closes:
        work.change(rec, outcome.changed, area, len(conflicts) - closes)
        work.add_conflicts(m, rec, conflicts)
        work.audit(m, rec, "update", sorted(outcome.changed), sorted(outcome.clashes))
    result = _ok(m, rec.state["version"], conflicts)
    if conflicts:
        result["status"] = "conflict"
        work.pending_bases.append((rec.collection, rec.id, m.base_version, conflicts, result))
    return result, clean


def _ok(m: MutationIn, version: int, conflicts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": m.id, "status": "applied", "record_id": m.record_id, "version": version,
            "conflicts": conflicts, "error": None}

