"""The demo's synced records (households, visits, disputes, follow-ups) as create mutations.

Every id is a uuid5 of a stable name and every random draw comes from a fixed seed, so the
same mutations come out on every run; a second run is answered from the mutation log.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from server.demo.cases import CASES, CasePlan
from server.demo.names import mobile
from server.demo.town import AreaSpec, HouseholdSpec, build_town
from server.demo.visits import CAMPAIGN_DAYS, plan_visits, stamp

SEED = 20261124
NS = uuid.UUID("3c0d8a52-5f0e-4c1b-9d3e-6b2a51e7d0a1")


def demo_id(kind: str, key: str) -> str:
    """The stable id of a demo object (an area, a record or a mutation)."""
    return str(uuid.uuid5(NS, f"{kind}:{key}"))


@dataclass(frozen=True)
class Record:
    collection: str
    record_id: str
    mutation_id: str
    fields: dict[str, Any]
    at: str
    grid: str  # code of the grid the record lies in


@dataclass(frozen=True)
class Town:
    areas: list[AreaSpec]
    households: list[HouseholdSpec]
    records: list[Record]


def _record(collection: str, key: str, fields: dict[str, Any], at: str, grid: str) -> Record:
    return Record(collection, demo_id(collection, key), demo_id("mutation", f"{collection}:{key}:create"), fields, at,
                  grid)


def build(today: date, offices: dict[str, str], user_ids: dict[str, str]) -> Town:
    """The whole demo town as of ``today`` (China date); ``user_ids`` maps demo usernames to ids."""
    areas, households = build_town(SEED)
    rng = random.Random(SEED + 1)
    by_key = {h.key: h for h in households}
    registered = stamp(today - timedelta(days=CAMPAIGN_DAYS + 3), time(9, 0))
    records = [
        _record("households", h.key, {"area_id": demo_id("area", h.grid), "address": h.address,
                                      "head_name": h.head_name, "lat": h.lat, "lon": h.lon}, registered, h.grid)
        for h in households
    ]
    found: dict[str, tuple[int, str, str]] = {}
    case_records: list[Record] = []
    for case in CASES:
        heads = [by_key[f"{case.grid}/{n:02d}"] for n in case.households]
        names = dict(zip("abcdefgh", (h.head_name for h in heads)), s=heads[0].head_name[0])
        title = case.title.format(**names)
        if -case.reported <= CAMPAIGN_DAYS:
            found.update({h.key: (-case.reported, title, demo_id("disputes", case.key)) for h in heads})
        case_records += _case(case, heads, names, title, today, offices, user_ids, rng)
    visits = plan_visits(households, found, today, SEED + 2)
    records += [
        _record("visits", v.key, {"household_id": demo_id("households", v.household), "visited_at": v.visited_at,
                                  "outcome": v.outcome, "notes": v.notes, "lat": v.lat, "lon": v.lon,
                                  "accuracy_m": v.accuracy_m, "concerns": v.concerns,
                                  "dispute_ids": list(v.dispute_ids)}, v.visited_at,
                by_key[v.household].grid)
        for v in sorted(visits, key=lambda v: v.visited_at)
    ]
    return Town(areas, households, records + case_records)


def _case(case: CasePlan, heads: list[HouseholdSpec], names: dict[str, str], title: str, today: date,
          offices: dict[str, str], user_ids: dict[str, str], rng: random.Random) -> list[Record]:
    parties = [{"name": h.head_name, "role": role, "phone": mobile(rng)} for h, role in zip(heads, case.roles)]
    parties += [{"name": name.format(**names), "role": role, "phone": mobile(rng)} for name, role in case.others]
    reported = stamp(today + timedelta(days=case.reported), time(rng.randint(9, 16), rng.randrange(60)))
    fields = {
        "area_id": demo_id("area", case.grid),
        "household_ids": [demo_id("households", h.key) for h in heads],
        "title": title,
        "description": case.description.format(**names),
        "category": case.category,
        "risk": case.risk,
        "status": case.status,
        "parties": parties,
        "office": offices.get(case.category),
        "assignee_id": user_ids.get(case.assignee) if case.assignee else None,
        "deadline": (today + timedelta(days=case.deadline)).isoformat(),
        "followup_class": case.followup_class,
        "handling": case.handling,
        "location": case.location,
        "outcome": case.outcome.format(**names) or None,
        # Where the case is on the map: by the first household's door.
        "lat": round(heads[0].lat + 0.00004, 6),
        "lon": round(heads[0].lon + 0.00004, 6),
    }
    out = [_record("disputes", case.key, fields, reported, case.grid)]
    dispute_id = out[0].record_id
    for i, f in enumerate(case.followups, 1):
        done = stamp(today + timedelta(days=f.done), time(10, 30)) if f.done is not None else None
        out.append(_record("followups", f"{case.key}/{i}", {
            "dispute_id": dispute_id, "due_on": (today + timedelta(days=f.due)).isoformat(), "done_at": done,
            "agreement_kept": f.kept, "notes": f.notes or None,
        }, done or reported, case.grid))
    return out
