"""Supervisor reports (sync-protocol.md section 7): coverage, the coverage map and the case summary.

Every number is computed from the ledger inside the caller's scope; an area outside it is 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from server.auth import Principal
from server.clock import as_utc
from server.errors import BadRequest, NotFound
from server.models import Area, Dispute, Followup, Household, Mutation, User, Visit
from server.scope import AreaTree

# The campaigns run in China (one time zone, no daylight saving) and settings have no zone yet;
# "today" for deadlines and the week a case was found are China dates.
LOCAL = timezone(timedelta(hours=8))
STATUSES = ("reported", "assigned", "in_mediation", "resolved", "referred", "unresolved")
OPEN = ("reported", "assigned", "in_mediation")
RISKS = ("red", "orange", "yellow", "blue")
CATEGORIES = ("marriage_family", "neighbour", "labour", "land_requisition", "land_contract", "property",
              "private_lending", "illegal_fundraising", "medical", "education", "traffic", "environment",
              "enterprise", "consumer", "other")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def local_today() -> date:
    return datetime.now(LOCAL).date()


def local_day(value: datetime | None) -> date | None:
    return None if value is None else as_utc(value).astimezone(LOCAL).date()


def parse_day(name: str, value: str | None) -> date | None:
    """A YYYY-MM-DD query parameter, or a 400 that names it."""
    if value is None or value == "":
        return None
    try:
        if not _DAY.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} must be a date written YYYY-MM-DD, got {value!r}") from None


def parse_window(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    first, last = parse_day("from", start), parse_day("to", end)
    if first and last and first > last:
        raise BadRequest(f"from ({first}) must not be after to ({last})")
    return first, last


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass(frozen=True)
class Frame:
    """The part of the area tree a report covers: the areas it lists and every area it counts."""

    areas: dict[str, Area]  # every area, by id (for names and codes)
    rows: list[Area]  # A's children, or the caller's top areas
    members: dict[str, frozenset[str]]  # row id -> the row's subtree
    ids: frozenset[str]  # A's subtree, or the caller's whole scope

    def clause(self, column: Any) -> ColumnElement[bool]:
        return column.in_(sorted(self.ids))

    def roll_up(self, counts: dict[str | None, int]) -> dict[str, int]:
        """Per-area counts summed over each listed row's subtree."""
        return {r.id: sum(counts.get(a, 0) for a in self.members[r.id]) for r in self.rows}

    def total(self, counts: dict[str | None, int]) -> int:
        return sum(n for a, n in counts.items() if a in self.ids)


async def frame(session: AsyncSession, principal: Principal, area_id: str | None) -> Frame:
    areas = {a.id: a for a in await session.scalars(select(Area))}
    tree = AreaTree({a.id: a.parent_id for a in areas.values()})
    if area_id:
        # An area outside the scope is "not found", so its existence is not revealed either.
        if area_id not in areas or not principal.scope.covers(area_id):
            raise NotFound(f"No area {area_id} in your scope.")
        rows = [a for a in areas.values() if a.parent_id == area_id]
        ids = tree.subtree([area_id])
    else:
        if principal.scope.is_all:
            rows = [a for a in areas.values() if a.parent_id is None]
        else:
            assigned = {a for a in principal.area_ids if a in areas}
            rows = [areas[a] for a in assigned if not (tree.subtree([p for p in assigned if p != a]) >= {a})]
        ids = tree.subtree([r.id for r in rows])
    rows.sort(key=lambda a: a.code)
    return Frame(areas, rows, {r.id: tree.subtree([r.id]) for r in rows}, ids)


def _visit_window(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    # The visit's local date is the first ten characters of visited_at, as the device wrote it.
    day = func.substr(Visit.visited_at, 1, 10)
    conditions = []
    if start:
        conditions.append(day >= start.isoformat())
    if end:
        conditions.append(day <= end.isoformat())
    return conditions


def _live_households(f: Frame) -> list[ColumnElement[bool]]:
    return [f.clause(Household.area_id), Household.archived.isnot(True)]


async def household_counts(session: AsyncSession, f: Frame, start: date | None, end: date | None
                           ) -> tuple[dict[str | None, int], dict[str | None, int]]:
    """(households per area, households visited in the window per area) over the frame."""
    households = dict((await session.execute(
        select(Household.area_id, func.count()).where(*_live_households(f)).group_by(Household.area_id))).all())
    visited = dict((await session.execute(
        select(Household.area_id, func.count(distinct(Household.id)))
        .join(Visit, Visit.household_id == Household.id)
        .where(*_live_households(f), Visit.archived.isnot(True), *_visit_window(start, end))
        .group_by(Household.area_id))).all())
    return households, visited


async def coverage(session: AsyncSession, principal: Principal, area_id: str | None, start: date | None,
                   end: date | None) -> dict[str, Any]:
    f = await frame(session, principal, area_id)
    households, visited = await household_counts(session, f, start, end)
    per_h, per_v = f.roll_up(households), f.roll_up(visited)
    workers = await _visits_by_worker(session, f, start, end)
    rows = [{"area_id": r.id, "name": r.name, "code": r.code, "kind": r.kind, "households": per_h[r.id],
             "visited": per_v[r.id], "coverage": ratio(per_v[r.id], per_h[r.id]),
             "visits_by_worker": workers.get(r.id, [])} for r in f.rows]
    total_h, total_v = f.total(households), f.total(visited)
    return {"areas": rows, "total": {"households": total_h, "visited": total_v, "coverage": ratio(total_v, total_h)}}


async def _visits_by_worker(session: AsyncSession, f: Frame, start: date | None, end: date | None
                            ) -> dict[str, list[dict[str, Any]]]:
    """Per listed area: who recorded visits in the window, how many, and to how many households."""
    rows = (await session.execute(
        select(Household.area_id, Visit.created_by, func.count(Visit.id), func.count(distinct(Visit.household_id)))
        .join(Visit, Visit.household_id == Household.id)
        .where(*_live_households(f), Visit.archived.isnot(True), *_visit_window(start, end))
        .group_by(Household.area_id, Visit.created_by))).all()
    user_ids = sorted({r[1] for r in rows if r[1]})
    names = dict((await session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))).all())
    row_of = {a: r.id for r in f.rows for a in f.members[r.id]}
    acc: dict[str, dict[str | None, list[int]]] = {}
    for area, user, visits, households in rows:
        if area in row_of:
            slot = acc.setdefault(row_of[area], {}).setdefault(user, [0, 0])
            slot[0] += visits
            slot[1] += households  # a household lies in one area, so sums over areas do not double count
    return {row: sorted(({"user_id": u, "name": names.get(u or "", ""), "visits": v, "households": h}
                         for u, (v, h) in users.items()), key=lambda w: (-w["visits"], w["name"]))
            for row, users in acc.items()}


def _instant(visited_at: str) -> tuple[Any, ...]:
    try:
        return (0, as_utc(datetime.fromisoformat(visited_at)), visited_at)
    except ValueError:
        return (-1, visited_at, visited_at)


async def coverage_points(session: AsyncSession, principal: Principal, area_id: str | None, start: date | None,
                          end: date | None) -> dict[str, Any]:
    """A FeatureCollection: one Point per household with coordinates, visited or not in the window."""
    f = await frame(session, principal, area_id)
    houses = (await session.execute(
        select(Household.id, Household.area_id, Household.lat, Household.lon, Household.address)
        .where(*_live_households(f), Household.lat.isnot(None), Household.lon.isnot(None))
        .order_by(Household.id))).all()
    latest: dict[str, tuple[Any, str]] = {}
    visits = await session.execute(
        select(Visit.household_id, Visit.visited_at, Visit.outcome)
        .join(Household, Visit.household_id == Household.id)
        .where(*_live_households(f), Visit.archived.isnot(True), *_visit_window(start, end)))
    for household_id, visited_at, outcome in visits:
        key = _instant(visited_at)
        if household_id not in latest or key > latest[household_id][0]:
            latest[household_id] = (key, outcome)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                 "properties": {"id": hid, "visited": hid in latest, "outcome": latest[hid][1] if hid in latest
                                else None, "area_id": area, "address": address}}
                for hid, area, lat, lon, address in houses]
    return {"type": "FeatureCollection", "features": features}


async def area_shapes(session: AsyncSession, principal: Principal, area_id: str | None, start: date | None,
                      end: date | None) -> dict[str, Any]:
    """Every area with a boundary in the frame, with its own coverage, for shading the map."""
    f = await frame(session, principal, area_id)
    households, visited = await household_counts(session, f, start, end)
    tree = AreaTree({a.id: a.parent_id for a in f.areas.values()})
    features = []
    for area in sorted((f.areas[a] for a in f.ids), key=lambda a: a.code):
        if not area.boundary:
            continue
        below = tree.subtree([area.id])
        h = sum(households.get(a, 0) for a in below)
        v = sum(visited.get(a, 0) for a in below)
        features.append({"type": "Feature", "geometry": area.boundary,
                         "properties": {"id": area.id, "name": area.name, "code": area.code, "kind": area.kind,
                                        "parent_id": area.parent_id, "households": h, "visited": v,
                                        "coverage": ratio(v, h)}})
    return {"type": "FeatureCollection", "features": features}


def _device_day(at: str | None, server_day: date | None) -> date | None:
    """The device's local date of a change (its first ten characters, like visited_at); the server's
    date when the device sent none or its clock was days ahead."""
    try:
        day = date.fromisoformat(at[:10]) if at and _DAY.match(at[:10]) else None
    except ValueError:
        day = None
    if day is None or (server_day is not None and day > server_day + timedelta(days=1)):
        return server_day
    return day


async def case_days(session: AsyncSession, disputes: list[Any]) -> dict[str, tuple[date | None, date | None]]:
    """Per dispute: (the day it was found, the day it was resolved or None), as the devices dated them.

    A phone may sync a week of work at once, so the server's created_at would put a case found last
    week into this week's report; the `at` of the mutations that created and resolved it does not.
    """
    ids = [d.id for d in disputes]
    found: dict[str, str | None] = {}
    resolved: dict[str, tuple[int, str | None]] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(Mutation.record_id, Mutation.op, Mutation.at, Mutation.fields, Mutation.version, Mutation.result)
            .where(Mutation.collection == "disputes", Mutation.record_id.in_(ids[start:start + 1000]),
                   Mutation.status.in_(("applied", "conflict"))))
        for record_id, op, at, fields, version, result in rows:
            if op == "create":
                found[record_id] = at
            # A field that clashed was not applied: that mutation did not resolve the case.
            clashed = {c.get("field") for c in (result or {}).get("conflicts") or [] if isinstance(c, dict)}
            if isinstance(fields, dict) and fields.get("status") == "resolved" and "status" not in clashed \
                    and (version or 0) >= resolved.get(record_id, (-1, None))[0]:
                resolved[record_id] = (version or 0, at)
    out = {}
    for d in disputes:
        done = None
        if d.status == "resolved":
            server_done = local_day(d.resolved_at or d.updated_at)
            done = _device_day(resolved.get(d.id, (0, None))[1], server_done)
        out[d.id] = (_device_day(found.get(d.id), local_day(d.created_at)), done)
    return out


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def summary(session: AsyncSession, principal: Principal, area_id: str | None, target: float,
                  weeks: int = 12, today: date | None = None) -> dict[str, Any]:
    f = await frame(session, principal, area_id)
    today = today or local_today()
    rows = (await session.execute(
        select(Dispute.id, Dispute.status, Dispute.category, Dispute.risk, Dispute.deadline, Dispute.created_at,
               Dispute.resolved_at, Dispute.updated_at)
        .where(f.clause(Dispute.area_id), Dispute.archived.isnot(True)))).all()
    days = await case_days(session, rows)
    by_status = dict.fromkeys(STATUSES, 0)
    by_category = dict.fromkeys(CATEGORIES, 0)
    by_risk = dict.fromkeys(RISKS, 0)
    overdue = 0
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    trend = {iso_week(s): {"week": iso_week(s), "start": s.isoformat(), "found": 0, "resolved": 0} for s in starts}
    for dispute_id, status, category, risk, deadline, *_ in rows:
        by_status[status] = by_status.get(status, 0) + 1
        by_category[category] = by_category.get(category, 0) + 1
        by_risk[risk] = by_risk.get(risk, 0) + 1
        if status in OPEN and deadline is not None and deadline < today:
            overdue += 1
        found_on, resolved_on = days[dispute_id]
        if found_on and iso_week(found_on) in trend:
            trend[iso_week(found_on)]["found"] += 1
        if resolved_on and iso_week(resolved_on) in trend:
            trend[iso_week(resolved_on)]["resolved"] += 1
    followups_due = await session.scalar(
        select(func.count()).select_from(Followup)
        .where(f.clause(Followup.area_id), Followup.archived.isnot(True), Followup.done_at.is_(None),
               Followup.due_on.isnot(None), Followup.due_on <= today))
    total, resolved = len(rows), by_status["resolved"]
    return {"area_id": area_id, "total": total, "resolved": resolved, "resolution_rate": ratio(resolved, total),
            "resolution_target": target, "overdue": overdue, "followups_due": followups_due or 0,
            "by_status": by_status, "by_category": by_category, "by_risk": by_risk, "today": today.isoformat(),
            "weekly": list(trend.values())}
