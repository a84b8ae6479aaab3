"""Fixture chain: settings (temporary data dir, SQLite or PostgreSQL) -> db -> app -> client.

Every API test runs on SQLite, and on PostgreSQL too when DOORSTEP_TEST_DATABASE_URL is set.
Each pytest process makes its own PostgreSQL database, so parallel runs do not collide.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from server.app import create_app
from server.db import Database, migrate
from server.settings import Settings
from tests.pgdb import scratch_database
from tests.seed import PASSWORD, Ledger, seed

PG_URL = os.environ.get("DOORSTEP_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test process, dropped at the end."""
    if not PG_URL:
        pytest.skip("DOORSTEP_TEST_DATABASE_URL is not set")
    prefix = f"{make_url(PG_URL).database or 'doorstep_test'}_{os.getpid()}"
    with scratch_database(PG_URL, prefix) as url:
        migrate(Settings.from_env({}, database_url=url))
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite ledger, copied for each test (much faster than migrating each time)."""
    data_dir = tmp_path_factory.mktemp("template")
    migrate(Settings.from_env({}, data_dir=data_dir))
    return data_dir / "doorstep.sqlite3"


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "doorstep.sqlite3")
        return Settings.from_env({}, data_dir=data_dir)
    return Settings.from_env({}, data_dir=data_dir, database_url=request.getfixturevalue("pg_database_url"))


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """The test's database, emptied (PostgreSQL) and seeded with the small test town."""
    database = Database(settings)
    await seed(database)
    yield database
    await database.dispose()


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[AsyncTestClient]:
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.fixture
async def ledger(client: AsyncTestClient) -> Ledger:
    """The seeded town with a way to sign in as any of its users."""
    return Ledger(client)


__all__ = ["PASSWORD"]
