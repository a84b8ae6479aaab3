"""Push limits and bodies: 413 naming the limit, gzip in both directions, 400 naming the field, nothing applied."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import func, select

from server.errors import TooLarge
from server.models import Mutation
from server.sync.body import read_body
from tests.sync.helpers import household, mutation, new_id, pull_all, push

PUSH = "/api/sync/push"


async def _mutations(db) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count(Mutation.id)))


def _body(mutations: list[dict]) -> bytes:
    return json.dumps({"device_id": "x", "mutations": mutations}).encode()


async def test_more_than_a_thousand_mutations_is_413_and_nothing_is_applied(client, ledger, db):
    h = await ledger.headers("worker1")
    ms = [mutation("households", new_id(), household(ledger.area("G1"))) for _ in range(1001)]
    r = await client.post(PUSH, headers=h, content=_body(ms), )
    assert r.status_code == 413
    assert r.json()["status_code"] == 413 and "1,000 mutations" in r.json()["detail"]
    assert await _mutations(db) == 0
    assert len(await push(client, h, ms[:1000])) == 1000


async def test_a_body_over_8_mib_is_413(client, ledger, db):
    h = await ledger.headers("worker1")
    for size in (9 * 1024 * 1024, 30 * 1024 * 1024):
        big = household(ledger.area("G1"), address="x" * size)
        r = await client.post(PUSH, headers=h | {"content-type": "application/json"},
                              content=_body([mutation("households", new_id(), big)]))
        assert r.status_code == 413 and "8 MiB" in r.json()["detail"] and "1,000 mutations" in r.json()["detail"]
    assert await _mutations(db) == 0


async def test_without_content_length_the_limit_holds_on_the_bytes_as_they_arrive():
    class Streamed:
        headers: dict = {}
        read = 0

        async def stream(self):
            for _ in range(64):
                self.read += 1
                yield b" " * (1024 * 1024)

    request = Streamed()
    with pytest.raises(TooLarge, match="8 MiB"):
        await read_body(request)
    assert request.read == 9  # stopped at the first megabyte past the limit


async def test_a_gzip_body_is_accepted(client, ledger):
    h = await ledger.headers("worker1")
    hid = new_id()
    body = gzip.compress(_body([mutation("households", hid, household(ledger.area("G1")))]))
    r = await client.post(PUSH, headers=h | {"content-type": "application/json", "content-encoding": "gzip"},
                          content=body)
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "applied"


async def test_a_gzip_bomb_is_refused_without_inflating_it(client, ledger, db):
    h = await ledger.headers("worker1")
    bomb = gzip.compress(b'{"mutations": [' + b" " * (64 * 1024 * 1024) + b"]}", compresslevel=9)
    assert len(bomb) < 200_000
    r = await client.post(PUSH, headers=h | {"content-type": "application/json", "content-encoding": "gzip"},
                          content=bomb)
    assert r.status_code == 413 and "8 MiB" in r.json()["detail"]
    r = await client.post(PUSH, headers=h | {"content-type": "application/json", "content-encoding": "gzip"},
                          content=b"not gzip at all")
    assert r.status_code == 400 and "gzip" in r.json()["detail"]
    r = await client.post(PUSH, headers=h | {"content-type": "application/json", "content-encoding": "br"},
                          content=b"{}")
    assert r.status_code == 415
    assert await _mutations(db) == 0


async def test_malformed_bodies_are_400_naming_the_field_and_nothing_is_applied(client, ledger, db):
    h = await ledger.headers("worker1") | {"content-type": "application/json"}
    good = mutation("households", new_id(), household(ledger.area("G1")))
    bad_base = mutation("households", new_id(), {"address": "x"}, op="update") | {"base_version": "three"}
    no_id = {k: v for k, v in good.items() if k != "id"}
    for body, words in (
        (b'{"mutations": [', ["JSON"]),
        (b"", ["JSON"]),
        (b'{"mutations": {}}', ["mutations"]),
        (b"[]", ["object"]),
        (_body([good, bad_base]), ["base_version", "mutations[1]"]),
        (_body([good, no_id]), ["id"]),
        (_body([good | {"fields": []}]), ["fields"]),
        (_body([good | {"record_id": "x" * 65}]), ["record_id"]),
        # PostgreSQL can hold neither: they must be a 400 on both databases, never a database error
        (_body([good | {"record_id": "a\x00b"}]), ["record_id", "mutations[0]"]),
        (_body([good | {"collection": "visits\x00"}]), ["collection"]),
        (_body([bad_base | {"base_version": 2**63}]), ["base_version"]),
    ):
        r = await client.post(PUSH, headers=h, content=body)
        assert r.status_code == 400, (body[:80], r.text)
        assert r.json()["status_code"] == 400
        for word in words:
            assert word in r.json()["detail"], (word, r.json())
    assert await _mutations(db) == 0


async def test_pull_is_gzipped_when_the_client_accepts_it(client, ledger):
    h = await ledger.headers("worker1")
    await push(client, h, [mutation("households", new_id(), household(ledger.area("G1"))) for _ in range(20)])
    r = await client.get("/api/sync/pull", headers=h | {"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert len(r.json()["changes"]) == 20
    r = await client.get("/api/sync/pull", headers=h | {"accept-encoding": "identity"})
    assert "content-encoding" not in r.headers


async def test_pull_limit_bounds(client, ledger):
    h = await ledger.headers("worker1")
    await push(client, h, [mutation("households", new_id(), household(ledger.area("G1"))) for _ in range(3)])
    for bad in ("0", "-1", "many"):
        r = await client.get("/api/sync/pull", headers=h, params={"limit": bad})
        assert r.status_code == 400, r.text
    r = await client.get("/api/sync/pull", headers=h, params={"limit": "100000"})
    assert r.status_code == 200 and len(r.json()["changes"]) == 3
    changes, _, _ = await pull_all(client, h, limit=1)
    assert len(changes) == 3


async def test_values_no_database_can_hold_are_rejected_per_mutation_and_the_rest_apply(client, ledger, db):
    h = await ledger.headers("worker1")
    area = ledger.area("G1")
    hid = new_id()
    results = await push(client, h, [
        mutation("households", new_id(), household(area, address="1 Well\x00Lane")),
        mutation("households", new_id(), household(area, lat=10**400)),
        mutation("disputes", new_id(), {"area_id": area, "title": "Wall", "category": "neighbour", "risk": "red",
                                        "parties": [{"name": "Li\x00"}]}),
        mutation("households", new_id(), household(area) | {"odd\x00name": 1}),
        mutation("households", hid, household(area)),
    ])
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["applied"]
    assert [r["error"]["code"] for r in results[:4]] == ["invalid_value", "invalid_value", "invalid_value",
                                                        "unknown_field"]
    assert "`address` must not contain NUL" in results[0]["error"]["message"]
    assert "`lat` must be a number from -90 to 90" in results[1]["error"]["message"]
    assert "`parties`" in results[2]["error"]["message"]
    assert await _mutations(db) == 5
    changes, _, _ = await pull_all(client, h)
    assert [c["record"]["id"] for c in changes] == [hid]
