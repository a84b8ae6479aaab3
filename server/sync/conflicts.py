"""Kept conflicts: who may see them, and resolution as one more mutation through the same engine."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Any

import msgspec

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.clock import as_utc, iso, utcnow
from server.errors import BadRequest, Conflict, NotFound
from server.models import AuditEntry, Device, User
from server.models import Conflict as ConflictRow
from server.sync import store
from server.sync.apply import apply_batch
from server.sync.protocol import ConflictList, ConflictOut, MutationIn, ResolveResponse
from server.sync.records import TABLES, record_out

STATUSES = ("open", "resolved")
MAX_LIST = 2000


def conflict_out(row: Any, user_name: str | None = None, device_name: str | None = None) -> ConflictOut:
    return ConflictOut(
        id=row.id, collection=row.collection, record_id=row.record_id, field=row.field, base=row.base,
        server=row.server, client=row.client, mutation_id=row.mutation_id, device_id=row.device_id,
        user_id=row.user_id, created_at=iso(row.created_at) or "", status=row.status, resolved_by=row.resolved_by,
        resolved_at=iso(row.resolved_at), resolved_value=row.resolved_value, user_name=user_name,
        device_name=device_name)


def _readable(principal: Principal) -> Any:
    """Supervisors and admins see the conflicts in their scope; anyone sees their own (in scope)."""
    in_scope = principal.scope.clause(ConflictRow.area_id)
    return in_scope if principal.can_supervise else in_scope & (ConflictRow.user_id == principal.user_id)


async def list_conflicts(session: AsyncSession, principal: Principal, status: str | None,
                         limit: int = MAX_LIST, cursor: str | None = None) -> ConflictList:
    """A page of the conflicts the caller may see, oldest first; the cursor names the last one sent."""
    if status is not None and status not in STATUSES:
        raise BadRequest(f"`status` must be open or resolved (or left out for both); got {status!r}.")
    if not 1 <= limit <= MAX_LIST:
        raise BadRequest(f"`limit` must be from 1 to {MAX_LIST}; got {limit}.")
    stmt = (select(ConflictRow, User.display_name, Device.name)
            .outerjoin(User, User.id == ConflictRow.user_id)
            .outerjoin(Device, Device.id == ConflictRow.device_id)
            .where(_readable(principal)))
    if status is not None:
        stmt = stmt.where(ConflictRow.status == status)
    if cursor is not None:
        created_at, conflict_id = _read_cursor(cursor)
        stmt = stmt.where(tuple_(ConflictRow.created_at, ConflictRow.id) > tuple_(created_at, conflict_id))
    rows = (await session.execute(stmt.order_by(ConflictRow.created_at, ConflictRow.id).limit(limit + 1))).all()
    page = [conflict_out(row, user_name, device_name) for row, user_name, device_name in rows[:limit]]
    last = rows[:limit][-1][0] if page else None
    return ConflictList(page, _cursor(last.created_at, last.id) if last is not None else cursor,
                        has_more=len(rows) > limit)


def _cursor(created_at: datetime, conflict_id: str) -> str:
    text = msgspec.json.encode([as_utc(created_at).isoformat(), conflict_id])
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def _read_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        stamp, conflict_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)),
                                                 type=tuple[str, str])
        return as_utc(datetime.fromisoformat(stamp)), conflict_id
    except (ValueError, msgspec.DecodeError, binascii.Error):
        raise BadRequest("`cursor` is not one this server gave; list again without it.") from None


async def resolve(session: AsyncSession, principal: Principal, conflict_id: str, value: Any) -> ResolveResponse:
    """Write ``value`` into the conflict's field as a new version, and mark the conflict resolved."""
    principal.require_role("supervisor", "admin")
    row = await session.get(ConflictRow, conflict_id)
    if row is None or not principal.scope.covers(row.area_id):
        raise NotFound("No such conflict in your areas.")
    # Lock the record first (PostgreSQL), so the version read below is the one the resolution builds on.
    await store.lock(session, [f"r:{row.collection}:{row.record_id}"])
    now = utcnow()
    done = await session.execute(
        update(ConflictRow).where(ConflictRow.id == conflict_id, ConflictRow.status == "open")
        .values(status="resolved", resolved_by=principal.user_id, resolved_at=now, resolved_value=value))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(row)
        raise Conflict(f"This conflict was already resolved at {iso(row.resolved_at)}.")
    table = TABLES[row.collection]
    version = await session.scalar(select(table.c.version).where(table.c.id == row.record_id))
    mutation = MutationIn(id=str(uuid.uuid4()), collection=row.collection, record_id=row.record_id, op="update",
                          base_version=version, fields={row.field: value}, at=None)
    result = (await apply_batch(session, principal, [mutation], closes={mutation.id: 1}))[0]
    if result.status != "applied":
        message = result.error["message"] if result.error else "the value clashed with another change"
        raise BadRequest(f"The value cannot be written: {message}")
    await session.execute(insert(AuditEntry).values(
        at=now, user_id=principal.user_id, device_id=principal.device_id, action="resolve_conflict",
        collection=row.collection, record_id=row.record_id, version=result.version,
        detail={"conflict_id": conflict_id, "field": row.field, "mutation_id": mutation.id}))
    await session.refresh(row)
    record = (await session.execute(select(table).where(table.c.id == row.record_id))).one()
    return ResolveResponse(conflict=conflict_out(row), record=record_out(row.collection, record))
