"""A server process killed with SIGKILL in the middle of a bulk push loses nothing and applies nothing twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from server.db import migrate
from server.settings import Settings
from tests.live import free_port, seed_database, wait_healthy
from tests.seed import PASSWORD, sid

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BATCHES, BATCH = 24, 500


def _start(data_dir: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, DOORSTEP_DATA_DIR=str(data_dir), DOORSTEP_LOG_LEVEL="WARNING")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.app:create_app_from_env", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env)
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


def _batches() -> list[dict]:
    return [{"mutations": [{"id": str(uuid.uuid4()), "collection": "households", "record_id": str(uuid.uuid4()),
                            "op": "create", "base_version": None, "at": None,
                            "fields": {"area_id": sid("G1"), "address": f"{b}-{i} Well Lane", "head_name": "Li"}}
                           for i in range(BATCH)]} for b in range(BATCHES)]


def test_sigkill_mid_push_then_pushing_again_lands_each_mutation_once(tmp_path):
    data_dir = tmp_path / "data"
    settings = Settings.from_env({}, data_dir=data_dir)
    migrate(settings)
    asyncio.run(seed_database(settings))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    batches = _batches()

    server = _start(data_dir, port)
    token = httpx.post(f"{base}/api/auth/login", json={"username": "worker1", "password": PASSWORD,
                                                        "device_name": "crash"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged: list[int] = []

    def push_all() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            for n, body in enumerate(batches):
                try:
                    r = client.post("/api/sync/push", json=body)
                except httpx.HTTPError:
                    return  # the server died under this push
                assert r.status_code == 200, r.text
                acknowledged.append(n)

    pusher = threading.Thread(target=push_all)
    pusher.start()
    while len(acknowledged) < 3:
        time.sleep(0.005)
    time.sleep(0.02)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    pusher.join(timeout=30)
    assert len(acknowledged) < BATCHES, "the push finished before the kill"

    server = _start(data_dir, port)
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for n, body in enumerate(batches):
                r = client.post("/api/sync/push", json=body)
                assert r.status_code == 200, r.text
                results = r.json()["results"]
                assert {x["status"] for x in results} == {"applied"}
                replayed = {x["replayed"] for x in results}
                assert len(replayed) == 1, "a push is one transaction: all of it or none of it"
                if n in acknowledged:
                    assert replayed == {True}
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    conn = sqlite3.connect(data_dir / "doorstep.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        total = BATCHES * BATCH
        for table in ("households", "mutations", "changes"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (total,), table
        assert conn.execute("SELECT count(DISTINCT record_id) FROM changes").fetchone() == (total,)
    finally:
        conn.close()
