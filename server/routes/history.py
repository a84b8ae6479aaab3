"""A record's history for the timeline of a case or a household."""

from __future__ import annotations

import msgspec
from litestar import Request, get
from litestar.datastructures import State
from litestar.params import FromPath

from server.auth import Principal
from server.services.history import record_history


class HistoryEntry(msgspec.Struct):
    version: int | None
    op: str
    fields: list[str]
    conflicts: list[str]
    at: str | None
    received_at: str | None
    user_name: str | None
    device_name: str | None


class History(msgspec.Struct):
    history: list[HistoryEntry]


@get("/api/records/{collection:str}/{record_id:str}/history", tags=["sync"])
async def history(request: Request[Principal, str, State], state: State, collection: FromPath[str],
                  record_id: FromPath[str]) -> History:
    """Who changed which fields of a record, when and from which device (fields that clashed kept apart)."""
    async with state.db.read() as session:
        rows = await record_history(session, request.user, collection, record_id)
    return History(msgspec.convert(rows, list[HistoryEntry]))
