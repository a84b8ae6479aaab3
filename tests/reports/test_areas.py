"""Admin area tools: the tree with counts, new areas, boundary GeoJSON checked before it is stored."""

from __future__ import annotations

from tests.reports.town import Town, under
from tests.seed import sid

SQUARE = [[120, 30], [120.1, 30], [120.1, 30.1], [120, 30.1], [120, 30]]


async def test_area_tree_has_counts_over_each_subtree(client, ledger, town: Town):
    r = await client.get("/api/areas", headers=await ledger.headers("supervisor"))
    assert r.status_code == 200
    roots = r.json()["areas"]
    assert [a["code"] for a in roots] == ["T"]

    def walk(node):
        yield node
        for child in node["children"]:
            yield from walk(child)

    nodes = {n["code"]: n for n in walk(roots[0])}
    assert set(nodes) == {"T", "V1", "V2", "G1", "G2", "G3"}
    for code, node in nodes.items():
        disputes = town.live_disputes(code)
        assert node["households"] == len(town.live_households(code)), code
        assert node["disputes"] == len(disputes)
        assert node["open_disputes"] == sum(d["status"] in ("reported", "assigned", "in_mediation") for d in disputes)
        assert node["id"] == sid(code) and all(under(c["code"], code) for c in node["children"])
    assert (await client.get("/api/areas", headers=await ledger.headers("worker1"))).status_code == 403


async def test_admin_creates_areas_under_a_parent(client, ledger):
    admin = await ledger.headers("admin")
    r = await client.post("/api/areas", headers=admin, json={"parent_id": sid("V2"), "kind": "grid",
                                                              "name": "第四网格", "code": "G4"})
    assert r.status_code == 201, r.text
    assert r.json()["parent_id"] == sid("V2") and r.json()["boundary"] is None
    new_id = r.json()["id"]
    tree = (await client.get("/api/areas", headers=admin)).json()["areas"]
    v2 = next(c for c in tree[0]["children"] if c["code"] == "V2")
    assert [c["code"] for c in v2["children"]] == ["G3", "G4"] and v2["children"][1]["id"] == new_id
    for body, status in [({"parent_id": sid("V2"), "kind": "grid", "name": "x", "code": "G4"}, 409),
                         ({"parent_id": sid("G1"), "kind": "grid", "name": "x", "code": "G9"}, 400),
                         ({"parent_id": "nowhere", "kind": "grid", "name": "x", "code": "G9"}, 400),
                         ({"kind": "village", "name": "x", "code": "V9"}, 400),
                         ({"parent_id": sid("T"), "kind": "county", "name": "x", "code": "V9"}, 400)]:
        r = await client.post("/api/areas", headers=admin, json=body)
        assert r.status_code == status, (body, r.text)
    r = await client.post("/api/areas", headers=admin, json={"kind": "town", "name": "新镇", "code": "T2",
                                                              "boundary": {"type": "Polygon", "coordinates": [SQUARE]}})
    assert r.status_code == 201 and r.json()["boundary"]["type"] == "Polygon"
    r = await client.post("/api/areas", headers=await ledger.headers("supervisor"),
                          json={"parent_id": sid("V2"), "kind": "grid", "name": "x", "code": "G8"})
    assert r.status_code == 403


async def test_boundary_upload_is_checked(client, ledger):
    admin = await ledger.headers("admin")
    url = f"/api/areas/{sid('G1')}/boundary"
    bad = [
        ({"type": "Point", "coordinates": [120, 30]}, "Polygon"),
        ({"type": "Polygon", "coordinates": [SQUARE[:-1]]}, "not closed"),
        ({"type": "Polygon", "coordinates": [[[200, 30], [120.1, 30], [120.1, 30.1], [200, 30]]]}, "longitude"),
        ({"type": "Polygon", "coordinates": [[[120, 95], [120.1, 30], [120.1, 30.1], [120, 95]]]}, "latitude"),
        ({"type": "Polygon", "coordinates": [[[120, 30], [120.1, 30], [120, 30]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[[120, "30"], [120.1, 30], [120.1, 30.1], [120, "30"]]]}, "longitude"),
        ({"type": "MultiPolygon", "coordinates": []}, "non-empty"),
        ({"type": "FeatureCollection", "features": []}, "exactly one"),
    ]
    for body, message in bad:
        r = await client.put(url, headers=admin, json=body)
        assert r.status_code == 400, (body, r.text)
        assert message in r.json()["detail"], (message, r.json()["detail"])
    feature = {"type": "Feature", "properties": {"name": "G1"},
               "geometry": {"type": "MultiPolygon", "coordinates": [[SQUARE]]}}
    r = await client.put(url, headers=admin, json=feature)
    assert r.status_code == 200, r.text
    assert r.json()["boundary"] == {"type": "MultiPolygon", "coordinates": [[SQUARE]]}
    assert (await client.put("/api/areas/nowhere/boundary", headers=admin, json=feature)).status_code == 404
    r = await client.put(url, headers=await ledger.headers("supervisor"), json=feature)
    assert r.status_code == 403


async def test_nul_and_control_characters_are_client_errors(client, ledger):
    admin = await ledger.headers("admin")
    r = await client.post("/api/areas", headers=admin, json={"parent_id": sid("V2"), "kind": "grid",
                                                              "name": "a\x00b", "code": "G7"})
    assert r.status_code == 400
    r = await client.put("/api/areas/a%00b/boundary", headers=admin,
                         json={"type": "Polygon", "coordinates": [SQUARE]})
    assert r.status_code == 400 and "NUL" in r.json()["detail"]
    r = await client.post("/api/disputes/bulk", headers=admin, json={"ids": ["a\x00"], "set": {"office": "x"}})
    assert r.status_code == 400
    r = await client.post("/api/disputes/bulk", headers=admin, json={"ids": ["a"], "set": {"assignee_id": "\x00"}})
    assert r.status_code == 400
    r = await client.post("/api/imports/households", headers={**admin, "Content-Type": "text/csv"},
                          content="area,address\nG1,一\x00号\x01楼\n".encode())
    assert r.status_code == 200 and r.json()["applied"] == 1
    for path in ("/api/reports/coverage", "/api/exports/disputes.xlsx"):
        assert (await client.get(path, headers=admin, params={"area_id": "\x00"})).status_code == 400
