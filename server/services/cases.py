"""Case management: set office, assignee, deadline and status for many disputes at once, through the
sync engine, and schedule follow-up visits when a case is resolved."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.errors import BadRequest
from server.models import Dispute, User
from server.services.reports import STATUSES, local_today

# Class 1 cases are visited again after a month, class 2 after a quarter, class 3 after half a year.
FOLLOWUP_MONTHS = {1: 1, 2: 3, 3: 6}
SETTABLE = ("office", "assignee_id", "deadline", "status", "followup_class")
NS = uuid.UUID("b7e0f6d2-8a4c-4f5e-9c1d-2e6a4b8d0c13")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (Jan 31 + 1 = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def followups_for(dispute: dict[str, Any], resolved_on: date) -> list[dict[str, Any]]:
    """The follow-up records a dispute needs when it is resolved on ``resolved_on``.

    Pure: no I/O, so the sync engine can call it on every path that resolves a case. A dispute
    without a follow-up class gets none. Each dict holds the follow-up's fields plus its ``id``,
    derived from the dispute and the due date, so resolving the same case twice on one day, or a
    retried request, schedules it once.
    """
    months = FOLLOWUP_MONTHS.get(dispute.get("followup_class") or 0)
    if months is None:
        return []
    due = add_months(resolved_on, months)
    return [{"id": followup_id(dispute["id"], due), "dispute_id": dispute["id"], "due_on": due.isoformat(),
             "done_at": None, "agreement_kept": None, "notes": None}]


def followup_mutation(followup: dict[str, Any], at: str) -> Any:
    """The create mutation for a scheduled follow-up; its id is fixed by the follow-up's, so it applies once."""
    from server.sync.protocol import MutationIn

    return MutationIn(id=str(uuid.uuid5(NS, f"mutation:{followup['id']}")), collection="followups",
                      record_id=followup["id"], op="create", base_version=None, at=at,
                      fields={k: v for k, v in followup.items() if k != "id" and v is not None})


def followup_id(dispute_id: str, due_on: date) -> str:
    return str(uuid.uuid5(NS, f"followup:{dispute_id}:{due_on.isoformat()}"))


def check_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """The ``set`` of a bulk request, checked; a 400 names the field that is wrong."""
    if not changes:
        raise BadRequest(f"set must change at least one of {', '.join(SETTABLE)}")
    unknown = sorted(set(changes) - set(SETTABLE))
    if unknown:
        raise BadRequest(f"set.{unknown[0]} cannot be changed here; use one of {', '.join(SETTABLE)}")
    out = dict(changes)
    if "status" in out and out["status"] not in STATUSES:
        raise BadRequest(f"set.status must be one of {', '.join(STATUSES)}, got {out['status']!r}")
    if "deadline" in out and out["deadline"] is not None:
        try:
            out["deadline"] = date.fromisoformat(str(out["deadline"])).isoformat()
        except ValueError:
            raise BadRequest(f"set.deadline must be a date written YYYY-MM-DD, got {out['deadline']!r}") from None
    if "followup_class" in out and out["followup_class"] not in (None, 1, 2, 3):
        raise BadRequest(f"set.followup_class must be 1, 2 or 3, got {out['followup_class']!r}")
    if "office" in out and out["office"] is not None and not (isinstance(out["office"], str)
                                                             and 0 < len(out["office"]) <= 200):
        raise BadRequest("set.office must be text of 1 to 200 characters, or null")
    return out


async def bulk_update(session: AsyncSession, principal: Principal, ids: list[str], changes: dict[str, Any],
                      offices: dict[str, str], today: date | None = None) -> list[dict[str, Any]]:
    """Apply ``changes`` to each dispute as an update mutation on its current version; one result per id."""
    from server.sync.apply import apply_batch
    from server.sync.protocol import MutationIn

    changes = check_changes(changes)
    if len(set(ids)) != len(ids):
        raise BadRequest("ids must not repeat an id")
    if changes.get("assignee_id") is not None and await session.get(User, changes["assignee_id"]) is None:
        raise BadRequest(f"set.assignee_id: no user {changes['assignee_id']}")
    found = {d.id: d for d in await session.scalars(select(Dispute).where(Dispute.id.in_(ids)))}
    # A case outside the caller's scope is answered like a missing one, so it is not revealed.
    visible = {i: d for i, d in found.items() if principal.scope.covers(d.area_id) and not d.archived}
    today = today or local_today()
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    mutations, resolving = [], {}
    for dispute_id in ids:
        d = visible.get(dispute_id)
        if d is None:
            continue
        fields = dict(changes)
        if fields.get("status") == "assigned" and "office" not in fields and not d.office:
            # Handing a case over without naming an office sends it to the one configured for its category.
            fields["office"] = offices.get(d.category)
        mutations.append(MutationIn(id=str(uuid.uuid4()), collection="disputes", record_id=d.id, op="update",
                                    base_version=d.version, fields=fields, at=at))
        if fields.get("status") == "resolved" and d.status != "resolved":
            resolving[d.id] = {"id": d.id, "followup_class": fields.get("followup_class", d.followup_class)}
    # The engine schedules the follow-ups of every case it sees resolved; report which ones.
    results = {r.record_id: r for r in await apply_batch(session, principal, mutations)} if mutations else {}
    scheduled = {dispute_id: [f["id"] for f in followups_for(dispute, today)]
                 for dispute_id, dispute in resolving.items()
                 if getattr(results.get(dispute_id), "status", None) in ("applied", "conflict")
                 and "status" not in _clashing(results[dispute_id])}
    return [_result(i, results.get(i), scheduled.get(i, [])) for i in ids]


def _clashing(result: Any) -> set[str]:
    return {_get(c, "field") for c in (result.conflicts or [])}


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _result(dispute_id: str, result: Any, followups: list[str]) -> dict[str, Any]:
    if result is None:
        return {"id": dispute_id, "status": "rejected", "version": None, "conflicts": [],
                "error": {"code": "not_found", "message": f"No dispute {dispute_id} in your scope."},
                "followups": []}
    conflicts = [c if isinstance(c, dict) else {k: _get(c, k) for k in ("conflict_id", "field", "base", "server",
                                                                      "client")} for c in result.conflicts or []]
    error = result.error
    if error is not None and not isinstance(error, dict):
        error = {"code": _get(error, "code"), "message": _get(error, "message")}
    return {"id": dispute_id, "status": result.status, "version": result.version, "conflicts": conflicts,
            "error": error, "followups": followups}
