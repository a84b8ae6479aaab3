"""A field's value at an earlier version, from the record's applied mutations (for a conflict's base)."""

from __future__ import annotations

from typing import Any

from server.sync import store
from server.sync.fields import defaults
from server.sync.work import Work


def value_at(history: list[dict[str, Any]], collection: str, field: str, version: int) -> Any:
    """The value ``field`` had at ``version``: the last applied write of it at or before that version."""
    best: tuple[int, Any] | None = None
    for row in history:
        v = row["version"]
        if v is None or v > version or field not in (row["fields"] or {}):
            continue
        if any(c["field"] == field for c in (row["result"] or {}).get("conflicts", ())):
            continue  # that mutation's value for the field clashed and was not applied
        if best is None or v > best[0]:
            best = (v, row["fields"][field])
    return best[1] if best is not None else defaults(collection).get(field)


async def fill_bases(work: Work) -> None:
    """Give every conflict of this batch its base value, with one history query for all of them."""
    if not work.pending_bases:
        return
    keys = {(collection, record_id) for collection, record_id, *_ in work.pending_bases}
    rows = await store.history(work.session, keys)
    rows += [r for r in work.mutation_rows
             if (r["collection"], r["record_id"]) in keys and r["status"] != "rejected"]
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault((row["collection"], row["record_id"]), []).append(row)
    for collection, record_id, base, conflicts, _ in work.pending_bases:
        for conflict in conflicts:
            conflict["base"] = value_at(by_key.get((collection, record_id), []), collection, conflict["field"], base)
