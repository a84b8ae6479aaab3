"""A record's change history, read from the mutation log: who changed which fields, when, from where."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.clock import iso
from server.errors import NotFound
from server.models import COLLECTIONS, Device, Mutation, User


async def record_history(session: AsyncSession, principal: Principal, collection: str, record_id: str) -> list[dict]:
    """Applied changes to one record in version order; 404 unless the caller's scope covers it."""
    model = COLLECTIONS.get(collection)
    if model is None:
        raise NotFound(f"No collection {collection!r}.")
    area = await session.scalar(select(model.area_id).where(model.id == record_id))  # type: ignore[attr-defined]
    if area is None or not principal.scope.covers(area):
        raise NotFound(f"No {collection} record {record_id} in your areas.")
    rows = await session.execute(
        select(Mutation.version, Mutation.op, Mutation.fields, Mutation.result, Mutation.at, Mutation.received_at,
               User.display_name, Device.name)
        .outerjoin(User, User.id == Mutation.user_id)
        .outerjoin(Device, Device.id == Mutation.device_id)
        .where(Mutation.collection == collection, Mutation.record_id == record_id,
               Mutation.status.in_(("applied", "conflict")))
        .order_by(Mutation.version, Mutation.received_at))
    out = []
    for version, op, fields, result, at, received_at, user_name, device_name in rows:
        clashed = sorted(c.get("field") for c in (result or {}).get("conflicts") or [] if isinstance(c, dict))
        out.append({"version": version, "op": op, "fields": sorted(set(fields or {}) - set(clashed)),
                    "conflicts": clashed, "at": at, "received_at": iso(received_at),
                    "user_name": user_name, "device_name": device_name})
    return out
