"""A small ledger pushed through POST /api/sync/push, and the truth about it computed in plain Python.

The truth here never asks the server: it follows the records the test pushed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from tests.seed import AREAS, sid

CHINA = timezone(timedelta(hours=8))
PARENT = {code: parent for code, parent, _ in AREAS}
CODE_OF = {sid(code): code for code, _, _ in AREAS}


def today() -> date:
    return datetime.now(CHINA).date()


def ancestors(code: str) -> list[str]:
    out = [code]
    while PARENT.get(out[-1]):
        out.append(PARENT[out[-1]])
    return out


def under(code: str, root: str) -> bool:
    return root in ancestors(code)


def children(code: str) -> list[str]:
    return sorted(c for c, p in PARENT.items() if p == code)


def rid() -> str:
    return str(uuid.uuid4())


@dataclass
class Town:
    households: dict[str, dict[str, Any]] = field(default_factory=dict)
    visits: dict[str, dict[str, Any]] = field(default_factory=dict)
    disputes: dict[str, dict[str, Any]] = field(default_factory=dict)
    followups: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # label -> record id

    # --- truth -----------------------------------------------------------------

    def live_households(self, root: str | None = None) -> dict[str, dict[str, Any]]:
        return {i: h for i, h in self.households.items() if not h["archived"] and (root is None
                                                                                 or under(h["area"], root))}

    def window_visits(self, start: str | None, end: str | None) -> list[dict[str, Any]]:
        return [v for v in self.visits.values() if not v["archived"]
                and (start is None or v["visited_at"][:10] >= start) and (end is None or v["visited_at"][:10] <= end)]

    def coverage_of(self, root: str, start: str | None = None, end: str | None = None) -> tuple[int, int]:
        houses = self.live_households(root)
        visited = {v["household"] for v in self.window_visits(start, end)} & set(houses)
        return len(houses), len(visited)

    def live_disputes(self, root: str | None = None) -> list[dict[str, Any]]:
        return [d for d in self.disputes.values() if not d["archived"] and (root is None or under(d["area"], root))]

    def overdue_disputes(self, root: str | None = None) -> list[dict[str, Any]]:
        return [d for d in self.live_disputes(root) if d["status"] in ("reported", "assigned", "in_mediation")
                and d.get("deadline") and d["deadline"] < today().isoformat()]

    def overdue(self, root: str | None = None) -> int:
        return len(self.overdue_disputes(root))

    def followups_due(self, root: str | None = None) -> int:
        t = today().isoformat()
        return sum(1 for f in self.followups.values()
                   if not f.get("done_at") and f["due_on"] <= t
                   and (root is None or under(self.disputes[f["dispute_id"]]["area"], root)))


def build(t: date) -> tuple[Town, dict[str, list[dict[str, Any]]]]:
    """The town and the mutations to push, by the user who pushes them."""
    town = Town()
    # Archiving households comes last ("admin_late"), after the visits to them were pushed.
    pushes: dict[str, list[dict[str, Any]]] = {"admin": [], "worker1": [], "worker2": [], "mediator": [],
                                               "admin_late": []}
    at = "2026-11-01T08:00:00+08:00"

    def create(user: str, collection: str, fields: dict[str, Any], when: str = at) -> str:
        record_id = rid()
        pushes[user].append({"id": rid(), "collection": collection, "record_id": record_id, "op": "create",
                             "base_version": None, "fields": fields, "at": when})
        return record_id

    def archive(user: str, collection: str, record_id: str) -> None:
        pushes[user if collection != "households" else "admin_late"].append({"id": rid(), "collection": collection, "record_id": record_id, "op": "update",
                             "base_version": 1, "fields": {"archived": True}, "at": at})

    coords = iter((30.0 + i / 100, 120.0 + i / 100) for i in range(100))
    for label, code, has_coords, archived in [
        ("g1a", "G1", True, False), ("g1b", "G1", True, False), ("g1c", "G1", True, False),
        ("g1d", "G1", False, False), ("g1x", "G1", True, True), ("g2a", "G2", True, False),
        ("g2b", "G2", True, False), ("g3a", "G3", True, False), ("g3b", "G3", True, False),
        ("g3c", "G3", True, False), ("v1a", "V1", True, False),
    ]:
        lat, lon = next(coords) if has_coords else (None, None)
        fields = {"area_id": sid(code), "address": f"{code} 号 {label}", "head_name": f"户主{label}"}
        if has_coords:
            fields.update(lat=lat, lon=lon)
        hid = create("admin", "households", fields)
        town.names[label] = hid
        town.households[hid] = {"area": code, "archived": archived, "lat": lat, "lon": lon, "label": label}
        if archived:
            archive("admin", "households", hid)

    for label, house, visited_at, outcome, user, archived in [
        ("v1", "g1a", "2026-11-02T10:00:00+08:00", "met", "worker1", False),
        ("v2", "g1a", "2026-11-10T16:00:00+08:00", "nobody_home", "worker1", False),
        ("v3", "g1b", "2026-11-20T09:00:00+08:00", "refused", "worker1", False),
        ("v4", "g1d", "2026-11-03T09:00:00+08:00", "met", "worker1", False),
        ("v5", "g1x", "2026-11-04T09:00:00+08:00", "met", "worker1", False),
        ("v6", "g2a", "2026-11-01T07:00:00+08:00", "met", "mediator", False),  # 2026-10-31 in UTC
        ("v7", "v1a", "2026-11-12T10:00:00+08:00", "moved", "mediator", False),
        ("v8", "g3a", "2026-11-05T10:00:00+08:00", "met", "worker2", False),
        ("v9", "g3a", "2026-11-05T15:00:00+08:00", "refused", "worker2", False),
        ("v10", "g3b", "2026-11-06T10:00:00+08:00", "met", "worker2", True),
    ]:
        hid = town.names[house]
        vid = create(user, "visits", {"household_id": hid, "visited_at": visited_at, "outcome": outcome})
        town.visits[vid] = {"household": hid, "visited_at": visited_at, "outcome": outcome, "by": user,
                            "archived": archived}
        if archived:
            archive(user, "visits", vid)

    day = lambda n: (t + timedelta(days=n)).isoformat()  # noqa: E731
    # found: days before today the phone recorded the case, at 07:00 China time (the day before in UTC).
    for label, code, category, risk, status, deadline, klass, archived, found in [
        ("d1", "G1", "neighbour", "yellow", "reported", day(-3), None, False, 0),
        ("d2", "G1", "labour", "red", "assigned", day(5), None, False, 3),
        ("d3", "G1", "marriage_family", "blue", "resolved", day(-20), 1, False, 10),
        ("d4", "G2", "neighbour", "orange", "in_mediation", day(-1), 2, False, 20),
        ("d5", "G3", "land_contract", "red", "resolved", day(-10), 3, False, 40),
        ("d6", "G3", "other", "blue", "referred", day(-2), None, False, 100),
        ("d7", "G3", "neighbour", "yellow", "unresolved", None, None, False, 8),
        ("d8", "G1", "traffic", "red", "reported", day(-9), None, True, 1),
        ("d9", "V1", "medical", "orange", "reported", None, None, False, 15),
    ]:
        fields = {"area_id": sid(code), "title": f"纠纷 {label}", "category": category, "risk": risk,
                  "status": status, "parties": [{"name": f"当事人{label}", "role": "申请人", "phone": "13800000000"}],
                  "household_ids": [], "description": f"=cmd {label}"}
        if deadline:
            fields["deadline"] = deadline
        if klass:
            fields["followup_class"] = klass
        found_on = day(-found)
        did = create("admin", "disputes", fields, f"{found_on}T07:00:00+08:00")
        town.names[label] = did
        town.disputes[did] = {"area": code, "category": category, "risk": risk, "status": status,
                              "deadline": deadline, "archived": archived, "label": label, "followup_class": klass,
                              "found_on": found_on}
        if archived:
            archive("admin", "disputes", did)

    done_at = "2026-11-20T10:00:00+08:00"
    for label, dispute, due, done in [("f1", "d3", day(-2), None), ("f2", "d3", day(-5), done_at),
                                      ("f3", "d5", day(10), None), ("f4", "d5", day(0), None)]:
        fields = {"dispute_id": town.names[dispute], "due_on": due}
        if done:
            fields.update(done_at=done, agreement_kept=True)
        fid = create("admin", "followups", fields)
        town.followups[fid] = {"dispute_id": town.names[dispute], "due_on": due, "done_at": done}
    return town, pushes
