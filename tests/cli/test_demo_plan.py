"""The demo town's content, checked without a database: geometry, counts, coverage of codes."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from server.demo.load import USERS
from server.demo.records import build, demo_id
from server.settings import DEFAULT_OFFICES

TODAY = date(2026, 11, 25)
USER_IDS = {name: f"id-{name}" for name, *_ in USERS}


@pytest.fixture(scope="module")
def town():
    return build(TODAY, DEFAULT_OFFICES, USER_IDS)


def ring(area) -> list[tuple[float, float]]:
    coords = area.boundary["coordinates"][0]
    assert coords[0] == coords[-1], "a GeoJSON ring is closed"
    return [tuple(p) for p in coords[:-1]]


def signed_area(points: list[tuple[float, float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1])) / 2


def inside(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    x, y = point
    hit = False
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1]):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def test_the_same_town_comes_out_every_time(town):
    again = build(TODAY, DEFAULT_OFFICES, USER_IDS)
    assert again == town
    assert len({r.record_id for r in town.records}) == len(town.records)
    assert len({r.mutation_id for r in town.records}) == len(town.records)


def test_area_tree_is_one_town_three_villages_six_to_eight_grids_each(town):
    kinds = Counter(a.kind for a in town.areas)
    assert kinds["town"] == 1 and kinds["village"] + kinds["community"] == 3
    villages = [a for a in town.areas if a.kind in ("village", "community")]
    for v in villages:
        grids = [a for a in town.areas if a.parent == v.code]
        assert 6 <= len(grids) <= 8
        assert all(g.kind == "grid" for g in grids)
        assert all("\u4e00" <= ch <= "\u9fff" for ch in v.name)


def test_boundaries_are_counter_clockwise_polygons_and_grids_tile_their_village(town):
    for area in town.areas:
        assert area.boundary["type"] == "Polygon"
        assert signed_area(ring(area)) > 0, f"{area.code} ring runs clockwise"
        lon, lat = ring(area)[0]
        assert 119 < lon < 121 and 29 < lat < 31  # western Zhejiang
    for village in (a for a in town.areas if a.kind in ("village", "community")):
        grids = [a for a in town.areas if a.parent == village.code]
        assert sum(signed_area(ring(g)) for g in grids) == pytest.approx(signed_area(ring(village)), rel=1e-6)
        outline = ring(village)
        for g in grids:
            cx = sum(x for x, _ in ring(g)) / 4
            cy = sum(y for _, y in ring(g)) / 4
            assert inside((cx, cy), outline)


def test_households_lie_inside_their_grid_and_have_chinese_addresses(town):
    rings = {a.code: ring(a) for a in town.areas}
    assert 300 <= len(town.households) <= 600
    for h in town.households:
        assert inside((h.lon, h.lat), rings[h.grid]), h
        assert h.address.startswith("青石镇") and h.address.endswith("号")
        assert 2 <= len(h.head_name) <= 3
    village = [h.address for h in town.households if h.grid.startswith("QSZ-QS-")]
    assert all("青石村" in a and "组" in a for a in village)


def test_visits_use_all_four_outcomes_and_lie_near_their_household(town):
    households = {demo_id("households", h.key): h for h in town.households}
    visits = [r for r in town.records if r.collection == "visits"]
    assert Counter(v.fields["outcome"] for v in visits).keys() == {"met", "nobody_home", "refused", "moved"}
    for v in visits:
        h = households[v.fields["household_id"]]
        assert abs(v.fields["lat"] - h.lat) < 5e-4 and abs(v.fields["lon"] - h.lon) < 5e-4
        assert v.fields["visited_at"].endswith("+08:00") and v.fields["visited_at"][:10] < TODAY.isoformat()
        assert v.fields["notes"]
    visited = {v.fields["household_id"] for v in visits}
    assert 0.3 < len(visited) / len(households) < 0.8


def test_a_dozen_disputes_across_categories_risks_and_statuses(town):
    disputes = [r.fields for r in town.records if r.collection == "disputes"]
    assert 12 <= len(disputes) <= 16
    assert len({d["category"] for d in disputes}) >= 10
    assert {d["risk"] for d in disputes} == {"red", "orange", "yellow", "blue"}
    assert {d["status"] for d in disputes} == {"reported", "assigned", "in_mediation", "resolved", "referred",
                                                "unresolved"}
    open_ = [d for d in disputes if d["status"] in ("reported", "assigned", "in_mediation")]
    assert any(d["deadline"] < TODAY.isoformat() for d in open_), "some cases are overdue"
    assert any(d["deadline"] >= TODAY.isoformat() for d in open_)
    for d in disputes:
        assert d["office"] == DEFAULT_OFFICES[d["category"]]
        assert d["parties"] and all(set(p) == {"name", "role", "phone"} for p in d["parties"])
        assert d["title"] and d["description"] and d["location"]
    assert {d["assignee_id"] for d in disputes} >= {"id-mediator", "id-worker1", "id-worker2"}


def test_resolved_cases_have_follow_ups_some_done_some_due(town):
    disputes = {r.record_id: r.fields for r in town.records if r.collection == "disputes"}
    followups = [r.fields for r in town.records if r.collection == "followups"]
    assert followups
    assert all(disputes[f["dispute_id"]]["status"] == "resolved" for f in followups)
    assert {f["agreement_kept"] for f in followups} == {True, False, None}
    assert any(f["done_at"] is None and f["due_on"] > TODAY.isoformat() for f in followups)


def test_demo_users_match_section_9(town):
    grids = {a.code: a for a in town.areas}
    users = {name: (role, codes) for name, role, _, codes in USERS}
    assert set(users) == {"admin", "supervisor", "mediator", "worker1", "worker2"}
    assert users["admin"] == ("admin", ("QSZ",)) and users["supervisor"] == ("supervisor", ("QSZ",))
    (g1,), (g2,), (mediator_village,) = users["worker1"][1], users["worker2"][1], users["mediator"][1]
    assert grids[g1].kind == grids[g2].kind == "grid"
    assert grids[g1].parent == mediator_village != grids[g2].parent


def test_ended_cases_say_how_and_every_case_is_on_the_map(town):
    disputes = {r.record_id: r.fields for r in town.records if r.collection == "disputes"}
    for d in disputes.values():
        assert (d["outcome"] is not None) == (d["status"] in ("resolved", "unresolved", "referred")), d["title"]
        assert d["lat"] and d["lon"]
    linked = [r.fields for r in town.records if r.collection == "visits" and r.fields["dispute_ids"]]
    assert linked and all(set(v["dispute_ids"]) <= set(disputes) for v in linked)
