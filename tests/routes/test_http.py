"""The HTTP surface: one error shape on every error path, health, headers, gzip, the field app's files."""

from __future__ import annotations

import pytest

from tests.seed import PASSWORD

LEAKS = ("Traceback", "sqlalchemy", "asyncpg", "sqlite3", "File \"", "INSERT ", "SELECT ")


def assert_error_shape(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["status_code"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    for leak in LEAKS:
        assert leak not in r.text
    return body


async def test_every_error_path_has_one_json_shape(client, ledger, settings):
    worker = await ledger.headers("worker1")
    admin = await ledger.headers("admin")

    body = assert_error_shape(await client.post("/api/auth/login", json={"username": 5}), 400)
    assert "username" in str(body)
    assert_error_shape(await client.get("/api/me"), 401)
    assert_error_shape(await client.post("/api/users", headers=worker,
                                          json={"username": "x", "role": "admin", "password": "12345678"}), 403)
    assert_error_shape(await client.get("/api/no-such-thing", headers=worker), 404)
    assert_error_shape(await client.delete("/api/devices/no-such-device", headers=worker), 404)
    assert_error_shape(await client.put("/api/health"), 405)
    body = assert_error_shape(await client.post("/api/users", headers=admin,
                                                json={"username": "worker1", "role": "field_worker",
                                                      "password": "12345678", "area_ids": [ledger.area("G1")]}), 409)
    assert "taken" in body["detail"]
    assert_error_shape(await client.post("/api/auth/login", content=b"x" * (25 * 1024 * 1024),
                                         headers={"content-type": "application/json"}), 413)
    body = assert_error_shape(await client.post("/api/auth/login", content=b"username=a",
                                                headers={"content-type": "application/x-www-form-urlencoded"}), 415)
    assert "JSON" in body["detail"]
    for _ in range(settings.login_max_failures):
        await client.post("/api/auth/login", json={"username": "mediator", "password": "wrong"})
    r = await client.post("/api/auth/login", json={"username": "mediator", "password": PASSWORD})
    assert_error_shape(r, 429)
    assert int(r.headers["retry-after"]) >= 1


async def test_malformed_json_is_400_naming_the_problem(client):
    r = await client.post("/api/auth/login", content=b'{"username": ', headers={"content-type": "application/json"})
    assert_error_shape(r, 400)


async def test_health_answers_without_a_token(client):
    r = await client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["version"]


async def test_openapi_schema_is_served(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/auth/login" in paths and "/api/me" in paths


async def test_push_body_is_described_in_the_schema(client):
    # push reads raw bytes (gzip or not), so its body schema is declared by hand: it must match the protocol
    body = (await client.get("/schema/openapi.json")).json()["paths"]["/api/sync/push"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert body["required"] is True and schema["required"] == ["mutations"]
    mutation = schema["properties"]["mutations"]["items"]
    assert set(mutation["properties"]) == {"id", "collection", "record_id", "op", "base_version", "fields", "at"}
    assert set(mutation["required"]) == {"id", "collection", "record_id", "op"}
    assert "$ref" not in str(schema)


async def test_json_responses_are_gzipped_when_accepted(client, ledger):
    headers = {**await ledger.headers("admin"), "accept-encoding": "gzip"}
    r = await client.get("/schema/openapi.json", headers=headers)
    assert r.headers.get("content-encoding") == "gzip"
    assert r.json()["openapi"]


@pytest.mark.parametrize("path", ["/", "/sw.js", "/manifest.webmanifest"])
async def test_field_app_files_at_the_root_with_security_headers(client, path):
    r = await client.get(path)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "no-cache" in r.headers["cache-control"]


async def test_index_has_no_inline_script(client):
    html = (await client.get("/")).text
    assert "<script>" not in html.replace(" ", "")
    assert "onerror=" not in html and "onclick=" not in html


async def test_users_admin_flow_and_supervisor_listing(client, ledger):
    admin = await ledger.headers("admin")
    r = await client.post("/api/users", headers=admin, json={
        "username": "worker3", "role": "field_worker", "password": "longenough", "area_ids": [ledger.area("G2")]})
    assert r.status_code == 201, r.text
    new_id = r.json()["id"]
    r = await client.post("/api/auth/login", json={"username": "worker3", "password": "longenough"})
    assert r.status_code == 200
    r = await client.patch(f"/api/users/{new_id}", headers=admin, json={"disabled": True})
    assert r.status_code == 200 and r.json()["disabled"] is True
    r = await client.post("/api/auth/login", json={"username": "worker3", "password": "longenough"})
    assert r.status_code == 401
    async def names(username):
        r = await client.get("/api/users", headers=await ledger.headers(username))
        assert r.status_code == 200
        return {u["username"] for u in r.json()["users"]}

    assert await names("supervisor") == {"supervisor", "mediator", "worker1", "worker2", "worker3"}
    # the mediator's village V1 holds G1 and G2, not worker2's G3
    assert await names("mediator") == {"supervisor", "mediator", "worker1", "worker3"}
    assert await names("worker2") == {"supervisor", "worker2"}
    assert "admin" in await names("admin")


async def test_client_config_names_offices_target_and_tiles(client, ledger, settings):
    body = (await client.get("/api/config", headers=await ledger.headers("worker1"))).json()
    assert body["offices"]["neighbour"] == settings.offices["neighbour"]
    assert body["resolution_target"] == settings.resolution_target and body["tile_url"] == settings.tile_url
    assert body["tile_attribution"] == "© OpenStreetMap contributors"


async def test_leaflet_is_served_from_its_package(client):
    r = await client.get("/vendor/leaflet/leaflet.js")
    assert r.status_code == 200 and "Leaflet" in r.text[:2000]
    assert (await client.get("/vendor/leaflet/leaflet.css")).status_code == 200


@pytest.mark.parametrize("path", ["/api/records/visits/a%00b/history", "/api/conflicts?status=open%00",
                                  "/api/sync/pull?cursor=a%00"])
async def test_a_nul_in_the_address_is_400_on_either_database(client, ledger, path):
    r = await client.get(path, headers=await ledger.headers("admin"))
    assert r.status_code == 400 and "NUL" in r.json()["detail"], r.text
