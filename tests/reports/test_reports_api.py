"""Every number of the coverage, map and summary reports, checked against the truth from what was pushed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.reports.town import CODE_OF, Town, children, today
from tests.seed import sid

WINDOWS = [(None, None), ("2026-11-01", "2026-11-10"), ("2026-11-11", "2026-11-30"), ("2026-10-31", "2026-10-31")]


def _query(**params: str | None) -> dict[str, str]:
    return {("from" if k == "start" else "to" if k == "end" else k): v for k, v in params.items() if v is not None}


def _ratio(visited: int, households: int) -> float:
    return round(visited / households, 4) if households else 0.0


async def test_coverage_numbers_match_the_ledger(client, ledger, town: Town):
    headers = await ledger.headers("supervisor")
    for root, (start, end) in [(root, w) for root in (None, "T", "V1", "V2", "G1") for w in WINDOWS]:
        r = await client.get("/api/reports/coverage", headers=headers,
                             params=_query(area_id=sid(root) if root else None, start=start, end=end))
        assert r.status_code == 200, r.text
        body = r.json()
        listed = ["T"] if root is None else children(root)
        assert [CODE_OF[a["area_id"]] for a in body["areas"]] == listed
        for row in body["areas"]:
            households, visited = town.coverage_of(CODE_OF[row["area_id"]], start, end)
            assert (row["households"], row["visited"]) == (households, visited), (row, start, end)
            assert row["coverage"] == pytest.approx(_ratio(visited, households))
        households, visited = town.coverage_of(root or "T", start, end)
        assert body["total"] == {"households": households, "visited": visited,
                                 "coverage": pytest.approx(_ratio(visited, households))}


async def test_coverage_counts_a_visit_by_its_local_date_and_lists_visits_by_worker(client, ledger, town: Town):
    headers = await ledger.headers("supervisor")
    # v6 was at 07:00 on 1 November in China, which is still 31 October in UTC.
    r = await client.get("/api/reports/coverage", headers=headers,
                         params={"area_id": sid("V1"), "from": "2026-11-01", "to": "2026-11-01"})
    rows = {CODE_OF[a["area_id"]]: a for a in r.json()["areas"]}
    assert rows["G2"]["visited"] == 1 and rows["G1"]["visited"] == 0
    r = await client.get("/api/reports/coverage", headers=headers, params={"area_id": sid("T")})
    rows = {CODE_OF[a["area_id"]]: a for a in r.json()["areas"]}
    for code, row in rows.items():
        expected: dict[str, list[int]] = {}
        houses = town.live_households(code)
        for v in town.window_visits(None, None):
            if v["household"] in houses:
                expected.setdefault(sid(v["by"]), []).append(1)
        got = {w["user_id"]: w["visits"] for w in row["visits_by_worker"]}
        assert got == {u: len(n) for u, n in expected.items()}, code
        assert all(w["name"] for w in row["visits_by_worker"])


async def test_coverage_geojson_has_a_point_per_household_with_coordinates(client, ledger, town: Town):
    headers = await ledger.headers("supervisor")
    for root, (start, end) in [("T", (None, None)), ("V1", ("2026-11-01", "2026-11-10")), ("G3", (None, None))]:
        r = await client.get("/api/reports/coverage.geojson", headers=headers,
                             params=_query(area_id=sid(root), start=start, end=end))
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/geo+json")
        body = r.json()
        assert body["type"] == "FeatureCollection"
        houses = {i: h for i, h in town.live_households(root).items() if h["lat"] is not None}
        features = {f["properties"]["id"]: f for f in body["features"]}
        assert set(features) == set(houses)
        visits = town.window_visits(start, end)
        for hid, house in houses.items():
            f = features[hid]
            assert f["geometry"] == {"type": "Point", "coordinates": [house["lon"], house["lat"]]}
            mine = sorted((v["visited_at"], v["outcome"]) for v in visits if v["household"] == hid)
            assert f["properties"]["visited"] is bool(mine)
            assert f["properties"]["outcome"] == (mine[-1][1] if mine else None)
            assert f["properties"]["area_id"] == sid(house["area"])


async def test_area_geojson_shades_areas_with_their_coverage(client, ledger, town: Town):
    admin = await ledger.headers("admin")
    square = {"type": "Polygon", "coordinates": [[[120, 30], [120.1, 30], [120.1, 30.1], [120, 30.1], [120, 30]]]}
    for code in ("G1", "G3"):
        r = await client.put(f"/api/areas/{sid(code)}/boundary", headers=admin, json=square)
        assert r.status_code == 200, r.text
    r = await client.get("/api/areas/geojson", headers=await ledger.headers("supervisor"),
                         params={"area_id": sid("T"), "from": "2026-11-01", "to": "2026-11-10"})
    assert r.status_code == 200
    features = {CODE_OF[f["properties"]["id"]]: f for f in r.json()["features"]}
    assert set(features) == {"G1", "G3"}
    for code, f in features.items():
        households, visited = town.coverage_of(code, "2026-11-01", "2026-11-10")
        assert f["geometry"] == square
        assert (f["properties"]["households"], f["properties"]["visited"]) == (households, visited)


async def test_summary_numbers_match_the_ledger(client, ledger, town: Town, settings):
    for root in (None, "T", "V1", "G3"):
        await _check_summary(client, ledger, town, root, settings)


async def _check_summary(client, ledger, town: Town, root: str | None, settings) -> None:
    r = await client.get("/api/reports/summary", headers=await ledger.headers("supervisor"),
                         params={"area_id": sid(root)} if root else {})
    assert r.status_code == 200, r.text
    body = r.json()
    disputes = town.live_disputes(root)
    for key, name in (("by_status", "status"), ("by_category", "category"), ("by_risk", "risk")):
        expected = {}
        for d in disputes:
            expected[d[name]] = expected.get(d[name], 0) + 1
        assert {k: v for k, v in body[key].items() if v} == expected, key
    resolved = sum(d["status"] == "resolved" for d in disputes)
    assert body["total"] == len(disputes)
    assert body["resolved"] == resolved
    assert body["resolution_rate"] == pytest.approx(round(resolved / len(disputes), 4) if disputes else 0)
    assert body["overdue"] == town.overdue(root)
    assert body["followups_due"] == town.followups_due(root)
    assert body["resolution_target"] == settings.resolution_target
    weekly = body["weekly"]
    assert len(weekly) == 12
    monday = today() - timedelta(days=today().weekday())
    assert weekly[-1]["start"] == monday.isoformat()
    assert [date.fromisoformat(w["start"]) for w in weekly] == [monday - timedelta(weeks=n) for n in range(11, -1, -1)]
    # Each case counts in the week its phone recorded it (here also the week it was resolved in),
    # not the week it reached the server.
    for week in weekly:
        start = date.fromisoformat(week["start"])
        inside = [d for d in disputes if start <= date.fromisoformat(d["found_on"]) < start + timedelta(days=7)]
        assert week["found"] == len(inside), week
        assert week["resolved"] == sum(d["status"] == "resolved" for d in inside), week


async def test_reports_are_for_supervisors_and_admins_only(client, ledger, town: Town):
    for user in ("worker1", "mediator"):
        headers = await ledger.headers(user)
        for path in ("/api/reports/coverage", "/api/reports/coverage.geojson", "/api/reports/summary",
                     "/api/areas/geojson", "/api/exports/disputes.csv", "/api/exports/statistics.xlsx"):
            r = await client.get(path, headers=headers)
            assert r.status_code == 403, (user, path)
            assert r.json()["status_code"] == 403
    r = await client.get("/api/reports/summary", headers=await ledger.headers("admin"))
    assert r.status_code == 200 and r.json()["total"] == len(town.live_disputes())


BAD_DATES = [({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"), ({"from": "2026-11-1"}, "from"),
             ({"from": "2026-11-10", "to": "2026-11-01"}, "from")]


async def test_bad_dates_are_400_naming_the_parameter(client, ledger):
    headers = await ledger.headers("supervisor")
    paths = ("/api/reports/coverage", "/api/reports/coverage.geojson", "/api/areas/geojson",
             "/api/exports/statistics.csv")
    for path, (params, named) in [(p, b) for p in paths for b in BAD_DATES]:
        r = await client.get(path, headers=headers, params=params)
        assert r.status_code == 400, r.text
        assert named in r.json()["detail"]


async def test_unknown_area_is_404(client, ledger):
    headers = await ledger.headers("admin")
    for path in ("/api/reports/coverage", "/api/reports/summary", "/api/exports/disputes.csv"):
        r = await client.get(path, headers=headers, params={"area_id": "no-such-area"})
        assert r.status_code == 404
