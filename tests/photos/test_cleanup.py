"""Expired and orphaned partial uploads are removed, on demand and from the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from datetime import timedelta
from types import SimpleNamespace

from litestar import Litestar
from litestar.datastructures import State
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update

from server.clock import utcnow
from server.db import Database
from server.models import Upload
from server.photos import cleanup
from server.photos.store import blob_store
from tests.photos.images import jpeg
from tests.photos.tus_helpers import TUS, patch, start


async def _partial(client, headers, seed: int) -> str:  # type: ignore[no-untyped-def]
    data = jpeg(seed=seed)
    location = await start(client, headers, data)
    assert (await patch(client, headers, location, 0, data[:1000])).status_code == 204
    return location.rsplit("/", 1)[1]


def _age(path, seconds: float) -> None:  # type: ignore[no-untyped-def]
    past = time.time() - seconds
    os.utime(path, (past, past))


async def test_purge_removes_expired_uploads_orphans_and_stale_temp_files(client, ledger, db, settings):
    headers = await ledger.headers("worker1")
    old, fresh = await _partial(client, headers, 50), await _partial(client, headers, 51)
    async with db.write() as session:
        await session.execute(update(Upload).where(Upload.id == old).values(expires_at=utcnow() - timedelta(hours=1)))
    stale_orphan, new_orphan = settings.upload_dir / ("a" * 32), settings.upload_dir / ("b" * 32)
    stale_orphan.write_bytes(b"left by a crash")
    new_orphan.write_bytes(b"row being written")
    _age(stale_orphan, 2 * cleanup.ORPHAN_GRACE_S)
    store = blob_store(settings)
    stale_temp, new_temp = store.temp_path(), store.temp_path()
    stale_temp.write_bytes(b"x")
    new_temp.write_bytes(b"x")
    _age(stale_temp, 2 * cleanup.ORPHAN_GRACE_S)

    result = await cleanup.purge_expired(db, settings)

    assert result == cleanup.Purged(expired_uploads=1, orphan_files=1, temp_files=1)
    assert sorted(p.name for p in settings.upload_dir.iterdir()) == sorted([fresh, new_orphan.name])
    assert not stale_temp.exists() and new_temp.exists()
    async with db.read() as session:
        assert list(await session.scalars(select(Upload.id))) == [fresh]
    assert (await client.head(f"/api/uploads/{old}", headers={**headers, **TUS})).status_code == 404
    assert (await client.head(f"/api/uploads/{fresh}", headers={**headers, **TUS})).status_code == 200
    assert await cleanup.purge_expired(db, settings) == cleanup.Purged(0, 0, 0)


async def test_progress_extends_the_expiry(client, ledger, db, settings):
    headers = await ledger.headers("worker1")
    data = jpeg(seed=52)
    location = await start(client, headers, data)
    async with db.write() as session:
        await session.execute(update(Upload).values(expires_at=utcnow() + timedelta(minutes=1)))
    r = await patch(client, headers, location, 0, data[:1000])
    async with db.read() as session:
        expires_at = await session.scalar(select(Upload.expires_at))
    assert r.status_code == 204
    assert expires_at.replace(tzinfo=None) > (utcnow() + timedelta(hours=settings.upload_expiry_hours - 1)).replace(
        tzinfo=None)


async def test_janitor_lifespan_sweeps_in_the_background_and_stops_cleanly(client, ledger, db, settings, monkeypatch):
    headers = await ledger.headers("worker1")
    upload_id = await _partial(client, headers, 53)
    async with db.write() as session:
        await session.execute(update(Upload).values(expires_at=utcnow() - timedelta(seconds=1)))
    monkeypatch.setattr(cleanup, "FIRST_DELAY_S", 0.0)
    monkeypatch.setattr(cleanup, "INTERVAL_S", 0.05)
    app = SimpleNamespace(state=SimpleNamespace(db=db, settings=settings))
    async with cleanup.photo_janitor(app):
        for _ in range(100):
            if not (settings.upload_dir / upload_id).exists():
                break
            await asyncio.sleep(0.02)
    assert not (settings.upload_dir / upload_id).exists()


async def test_janitor_is_a_litestar_lifespan(client, ledger, db, settings, monkeypatch):
    headers = await ledger.headers("worker1")
    upload_id = await _partial(client, headers, 54)
    async with db.write() as session:
        await session.execute(update(Upload).values(expires_at=utcnow() - timedelta(seconds=1)))
    monkeypatch.setattr(cleanup, "FIRST_DELAY_S", 0.0)

    @contextlib.asynccontextmanager
    async def database(app: Litestar):  # type: ignore[no-untyped-def]
        # As in create_app: the app's own engine, opened on the loop that serves it.
        app.state.db = Database(settings)
        try:
            yield
        finally:
            await app.state.db.dispose()

    app = Litestar(route_handlers=[], lifespan=[database, cleanup.photo_janitor], state=State({"settings": settings}))
    async with AsyncTestClient(app=app):
        for _ in range(100):
            if not (settings.upload_dir / upload_id).exists():
                break
            await asyncio.sleep(0.02)
    assert not (settings.upload_dir / upload_id).exists()
