"""Write the demo town into a ledger: areas and users directly, records through the sync engine."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Principal
from server.clock import utcnow
from server.db import Database
from server.demo.records import SEED, Record, build, demo_id
from server.demo.town import AreaSpec, build_town
from server.demo.visits import CHINA
from server.models import Area, User
from server.scope import Scope
from server.services.accounts import add_user
from server.settings import Settings
from server.sync.apply import apply_batch
from server.sync.protocol import MutationIn, MutationResult

# (username, role, display name, assigned area codes): the five users of sync-protocol.md section 9.
USERS = (
    ("admin", "admin", "系统管理员", ("QSZ",)),
    ("supervisor", "supervisor", "刘建国（镇综治中心）", ("QSZ",)),
    ("mediator", "mediator", "陈秀英（青石村调委会）", ("QSZ-QS",)),
    ("worker1", "field_worker", "王磊（青石村第二网格）", ("QSZ-QS-G2",)),
    ("worker2", "field_worker", "周丽娟（柳溪村第三网格）", ("QSZ-LX-G3",)),
)
BATCH = 500
DEVICE = "demo"


class DemoError(Exception):
    """The demo could not be loaded; nothing was written."""


@dataclass
class UserOutcome:
    username: str
    role: str
    display_name: str
    areas: tuple[str, ...]
    action: str  # created, password reset, unchanged
    password: str | None  # only when the command chose it


@dataclass
class DemoReport:
    areas: dict[str, int] = field(default_factory=dict)  # kind -> count
    area_names: dict[str, str] = field(default_factory=dict)  # code -> name
    new_areas: int = 0
    records: dict[str, int] = field(default_factory=dict)  # collection -> count
    applied: int = 0
    replayed: int = 0
    users: list[UserOutcome] = field(default_factory=list)


async def load_demo(settings: Settings, password: str | None, today: date | None = None) -> DemoReport:
    """Load the demo town into the (migrated) ledger of ``settings`` in one transaction."""
    today = today or datetime.now(CHINA).date()
    report = DemoReport()
    db = Database(settings)
    try:
        async with db.write() as session:
            await _areas(session, build_town(SEED)[0], report)
            report.users = [await _user(session, spec, password) for spec in USERS]
            user_ids = dict((await session.execute(select(User.username, User.id))).tuples().all())
            town = build(today, settings.offices, user_ids)
            for principal, chunk in _batches(town.records, _principals(user_ids)):
                results = await apply_batch(session, principal, [_mutation(r) for r in chunk])
                _tally(report, chunk, results)
    finally:
        await db.dispose()
    return report


async def _areas(session: AsyncSession, areas: list[AreaSpec], report: DemoReport) -> None:
    existing = dict((await session.execute(select(Area.code, Area.id))).tuples().all())
    now = utcnow()
    for spec in areas:
        area_id = demo_id("area", spec.code)
        report.areas[spec.kind] = report.areas.get(spec.kind, 0) + 1
        report.area_names[spec.code] = spec.name
        if area_id in existing.values():
            continue  # loaded by an earlier run; an admin may have edited it since, so leave it
        if spec.code in existing:
            raise DemoError(f"area code {spec.code} is already used by another area; "
                            "load the demo into an empty ledger (another --data-dir)")
        report.new_areas += 1
        session.add(Area(id=area_id, parent_id=demo_id("area", spec.parent) if spec.parent else None,
                         kind=spec.kind, name=spec.name, code=spec.code, boundary=spec.boundary, created_at=now))
    await session.flush()


async def _user(session: AsyncSession, spec: tuple[str, str, str, tuple[str, ...]],
                password: str | None) -> UserOutcome:
    username, role, display_name, codes = spec
    exists = await session.scalar(select(User.id).where(User.username == username)) is not None
    if exists and password is None:
        # Without --password a rerun must not lock out people who already use these accounts.
        return UserOutcome(username, role, display_name, codes, "unchanged", None)
    chosen = password or secrets.token_urlsafe(9)
    await add_user(session, username, role, chosen, [demo_id("area", c) for c in codes], display_name)
    return UserOutcome(username, role, display_name, codes, "password reset" if exists else "created",
                       None if password else chosen)


def _principals(user_ids: dict[str, str]) -> dict[str | None, Principal]:
    """Who writes what: each demo field worker their own grid's visits and cases, the admin the rest.

    The household register is the admin's import; a supervisor looking at visits by worker then
    sees worker1 and worker2 at work in their grids.
    """
    out: dict[str | None, Principal] = {
        None: Principal(user_id=user_ids["admin"], username="admin", display_name="系统管理员", role="admin",
                        device_id=DEVICE, area_ids=(), scope=Scope(None))}
    for username, role, display_name, codes in USERS:
        if role == "field_worker":
            areas = tuple(demo_id("area", c) for c in codes)
            for code in codes:
                out[code] = Principal(user_id=user_ids[username], username=username, display_name=display_name,
                                      role=role, device_id=DEVICE, area_ids=areas, scope=Scope(frozenset(areas)))
    return out


def _batches(records: list[Record], principals: dict[str | None, Principal]) -> list[tuple[Principal, list[Record]]]:
    """Runs of records with one writer, households first and every follow-up after its case."""
    phase = {"households": 0, "visits": 1, "disputes": 2, "followups": 2}

    def writer(r: Record) -> str | None:
        return r.grid if r.collection != "households" and r.grid in principals else None

    ordered = sorted(records, key=lambda r: (phase[r.collection], writer(r) or ""))
    out: list[tuple[Principal, list[Record]]] = []
    for r in ordered:
        principal = principals[writer(r)]
        if not out or out[-1][0] is not principal or len(out[-1][1]) >= BATCH:
            out.append((principal, []))
        out[-1][1].append(r)
    return out


def _mutation(r: Record) -> MutationIn:
    return MutationIn(id=r.mutation_id, collection=r.collection, record_id=r.record_id, op="create",
                      base_version=None, fields=r.fields, at=r.at)


def _tally(report: DemoReport, chunk: list[Record], results: list[MutationResult]) -> None:
    for record, result in zip(chunk, results, strict=True):
        if result.status != "applied":
            message = result.error["message"] if result.error else result.status
            raise DemoError(f"the ledger refused demo record {record.collection}/{record.record_id}: {message}")
        report.records[record.collection] = report.records.get(record.collection, 0) + 1
        if result.replayed:
            report.replayed += 1
        else:
            report.applied += 1
