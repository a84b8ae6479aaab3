"""Accounts through the real HTTP stack: sign-in, throttling, revocation, expiry, roles, scope."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from server.auth import token_hash
from server.clock import utcnow
from server.models import Device
from tests.seed import PASSWORD


async def test_login_returns_token_device_and_user(client, ledger):
    body = await ledger.login("worker1")
    assert set(body) == {"token", "device_id", "user", "expires_at"}
    assert body["user"]["username"] == "worker1"
    assert body["user"]["role"] == "field_worker"
    assert body["user"]["area_ids"] == [ledger.area("G1")]
    r = await client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert r.status_code == 200
    assert r.json()["user"]["id"] == ledger.user_id("worker1")


async def test_wrong_password_is_401_and_unknown_user_too(client, ledger):
    r = await client.post("/api/auth/login", json={"username": "worker1", "password": "nope", "device_name": "x"})
    assert r.status_code == 401
    assert r.json()["detail"] == "Wrong username or password."
    r = await client.post("/api/auth/login", json={"username": "ghost", "password": "nope", "device_name": "x"})
    assert r.status_code == 401


async def test_repeated_failures_are_throttled_with_retry_after(client, ledger, settings):
    for _ in range(settings.login_max_failures):
        r = await client.post("/api/auth/login", json={"username": "worker2", "password": "bad"})
        assert r.status_code == 401
    r = await client.post("/api/auth/login", json={"username": "worker2", "password": PASSWORD})
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) > 0
    assert "try again" in r.json()["detail"]
    # another username from the same address is not locked out by worker2's failures
    assert (await ledger.login("worker1"))["token"]


async def test_no_token_and_bad_token_are_401_not_redirects(client):
    r = await client.get("/api/me")
    assert r.status_code == 401
    assert r.json()["status_code"] == 401
    r = await client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401


async def test_logout_ends_the_token(client, ledger):
    headers = await ledger.headers("worker1")
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/me", headers=headers)).status_code == 401


async def test_revoked_device_stops_at_once(client, ledger):
    phone = await ledger.login("worker1", "lost phone")
    phone_headers = {"Authorization": f"Bearer {phone['token']}"}
    assert (await client.get("/api/me", headers=phone_headers)).status_code == 200
    admin = await ledger.headers("admin")
    r = await client.delete(f"/api/devices/{phone['device_id']}", headers=admin)
    assert r.status_code == 204
    r = await client.get("/api/me", headers=phone_headers)
    assert r.status_code == 401
    assert "revoked" in r.json()["detail"]


async def test_user_may_revoke_own_device_but_not_anothers(client, ledger):
    mine = await ledger.login("worker1", "old phone")
    other = await ledger.login("worker2", "their phone")
    headers = await ledger.headers("worker1")
    assert (await client.delete(f"/api/devices/{other['device_id']}", headers=headers)).status_code == 404
    assert (await client.delete(f"/api/devices/{mine['device_id']}", headers=headers)).status_code == 204
    devices = (await client.get("/api/devices", headers=headers)).json()["devices"]
    assert {d["name"] for d in devices} == {"old phone", "test phone"}
    assert all(d["username"] == "worker1" for d in devices)


async def test_expired_token_is_401(client, ledger, db):
    body = await ledger.login("worker1")
    async with db.write() as session:
        await session.execute(update(Device).where(Device.token_hash == token_hash(body["token"]))
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    r = await client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert r.status_code == 401
    assert "expired" in r.json()["detail"]


async def test_token_is_renewed_on_use(client, ledger, db, settings):
    body = await ledger.login("worker1")
    old = utcnow() - timedelta(days=10)
    async with db.write() as session:
        await session.execute(update(Device).where(Device.id == body["device_id"])
                              .values(last_seen_at=old, expires_at=old + timedelta(days=settings.token_ttl_days)))
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})).status_code == 200
    async with db.read() as session:
        device = await session.get(Device, body["device_id"])
    from server.clock import as_utc
    assert as_utc(device.expires_at) > utcnow() + timedelta(days=settings.token_ttl_days - 1)


async def test_scope_covers_the_subtree(client, ledger):
    def area_ids(body):
        return set(body["scope_area_ids"])

    me = (await client.get("/api/me", headers=await ledger.headers("mediator"))).json()
    assert area_ids(me) == {ledger.area(c) for c in ("V1", "G1", "G2")}
    assert {a["name"] for a in me["areas"]} == {"Area V1", "Area G1", "Area G2"}
    me = (await client.get("/api/me", headers=await ledger.headers("worker2"))).json()
    assert area_ids(me) == {ledger.area("G3")}
    me = (await client.get("/api/me", headers=await ledger.headers("supervisor"))).json()
    assert len(area_ids(me)) == 6
    me = (await client.get("/api/me", headers=await ledger.headers("admin"))).json()
    assert len(area_ids(me)) == 6


async def test_login_body_is_validated(client):
    r = await client.post("/api/auth/login", json={"username": "", "password": "x"})
    assert r.status_code == 400
    assert "username" in r.text
    # NUL cannot reach PostgreSQL's text: a 400 naming the field on both databases, not a database error
    for field in ("username", "device_name", "device_id"):
        body = {"username": "worker1", "password": PASSWORD} | {field: "a\x00b"}
        r = await client.post("/api/auth/login", json=body)
        assert r.status_code == 400 and [e["key"] for e in r.json()["extra"]] == [field], r.text


async def test_a_user_with_nul_in_name_or_areas_is_refused(client, ledger):
    r = await client.post("/api/users", headers=await ledger.headers("admin"),
                          json={"username": "clerk", "display_name": "Clerk\x00", "role": "field_worker",
                                "password": "long enough pass", "area_ids": []})
    assert r.status_code == 400 and [e["key"] for e in r.json()["extra"]] == ["display_name"], r.text
    r = await client.post("/api/users", headers=await ledger.headers("admin"),
                          json={"username": "clerk", "role": "field_worker", "password": "long enough pass",
                                "area_ids": ["G1\x00"]})
    assert r.status_code == 400 and "area_ids" in r.json()["extra"][0]["key"], r.text


async def test_signing_in_again_keeps_the_device_unless_it_was_revoked(client, ledger, db):
    first = await ledger.login("worker1", "phone")
    async with db.write() as session:
        await session.execute(update(Device).where(Device.id == first["device_id"])
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    r = await client.post("/api/auth/login", json={"username": "worker1", "password": PASSWORD,
                                                   "device_name": "phone", "device_id": first["device_id"]})
    assert r.status_code == 200
    again = r.json()
    assert again["device_id"] == first["device_id"] and again["token"] != first["token"]
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {first['token']}"})).status_code == 401
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {again['token']}"})).status_code == 200
    # another user's device id, or a revoked one, gets a new device
    other = await ledger.login("worker2")
    r = await client.post("/api/auth/login", json={"username": "worker1", "password": PASSWORD,
                                                   "device_id": other["device_id"]})
    assert r.json()["device_id"] not in (other["device_id"], first["device_id"])
    await client.delete(f"/api/devices/{first['device_id']}", headers=await ledger.headers("admin"))
    r = await client.post("/api/auth/login", json={"username": "worker1", "password": PASSWORD,
                                                   "device_id": first["device_id"]})
    assert r.json()["device_id"] != first["device_id"]
