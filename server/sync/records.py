"""A record's three shapes: database row, the engine's working state, and the JSON that pull sends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import iso
from server.models import COLLECTIONS
from server.sync import rows

TABLES: dict[str, Table] = {name: cls.__table__ for name, cls in COLLECTIONS.items()}  # type: ignore[attr-defined]
# The record columns pull sends (field_meta is the merge's bookkeeping and stays on the server).
OUT_COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(c.name for c in table.columns if c.name != "field_meta") for name, table in TABLES.items()
}
DATE_COLUMNS = {"deadline", "due_on"}
STAMP_COLUMNS = {"created_at", "updated_at", "resolved_at"}


def _get(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, Mapping) else getattr(row, key)


def _mapping(row: Any) -> Any:
    return row._mapping if hasattr(row, "_mapping") else row


def record_out(collection: str, row: Any) -> dict[str, Any]:
    """The record as pull sends it: every field plus the common ones; photos carry ``record``.

    ``row`` may be a row of the collection's table, a mapping of its columns, or an ORM object.
    """
    m = _mapping(row)
    out: dict[str, Any] = {}
    for key in OUT_COLUMNS[collection]:
        value = _get(m, key)
        if value is None:
            pass
        elif key in STAMP_COLUMNS:
            value = iso(value) if isinstance(value, datetime) else value
        elif key in DATE_COLUMNS:
            value = value.isoformat() if isinstance(value, date) else value
        out[key] = value
    if collection == "photos":
        out["record"] = {"collection": out.pop("record_collection"), "id": out.pop("record_id")}
    return out


async def read_out(session: AsyncSession, collection: str, ids: list[str]) -> list[dict[str, Any]]:
    """The records among ``ids`` as pull sends them, read without ORM objects (JSON columns pass through raw)."""
    columns = OUT_COLUMNS[collection]
    out = await rows.select_in(session, TABLES[collection], columns, "id", ids, read="out", as_dicts=True)
    if collection == "photos":
        for record in out:
            record["record"] = {"collection": record.pop("record_collection"), "id": record.pop("record_id")}
    return out


def state_from_row(collection: str, row: Any) -> dict[str, Any]:
    """The engine's working copy of a stored record: wire-form field values plus bookkeeping."""
    if isinstance(row, dict):
        state = dict(row)
    else:
        m = _mapping(row)
        state = {k: _get(m, k) for k in TABLES[collection].columns.keys()}  # noqa: SIM118 (names, not Columns)
    for key in DATE_COLUMNS.intersection(state):
        if isinstance(state[key], date):
            state[key] = state[key].isoformat()
    if collection == "photos":
        state["record"] = {"collection": state.pop("record_collection"), "id": state.pop("record_id")}
    state["field_meta"] = dict(state.get("field_meta") or {})
    return state
