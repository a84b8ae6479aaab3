"""Sync throughput over real HTTP on loopback, on the embedded default (SQLite).

Starts a server process (uvicorn, SQLite in a temporary data directory, the test town seeded), signs in
as worker1 (scope: grid G1) and:

1. pushes --visits visit creates (linking 200 households) in batches of --batch: mutations/s;
2. inserts the same visit rows with raw sqlite3 ``executemany`` in the same batches, one commit per
   batch, on a copy of the same migrated schema with the same pragmas: rows/s, and the ratio push/raw;
3. pulls everything from the start in pages of --page: records/s (with gzip, as the field app does).

    .venv/bin/python -m bench.bench_sync [--visits 10000] [--batch 500] [--page 1000] [--rounds 3] [--profile]
                                         [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Each round starts from a fresh data directory and server; the medians of the rounds are reported
(a shared 2-core machine varies by 15 % from one run to the next).

With --profile the server runs under pyinstrument and writes bench-sync-profile.html and a text
summary on exit. Targets (2 cores, client and server sharing them): push >= 15,000 mutations/s and
ratio >= 0.10 (below 5,000/s is a defect); pull >= 30,000 records/s (below 10,000 is a defect).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import NamedTuple

import httpx
import msgspec

from server.db import migrate
from server.settings import Settings
from tests.live import free_port, seed_database, wait_healthy
from tests.pgdb import scratch_database
from tests.seed import PASSWORD, sid

ROOT = Path(__file__).resolve().parents[1]


def start_server(data_dir: Path, port: int, profile: bool, database_url: str | None = None) -> subprocess.Popen:
    env = dict(os.environ, DOORSTEP_DATA_DIR=str(data_dir), DOORSTEP_LOG_LEVEL="WARNING")
    if database_url:
        env["DOORSTEP_DATABASE_URL"] = database_url
    uvicorn = [sys.executable, "-m", "uvicorn", "server.app:create_app_from_env", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    if profile:
        cmd = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(ROOT / "bench-sync-profile.txt"),
               "-m", *uvicorn[2:]]
    else:
        cmd = uvicorn
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


def make_batches(total: int, batch: int, households: list[str]) -> list[list[dict]]:
    visits = []
    for i in range(total):
        visits.append({"id": str(uuid.uuid4()), "collection": "visits", "record_id": str(uuid.uuid4()),
                       "op": "create", "base_version": None, "at": "2026-11-24T09:30:00+08:00",
                       "fields": {"household_id": households[i % len(households)],
                                  "visited_at": "2026-11-24T09:30:00+08:00", "outcome": "met",
                                  "notes": f"visit {i}: talked with the family about the lane", "lat": 30.1,
                                  "lon": 120.2, "accuracy_m": 12.0, "concerns": "", "dispute_ids": []}})
    return [visits[i:i + batch] for i in range(0, total, batch)]


def raw_baseline(template: Path, batches: list[list[dict]], workdir: Path) -> float:
    """Rows/s for the same visit rows through sqlite3 executemany, one commit per batch."""
    path = workdir / "raw.sqlite3"
    shutil.copy(template, path)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "cache_size=-65536", "wal_autocheckpoint=4000"):
        conn.execute(f"PRAGMA {pragma}")  # as server/db.py sets them
    area = sid("G1")
    sql = ("INSERT INTO visits (id, area_id, version, created_at, updated_at, created_by, updated_by, archived, "
           "conflicts, field_meta, household_id, visited_at, outcome, notes, concerns, dispute_ids, lat, lon, "
           "accuracy_m) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    now = "2026-11-24 01:30:00.000000"
    started = time.perf_counter()
    for batch in batches:
        rows = []
        for m in batch:
            f = m["fields"]
            meta = json.dumps({k: [1, "bench"] for k in f})
            rows.append((m["record_id"], area, 1, now, now, "u", "u", 0, 0, meta, f["household_id"],
                         f["visited_at"], f["outcome"], f["notes"], f["concerns"], json.dumps(f["dispute_ids"]),
                         f["lat"], f["lon"], f["accuracy_m"]))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return sum(len(b) for b in batches) / elapsed


class Round(NamedTuple):
    push: float  # mutations/s
    raw: float  # rows/s
    pull: float  # records/s
    records: int
    gzip: bool


def sqlite_template(workdir: Path) -> Path:
    """An empty migrated SQLite ledger, for the raw baseline."""
    settings = Settings.from_env({}, data_dir=workdir / "template")
    migrate(settings)
    return settings.data_dir / "doorstep.sqlite3"


def one_round(args: argparse.Namespace) -> Round:
    """A fresh ledger and server: push, the raw baseline, then pull."""
    workdir = Path(tempfile.mkdtemp(prefix="doorstep-bench-sync-"))
    try:
        template = sqlite_template(workdir)
        if not args.database_url:
            return measure(args, workdir, template, None)
        with scratch_database(args.database_url, "doorstep_bench") as url:
            return measure(args, workdir, template, url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args: argparse.Namespace, workdir: Path, template: Path, database_url: str | None) -> Round:
    data_dir = workdir / "data"
    settings = Settings.from_env({}, data_dir=data_dir, **({"database_url": database_url} if database_url else {}))
    migrate(settings)
    asyncio.run(seed_database(settings))
    port = free_port()
    server = start_server(data_dir, port, args.profile, database_url)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            login = client.post("/api/auth/login", json={"username": "worker1", "password": PASSWORD,
                                                         "device_name": "bench"}).json()
            headers = {"Authorization": f"Bearer {login['token']}", "Content-Type": "application/json"}
            households = [str(uuid.uuid4()) for _ in range(200)]
            setup = [{"id": str(uuid.uuid4()), "collection": "households", "record_id": h, "op": "create",
                      "base_version": None, "at": None,
                      "fields": {"area_id": sid("G1"), "address": f"{i} Well Lane", "head_name": "Li"}}
                     for i, h in enumerate(households)]
            r = client.post("/api/sync/push", headers=headers, content=msgspec.json.encode({"mutations": setup}))
            r.raise_for_status()

            batches = make_batches(args.visits, args.batch, households)
            bodies = [msgspec.json.encode({"device_id": login["device_id"], "mutations": b}) for b in batches]
            # As timeit does: the client's collector stays off while timing, or its passes over the
            # batches it holds (tens of thousands of dicts) count as the server's time.
            gc.disable()
            started = time.perf_counter()
            for body in bodies:
                r = client.post("/api/sync/push", headers=headers, content=body)
                r.raise_for_status()
                results = msgspec.json.decode(r.content)["results"]
                assert all(x["status"] == "applied" for x in results), results[:3]
            push_rate = args.visits / (time.perf_counter() - started)
            gc.enable()

            raw_rate = raw_baseline(template, batches, workdir)

            records = 0
            cursor = None
            gc.disable()
            started = time.perf_counter()
            while True:
                params = {"limit": args.page} | ({"cursor": cursor} if cursor else {})
                r = client.get("/api/sync/pull", headers=headers, params=params)
                r.raise_for_status()
                page = msgspec.json.decode(r.content)
                records += len(page["changes"])
                cursor = page["cursor"]
                if not page["has_more"]:
                    break
            pull_rate = records / (time.perf_counter() - started)
            gc.enable()
            gzip_used = r.headers.get("content-encoding") == "gzip"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    return Round(push_rate, raw_rate, pull_rate, records, gzip_used)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="fresh server and ledger each round; medians reported")
    parser.add_argument("--profile", action="store_true", help="run the server under pyinstrument")
    parser.add_argument("--database-url", help="serve from PostgreSQL: a new database is made on the server this "
                                               "URL names and dropped after each round (the raw baseline stays "
                                               "SQLite)")
    args = parser.parse_args()

    rounds = []
    for n in range(1, args.rounds + 1):
        r = one_round(args)
        rounds.append(r)
        print(f"round {n}: push {r.push:,.0f} mutations/s, raw {r.raw:,.0f} rows/s (ratio {r.push / r.raw:.2f}), "
              f"pull {r.pull:,.0f} records/s", flush=True)
    last = rounds[-1]
    push, raw, pull = (statistics.median(getattr(r, k) for r in rounds) for k in ("push", "raw", "pull"))
    ratio = statistics.median(r.push / r.raw for r in rounds)
    print(f"push: {args.visits:,} visit creates in batches of {args.batch}: {push:,.0f} mutations/s "
          f"(median of {len(rounds)})")
    print(f"raw sqlite3 executemany, same rows and batches: {raw:,.0f} rows/s; ratio push/raw = {ratio:.2f}")
    print(f"pull: {last.records:,} records in pages of {args.page} (gzip {'on' if last.gzip else 'off'}): "
          f"{pull:,.0f} records/s")


if __name__ == "__main__":
    main()
