"""Household register import: rows per second through the sync engine, first load and re-upload.

Builds a fresh ledger (SQLite in a temporary directory, or a new PostgreSQL database made on the
server named by --database-url and dropped afterwards) with one town, 10 villages and 200 grids,
writes a register CSV of --rows households (Chinese headers, area codes, coordinates), and imports
it with the code `doorstep import households` and `POST /api/imports/households` both run
(server.services.imports.import_households: parse, check every row, batches of 500 mutations
through apply_batch, one transaction per batch). Then it imports the same file again, which must
change nothing, and a third time with every head of household renamed (100,000 updates).

    .venv/bin/python -m bench.bench_import [--rows 100000] [--database-url postgresql+asyncpg://postgres@127.0.0.1/x]

Target: 100,000 rows in under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from server.auth import Principal
from server.clock import utcnow
from server.db import Database, migrate
from server.models import Area, Household
from server.scope import Scope
from server.services.imports import import_households
from server.settings import Settings
from tests.pgdb import scratch_database

VILLAGES, GRIDS_PER_VILLAGE = 10, 20


def register_csv(rows: int, seed: int = 7, head: str = "户主") -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("区域编码,地址,户主,纬度,经度\n")
    for n in range(rows):
        village, grid = n % VILLAGES, (n // VILLAGES) % GRIDS_PER_VILLAGE
        out.write(f"V{village:02d}-G{grid:02d},第{village + 1}村{grid + 1}组{n + 1}号,{head}{n},"
                  f"{30 + rng.random() / 10:.6f},{120 + rng.random() / 10:.6f}\n")
    return out.getvalue().encode("utf-8-sig")


async def seed_areas(db: Database) -> None:
    now = utcnow()
    areas = [{"id": "T", "parent_id": None, "kind": "town", "name": "镇", "code": "T", "boundary": None,
              "created_at": now}]
    for v in range(VILLAGES):
        areas.append({"id": f"V{v:02d}", "parent_id": "T", "kind": "village", "name": f"第{v + 1}村",
                      "code": f"V{v:02d}", "boundary": None, "created_at": now})
        areas += [{"id": f"V{v:02d}-G{g:02d}", "parent_id": f"V{v:02d}", "kind": "grid", "name": f"第{g + 1}网格",
                   "code": f"V{v:02d}-G{g:02d}", "boundary": None, "created_at": now} for g in range(GRIDS_PER_VILLAGE)]
    async with db.write() as session:
        await session.execute(insert(Area), areas)


async def bench(settings: Settings, rows: int) -> None:
    db = Database(settings)
    principal = Principal("bench-admin", "admin", "bench", "admin", "bench", (), Scope(None))
    try:
        await seed_areas(db)
        data, renamed = register_csv(rows), register_csv(rows, head="新户主")
        print(f"register: {rows:,} rows, {len(data) / 1e6:.1f} MB; ledger: {'SQLite' if db.is_sqlite else 'PostgreSQL'}",
              flush=True)
        for label, content in (("first import", data), ("same file again", data), ("every head changed", renamed)):
            started = time.perf_counter()
            report = await import_households(db, principal, content)
            seconds = time.perf_counter() - started
            print(f"{label:>18}: {seconds:6.1f} s  {rows / seconds:8,.0f} rows/s  applied {report.applied:,}  "
                  f"unchanged {report.unchanged:,}  rejected {len(report.rejected):,}", flush=True)
        async with db.read() as session:
            count = await session.scalar(select(func.count()).select_from(Household))
        print(f"households in the ledger: {count:,}")
        if count != rows:
            sys.exit(f"expected {rows} households, found {count}")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL server URL; a new database is made there and dropped")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.database_url:
            settings = Settings.from_env({}, data_dir=Path(tmp))
            migrate(settings)
            asyncio.run(bench(settings, args.rows))
            return
        with scratch_database(args.database_url, "doorstep_bench") as url:
            settings = Settings.from_env({}, data_dir=Path(tmp), database_url=url)
            migrate(settings)
            asyncio.run(bench(settings, args.rows))

if __name__ == "__main__":
    main()
