"""Removing what unfinished uploads leave behind, on demand and periodically from the app.

Hook into the app with one line in ``create_app``: ``lifespan=[lifespan, photo_janitor]``.
Every server process may run it: each step tolerates another process doing the same at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.clock import utcnow
from server.photos import uploads
from server.photos.store import DirectoryBlobStore, blob_store
from server.photos.tus import UPLOAD_ID_RE

log = logging.getLogger("doorstep.photos")

# First sweep soon after start (not during it), then hourly; expiry is counted in hours anyway.
FIRST_DELAY_S = 30.0
INTERVAL_S = 3600.0
# A file with no row is left alone this long: its row may be being written, or just deleted.
ORPHAN_GRACE_S = 3600.0


@dataclass(frozen=True)
class Purged:
    expired_uploads: int
    orphan_files: int
    temp_files: int


async def purge_expired(db: Any, settings: Any) -> Purged:
    """Delete expired uploads (rows and bytes), upload files without a row, and stale temp files."""
    gone = await uploads.delete_expired(db, utcnow())
    await asyncio.to_thread(_unlink_all, [uploads.upload_path(settings, i) for i in gone])
    candidates = await asyncio.to_thread(_old_upload_files, settings.upload_dir, ORPHAN_GRACE_S)
    orphans: list[Path] = []
    if candidates:
        known = await uploads.known_ids(db, [p.name for p in candidates])
        orphans = [p for p in candidates if p.name not in known]
        await asyncio.to_thread(_unlink_all, orphans)
    temp = 0
    store = blob_store(settings)
    if isinstance(store, DirectoryBlobStore):
        temp = await asyncio.to_thread(store.sweep_temp, ORPHAN_GRACE_S)
    result = Purged(len(gone), len(orphans), temp)
    if gone or orphans or temp:
        log.info("photo cleanup removed %d expired uploads, %d orphan upload files, %d temp files",
                 result.expired_uploads, result.orphan_files, result.temp_files)
    return result


def _unlink_all(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _old_upload_files(directory: Path, older_than_s: float) -> list[Path]:
    if not directory.is_dir():
        return []
    cutoff = time.time() - older_than_s
    found = []
    for entry in os.scandir(directory):
        try:
            if UPLOAD_ID_RE.match(entry.name) and entry.is_file() and entry.stat().st_mtime < cutoff:
                found.append(Path(entry.path))
        except FileNotFoundError:
            continue
    return found


async def _sweep_forever(app: Any) -> None:
    await asyncio.sleep(FIRST_DELAY_S)
    while True:
        try:
            await purge_expired(app.state.db, app.state.settings)
        except Exception:
            # A failed sweep (database briefly away, say) must not end the loop or the server.
            log.exception("photo cleanup failed; trying again in %s s", INTERVAL_S)
        await asyncio.sleep(INTERVAL_S)


@contextlib.asynccontextmanager
async def photo_janitor(app: Any) -> AsyncIterator[None]:
    """Litestar lifespan: purge expired uploads in the background while the app runs."""
    task = asyncio.create_task(_sweep_forever(app), name="doorstep-photo-janitor")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
