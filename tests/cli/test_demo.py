"""`doorstep demo` through the real command: loads once, changes nothing the second time, users sign in."""

from __future__ import annotations

import asyncio
import os
import sqlite3

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from tests.cli.conftest import (
    RECORD_TABLES,
    TABLES,
    cli_env,
    ok,
    run_cli,
    sign_in,
    sqlite_counts,
    sqlite_dump,
)
from tests.pgdb import asyncpg_dsn, scratch_database

pytestmark = pytest.mark.slow
PG_URL = os.environ.get("DOORSTEP_TEST_DATABASE_URL", "")
PASSWORD = "qingshi-demo-2026"


def test_demo_loads_the_town(demo_dir):
    counts = sqlite_counts(demo_dir / "doorstep.sqlite3")
    assert counts["areas"] == 24 and counts["users"] == 5
    assert 300 <= counts["households"] <= 600
    assert counts["visits"] > 100 and 12 <= counts["disputes"] <= 16 and counts["followups"] > 0
    # Everything went in through the sync engine: versioned, logged and in the change feed.
    synced = sum(counts[t] for t in RECORD_TABLES)
    assert counts["mutations"] == synced and counts["changes"] == synced
    assert all(counts[f"{t}.max_version"] in (1, None) for t in RECORD_TABLES)


async def test_demo_twice_changes_nothing(demo_copy):
    db = demo_copy / "doorstep.sqlite3"
    before = sqlite_dump(db)
    out = ok(run_cli("demo", "--data-dir", str(demo_copy)))
    assert "nothing changed" in out
    assert out.count("password unchanged") == 5
    assert sqlite_dump(db) == before
    # With --password the users' passwords are reset, and still nothing else changes.
    counts = sqlite_counts(db)
    out = ok(run_cli("demo", "--data-dir", str(demo_copy), "--password", PASSWORD))
    assert "nothing changed" in out and out.count("password reset, password as given") == 5
    assert sqlite_counts(db) == counts
    after = sqlite_dump(db)
    assert {t: rows for t, rows in after.items() if t != "users"} == {
        t: rows for t, rows in before.items() if t != "users"}
    assert await sign_in(demo_copy, "worker2", PASSWORD)


def test_demo_without_password_prints_a_random_one_per_user(demo_passwords):
    assert set(demo_passwords) == {"admin", "supervisor", "mediator", "worker1", "worker2"}
    assert len(set(demo_passwords.values())) == 5
    assert all(len(p) >= 12 for p in demo_passwords.values())


async def test_demo_users_sign_in_with_the_scopes_of_section_9(demo_copy, demo_passwords):
    settings = Settings.from_env({}, data_dir=demo_copy)
    me: dict[str, dict] = {}
    auth: dict[str, dict] = {}
    async with AsyncTestClient(app=create_app(settings)) as client:
        for username, password in demo_passwords.items():
            r = await client.post("/api/auth/login", json={"username": username, "password": password,
                                                            "device_name": "demo check"})
            assert r.status_code == 200, r.text
            auth[username] = {"Authorization": f"Bearer {r.json()['token']}"}
            r = await client.get("/api/me", headers=auth[username])
            assert r.status_code == 200, r.text
            me[username] = r.json()
        pulled = await pull_all(client, auth["worker1"])
        summary = (await client.get("/api/reports/summary", headers=auth["supervisor"])).json()
    scope = {name: set(body["scope_area_ids"]) for name, body in me.items()}
    codes = {a["id"]: a["code"] for a in me["admin"]["areas"]}
    assert me["worker1"]["user"]["role"] == me["worker2"]["user"]["role"] == "field_worker"
    assert [codes[a] for a in scope["worker1"]] == ["QSZ-QS-G2"]
    assert [codes[a] for a in scope["worker2"]] == ["QSZ-LX-G3"]
    assert not scope["worker1"] & scope["worker2"]
    assert scope["worker1"] < scope["mediator"] and not scope["worker2"] & scope["mediator"]
    assert len(scope["mediator"]) == 7  # 青石村 and its six grids
    assert scope["supervisor"] == set(codes) == scope["admin"]
    # worker1's phone gets the households, visits and cases of their grid, and nothing else.
    grid = next(a for a, c in codes.items() if c == "QSZ-QS-G2")
    with sqlite3.connect(demo_copy / "doorstep.sqlite3") as conn:
        in_grid = conn.execute("SELECT count(*) FROM households WHERE area_id = ?", (grid,)).fetchone()[0]
    assert sum(1 for c in pulled if c["collection"] == "households") == in_grid > 0
    assert {c["collection"] for c in pulled} == {"households", "visits", "disputes", "followups"}
    assert {c["record"]["area_id"] for c in pulled} == {grid}
    # The register import is the admin's; the visits in worker1's grid are worker1's own.
    writers = {c["collection"]: set() for c in pulled}
    for c in pulled:
        writers[c["collection"]].add(c["record"]["created_by"])
    assert writers["households"] == {me["admin"]["user"]["id"]}
    assert writers["visits"] == {me["worker1"]["user"]["id"]}
    # The supervisor's dashboard has something to show: open, overdue and resolved cases.
    assert summary["total"] == 15 and summary["overdue"] >= 2 and 0 < summary["resolution_rate"] < 1


async def pull_all(client: AsyncTestClient, headers: dict[str, str]) -> list[dict]:
    changes, cursor = [], None
    while True:
        r = await client.get("/api/sync/pull", params={"limit": 2000, **({"cursor": cursor} if cursor else {})},
                             headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database (the demo migrates it itself), dropped afterwards."""
    if not PG_URL:
        pytest.skip("DOORSTEP_TEST_DATABASE_URL is not set")
    with scratch_database(PG_URL, f"doorstep_cli_{os.getpid()}") as url:
        yield url


async def pg_counts(url: str) -> dict[str, object]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        out: dict[str, object] = {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in TABLES}
        for t in RECORD_TABLES:
            out[f"{t}.max_version"] = await conn.fetchval(f"SELECT max(version) FROM {t}")
            out[f"{t}.sum_version"] = await conn.fetchval(f"SELECT sum(version) FROM {t}")
        out["changes.max_seq"] = await conn.fetchval("SELECT max(seq) FROM changes")
        out["users"] = sorted(await conn.fetch("SELECT username, password_hash FROM users"))
        return out
    finally:
        await conn.close()


def test_demo_twice_on_postgresql_changes_nothing(pg_url, tmp_path):
    env = cli_env(DOORSTEP_DATABASE_URL=pg_url, DOORSTEP_DATA_DIR=str(tmp_path))
    ok(run_cli("demo", "--password", PASSWORD, env=env))
    before = asyncio.run(pg_counts(pg_url))
    assert before["areas"] == 24 and 300 <= before["households"] <= 600
    out = ok(run_cli("demo", env=env))
    assert "nothing changed" in out
    assert asyncio.run(pg_counts(pg_url)) == before
